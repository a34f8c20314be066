"""Place figures built on ``totals``: subtree totals, per head, comparisons, area-wide shares."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from ledger.calculations.apportion import apportion
from ledger.calculations.cuts import place_subtree_ids
from ledger.calculations.totals import AMOUNT, LINES, ZERO
from ledger.models import (
    FinancialYear,
    Organisation,
    Place,
    Population,
    SpendRollup,
    SpendTransferRollup,
)

APPORTIONED_LABEL = "Apportioned by population"


def per_head(amount: Decimal | None, persons: int | None) -> Decimal | None:
    """Pounds per person, to the penny; None when there is no population to divide by."""
    if amount is None or not persons:
        return None
    return (amount / persons).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def populations(places: list[Place], year_ids: list[int] | None = None) -> dict:
    """(place id, year id) → persons. A place without its own figure for a year gets the sum of
    its children's, when every child has one (a county from its districts)."""
    ids = [p.pk for p in places]
    children = defaultdict(list)
    for child_id, parent_id in Place.objects.filter(parent_id__in=ids).values_list(
        "pk", "parent_id"
    ):
        children[parent_id].append(child_id)
    rows = Population.objects.filter(place_id__in=ids + [c for cs in children.values() for c in cs])
    if year_ids is not None:
        rows = rows.filter(financial_year_id__in=year_ids)
    found = {(p, y): n for p, y, n in rows.values_list("place_id", "financial_year_id", "persons")}
    result = {}
    years = {y for _, y in found}
    for place_id in ids:
        for year_id in years:
            if (place_id, year_id) in found:
                result[(place_id, year_id)] = found[(place_id, year_id)]
            elif children[place_id] and all((c, year_id) in found for c in children[place_id]):
                result[(place_id, year_id)] = sum(found[(c, year_id)] for c in children[place_id])
    return result


@dataclass
class PlaceYear:
    place: Place
    year: FinancialYear
    amount: Decimal
    lines: int
    persons: int | None
    # The year of the population figure when the year itself has none (the nearest one):
    # per head is then approximate, and says so.
    persons_year: str = ""

    @property
    def per_head(self) -> Decimal | None:
        return per_head(self.amount, self.persons)


def subtree_totals(
    places: list[Place], years: list[FinancialYear] | None = None, *, net: bool = False
) -> list[PlaceYear]:
    """Each place's total (itself and everything below it) per year, in one rollup query;
    ``net``: less the transfers between public bodies within each place."""
    owner: dict[int, list[int]] = defaultdict(list)  # leaf place id → compared places it is in
    for place in places:
        for pid in place_subtree_ids([place.pk]):
            owner[pid].append(place.pk)
    rows = SpendRollup.objects.filter(place_id__in=list(owner))
    if years is not None:
        rows = rows.filter(financial_year__in=years)
    sums: dict[tuple[int, int], list] = defaultdict(lambda: [ZERO, 0])
    for row in rows.values("place_id", "financial_year_id").annotate(a=AMOUNT, n=LINES).order_by():
        for pid in owner[row["place_id"]]:
            sums[(pid, row["financial_year_id"])][0] += row["a"]
            sums[(pid, row["financial_year_id"])][1] += row["n"]
    if net:
        for (pid, year_id), pence in _transfers_within(places, years).items():
            if (pid, year_id) in sums:
                sums[(pid, year_id)][0] -= pence
    year_map = {
        y.pk: y for y in (years or FinancialYear.objects.filter(pk__in={k[1] for k in sums}))
    }
    persons = populations(places)
    every_year = FinancialYear.objects.in_bulk()
    result = []
    for place in places:
        for (pid, y), (amount, n) in sorted(
            sums.items(), key=lambda i: year_map[i[0][1]].start_date
        ):
            if pid == place.pk:
                found, found_year = nearest_persons(persons, place.pk, year_map[y], every_year)
                result.append(PlaceYear(place, year_map[y], amount, n, found, found_year))
    return result


def _transfers_within(places: list[Place], years) -> dict[tuple[int, int], Decimal]:
    """(place, year) → what bodies in the place paid bodies serving it (counted twice gross)."""
    from ledger.calculations.transfers import receivers_within

    found: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for place in places:
        rows = SpendTransferRollup.objects.filter(
            place_id__in=place_subtree_ids([place.pk]),
            receiver_id__in=receivers_within([place.pk]),
        )
        if years is not None:
            rows = rows.filter(financial_year__in=years)
        for year_id, amount in rows.values_list("financial_year_id").annotate(a=AMOUNT).order_by():
            found[(place.pk, year_id)] += amount
    return found


NEAREST_POPULATION_YEARS = 5


def nearest_persons(
    persons: dict, place_id: int, year: FinancialYear, every_year: dict[int, FinancialYear]
) -> tuple[int | None, str]:
    """The place's population in ``year``, else in the nearest year within five that has one
    (with that year's code): population estimates are published for fewer years than spend."""
    if (place_id, year.pk) in persons:
        return persons[(place_id, year.pk)], ""
    candidates = [every_year[y] for p, y in persons if p == place_id]
    if not candidates:
        return None, ""
    start = year.start_date.year
    nearest = min(candidates, key=lambda y: (abs(y.start_date.year - start), -y.pk))
    if abs(nearest.start_date.year - start) > NEAREST_POPULATION_YEARS:
        return None, ""
    return persons[(place_id, nearest.pk)], nearest.code


def peers(place: Place, limit: int = 12) -> list[Place]:
    """Places of the same kind under the same parent (the other districts of a county)."""
    if not place.parent_id:
        return []
    return list(
        Place.objects.filter(parent_id=place.parent_id, kind=place.kind)
        .exclude(pk=place.pk)
        .order_by("name")[:limit]
    )


@dataclass
class AreaShare:
    """A district's population share of spend recorded at its parent (county-wide bodies)."""

    organisation: Organisation
    amount: Decimal
    area: Place
    persons: int
    area_persons: int


def area_wide_shares(place: Place, year: FinancialYear) -> list[AreaShare]:
    """This place's share of the spend its parent's area-wide bodies record at the parent
    (county council, PCT, police...), each row split across the parent's children by
    population with largest remainder, so the children's shares add up exactly to the whole."""
    parent = place.parent
    if parent is None:
        return []
    siblings = list(Place.objects.filter(parent=parent).values_list("pk", flat=True))
    pops = dict(
        Population.objects.filter(place_id__in=siblings, financial_year=year).values_list(
            "place_id", "persons"
        )
    )
    if place.pk not in pops or any(s not in pops for s in siblings):
        return []
    weights = {pid: pops[pid] for pid in sorted(siblings)}
    by_org: dict[int, Decimal] = defaultdict(Decimal)
    rows = (
        SpendRollup.objects.filter(place=parent, financial_year=year)
        .values("organisation_id", "theme_id", "basis")
        .annotate(a=Sum("amount"))
        .order_by("organisation_id", "theme_id", "basis")
    )
    for row in rows:
        by_org[row["organisation_id"]] += apportion(row["a"], weights)[place.pk]
    organisations = Organisation.objects.in_bulk(list(by_org))
    area_persons = sum(weights.values())
    shares = [
        AreaShare(organisations[oid], amount, parent, pops[place.pk], area_persons)
        for oid, amount in by_org.items()
    ]
    return sorted(shares, key=lambda s: (-s.amount, s.organisation.name))
