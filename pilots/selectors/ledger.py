"""What pilots reads from the ledger beyond its footprint's spend: the initiatives an approval
can change the baseline of, and a footprint's population. The footprint's spend itself (a
pilot's spend, an initiative's ledger baseline) is the ledger's
(``ledger.calculations.footprint``), which savings reads too.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from ledger.calculations.precedence import place_tree
from ledger.models import Place, Population, SpendLine
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


def footprint_population(*, places: Iterable[Place]) -> dict[str, tuple[int, bool]]:
    """Persons in the footprint by financial year, counting only years every place has a
    figure for; the flag says whether any figure is illustrative."""
    places = list(places)
    rows = Population.objects.filter(place__in=places).values_list(
        "financial_year__code", "place_id", "persons", "is_illustrative"
    )
    by_year: dict[str, dict] = {}
    for code, place_id, persons, illustrative in rows:
        year = by_year.setdefault(code, {"places": set(), "persons": 0, "illustrative": False})
        year["places"].add(place_id)
        year["persons"] += persons
        year["illustrative"] |= illustrative
    return {
        code: (year["persons"], year["illustrative"])
        for code, year in sorted(by_year.items())
        if len(year["places"]) == len(places)
    }
