"""Apportioning an organisation's spend across the places it serves, by a driver.

Population is the default driver; "equal" splits evenly. The split is exact to the penny
(largest remainder, ``ledger.calculations.apportion``) and every part records its driver.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q

from ledger.calculations.apportion import apportion
from ledger.models import FinancialYear, Organisation, Place, Population
from ledger.models.fields import from_pence, to_pence

DRIVERS = {"population": "Population", "equal": "Equal shares"}


@dataclass
class Driver:
    name: str
    source: str
    weights: dict[int, int]  # place id → weight

    def splitter(self) -> Callable[[int], list[tuple[int, int]]]:
        weights = self.weights

        def split(pence: int) -> list[tuple[int, int]]:
            parts = apportion(from_pence(pence), weights)
            return [(place_id, to_pence(amount)) for place_id, amount in parts.items()]

        return split


def apportionment_places(
    *, organisation: Organisation, financial_year: FinancialYear
) -> list[Place]:
    """The places an organisation's spend is spread over.

    Its recorded places; a single place with places below it (a county and its districts)
    means those places, as they stood during the year.
    """
    places = list(organisation.places.order_by("name"))
    if len(places) == 1:
        children = (
            Place.objects.filter(parent=places[0])
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=financial_year.end_date))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=financial_year.start_date))
            .order_by("name")
        )
        if children:
            return list(children)
    return places


def driver_for(*, organisation: Organisation, financial_year: FinancialYear, name: str) -> Driver:
    """Weights for ``name`` over the organisation's places; refuses rather than guessing."""
    places = apportionment_places(organisation=organisation, financial_year=financial_year)
    if len(places) < 2:
        raise ValidationError(
            f"{organisation} serves {len(places)} place{'s' if len(places) != 1 else ''}: "
            "there is nothing to apportion across. Choose a place for the lines instead."
        )
    if name == "equal":
        return Driver("equal", "Equal shares", {p.pk: 1 for p in places})
    if name != "population":
        raise ValidationError(f"Unknown apportionment driver “{name}”.")
    return _population_driver(places, financial_year)


def _population_driver(places: list[Place], year: FinancialYear) -> Driver:
    """Population in the year; where missing, every place's nearest year (the same one)."""
    rows = list(
        Population.objects.filter(place__in=places)
        .select_related("financial_year")
        .order_by("financial_year__start_date")
    )
    by_year: dict[str, dict[int, Population]] = {}
    for row in rows:
        by_year.setdefault(row.financial_year.code, {})[row.place_id] = row
    complete = {code: found for code, found in by_year.items() if len(found) == len(places)}
    if not complete:
        missing = [p.name for p in places if not any(p.pk in f for f in by_year.values())]
        raise ValidationError(
            "Population is needed to apportion by population, and there is none for "
            + (", ".join(missing) if missing else "all these places in any one year")
            + ". Load populations, or choose equal shares."
        )
    if year.code in complete:
        code = year.code
        note = ""
    else:
        start = year.start_date.year
        code = min(complete, key=lambda c: (abs(int(c[:4]) - start), c))
        note = f" (nearest year with figures for every place to {year.code})"
    found = complete[code]
    sources = sorted({row.source for row in found.values()})
    return Driver(
        "population",
        f"Population {code}{note}: {'; '.join(sources)}"[:200],
        {place.pk: found[place.pk].persons for place in places},
    )
