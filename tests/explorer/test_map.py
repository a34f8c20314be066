"""The map of spend per head: every hex of the layout, matched to places by GSS code (or an
alias), "no data" where there is no spend or no population, never £0."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from explorer.maps import hexjson, spend_per_head_by_district
from ledger.models import PlaceAlias, SpendLine
from ledger.services.rollups import rollup_rebuild
from tests.csv_downloads import csv_table

from .table_text import table_rows

pytestmark = pytest.mark.django_db


def _by_code(rows):
    return {row[1]: row for row in rows}


def test_every_district_is_a_hex_and_a_row(client, world):
    html = client.get("/map/?year=2010-11&county=own").content.decode()
    rows = _by_code(table_rows(html, "map-table")["tbody"])
    assert len(rows) == len(hexjson()["hexes"]) == 374
    # Allerdale: the county council's roads and its own (£370.75) over 1,000 people.
    assert rows["E07000026"] == ["Allerdale", "E07000026", "£370.75", "1,000", "£0.37"]
    # Barrow: spend but no population; Copeland: a population but no spend; Glasgow: no place.
    assert rows["E07000027"] == ["Barrow-in-Furness", "E07000027", "£75.00", "no data", "no data"]
    assert rows["E07000029"] == ["Copeland", "E07000029", "no data", "700", "no data"]
    assert rows["S12000049"][2:] == ["no data", "no data", "no data"]
    assert not [r for r in rows.values() if "£0.00" in r]
    assert "1 of 374 districts have spend and a population for 2010-11" in html


def test_the_hexes_carry_bands_and_no_data(client, world):
    response = client.get("/map/?year=2010-11")
    data = response.context["hexjson"]
    assert data["layout"] == "odd-r"
    assert data["hexes"]["E07000026"]["band"] == 0
    assert data["hexes"]["E07000026"]["figure"] == "Allerdale: £0.37 per head"
    assert data["hexes"]["E07000027"]["band"] is None
    assert data["hexes"]["E07000027"]["figure"] == "Barrow-in-Furness: no data"
    assert 'id="hexmap-data"' in response.content.decode()


def test_a_theme_narrows_the_map(client, world):
    districts = {
        d.code: d for d in spend_per_head_by_district(year=world["year"], theme=world["education"])
    }
    assert districts["E07000026"].amount is None  # Allerdale's spend is all on roads
    assert districts["E07000027"].amount == Decimal("75.00")
    roads = spend_per_head_by_district(year=world["year"], theme=world["roads"])
    found = {d.code: d.amount for d in roads if d.amount is not None}
    assert found == {"E07000026": Decimal("370.75")}


def test_a_hex_matches_a_place_by_an_alias(world):
    """A district recorded under another code (a successor's, an E-code) still gets its hex."""
    barrow = world["barrow"]
    barrow.gss_code = "E07999999"
    barrow.save()
    PlaceAlias.objects.create(place=barrow, code="E07000027", scheme="gss")
    districts = {d.code: d for d in spend_per_head_by_district(year=world["year"])}
    assert districts["E07000027"].place == barrow
    assert districts["E07000027"].amount == 75


def test_quintiles_split_the_districts_with_figures(world):
    from ledger.models import Place, Population

    for persons, code in enumerate(("E07000028", "E07000030", "E07000031", "E07000027"), 1):
        Population.objects.create(
            place=Place.objects.get(gss_code=code),
            financial_year=world["year"],
            persons=persons,
            source="test",
        )
    districts = spend_per_head_by_district(year=world["year"])
    banded = sorted((d.per_head, d.band) for d in districts if d.band is not None)
    # Allerdale £0.37 and Barrow £18.75 per head (£75 over 4): the two with spend and people.
    assert banded == [(Decimal("0.37"), 0), (Decimal("18.75"), 2)]


def test_the_year_defaults_to_the_latest_with_spend(client, world):
    response = client.get("/map/?year=1066-67")
    assert response.context["year"].code == "2010-11"


def test_county_wide_spend_is_shared_among_its_districts_by_population(client, world):
    """The county council's £1,000.00 at Cumbria itself, split by the districts' people."""
    from ledger.models import Place, Population

    for code, persons in (("E07000027", 300), ("E07000028", 1000), ("E07000030", 500)):
        Population.objects.create(
            place=Place.objects.get(gss_code=code),
            financial_year=world["year"],
            persons=persons,
            source="test",
        )
    districts = {
        d.code: d for d in spend_per_head_by_district(year=world["year"], share_county=True)
    }
    # South Lakeland has no population yet: the county is not split at all.
    assert not [d for d in districts.values() if d.county_share is not None]
    Population.objects.create(
        place=Place.objects.get(gss_code="E07000031"),
        financial_year=world["year"],
        persons=500,
        source="test",
    )
    districts = spend_per_head_by_district(year=world["year"], share_county=True)
    shares = {d.code: d.county_share for d in districts if d.county_share is not None}
    assert shares == {
        "E07000026": Decimal("250.00"),
        "E07000027": Decimal("75.00"),
        "E07000028": Decimal("250.00"),
        "E07000029": Decimal("175.00"),
        "E07000030": Decimal("125.00"),
        "E07000031": Decimal("125.00"),
    }
    assert sum(shares.values()) == Decimal("1000.00")
    html = client.get("/map/?year=2010-11").content.decode()
    rows = _by_code(table_rows(html, "map-table")["tbody"])
    # Allerdale: its own £370.75 and a quarter of the county's; Copeland now has spend.
    assert rows["E07000026"] == ["Allerdale", "E07000026", "£620.75", "£250.00", "1,000", "£0.62"]
    assert rows["E07000029"] == ["Copeland", "E07000029", "£175.00", "£175.00", "700", "£0.25"]
    own = _by_code(
        table_rows(client.get("/map/?year=2010-11&county=own").content.decode(), "map-table")[
            "tbody"
        ]
    )
    assert own["E07000029"][2:] == ["no data", "700", "no data"]


def test_illustrative_figures_carry_the_banner(client, world):
    """Allerdale's council's return is illustrative: roads in 2010-11 say so, education not."""
    roads = client.get("/map/?year=2010-11&theme=transport-roads").content.decode()
    assert "Illustrative demo data, not official statistics." in roads
    education = client.get("/map/?year=2010-11&theme=education").content.decode()
    assert "banner-illustrative" not in education


def test_the_maps_table_downloads_with_no_data_as_empty_cells(client, world):
    response = client.get("/map/?year=2010-11&county=own&download=csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="totalplace-spend-per-head-2010-11.csv"'
    )
    rows = {row[0]: row for row in csv_table(response)}
    assert len(rows) == 374 + 1
    assert rows["gss_code"][3:] == [
        "amount",
        "county_wide_share",
        "persons",
        "persons_year",
        "per_head",
    ]
    assert rows["E07000026"] == [
        "E07000026",
        "Allerdale",
        "E07000026",
        "370.75",
        "",
        "1000",
        "",
        "0.37",
    ]
    assert rows["E07000029"] == ["E07000029", "Copeland", "E07000029", "", "", "700", "", ""]
    sheet = load_workbook(io.BytesIO(client.get("/map/?year=2010-11&download=xlsx").content)).active
    allerdale = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "E07000026")
    assert [allerdale[3].value, allerdale[7].value] == [370.75, 0.37]
    assert allerdale[3].number_format == allerdale[7].number_format == '"£"#,##0.00;-"£"#,##0.00'


