"""The worked example: a council-funded family-intervention scheme whose savings land with
the NHS, the police and DWP, on its page and in the API, loaded once however often it runs."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from pilots.models import EvidenceItem, Initiative, Pilot, PlaceBudgetSubmission
from savings.models import Appraisal, Attribution, BenefitFlow, CostLine
from savings.services.demo import DEMO_PILOT_SLUG, DEMO_TITLE, demo_load_pilots

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(cumbria_totals):
    return demo_load_pilots()


def _counts():
    models = [Pilot, Initiative, CostLine, BenefitFlow, EvidenceItem, PlaceBudgetSubmission]
    return [m.objects.count() for m in models + [Appraisal, Attribution]]


def test_the_worked_example_lands_savings_with_the_nhs_police_and_dwp(demo):
    assert demo["worked_example_created"] == 1
    initiative = Initiative.objects.get(title=DEMO_TITLE)
    assert initiative.is_illustrative and initiative.pilot.is_illustrative
    assert initiative.baseline_basis == "ledger"
    assert initiative.baseline_amount == Decimal("25300000.00")  # Cumbria family support 2010-11
    attribution = Attribution.objects.get(initiative=initiative)
    positions = {p["organisation"]: p for p in attribution.positions}
    assert {"5NE", "CUMBRIA-PA", "DWP", "E10000006"} <= set(positions)
    assert positions["E10000006"]["invests_here_saves_elsewhere"] is True
    assert [code for code, p in positions.items() if p["invests_here_saves_elsewhere"]] == [
        "E10000006"
    ]
    assert attribution.deal_possible and attribution.fiscal_net > 0
    assert positions["E10000006"]["after_deal"] == "0.00"
    assert sum(Decimal(p["transfer"]) for p in attribution.positions) == 0
    appraisal = Appraisal.objects.get(initiative=initiative)
    assert appraisal.npv > 0 and appraisal.net_budget_impact < 0  # pays back, not in cash


def test_the_worked_example_shows_on_its_pages_and_in_the_api(client, demo):
    initiative = Initiative.objects.get(title=DEMO_TITLE)
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "Illustrative demo data" in page and "invests here, saves elsewhere" in page
    assert "Department for Work and Pensions" in page and "Cumbria Police Authority" in page
    pilot_page = client.get(reverse("pilots:pilot-detail", args=[DEMO_PILOT_SLUG])).content
    assert b"Family intervention service" in pilot_page
    pack = APIClient().get(f"/api/v1/pilots/{DEMO_PILOT_SLUG}/evidence-pack/").json()
    assert pack["pilot"]["is_illustrative"] is True
    (example,) = pack["initiatives"]
    assert example["title"] == DEMO_TITLE and example["is_illustrative"] is True
    assert example["appraisal"]["npv"] == str(Appraisal.objects.get().npv)
    assert {e["kind"] for e in example["evidence"]} == {"note", "link", "dataset"}
    assert pack["place_budget_submissions"][0]["linked_initiatives"] == [example["id"]]


def test_the_worked_example_shows_grades_evidence_and_savings_from_forecast_to_cash(client, demo):
    initiative = Initiative.objects.get(title=DEMO_TITLE)
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "Net present value at the evidence grades" in page
    assert "Grade 3: Local data, not audited" in page and "No evidence" in page
    assert "Outcome assumptions (illustrative)" in page  # linked to the graded benefits
    for status in ("Proposed", "Agreed", "Cashed", "Not realised"):
        assert f">{status}<" in page
    assert "it cannot be a saving on it" in page  # the NHS does not spend on family support
    appraisal = Appraisal.objects.get(initiative=initiative)
    assert appraisal.npv_at_grades < appraisal.npv  # most grades cut by more than the 10%

    pack = APIClient().get(f"/api/v1/pilots/{DEMO_PILOT_SLUG}/evidence-pack/").json()
    savings = {s["receiver"]: s for s in pack["initiatives"][0]["savings"]}
    assert {code: s["figure"] for code, s in savings.items()} == {
        "E10000006": "cashed",
        "DWP": "agreed",
        "5NE": "forecast",
        "CUMBRIA-PA": "forecast",
    }
    assert savings["5NE"]["ledger_check"]["impossible"] is True
    assert savings["E10000006"]["ledger_check"]["impossible"] is False
    assert savings["E10000006"]["realised"] == "240000.00"
    total = pack["realisation"]["total"]
    assert Decimal(total["forecast"]) == Decimal(total["realised"]) + Decimal(total["gap"])
    assert "not transferable" in pack["realisation"]["caveat"]
    graded = [b for b in pack["initiatives"][0]["benefits"] if b["grade"]]
    assert len(graded) == 14 and any(b["evidence"] == [] for b in graded)


def test_load_demo_loads_the_pilots_too_and_loading_twice_does_not_double(cumbria_totals, capsys):
    call_command("load_demo", "--skip-datasets")
    assert "worked example created" in capsys.readouterr().out
    before = _counts()
    call_command("load_demo", "--skip-datasets")
    assert "worked example already loaded" in capsys.readouterr().out
    assert _counts() == before
    assert demo_load_pilots()["worked_example_created"] == 0
    assert _counts() == before and Initiative.objects.count() == 1


def test_pilot_page_shows_ledger_spend_and_spend_per_head(client, cumbria_totals):
    from pilots.services.seed import pilots_seed

    pilots_seed()
    response = client.get(reverse("pilots:pilot-detail", args=["counting-cumbria"]))
    spend = {row.financial_year: row for row in response.context["spend"]}
    assert spend["2006-07"].amount == Decimal("7100000000.00")
    assert spend["2006-07"].per_head == (
        Decimal("7100000000.00") / spend["2006-07"].population
    ).quantize(Decimal("0.01"))
    page = response.content.decode()
    assert "£7,100,000,000.00" in page and "Illustrative demo data" in page
