"""Reads about suppliers (payees): the top ones of a place or an organisation, one supplier
across every council that pays it, and supplier search. Approved lines only; a redacted
supplier is counted (one "Redacted" row) but its name is never returned, matched or sorted by.

Suppliers are grouped by the key the transfer matching uses (``ledger.calculations.suppliers``).
Figures come from the supplier rollups (``SpendSupplierRollup``: approved lines summed by body,
year, place and spelling, the key computed once per spelling), kept with the other rollups: a
body's 1M lines were grouped by a key computed per line on every cold page (4.5 s).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min, Q, QuerySet, Sum

from ledger.calculations.cache import cached
from ledger.calculations.cuts import place_subtree_ids
from ledger.calculations.suppliers import REDACTED_KEY, supplier_slug
from ledger.models import (
    FinancialYear,
    Organisation,
    Place,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
    SpendSupplierRollup,
)
from ledger.services.transfers import supplier_key

TOP = 10
LISTED = 50
# Ranking reads the scope's supplier rollup rows (one per body, year, place and spelling: at
# most one per line, far fewer where councils pay the same suppliers again). Measured on the
# pages bench (2M lines, 1M rollup rows): see docs/benchmarks.md, "Suppliers".
RANKED_LINES_LIMIT = 2_000_000


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


def _totals(rows: QuerySet[SpendSupplierRollup], limit: int | None) -> list[SupplierTotal]:
    """Named suppliers of these rollup rows, most paid first. The redacted rows and the lines
    naming no supplier have no key; nor has a name normalising to nothing ("Ltd"), which is
    not a supplier one could find again: all left out."""
    grouped = (
        rows.exclude(supplier_key=REDACTED_KEY)
        .values("supplier_key")
        .annotate(amount=Sum("amount"), lines=Sum("line_count"), spelling=Min("supplier_name"))
        .order_by("-amount", "supplier_key")
    )
    return [
        SupplierTotal(row["supplier_key"], row["spelling"], row["amount"], row["lines"])
        for row in (grouped[:limit] if limit else grouped)
    ]


def _redacted(rows: QuerySet[SpendSupplierRollup]) -> SupplierTotal | None:
    """The redacted lines of these rows (their names never copied), as one."""
    found = rows.filter(redacted=True).aggregate(amount=Sum("amount"), lines=Sum("line_count"))
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
    an organisation (or everywhere), in a year or all years, and the redacted lines' total.
    Cached until the rollups next change."""
    params = {
        "place": place and place.pk,
        "organisation": organisation and organisation.pk,
        "year": year and year.pk,
        "limit": limit,
    }
    return cached("top-suppliers", params, lambda: _top_suppliers(place, organisation, year, limit))


def _top_suppliers(place, organisation, year, limit) -> TopSuppliers:
    rows = SpendSupplierRollup.objects.all()
    if place is not None:
        rows = rows.filter(place_id__in=place_subtree_ids([place.pk]))
    if organisation is not None:
        rows = rows.filter(organisation=organisation)
    if year is not None:
        rows = rows.filter(financial_year=year)
    return TopSuppliers(_totals(rows, limit), _redacted(rows))


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


def supplier_lines(*, key: str, profile: "SupplierProfile | None" = None) -> QuerySet[SpendLine]:
    """Approved lines paying this supplier (never a redacted one), any council: the lines of
    the approved returns of the bodies and years that pay it, spelt as its rollup rows spell it
    (every spelling with this key: so exactly its lines, with no expression per line)."""
    profile = profile if profile is not None else supplier_profile(key=key)
    if key == REDACTED_KEY or profile is None:
        return SpendLine.objects.none()
    returns = (
        SpendReturn.objects.filter(
            status=SpendReturnStatus.APPROVED,
            organisation_id__in={p.organisation.pk for p in profile.payers},
            financial_year_id__in={p.year.pk for p in profile.payers},
        )
        .order_by()
        .values_list("pk", flat=True)
    )  # unordered: no join to the years to sort by
    return SpendLine.objects.filter(
        spend_return_id__in=list(returns),
        supplier_redacted=False,
        supplier_name__in=profile.spellings,
    )


def supplier_profile(*, key: str) -> SupplierProfile | None:
    """One supplier across every council that pays it: by payer and year, how its name is
    spelt, and when; None when no approved line pays it. Cached until the rollups next
    change."""
    return cached("supplier-profile", {"key": key}, lambda: _supplier_profile(key))


def _supplier_profile(key: str) -> SupplierProfile | None:
    if key == REDACTED_KEY:
        return None
    rows = list(
        SpendSupplierRollup.objects.filter(supplier_key=key, redacted=False).values(
            "organisation_id",
            "financial_year_id",
            "supplier_name",
            "amount",
            "line_count",
            "first_date",
            "last_date",
        )
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
        payer.lines += r["line_count"]
    payers = sorted(
        grouped.values(), key=lambda p: (p.year.start_date, -p.amount, p.organisation.name)
    )
    firsts = [r["first_date"] for r in rows if r["first_date"]]
    lasts = [r["last_date"] for r in rows if r["last_date"]]
    return SupplierProfile(
        key,
        sorted({r["supplier_name"] for r in rows}),
        payers,
        sum((p.amount for p in payers), Decimal("0.00")),
        sum(p.lines for p in payers),
        min(firsts, default=None),
        max(lasts, default=None),
    )


def supplier_years() -> list[FinancialYear]:
    """The years whose approved lines name (or redact) a supplier, newest first: the supplier
    list's choice of year, the newest its default. A year whose approved returns name no payee
    (the illustrative demo's totals by theme) is left out: it would list nothing, and as the
    newest it was the default. Cached until the rollups next change."""
    ids = cached("supplier-years", {}, _named_year_ids)
    return list(FinancialYear.objects.filter(pk__in=ids).order_by("-start_date"))


def _named_year_ids() -> list[int]:
    # Rows of lines naming no supplier have no key and are not redacted (the model's docstring).
    rows = SpendSupplierRollup.objects.filter(Q(redacted=True) | ~Q(supplier_key=""))
    return list(rows.values_list("financial_year_id", flat=True).distinct())


def supplier_search(*, text: str, limit: int = LISTED) -> list[SupplierTotal]:
    """Suppliers whose name contains ``text`` (as normalised), most paid first; never a
    redacted one (their rows have no key to contain it)."""
    words = supplier_key(text)
    if not words:
        return []
    params = {"words": words, "limit": limit}
    return cached("supplier-search", params, lambda: _search(words, limit))


def _search(words: str, limit: int) -> list[SupplierTotal]:
    return _totals(SpendSupplierRollup.objects.filter(supplier_key__contains=words), limit)