def test_an_abolished_district_shows_its_successor_counted_once(client, world):
    """From 2023-24 Allerdale, Carlisle and Copeland are Cumberland: their hexes show its figure
    (named), not "no data", and it is ranked once, so Leeds lands in band 2 of two places (if
    Cumberland counted three times Leeds would be fourth of four, band 3)."""
    from ledger.models import FinancialYear, Place
    from tests.factories import OrganisationFactory, PopulationFactory

    from .world import _approved

    year, _ = FinancialYear.objects.get_or_create(
        code="2023-24",
        defaults={"start_date": date(2023, 4, 1), "end_date": date(2024, 3, 31)},
    )
    cumberland = Place.objects.get(gss_code="E06000063")
    leeds = Place.objects.get(gss_code="E08000035")
    PopulationFactory(place=cumberland, financial_year=year, persons=1000)
    PopulationFactory(place=leeds, financial_year=year, persons=10)
    line = lambda place, amount: SpendLine(  # noqa: E731
        place=place, theme=world["roads"], amount=Decimal(amount), source_row=2
    )
    _approved(OrganisationFactory(code="XCU"), year, [line(cumberland, "500.00")])
    _approved(OrganisationFactory(code="XLE"), year, [line(leeds, "50.00")])
    rollup_rebuild()

    districts = {d.code: d for d in spend_per_head_by_district(year=year)}
    for code in ("E07000026", "E07000028", "E07000029"):  # Allerdale, Carlisle, Copeland
        assert districts[code].replaced_by == cumberland
        assert districts[code].per_head == Decimal("0.50")
        assert districts[code].band == 0
    assert districts["E08000035"].band == 2
    assert districts["E07000027"].replaced_by.name == "Westmorland and Furness"
    assert districts["E07000027"].per_head is None  # no data, never £0
    # 2010-11: Allerdale is still itself.
    then = {d.code: d for d in spend_per_head_by_district(year=world["year"])}
    assert then["E07000026"].replaced_by is None and then["E07000026"].place == world["allerdale"]

    response = client.get("/map/?year=2023-24")
    hexes = response.context["hexjson"]["hexes"]
    assert hexes["E07000026"]["figure"] == "Allerdale (now Cumberland): £0.50 per head"
    rows = _by_code(table_rows(response.content.decode(), "map-table")["tbody"])
    assert rows["E07000029"][0] == "Copeland (now Cumberland)"
