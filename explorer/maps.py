"""Spend per head by local authority district, for the hex map and its table.

The layout is Open Innovations' HexJSON of the 2021 districts (``fixtures/maps``, MIT): one hex
per district, keyed by its GSS code. A hex's place is the project's place with that code (GSS
or a recorded alias); its spend is the aggregate's for the year and theme in that place and
the places below it. A hex with no place, no spend or no population says "no data": never £0.
A district abolished before the year shows its successor's figures (from 2023-24, Allerdale's,
Carlisle's and Copeland's hexes show Cumberland), counted once in the bands.
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.db.models import Q

from ledger.calculations.apportion import apportion
from ledger.calculations.cuts import Cut, place_subtree_ids
from ledger.calculations.places import nearest_persons, per_head, populations
from ledger.calculations.totals import aggregate
from ledger.models import (
    FinancialYear,
    Place,
    PlaceKind,
    Population,
    ServiceTheme,
    SpendRollup,
)

HEXJSON = (
    settings.BASE_DIR / "fixtures/maps/odileeds_hexmap_uk_local_authority_districts_2021.hexjson"
)
BANDS = 5


@cache
def hexjson() -> dict:
    """The layout as published: ``{"layout": "odd-r", "hexes": {code: {n, q, r, region}}}``."""
    return json.loads(HEXJSON.read_text(encoding="utf-8"))


@dataclass
class District:
    code: str
    name: str
    region: str
    place: Place | None = None
    amount: Decimal | None = None
    persons: int | None = None
    persons_year: str = ""  # the population's year, when the spend's year has none
    county_share: Decimal | None = None  # of ``amount``: its share of county-wide spend
    band: int | None = None
    # The place whose figures the hex shows when not the district's own: the authority that
    # replaced it (Cumberland, for Allerdale from 2023-24). ``place`` is then that successor.
    replaced_by: Place | None = None

    @property
    def per_head(self) -> Decimal | None:
        return per_head(self.amount, self.persons)


def _places_by_code(codes: list[str]) -> dict[str, Place]:
    found = {}
    matching = Place.objects.filter(Q(gss_code__in=codes) | Q(aliases__code__in=codes))
    for place in matching.distinct().prefetch_related("aliases", "successors"):
        found[place.gss_code] = place
        for alias in place.aliases.all():
            found.setdefault(alias.code, place)
    return {code: found[code] for code in codes if code in found}


def _shown_place(place: Place, year: FinancialYear) -> Place:
    """The place whose figures a district's hex shows in ``year``: its own, or, once it was
    abolished, its one successor's current that year (a district merged into a unitary). A
    district split between several successors keeps its own (none of them is all of it)."""
    if place.valid_to is None or place.valid_to > year.start_date:
        return place
    current = [
        s
        for s in place.successors.all()
        if (s.valid_from is None or s.valid_from <= year.start_date)
        and (s.valid_to is None or s.valid_to > year.start_date)
    ]
    return current[0] if len(current) == 1 else place


def spend_per_head_by_district(
    *, year: FinancialYear, theme: ServiceTheme | None = None, share_county: bool = False
) -> list[District]:
    """Every hex's district with its spend and population in ``year`` (``theme`` and below),
    banded into quintiles of spend per head; in the layout's order. ``share_county``: each
    district also carries its population share of the spend recorded at its county itself."""
    hexes = hexjson()["hexes"]
    own = _places_by_code(list(hexes))
    places = {code: _shown_place(place, year) for code, place in own.items()}
    filters = {"year": [year.code], **({"theme": [theme.code]} if theme else {})}
    result = aggregate(cut=Cut(filters), drilldown=["place"])
    by_place = {c.members["place"].id: c.amount for c in result.cells}
    persons = populations(list(places.values()))
    every_year = FinancialYear.objects.in_bulk()
    shares = _county_shares(by_place, list(places.values()), year) if share_county else {}
    districts = []
    for code, hex_ in hexes.items():
        district = District(code, hex_["n"], hex_.get("region", ""), places.get(code))
        if district.place is not None and district.place != own[code]:
            district.replaced_by = district.place
        if district.place is not None:
            inside = [by_place[p] for p in place_subtree_ids([district.place.pk]) if p in by_place]
            district.county_share = shares.get(district.place.pk)
            if district.county_share is not None:
                inside.append(district.county_share)
            district.amount = sum(inside, Decimal(0)) if inside else None
            district.persons, district.persons_year = nearest_persons(
                persons, district.place.pk, year, every_year
            )
        districts.append(district)
    _band(districts)
    return districts


def _county_shares(
    by_place: dict[int, Decimal], places: list[Place], year: FinancialYear
) -> dict[int, Decimal]:
    """District place id → its share of the spend recorded at its county itself (county-wide
    bodies: the county council, police, fire), split by the year's population to the penny
    (largest remainder), so a county's districts add up to it exactly. A county with a district
    that has no population for the year is not split: its districts keep their own spend."""
    counties = Place.objects.filter(
        pk__in={p.parent_id for p in places if p.parent_id}, kind=PlaceKind.COUNTY
    ).values_list("pk", flat=True)
    children = defaultdict(list)
    for child_id, county_id in Place.objects.filter(parent_id__in=list(counties)).values_list(
        "pk", "parent_id"
    ):
        children[county_id].append(child_id)
    persons = dict(
        Population.objects.filter(
            place_id__in=[c for cs in children.values() for c in cs], financial_year=year
        ).values_list("place_id", "persons")
    )
    shares = {}
    for county_id, districts in children.items():
        amount = by_place.get(county_id)
        if amount is None or not all(persons.get(d) for d in districts):
            continue
        shares.update(apportion(amount, {d: persons[d] for d in sorted(districts)}))
    return shares


def _band(districts: list[District]) -> None:
    """Quintiles by rank: each band holds a fifth of the places with a figure (a successor
    shown on its predecessors' hexes is ranked once, and all its hexes share its band)."""
    figures = {}
    for d in districts:
        if d.per_head is not None:
            figures.setdefault(d.place.pk, d.per_head)
    ranked = sorted(figures, key=figures.get)
    band = {pk: rank * BANDS // len(ranked) for rank, pk in enumerate(ranked)}
    for district in districts:
        if district.per_head is not None:
            district.band = band[district.place.pk]


def band_ranges(districts: list[District]) -> list[tuple[int, Decimal, Decimal]]:
    """(band, lowest, highest) spend per head, for the legend."""
    ranges = []
    for band in range(BANDS):
        values = [d.per_head for d in districts if d.band == band]
        if values:
            ranges.append((band, min(values), max(values)))
    return ranges


def years_with_spend() -> list[FinancialYear]:
    """The years any rollup has, latest first: what the map can show."""
    ids = SpendRollup.objects.values("financial_year_id").distinct().order_by()
    return list(FinancialYear.objects.filter(pk__in=ids).order_by("-start_date"))
