"""Seeded pilots and their footprints; baselines read from the ledger."""

from decimal import Decimal
from fractions import Fraction

import pytest

from ledger.calculations.footprint import footprint_spend, theme_weights_for
from ledger.models import Classification, FinancialYear, Place, ServiceTheme
from pilots.models import Initiative, Pilot, PilotKind, Programme
from pilots.services.initiatives import initiative_baseline_refresh
from pilots.services.seed import pilots_seed
from tests.pilots.factories import PilotFactory

pytestmark = pytest.mark.django_db


def test_the_13_total_place_pilots_counting_cumbria_and_the_whole_place_pilots(reference_data):
    first = pilots_seed()
    assert first.created == 18
    total_place = Programme.objects.get(slug="total-place-2009-10")
    assert total_place.pilots.filter(kind=PilotKind.PILOT).count() == 13
    cumbria = Pilot.objects.get(slug="counting-cumbria")
    assert cumbria.kind == PilotKind.FORERUNNER and cumbria.programme == total_place
    manchester = Pilot.objects.get(slug="manchester-warrington")
    assert manchester.places.count() == 11
    assert manchester.lead_organisation.name == "Manchester City Council"
    assert set(
        Pilot.objects.get(slug="luton-central-bedfordshire").places.values_list(
            "gss_code", flat=True
        )
    ) == {"E06000032", "E06000056"}
    assert Pilot.objects.get(slug="wpcb-greater-manchester").lead_organisation is None
    assert Programme.objects.count() == 3

    again = pilots_seed()
    assert (again.created, again.updated) == (0, 0)
    assert Pilot.objects.count() == 18


def test_a_service_theme_baseline_counts_its_sub_themes(cumbria_totals):
    cumbria = Place.objects.get(gss_code="E10000006")
    pilot = PilotFactory(places=[cumbria])
    weights = theme_weights_for(
        service_theme=ServiceTheme.objects.get(code="health"), deep_dive=None
    )
    totals = footprint_spend(places=pilot.places.all(), theme_weights=weights)
    by_year = {t.financial_year: t.amount for t in totals}
    # NHS Cumbria's five health lines: 817m in 2006-07, ×1.15 by 2010-11
    assert by_year["2006-07"] == Decimal("817000000.00")
    assert by_year["2010-11"] == Decimal("939550000.00")


def test_a_deep_dive_baseline_uses_the_crosswalk_weights(cumbria_totals):
    drugs = Classification.objects.get(scheme="deep_dive", code="drugs-alcohol")
    weights = theme_weights_for(service_theme=None, deep_dive=drugs)
    assert weights == {ServiceTheme.objects.get(code="health-public").pk: Fraction(1, 4)}
    cumbria = Place.objects.get(gss_code="E10000006")
    (total,) = footprint_spend(
        places=[cumbria],
        financial_year=FinancialYear.objects.get(code="2010-11"),
        theme_weights=weights,
    )
    assert total.amount == Decimal("3450000.00")  # public health 12m × 1.15 × 25%


def test_a_county_and_its_district_in_one_footprint_are_counted_once(cumbria_totals):
    county = Place.objects.get(gss_code="E10000006")
    eden = Place.objects.get(gss_code="E07000030")
    alone = footprint_spend(places=[county])
    assert footprint_spend(places=[county, eden]) == alone
    assert alone[0].amount == Decimal("7100000000.00")


def test_an_initiative_baseline_comes_from_the_ledger_or_else_the_entered_figure(cumbria_totals):
    cumbria = Place.objects.get(gss_code="E10000006")
    leeds = Place.objects.get(slug="leeds")
    family = ServiceTheme.objects.get(code="childrens-family-support")
    here = Initiative.objects.create(
        pilot=PilotFactory(places=[cumbria]), title="Here", service_theme=family
    )
    initiative_baseline_refresh(initiative=here)
    assert here.baseline_basis == "ledger"
    assert here.baseline_amount == Decimal("25300000.00")  # 22m × 1.15
    assert here.baseline_ledger_lines == 12

    elsewhere = Initiative.objects.create(
        pilot=PilotFactory(places=[leeds]),
        title="Elsewhere",
        service_theme=family,
        baseline_entered_amount=Decimal("18000000.00"),
        baseline_entered_source="Leeds budget book 2010-11",
    )
    initiative_baseline_refresh(initiative=elsewhere)
    assert elsewhere.baseline_basis == "entered"
    assert elsewhere.baseline_amount == Decimal("18000000.00")
