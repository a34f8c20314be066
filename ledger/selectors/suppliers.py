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
from ledger.models import (
    FinancialYear,
    Organisation,
    Place,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
)
from ledger.selectors.access import approved_lines
from ledger.services.transfers import supplier_key

TOP = 10
# Ranking suppliers groups every line in scope (pages_bench: a body's 1M lines, 8 s the first
# time on a loaded machine, then cached): pages rank them up to this many lines.
RANKED_LINES_LIMIT = 200_000


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


def _named(key: str) -> Q:
    """A cheap test every line paying ``key`` passes (each of its words, in any case, but
    "AND", which may have been "&"), checked before the key itself is computed: the regular
    expressions then run on few lines."""
    test = Q(supplier_redacted=False)
    for word in key.split():
        if word != "AND":
            test &= Q(supplier_name__icontains=word)
    return test


def supplier_lines(*, key: str, profile: "SupplierProfile | None" = None) -> QuerySet[SpendLine]:
    """Approved lines paying this supplier (never a redacted one), any council. Given its
    ``profile``, only the approved returns of the bodies and years that pay it are read: the
    planner cannot tell how few lines a key matches, and joined every line it found to every
    approved return (EXPLAIN, 2M lines: 3.0 s against 0.6 s)."""
    if key == REDACTED_KEY:
        return approved_lines().none()
    lines = approved_lines()
    if profile is not None:
        lines = SpendLine.objects.filter(
            spend_return_id__in=list(
                SpendReturn.objects.filter(
                    status=SpendReturnStatus.APPROVED,
                    organisation_id__in={p.organisation.pk for p in profile.payers},
                    financial_year_id__in={p.year.pk for p in profile.payers},
                ).values_list("pk", flat=True)
            )
        )
    return lines_with_keys(lines.filter(_named(key))).filter(supplier_key=key)


def supplier_profile(*, key: str) -> SupplierProfile | None:
    """One supplier across every council that pays it: by payer and year, how its name is
    spelt, and when; None when no approved line pays it. One pass over the lines, cached until
    the rollups next change."""
    return cached("supplier-profile", {"key": key}, lambda: _supplier_profile(key))


def _supplier_profile(key: str) -> SupplierProfile | None:
    rows = list(
        supplier_lines(key=key)
        .values("organisation_id", "financial_year_id", "supplier_name")
        .annotate(
            amount=Sum("amount"),
            lines=Count("id"),
            first=Min("transaction_date"),
            last=Max("transaction_date"),
        )
        .order_by()
    )
    if not rows:
        return None
    organisations = Organisation.objects.in_bulk({r["organisation_id"] for r in rows})
    years = FinancialYear.objects.in_bulk({r["financial_year_id"] for r in rows})
    grouped: dict[tuple[int, int], SupplierPayer] = {}
    for r in rows:
        pair = (r["organisation_id"], r["financial_year_id"])
        payer = grouped.setdefault(
            pair, SupplierPayer(organisations[pair[0]], years[pair[1]], Decimal("0.00"), 0)
        )
        payer.amount += r["amount"]
        payer.lines += r["lines"]
    payers = sorted(
        grouped.values(), key=lambda p: (p.year.start_date, -p.amount, p.organisation.name)
    )
    firsts = [r["first"] for r in rows if r["first"]]
    lasts = [r["last"] for r in rows if r["last"]]
    return SupplierProfile(
        key,
        sorted({r["supplier_name"] for r in rows}),
        payers,
        sum((p.amount for p in payers), Decimal("0.00")),
        sum(p.lines for p in payers),
        min(firsts, default=None),
        max(lasts, default=None),
    )


def supplier_search(*, text: str, limit: int = 50) -> list[SupplierTotal]:
    """Suppliers whose name contains ``text`` (as normalised), most paid first; never a
    redacted one."""
    words = supplier_key(text)
    if not words:
        return []
    params = {"words": words, "limit": limit}
    return cached("supplier-search", params, lambda: _search(words, limit))


def _search(words: str, limit: int) -> list[SupplierTotal]:
    lines = lines_with_keys(approved_lines().filter(_named(words)))
    return _totals(lines.filter(supplier_key__contains=words), limit)
