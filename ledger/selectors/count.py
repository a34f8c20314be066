"""Reads for the count of a place: where each body's figures come from, coverage, and the
reconciliation of the top-down count with the bottom-up one (as the Total Place pilots did).

The totals themselves are the rollups (``ledger.calculations.totals``): they already hold the
count, each body's figures from the best source (``ledger.calculations.precedence``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, Sum

from ledger.calculations.cuts import Cut, place_subtree_ids
from ledger.calculations.precedence import bodies_index, place_tree
from ledger.calculations.totals import ZERO, aggregate
from ledger.models import (
    Basis,
    DatasetEditionYear,
    DatasetLine,
    DatasetNotReported,
    DatasetRoute,
    FinancialYear,
    Organisation,
    Place,
    PlaceKind,
    ServiceTheme,
    SpendReturn,
    SpendReturnStatus,
    SpendRollup,
)

RETURNED = "returned"
ESTIMATED = "estimated"


@dataclass
class SourceUsed:
    """One body's figures in the count of a place for a year, and where they came from."""

    organisation: Organisation
    amount: Decimal
    lines: int
    source: str  # "Approved spend return" or the dataset edition
    basis: str  # "returned" (its own figures) or "estimated" (top-down)
    edition_id: int = 0


@dataclass
class Coverage:
    expected: list[Organisation] = field(default_factory=list)  # expected, with no figures
    not_reported: list[DatasetNotReported] = field(default_factory=list)
    # The current top-down editions for the year: where national bodies' figures come from.
    top_down: list[DatasetEditionYear] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.expected and not self.not_reported


NATIONAL_KINDS = (PlaceKind.UNITED_KINGDOM, PlaceKind.COUNTRY)


def _ancestors(place: Place) -> list[int]:
    return place_tree().ancestors(place.pk)


def count_sources(*, place: Place, year: FinancialYear, net: bool = False) -> list[SourceUsed]:
    """Each body's figures in the count of ``place`` (and the places below it) for ``year``,
    with the source it was taken from: largest first."""
    result = aggregate(
        cut=Cut({"place": [place.code], "year": [year.code]}),
        drilldown=["organisation", "source", "basis"],
        net=net,
    )
    by_key: dict[tuple[int, str], SourceUsed] = {}
    organisations = Organisation.objects.in_bulk(
        {c.members["organisation"].id for c in result.cells}
    )
    # Demo and sample returns say so wherever their figures show.
    illustrative = set(
        SpendReturn.objects.filter(
            organisation_id__in=organisations,
            financial_year=year,
            status=SpendReturnStatus.APPROVED,
            is_illustrative=True,
        ).values_list("organisation_id", flat=True)
    )
    for cell in result.cells:
        organisation = organisations[cell.members["organisation"].id]
        source = cell.members["source"]
        basis = ESTIMATED if cell.members["basis"].code == Basis.ESTIMATED else RETURNED
        label = "Approved spend return" if source.code == "returns" else source.name
        if source.code == "returns" and organisation.pk in illustrative:
            label += " (illustrative)"
        key = (organisation.pk, source.code)
        used = by_key.get(key)
        if used is None:
            used = by_key[key] = SourceUsed(organisation, ZERO, 0, label, basis, source.id or 0)
        used.amount += cell.amount
        used.lines += cell.lines
    return sorted(by_key.values(), key=lambda u: (-u.amount, u.organisation.name))


