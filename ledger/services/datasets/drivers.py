"""Apportionment drivers for top-down estimates: which places share a region's spend, by what.

A region's figure is shared among the local authority areas below it that no other authority
area sits inside (districts, unitaries, metropolitan districts, London boroughs: the lowest
tier), by a driver held as data: population (``Population``) unless another driver is chosen
(``DriverValue``: claimants, pupils, registered patients).

Boundaries change (Dorset's districts became two unitaries in 2019) and drivers are published
for some years only, so the places and the driver's year are chosen together: the geography of
the spend's year if the driver covers every place of it, else of the nearest year whose places
it covers, and within it the driver year nearest to the spend's year. Each estimate records its
driver and the driver's year; a geography other than the spend year's is said in its source.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from ledger.calculations.precedence import PlaceTree
from ledger.models import LOWEST_TIER_KINDS, DriverValue, FinancialYear, Place, Population

POPULATION = "population"
DRIVER_SCALE = 10_000  # DriverValue has four decimal places: weights are whole numbers


@dataclass(frozen=True)
class DriverWeights:
    driver: str
    year: str  # the year of the driver's figures
    source: str
    weights: dict[int, int]  # place id → weight
    # The year whose authority areas share the figure, when not the spend's own year.
    geography_year: str = ""

    def describe(self) -> str:
        where = f", local authorities as in {self.geography_year}" if self.geography_year else ""
        return f"{self.driver.capitalize()} {self.year}{where}: {self.source}"[:200]


class Drivers:
    """Driver figures and place validity in memory, for many (region, year) splits at once."""

    def __init__(self, driver: str = POPULATION):
        self.driver = driver
        self.tree = PlaceTree()
        self.years = {y.pk: y for y in FinancialYear.objects.order_by("start_date")}
        self.places = {
            p.pk: p
            for p in Place.objects.filter(kind__in=LOWEST_TIER_KINDS).only(
                "pk", "name", "valid_from", "valid_to", "kind"
            )
        }
        self.values: dict[int, dict[int, int]] = defaultdict(dict)  # place → year → weight
        self.sources: dict[tuple[int, int], str] = {}
        if driver == POPULATION:
            rows = Population.objects.values_list(
                "place_id", "financial_year_id", "persons", "source"
            )
            for place_id, year_id, value, source in rows:
                self.values[place_id][year_id] = int(value)
                self.sources[(place_id, year_id)] = source
        else:
            rows = DriverValue.objects.filter(driver=driver).values_list(
                "place_id", "financial_year_id", "value", "source"
            )
            for place_id, year_id, value, source in rows:
                self.values[place_id][year_id] = int(Decimal(value) * DRIVER_SCALE)
                self.sources[(place_id, year_id)] = source
        if not self.values:
            raise ValidationError(f"There are no figures for the driver “{driver}”: load them.")
        self._cache: dict[tuple[int, int], DriverWeights | None] = {}
        self._over: dict[tuple, DriverWeights] = {}

    def _areas(self, parent_id: int, year: FinancialYear) -> list[int]:
        """Lowest-tier places below ``parent_id`` that existed on the year's first day."""
        day = year.start_date
        return sorted(
            pk
            for pk in self.tree.subtree(parent_id)
            if (place := self.places.get(pk)) is not None
            and (place.valid_from is None or place.valid_from <= day)
            and (place.valid_to is None or place.valid_to > day)
        )

    def weights(self, *, parent_id: int, year_id: int) -> DriverWeights | None:
        """How ``parent_id``'s figure for the year is shared; None if nothing is below it."""
        key = (parent_id, year_id)
        if key not in self._cache:
            self._cache[key] = self._choose(parent_id, self.years[year_id])
        return self._cache[key]

    def weights_over(self, *, place_ids: list[int], year_id: int) -> DriverWeights:
        """How a body's figure is shared over the places it serves (any tier), for the year:
        the driver year nearest to it with a figure for every one of them."""
        key = (tuple(sorted(place_ids)), year_id)
        if key not in self._over:
            year = self.years[year_id]
            common = set.intersection(*(set(self.values.get(p, {})) for p in place_ids))
            if not common:
                names = ", ".join(
                    Place.objects.filter(pk__in=[p for p in place_ids if not self.values.get(p)])
                    .order_by("name")
                    .values_list("name", flat=True)
                )
                raise ValidationError(
                    f"No year has {self.driver} figures for every place a body serves"
                    + (f" (none for {names})" if names else "")
                    + ": load them, or choose another driver."
                )
            self._over[key] = self._weights(place_ids, year, common, geography=year)
        return self._over[key]

    def _weights(self, areas, year, common, *, geography) -> DriverWeights:
        start = year.start_date.year
        driver_year = min(
            (self.years[y] for y in common),
            key=lambda y: (abs(y.start_date.year - start), -y.pk),
        )
        sources = sorted({self.sources[(p, driver_year.pk)] for p in areas})
        return DriverWeights(
            driver=self.driver,
            year=driver_year.code,
            geography_year=geography.code if geography != year else "",
            source="; ".join(sources),
            weights={p: self.values[p][driver_year.pk] for p in areas},
        )

    def _choose(self, parent_id: int, year: FinancialYear) -> DriverWeights | None:
        start = year.start_date.year
        nearest = sorted(self.years.values(), key=lambda y: (abs(y.start_date.year - start), -y.pk))
        for geography in nearest:
            areas = self._areas(parent_id, geography)
            if not areas:
                continue
            common = set.intersection(*(set(self.values.get(p, {})) for p in areas))
            if not common:
                continue
            return self._weights(areas, year, common, geography=geography)
        if not any(self._areas(parent_id, y) for y in self.years.values()):
            return None
        raise ValidationError(
            f"No year has {self.driver} figures for every local authority in "
            f"{Place.objects.get(pk=parent_id).name}: load them, or choose another driver."
        )
