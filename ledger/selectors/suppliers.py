"""Reads about suppliers (payees): the top ones of a place or an organisation, one supplier
across every council that pays it, and supplier search. Approved lines only; a redacted
supplier is counted (one "Redacted" row) but its name is never returned, matched or sorted by.

Suppliers are grouped by the key the transfer matching uses (``ledger.calculations.suppliers``),
computed in the query: these read lines, not rollups, so they are bounded by a place, an
organisation or one supplier's key.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from ledger.calculations.cache import cached
from ledger.calculations.cuts import place_subtree_ids
from ledger.calculations.suppliers import REDACTED_KEY, supplier_key_sql, supplier_slug
from ledger.models import FinancialYear, Organisation, Place, SpendLine
from ledger.selectors.access import approved_lines
from ledger.services.transfers import supplier_key

TOP = 10


@dataclass
class SupplierTotal:
    key: str  # REDACTED_KEY for the redacted lines
    name: str  # a spelling the lines use ("Redacted" for the redacted ones)
    amount: Decimal
    lines: int

    @property
    def redacted(self) -> bool:
        return self.key == REDACTED_KEY

    @property
    def slug(self) -> str:
        return "" if self.redacted else supplier_slug(self.key)


def lines_with_keys(lines: QuerySet[SpendLine] | None = None) -> QuerySet[SpendLine]:
    """Approved lines (or these) with their ``supplier_key``; lines naming no supplier left out."""
    lines = approved_lines() if lines is None else lines
    return lines.filter(Q(supplier_redacted=True) | ~Q(supplier_name="")).annotate(
        supplier_key=supplier_key_sql()
    )


def _totals(lines: QuerySet[SpendLine], limit: int | None) -> list[SupplierTotal]:
    rows = (
        lines.values("supplier_key")
        .annotate(amount=Sum("amount"), lines=Count("id"), spelling=Min("supplier_name"))
        .order_by("-amount", "supplier_key")
    )
    rows = rows.exclude(supplier_key=REDACTED_KEY)
    return [
        SupplierTotal(row["supplier_key"], row["spelling"], row["amount"], row["lines"])
        for row in (rows[:limit] if limit else rows)
    ]


def _redacted(lines: QuerySet[SpendLine]) -> SupplierTotal | None:
    found = lines.filter(supplier_redacted=True).aggregate(amount=Sum("amount"), lines=Count("id"))
    if not found["lines"]:
        return None
    return SupplierTotal(REDACTED_KEY, "Redacted", found["amount"], found["lines"])


@dataclass
class TopSuppliers:
    suppliers: list[SupplierTotal]
    redacted: SupplierTotal | None  # every redacted line, counted as one, never named


def top_suppliers(
    *,
    place: Place | None = None,
    organisation: Organisation | None = None,
    year: FinancialYear | None = None,
    limit: int = TOP,
) -> TopSuppliers:
    """The suppliers paid most by approved lines in a place (and the places within it) or of
    an organisation, in a year or all years, and the redacted lines' total. Cached until the
    rollups next change (approved lines change only with them)."""
    params = {
        "place": place and place.pk,
        "organisation": organisation and organisation.pk,
        "year": year and year.pk,
        "limit": limit,
    }
    return cached("top-suppliers", params, lambda: _top_suppliers(place, organisation, year, limit))


def _top_suppliers(place, organisation, year, limit) -> TopSuppliers:
    lines = approved_lines()
    if place is not None:
        lines = lines.filter(place_id__in=place_subtree_ids([place.pk]))
    if organisation is not None:
        lines = lines.filter(organisation=organisation)
    if year is not None:
        lines = lines.filter(financial_year=year)
    keyed = lines_with_keys(lines)
    return TopSuppliers(_totals(keyed, limit), _redacted(lines))


@dataclass
class SupplierPayer:
    organisation: Organisation
    year: FinancialYear
    amount: Decimal
    lines: int


@dataclass
class SupplierProfile:
    key: str
    spellings: list[str]
    payers: list[SupplierPayer]
    amount: Decimal
    lines: int
    first_date: object
    last_date: object


def supplier_lines(*, key: str) -> QuerySet[SpendLine]:
    """Approved lines paying this supplier (never a redacted one), any council."""
    if key == REDACTED_KEY:
        return approved_lines().none()
    return lines_with_keys().filter(supplier_redacted=False, supplier_key=key)


def supplier_profile(*, key: str) -> SupplierProfile | None:
    """One supplier across every council that pays it: by payer and year, how its name is
    spelt, and when; None when no approved line pays it."""
    lines = supplier_lines(key=key)
    rows = list(
        lines.values("organisation_id", "financial_year_id")
        .annotate(amount=Sum("amount"), lines=Count("id"))
        .order_by()
    )
    if not rows:
        return None
    organisations = Organisation.objects.in_bulk({r["organisation_id"] for r in rows})
    years = FinancialYear.objects.in_bulk({r["financial_year_id"] for r in rows})
    payers = sorted(
        (
            SupplierPayer(
                organisations[r["organisation_id"]],
                years[r["financial_year_id"]],
                r["amount"],
                r["lines"],
            )
            for r in rows
        ),
        key=lambda p: (p.year.start_date, -p.amount, p.organisation.name),
    )
    spellings = sorted(set(lines.values_list("supplier_name", flat=True).distinct().order_by()))
    dates = lines.aggregate(first=Min("transaction_date"), last=Max("transaction_date"))
    return SupplierProfile(
        key,
        spellings,
        payers,
        sum((p.amount for p in payers), Decimal("0.00")),
        sum(p.lines for p in payers),
        dates["first"],
        dates["last"],
    )


def supplier_search(*, text: str, limit: int = 50) -> list[SupplierTotal]:
    """Suppliers whose name contains ``text`` (as normalised), most paid first; never a
    redacted one."""
    words = supplier_key(text)
    if not words:
        return []
    lines = lines_with_keys().filter(supplier_redacted=False, supplier_key__contains=words)
    return _totals(lines, limit)