def count_coverage(*, place: Place, year: FinancialYear) -> Coverage:
    """Bodies expected in ``place`` for ``year`` that have no figures in its count, and bodies
    a current dataset edition lists as not reported (never shown as £0).

    A body is expected where it has its own area or serves places; national bodies (serving
    only whole countries) are not listed one by one: their figures for a place come top-down,
    and the coverage says from which edition, or that none covers the year."""
    subtree = place_subtree_ids([place.pk])
    around = subtree + _ancestors(place)
    day = year.start_date
    expected = (
        Organisation.objects.filter(
            Q(home_place_id__in=subtree) | Q(places__in=around) | Q(home_place_id__in=around)
        )
        .filter(aggregate_of=[])
        .exclude(Q(home_place__isnull=True) & ~Q(places__in=_local(around)))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=year.end_date))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .exclude(home_place__valid_to__lte=day)
        .exclude(home_place__valid_from__gt=year.end_date)
        .distinct()
    )
    present = set(
        SpendRollup.objects.filter(place_id__in=around, financial_year=year)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    current = DatasetEditionYear.objects.filter(is_current=True, financial_year=year).values(
        "edition_id"
    )
    not_reported = list(
        DatasetNotReported.objects.filter(
            edition_id__in=current, financial_year=year, organisation__in=expected
        )
        .select_related("organisation", "edition__dataset")
        .order_by("organisation__name")
    )
    silent = {n.organisation_id for n in not_reported}
    missing = [o for o in expected.order_by("name") if o.pk not in present and o.pk not in silent]
    top_down = list(
        DatasetEditionYear.objects.filter(
            is_current=True, financial_year=year, edition__dataset__route=DatasetRoute.TOP_DOWN
        ).select_related("edition__dataset")
    )
    return Coverage(expected=missing, not_reported=not_reported, top_down=top_down)


def _local(place_ids: list[int]) -> list[int]:
    """The places among these that are not whole countries."""
    return list(
        Place.objects.filter(pk__in=place_ids)
        .exclude(kind__in=NATIONAL_KINDS)
        .values_list("pk", flat=True)
    )


def not_reported_by_place(
    *, place_ids: list[int], year_ids: list[int]
) -> dict[tuple[int, int], list[DatasetNotReported]]:
    """(place, year) → bodies with that place as their own area that a current edition lists
    as not reported: for the pages and API that show a place's total."""
    found: dict[tuple[int, int], list[DatasetNotReported]] = defaultdict(list)
    rows = (
        DatasetNotReported.objects.filter(
            organisation__home_place_id__in=place_ids,
            financial_year_id__in=year_ids,
            edition__year_set__is_current=True,
            edition__year_set__financial_year_id=F("financial_year_id"),
        )
        .select_related("organisation", "edition__dataset", "financial_year")
        .order_by("organisation__name")
    )
    for row in rows:
        found[(row.organisation.home_place_id, row.financial_year_id)].append(row)
    return found


@dataclass
class ReconciliationRow:
    label: str
    theme: str
    top_down: Decimal
    bottom_up: Decimal

    @property
    def difference(self) -> Decimal:
        return self.bottom_up - self.top_down

    @property
    def percent(self) -> Decimal | None:
        if not self.top_down:
            return None
        return (self.difference * 100 / abs(self.top_down)).quantize(Decimal("0.1"))


def _theme_groups() -> dict[int, ServiceTheme]:
    themes = ServiceTheme.objects.in_bulk()
    groups = {}
    for pk, theme in themes.items():
        top = theme
        while top.parent_id:
            top = themes[top.parent_id]
        groups[pk] = top
    return groups


def count_reconciliation(
    *, place: Place, year: FinancialYear, by: str = "organisation"
) -> list[ReconciliationRow]:
    """Top-down (current top-down editions, whether the count used them or not) against
    bottom-up (approved returns and bottom-up editions, as counted) in ``place`` and below, by
    top-down body (or its sector) × theme group. A bottom-up body is compared with the body
    whose estimate stands for it: itself, a parent (a department for its agency), or a sector
    total ("Local government in England" for a council)."""
    subtree = place_subtree_ids([place.pk])
    groups = _theme_groups()
    current = DatasetEditionYear.objects.filter(is_current=True, financial_year=year)
    top_down_editions = current.filter(edition__dataset__route=DatasetRoute.TOP_DOWN).values(
        "edition_id"
    )
    top: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for row in (
        DatasetLine.objects.filter(
            edition_id__in=top_down_editions, financial_year=year, place_id__in=subtree
        )
        .values("organisation_id", "theme_id")
        .annotate(amount=Sum("amount"))
        .order_by()
    ):
        top[(row["organisation_id"], groups[row["theme_id"]].pk)] += row["amount"]
    estimated_bodies = {organisation_id for organisation_id, _ in top}
    bodies = bodies_index()
    bottom: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    result = aggregate(
        cut=Cut({"place": [place.code], "year": [year.code], "basis": _own_bases()}),
        drilldown=["organisation", "theme"],
    )
    for cell in result.cells:
        body = cell.members["organisation"].id
        counterpart = next((b for b in bodies.standing_for(body) if b in estimated_bodies), body)
        bottom[(counterpart, groups[cell.members["theme"].id].pk)] += cell.amount
    return _rows(top, bottom, groups, by)


def _own_bases() -> list[str]:
    return [Basis.DIRECT, Basis.APPORTIONED]


def _rows(top, bottom, groups, by: str) -> list[ReconciliationRow]:
    organisations = Organisation.objects.in_bulk({o for o, _ in top} | {o for o, _ in bottom})
    themes = {t.pk: t for t in groups.values()}
    merged: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for index, figures in enumerate((top, bottom)):
        for (organisation_id, theme_id), amount in figures.items():
            organisation = organisations[organisation_id]
            label = organisation.get_sector_display() if by == "sector" else organisation.name
            merged[(label, themes[theme_id].name)][index] += amount
    rows = [ReconciliationRow(label, theme, t, b) for (label, theme), (t, b) in merged.items()]
    return sorted(rows, key=lambda r: (r.label, -abs(r.top_down), r.theme))
