"""What pilots reads from the ledger beyond its footprint's spend: the initiatives an approval
can change the baseline of, and a footprint's population and coverage. The footprint's spend
itself (a pilot's spend, an initiative's ledger baseline) is the ledger's
(``ledger.calculations.footprint``), which savings reads too.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ledger.calculations.places import nearest_persons, populations
from ledger.calculations.precedence import place_tree
from ledger.models import FinancialYear, Place, Population, SpendLine
from ledger.selectors.coverage import YearCoverage, place_coverage
from pilots.models import Initiative


def initiatives_affected_by_returns(*, spend_return_ids: Iterable[int]) -> QuerySet[Initiative]:
    """The initiatives whose ledger baseline these returns' lines can change: a footprint that
    covers a line's place (it or a place above it) with the line's year as baseline year.

    Every line counts, direct or apportioned, whatever its return's status: pass the approved
    version and the one it superseded, and both what now counts and what no longer does are in.
    """
    touched = (
        SpendLine.objects.filter(spend_return_id__in=list(spend_return_ids))
        .values_list("financial_year_id", "place_id")
        .distinct()
        .order_by()
    )
    places_by_year: dict[int, set[int]] = defaultdict(set)
    for year_id, place_id in touched:
        places_by_year[year_id].add(place_id)
    covered, tree = Q(pk__in=[]), place_tree()
    for year_id, place_ids in places_by_year.items():
        covering = place_ids.union(*(tree.ancestors(place_id) for place_id in place_ids))
        covered |= Q(baseline_year_id=year_id, pilot__places__in=covering)
    # A subquery, not a join: a pilot with two covering places would list its initiatives twice.
    return Initiative.objects.filter(pk__in=Initiative.objects.filter(covered).values("pk"))


@dataclass(frozen=True)
class FootprintPopulation:
    """Persons in the footprint for a spend year. ``year`` names the population's year when the
    spend year has none of its own (the nearest, as the place pages take it): "" when it has."""

    persons: int
    illustrative: bool
    year: str = ""


def footprint_population(
    *, places: Iterable[Place], years: Iterable[str]
) -> dict[str, FootprintPopulation]:
    """Persons in the footprint for each of these financial years (codes), where every place
    has a figure: the year's own, else the nearest within five years, by the ledger's rule
    (``ledger.calculations.places.nearest_persons``), so per head agrees with the place pages."""
    places = list(places)
    # A place within another of the footprint's is already in that one's figure (a district
    # in its county): counted once, as the footprint's spend is.
    tree = place_tree()
    ids = {p.pk for p in places}
    places = [p for p in places if not ids.intersection(tree.ancestors(p.pk))]
    persons = populations(places)
    every_year = FinancialYear.objects.in_bulk()
    by_code = {year.code: year for year in every_year.values()}
    flagged = _illustrative(places)
    result = {}
    for code in years:
        found = [nearest_persons(persons, p.pk, by_code[code], every_year) for p in places]
        if not places or any(n is None for n, _ in found):
            continue
        used = sorted({y or code for _, y in found})
        result[code] = FootprintPopulation(
            persons=sum(n for n, _ in found),
            illustrative=any((p.pk, by_code[y].pk) in flagged for p in places for y in used),
            year="" if used == [code] else " and ".join(used),
        )
    return result


def _illustrative(places: list[Place]) -> set[tuple[int, int]]:
    """(place, year id) pairs whose population includes an illustrative figure: the place's own
    or a child's (a county's may be its districts' sum). Flags a county whose own figure is real
    but whose districts' are not: saying "illustrative" once too often is the safer mistake."""
    ids = [p.pk for p in places]
    rows = Population.objects.filter(is_illustrative=True).filter(
        Q(place_id__in=ids) | Q(place__parent_id__in=ids)
    )
    flagged = set()
    for place_id, parent_id, year_id in rows.values_list(
        "place_id", "place__parent_id", "financial_year_id"
    ):
        flagged |= {(place_id, year_id), (parent_id, year_id)}
    return flagged


def footprint_coverage(*, places: Iterable[Place]) -> dict[str, YearCoverage]:
    """Financial year code → the bodies counted in the footprint that year, each with its
    months: the ledger's coverage of each place, merged (a body serving two of the places is
    listed under each)."""
    merged: dict[str, YearCoverage] = {}
    for place in places:
        for coverage in place_coverage(place=place).values():
            merged.setdefault(coverage.year.code, YearCoverage(coverage.year)).bodies.extend(
                coverage.bodies
            )
    return merged
