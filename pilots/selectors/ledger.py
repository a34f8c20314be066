"""Everything the pilots app reads from the ledger's spend, in one place.

``footprint_spend`` is the only function that sums spend, through the ledger's totals module
(``ledger.calculations.totals``), which reads the rollups (approved lines only, kept current by
Celery and reconciled to the penny): a pilot page costs the same on a ledger of ten lines or ten
million.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q, QuerySet

from ledger.calculations.precedence import place_tree
from ledger.calculations.totals import spend_by_year_and_theme
from ledger.models import (
    Classification,
    FinancialYear,
    Place,
    Population,
    ServiceTheme,
    SpendLine,
    ThemeCrosswalk,
)
from pilots.models import Initiative
from totalplace.money import pence_to_decimal, round_pence


@dataclass(frozen=True)
class SpendTotal:
    financial_year: str
    amount: Decimal
    lines: int


def footprint_place_ids(places: Iterable[Place]) -> list[int]:
    """The footprint's places and every place below them, each once (a county and a district
    of it in the same footprint are not counted twice)."""
    return sorted(place_tree().subtrees([place.pk for place in places]))


def footprint_spend(
    *,
    places: Iterable[Place],
    financial_year: FinancialYear | None = None,
    theme_weights: dict[int, Fraction] | None = None,
    organisation_ids: Iterable[int] | None = None,
) -> list[SpendTotal]:
    """Approved spend in the footprint by financial year (or in one year), optionally only on
    themes in ``theme_weights`` (theme id → share of it that counts, 1 for all of it) and only
    by some organisations (``organisation_ids``).

    Sums are exact pence from the database; weighted sums are rounded to the penny once, at the
    end, per year.
    """
    rows = spend_by_year_and_theme(
        place_ids=footprint_place_ids(places),
        financial_year=financial_year,
        theme_ids=None if theme_weights is None else [t for t, w in theme_weights.items() if w],
        organisation_ids=organisation_ids,
    )
    by_year: dict[str, list] = {}
    for row in rows:
        weight = Fraction(1) if theme_weights is None else theme_weights[row["theme_id"]]
        year = by_year.setdefault(row["financial_year__code"], [Fraction(0), 0])
        year[0] += Fraction(row["amount"]) * weight
        year[1] += row["lines"]
    return [
        SpendTotal(code, pence_to_decimal(round_pence(total)), count)
        for code, (total, count) in sorted(by_year.items())
    ]


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


def theme_weights_for(
    *, service_theme: ServiceTheme | None, deep_dive: Classification | None, on=None
) -> dict[int, Fraction]:
    """Which themes count towards a theme, and how much of each.

    A service theme counts with all its sub-themes. A deep dive counts the themes crosswalked to
    it at their weights (health-public × 0.25 for drugs and alcohol); a sub-theme with no
    crosswalk of its own inherits its parent's. With both, the service theme decides.
    """
    children: dict[int | None, list[int]] = {}
    for theme_id, parent_id in ServiceTheme.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(theme_id)
    if service_theme is not None:
        return {t: Fraction(1) for t in _subtree(service_theme.pk, children)}
    if deep_dive is None:
        return {}
    crosswalks = ThemeCrosswalk.objects.filter(classification=deep_dive)
    if on is not None:
        crosswalks = crosswalks.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gt=on),
        )
    direct = {t: Fraction(w) for t, w in crosswalks.values_list("theme_id", "weight")}
    any_crosswalk = set(
        ThemeCrosswalk.objects.filter(classification__scheme=deep_dive.scheme).values_list(
            "theme_id", flat=True
        )
    )
    weights: dict[int, Fraction] = {}
    for theme_id, weight in direct.items():
        for descendant in _subtree(theme_id, children):
            # A sub-theme crosswalked in its own right keeps its own weight (or none here).
            if descendant == theme_id or descendant not in any_crosswalk:
                weights.setdefault(descendant, weight)
    return {t: w for t, w in weights.items() if w}


def _subtree(root: int, children: dict) -> list[int]:
    found, frontier = [root], [root]
    while frontier:
        frontier = [c for parent in frontier for c in children.get(parent, [])]
        found += frontier
    return found


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
