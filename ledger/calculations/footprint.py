"""Approved spend in a footprint: a set of places and every place below them, by financial
year, optionally weighted by theme (which themes count towards a service theme or a deep
dive, and how much of each).

What pilots reads for a pilot's spend and an initiative's ledger baseline, and what savings
reads for a claimed saving's ledger check: both ask the ledger here, so savings, shown on
pilots' pages, never calls back into pilots for it. It reads the rollups (approved lines only,
kept current by Celery and reconciled to the penny) with the totals module's sums
(``ledger.calculations.totals``): a pilot page costs the same on a ledger of ten lines or ten
million.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q

from ledger.calculations.precedence import place_tree
from ledger.calculations.totals import AMOUNT, LINES
from ledger.models import (
    Classification,
    FinancialYear,
    Place,
    ServiceTheme,
    SpendRollup,
    ThemeCrosswalk,
)
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


def spend_by_year_and_theme(
    *,
    place_ids: Iterable[int],
    financial_year: FinancialYear | None = None,
    theme_ids: Iterable[int] | None = None,
    organisation_ids: Iterable[int] | None = None,
) -> list[dict]:
    """Approved spend in exactly these places (pass a subtree's ids: nothing is added below
    them) by financial year and theme, optionally in one year, on some themes or by some
    organisations: rows of ``financial_year__code``, ``theme_id``, ``amount`` (Decimal pounds,
    exact) and ``lines``; ``footprint_spend`` weights the themes."""
    rollups = SpendRollup.objects.filter(place_id__in=list(place_ids))
    if financial_year is not None:
        rollups = rollups.filter(financial_year=financial_year)
    if theme_ids is not None:
        rollups = rollups.filter(theme_id__in=list(theme_ids))
    if organisation_ids is not None:
        rollups = rollups.filter(organisation_id__in=list(organisation_ids))
    return list(
        rollups.values("financial_year__code", "theme_id")
        .annotate(amount=AMOUNT, lines=LINES)
        .order_by("financial_year__code", "theme_id")
    )


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
