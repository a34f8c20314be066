"""The pilot page's headline and per head: the nearest year's population where a year has none
(the ledger's rule, as on the place page), pence, and a year that holds only part of the
picture saying so."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from pilots.selectors.pages import pilot_spend
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    PopulationFactory,
    ServiceThemeFactory,
)
from tests.pilots.factories import PilotFactory

pytestmark = pytest.mark.django_db


def _spend(place, year: str, amount: str, *organisations) -> None:
    from ledger.models import SpendRollup

    theme = ServiceThemeFactory(code="family-support")
    for organisation in organisations:
        SpendRollup.objects.create(
            place=place,
            organisation=organisation,
            theme=theme,
            financial_year=FinancialYearFactory(code=year),
            basis="direct",
            amount=Decimal(amount),
            line_count=1,
        )


@pytest.fixture
def footprint():
    """A place with a population for 2020-21 only, spend by three bodies in 2013-14 and 2017-18
    and, in 2023-24, by one body alone (a year that so far holds one dataset)."""
    place = PlaceFactory(name="Brumton", slug="brumton")
    PopulationFactory(place=place, financial_year=FinancialYearFactory(code="2020-21"), persons=400)
    bodies = [OrganisationFactory(code=c, name=f"{c.title()} body") for c in ("A", "B", "C")]
    _spend(place, "2013-14", "300.00", *bodies)
    _spend(place, "2017-18", "1000.00", *bodies)
    _spend(place, "2023-24", "1234.56", bodies[0])
    return PilotFactory(slug="brum", places=[place])


def test_per_head_uses_the_nearest_years_population_within_five_years(footprint):
    rows = {row.financial_year: row for row in pilot_spend(pilot=footprint)}
    # 2023-24 and 2017-18 have no figure: 2020-21's is three years away; 2013-14's seven.
    assert (rows["2023-24"].population, rows["2023-24"].population_year) == (400, "2020-21")
    assert rows["2023-24"].per_head == Decimal("3.09")  # 1,234.56 / 400 = 3.0864
    assert rows["2017-18"].per_head == Decimal("7.50")
    assert (rows["2013-14"].population, rows["2013-14"].per_head) == (None, None)


def test_the_evidence_pack_names_the_population_year_as_the_ledgers_api_does(footprint):
    pack = APIClient().get("/api/v1/pilots/brum/evidence-pack/").json()
    assert pack["spend"][-1] == {
        "financial_year": "2023-24",
        "amount": "1234.56",
        "lines": 1,
        "population": 400,
        "population_year": "2020-21",
        "per_head": "3.09",
    }


def test_a_footprint_names_every_population_year_it_sums(footprint):
    other = PlaceFactory()
    PopulationFactory(place=other, financial_year=FinancialYearFactory(code="2023-24"), persons=100)
    footprint.places.add(other)
    latest = pilot_spend(pilot=footprint)[-1]
    assert (latest.population, latest.population_year) == (500, "2020-21 and 2023-24")


def test_a_place_within_another_of_the_footprint_is_counted_once(footprint):
    """A district listed beside its county is in the county's population already."""
    (county,) = footprint.places.all()
    district = PlaceFactory(parent=county)
    PopulationFactory(
        place=district, financial_year=FinancialYearFactory(code="2020-21"), persons=150
    )
    footprint.places.add(district)
    latest = pilot_spend(pilot=footprint)[-1]
    assert (latest.population, latest.population_year) == (400, "2020-21")


def test_the_page_shows_per_head_and_the_population_year_it_used(client, footprint):
    page = client.get(reverse("pilots:pilot-detail", args=["brum"])).content.decode()
    assert "£3.09" in page
    assert "400 people, the population of 2020-21: 2023-24 has none" in page


def test_the_headline_shows_pence_and_says_the_year_holds_only_part_of_the_picture(
    client, footprint
):
    page = client.get(reverse("pilots:pilot-detail", args=["brum"])).content.decode()
    assert "<dd>£1,234.56" in page
    assert "part picture" in page
    assert "2023-24 holds figures from only 1 body (A body); 2017-18 holds 3: £3,000.00." in page


def test_a_headline_year_holding_every_body_is_not_called_a_part_picture(client, footprint):
    from ledger.models import Organisation

    _spend(footprint.places.get(), "2023-24", "1.00", *Organisation.objects.exclude(code="A"))
    page = client.get(reverse("pilots:pilot-detail", args=["brum"])).content.decode()
    assert "part picture" not in page
