"""Reads for an organisation's page: its counted spend by year, theme and place (from the
rollups, through ``ledger.calculations.totals`` like every other figure), its returns and the
months they cover, and the money it pays other public bodies and receives from them (the
transfer rollups). Public figures only: approved returns and approved dataset editions."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from ledger.calculations.coverage import effective_months, months_label, part_year_label
from ledger.calculations.cuts import Cut
from ledger.calculations.places import populations
from ledger.calculations.precedence import place_tree
from ledger.calculations.totals import Aggregate, aggregate_many
from ledger.models import (
    DatasetEdition,
    FinancialYear,
    Organisation,
    Place,
    SpendReturn,
    SpendReturnStatus,
    SpendRollup,
    SpendTransferRollup,
)


def organisation_get(*, code: str) -> Organisation:
    """The organisation with this code (exactly, any case); DoesNotExist otherwise."""
    return Organisation.objects.select_related("home_place").get(code__iexact=code.strip())


def organisation_list(*, search: str = ""):
    """Organisations with counted spend (or a home place), by name; ``search`` in name or code."""
    found = Organisation.objects.filter(
        Q(pk__in=SpendRollup.objects.values("organisation_id")) | Q(home_place__isnull=False)
    )
    if search.strip():
        text = search.strip()
        found = found.filter(Q(name__icontains=text) | Q(code__iexact=text))
    return found.order_by("name")


@dataclass
class OrganisationSpend:
    """An organisation's counted spend: by year, by year and theme group, by year and place."""

    by_year: Aggregate
    by_theme: Aggregate
    by_place: Aggregate


def organisation_spend(*, organisation: Organisation) -> OrganisationSpend:
    """Its spend in every place it serves, gross (what it spent, including what it paid other
    bodies), from one rollup query; the cells of each breakdown add up to the same total."""
    by_year, by_theme, by_place = aggregate_many(
        cut=Cut({"organisation": [organisation.code]}),
        drilldowns=[["year"], ["year", "theme_group"], ["year", "place"]],
        order=["year"],
    )
    return OrganisationSpend(by_year, by_theme, by_place)


def area_populations(*, organisation: Organisation) -> dict[int, int]:
    """Year id → the people of the places its spend is recorded in (the outermost of them: a
    county, not also its districts); a year some place has no figure for is left out, so a
    per-head figure never divides by part of its area."""
    place_ids = set(
        SpendRollup.objects.filter(organisation=organisation)
        .values_list("place_id", flat=True)
        .distinct()
        .order_by()
    )
    tree = place_tree()
    outer = [p for p in place_ids if not place_ids & set(tree.ancestors(p))]
    if not outer:
        return {}
    found = populations(list(Place.objects.filter(pk__in=outer)))
    by_year: dict[int, dict[int, int]] = defaultdict(dict)
    for (place_id, year_id), persons in found.items():
        by_year[year_id][place_id] = persons
    return {y: sum(p.values()) for y, p in by_year.items() if len(p) == len(outer)}


@dataclass
class ReturnRow:
    spend_return: SpendReturn
    months: int | None

    @property
    def label(self) -> str:
        return months_label(self.months)

    @property
    def part_year(self) -> str:
        """ "part year (n of 12 months)", or "" for a whole or unknown year."""
        return part_year_label(self.months)


def organisation_returns(*, organisation: Organisation) -> list[ReturnRow]:
    """Its approved spend returns (the public ones), newest year first, with their months."""
    returns = (
        SpendReturn.objects.filter(organisation=organisation, status=SpendReturnStatus.APPROVED)
        .select_related("financial_year", "place")
        .order_by("-financial_year__start_date", "place__name")
    )
    return [
        ReturnRow(r, effective_months(computed=r.months, declared=r.declared_months))
        for r in returns
    ]


def organisation_coverage(*, organisation: Organisation) -> dict[int, int | None]:
    """Year id → the months its counted figures cover (its approved returns' months, or the
    dataset edition's the count uses; None: not known), as the place pages count them."""
    sources = set(
        SpendRollup.objects.filter(organisation=organisation)
        .values_list("financial_year_id", "edition_id")
        .distinct()
        .order_by()
    )
    masks: dict[int, list[int | None]] = {y: [] for y, _ in sources}
    returns = SpendReturn.objects.filter(
        organisation=organisation,
        status=SpendReturnStatus.APPROVED,
        financial_year_id__in={y for y, e in sources if not e},
    ).values_list("financial_year_id", "months", "declared_months")
    for year_id, months, declared in returns:
        masks[year_id].append(effective_months(computed=months, declared=declared))
    editions = dict(
        DatasetEdition.objects.filter(pk__in={e for _, e in sources if e}).values_list(
            "pk", "months"
        )
    )
    for year_id, edition_id in sources:
        if edition_id:
            masks[year_id].append(editions.get(edition_id))
    result = {}
    for year_id, found in masks.items():
        known = [m for m in found if m is not None]
        union = 0
        for mask in known:
            union |= mask
        result[year_id] = union if known else None
    return result


@dataclass
class Flow:
    """Money between this organisation and another public body in one year."""

    other: Organisation
    year: FinancialYear
    amount: Decimal
    lines: int


def organisation_transfers(*, organisation: Organisation) -> tuple[list[Flow], list[Flow]]:
    """(what it paid other public bodies, what other public bodies paid it), by body and year,
    from the transfer rollups (approved lines whose supplier is matched to a body)."""
    paid = _flows(SpendTransferRollup.objects.filter(organisation=organisation), "receiver_id")
    received = _flows(SpendTransferRollup.objects.filter(receiver=organisation), "organisation_id")
    return paid, received


def _flows(rows, other: str) -> list[Flow]:
    grouped = list(
        rows.values(other, "financial_year_id")
        .annotate(amount=Sum("amount"), lines=Sum("line_count"))
        .order_by()
    )
    bodies = Organisation.objects.in_bulk({r[other] for r in grouped})
    years = FinancialYear.objects.in_bulk({r["financial_year_id"] for r in grouped})
    flows = [
        Flow(bodies[r[other]], years[r["financial_year_id"]], r["amount"], r["lines"])
        for r in grouped
        if r[other] in bodies
    ]
    return sorted(flows, key=lambda f: (f.year.start_date, -f.amount, f.other.name))
