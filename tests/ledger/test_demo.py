from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from ledger.models import (
    Basis,
    Place,
    Population,
    Reconciliation,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
    SpendRollup,
)
from ledger.selectors.access import approved_lines
from ledger.services.demo import demo_load_cumbria
from tests.ledger.test_rollups import line_totals, rollup_rows

# The demo is loaded once for the whole module (tests/conftest.py).
pytestmark = pytest.mark.django_db


def _totals_by_year():
    return dict(
        SpendLine.objects.filter(spend_return__status=SpendReturnStatus.APPROVED)
        .values_list("financial_year__code")
        .annotate(total=Sum("amount"))
    )


def test_cumbria_2006_07_totals_7_1bn_to_the_penny(cumbria_demo):
    totals = _totals_by_year()
    assert totals["2006-07"] == Decimal("7100000000.00")
    # Every body 2006-07 to 2010-11; the county's own bodies 2013-14 to 2017-18 (the rest of
    # those years' count comes top-down, from HM Treasury's CRA).
    assert sorted(totals) == [
        *("2006-07", "2007-08", "2008-09", "2009-10", "2010-11"),
        *("2013-14", "2014-15", "2015-16", "2016-17", "2017-18"),
    ]


def test_loading_twice_does_not_double(cumbria_demo):
    before = (_totals_by_year(), SpendLine.objects.count(), SpendReturn.objects.count())
    second = demo_load_cumbria()
    assert second["returns_created"] == 0 and second["lines"] == 0
    assert (_totals_by_year(), SpendLine.objects.count(), SpendReturn.objects.count()) == before


def test_every_demo_return_is_approved_and_labelled_illustrative(cumbria_demo):
    returns = SpendReturn.objects.all()
    assert returns.count() == cumbria_demo["returns_created"] > 0
    assert set(returns.values_list("status", flat=True)) == {SpendReturnStatus.APPROVED}
    assert not returns.filter(is_illustrative=False).exists()
    assert not Population.objects.filter(
        place__gss_code="E10000006", is_illustrative=False, financial_year__code="2006-07"
    ).exists()


def test_apportioned_lines_split_by_population_and_sum_to_the_source(cumbria_demo):
    apportioned = SpendLine.objects.filter(
        basis=Basis.APPORTIONED,
        organisation__code="DWP",
        theme__code="benefits-pensions",
        financial_year__code="2006-07",
    )
    assert apportioned.aggregate(t=Sum("amount"))["t"] == Decimal("880000000.00")
    by_place = dict(apportioned.values_list("place__gss_code").annotate(t=Sum("amount")))
    assert len(by_place) == 6
    # Carlisle (103,700 people) gets more than Eden (51,700): roughly in proportion.
    ratio = by_place["E07000028"] / by_place["E07000030"]
    assert abs(ratio - Decimal(103700) / Decimal(51700)) < Decimal("0.000001")
    assert set(apportioned.values_list("driver", flat=True)) == {"population"}


def test_county_population_is_the_sum_of_its_districts(cumbria_demo):
    county = Place.objects.get(gss_code="E10000006")
    populations = county.populations.filter(is_illustrative=True)
    # The demo's five early years at least: an empty loop would pass without checking a sum.
    assert populations.count() >= 5
    for population in populations:
        districts = Population.objects.filter(
            place__parent=county, financial_year=population.financial_year
        ).aggregate(t=Sum("persons"))["t"]
        assert population.persons == districts


# The demo's totals (rollups built and reconciled) on its pages.
def test_place_page_shows_codes_totals_and_the_illustrative_label(client, cumbria_totals):
    response = client.get(reverse("place-detail", args=["cumbria"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "E10000006" in body and "Illustrative demo data" in body
    assert "£7,100,000,000.00" in body  # county includes its districts
    assert "Westmorland and Furness" in body  # successor


def test_district_page_and_unknown_place(client, cumbria_totals):
    assert client.get(reverse("place-detail", args=["eden"])).status_code == 200
    assert client.get(reverse("place-detail", args=["atlantis"])).status_code == 404


def test_demo_rollups_equal_the_lines_to_the_penny(cumbria_totals):
    assert rollup_rows() == line_totals()
    year_total = SpendRollup.objects.filter(financial_year__code="2006-07").aggregate(
        t=Sum("amount")
    )["t"]
    assert year_total == Decimal("7100000000.00")
    keys = approved_lines().values_list("organisation_id", "financial_year_id").distinct()
    assert Reconciliation.objects.count() == keys.count()
    assert not [r for r in Reconciliation.objects.all() if not r.matches]
