"""Admins edit the unit-cost library and the discount schedule; appraisals follow."""

from decimal import Decimal

import pytest
from django.urls import reverse

from pilots.tasks import baselines_refresh
from savings.models import Appraisal, DiscountRate
from savings.services.reference import discount_rates_load, unit_costs_load

pytestmark = pytest.mark.django_db


def test_an_edited_discount_rate_recomputes_every_appraisal(
    admin_client, world, django_capture_on_commit_callbacks
):
    discount_rates_load()
    first = DiscountRate.objects.get(from_year=0)
    url = reverse("admin:savings_discountrate_change", args=[first.pk])
    form = {"from_year": 0, "to_year": 30, "rate": "0.1000", "source": "Sensitivity test"}
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, form).status_code == 302
    # £30 a year for five years at 10%: 113.72; less £100
    assert Appraisal.objects.get(initiative=world.initiative).npv == Decimal("13.72")


def test_a_band_that_breaks_the_schedule_is_refused(admin_client, world):
    discount_rates_load()
    band = DiscountRate.objects.get(from_year=31)
    url = reverse("admin:savings_discountrate_change", args=[band.pk])
    response = admin_client.post(
        url, {"from_year": 32, "to_year": 75, "rate": "0.03", "source": "x"}
    )
    assert response.status_code == 200
    assert "the schedule would be broken" in response.content.decode()
    assert DiscountRate.objects.get(pk=band.pk).from_year == 31


def test_the_unit_cost_library_loads_from_its_csv_and_says_what_is_illustrative(db):
    result = unit_costs_load()
    assert result.created == 22
    assert unit_costs_load().created == 0
    from savings.models import UnitCost

    assert not UnitCost.objects.filter(is_illustrative=False).exists()
    assert all("Illustrative" in s for s in UnitCost.objects.values_list("source", flat=True))


def test_the_nightly_baseline_refresh(world):
    assert baselines_refresh() == 1
    world.initiative.refresh_from_db()
    assert world.initiative.baseline_refreshed_at is not None
