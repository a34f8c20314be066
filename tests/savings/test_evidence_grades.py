"""Evidence grades: the grade → optimism-bias table is data, it sets a benefit's default
reduction, the appraisal shows NPV as entered and at the grades, and evidence links to benefits
(a benefit with none says so)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pilots.models import EvidenceKind
from pilots.services.evidence import evidence_create
from savings.models import Appraisal, BenefitFlow, EvidenceGrade
from savings.services.inputs import benefit_flow_create, benefit_flow_update
from savings.services.reference import evidence_grades_load

pytestmark = pytest.mark.django_db


def _grade(code: str) -> EvidenceGrade:
    return EvidenceGrade.objects.get(code=code)


def test_the_grade_table_is_loaded_as_data_strongest_first():
    grades = list(EvidenceGrade.objects.values_list("rank", "code", "optimism_bias_percent"))
    assert [rank for rank, _, _ in grades] == [1, 2, 3, 4, 5, 6]
    assert grades[0][1:] == ("audited-local-evaluation", Decimal("0.00"))
    assert grades[-1][1:] == ("expert-judgement", Decimal("40.00"))
    percents = [percent for _, _, percent in grades]
    assert percents == sorted(percents)  # weaker evidence, larger reduction


def test_the_grades_come_back_from_their_file_into_an_emptied_database():
    """A flushed database (a transactional test's, or an emptied table) gets the same grades the
    migration loaded, from the one file both read; a loaded table is left as admins edited it."""
    migrated = list(EvidenceGrade.objects.values_list("rank", "code", "optimism_bias_percent"))
    EvidenceGrade.objects.filter(code="local-data").update(optimism_bias_percent=Decimal("12"))
    assert evidence_grades_load().created == 0
    assert _grade("local-data").optimism_bias_percent == Decimal("12.00")

    EvidenceGrade.objects.all().delete()
    assert evidence_grades_load().created == len(migrated) == 6
    reloaded = list(EvidenceGrade.objects.values_list("rank", "code", "optimism_bias_percent"))
    assert reloaded == migrated


def test_a_benefit_left_without_an_optimism_bias_takes_its_grades(world):
    flow = benefit_flow_create(
        initiative=world.initiative,
        actor=world.lead_a,
        beneficiary=world.nhs,
        amount_per_year=Decimal("5.00"),
        evidence_grade=_grade("comparable-sources"),
        optimism_bias_percent=None,
    )
    assert flow.optimism_bias_percent == Decimal("15.00")
    entered = benefit_flow_create(
        initiative=world.initiative,
        actor=world.lead_a,
        beneficiary=world.nhs,
        amount_per_year=Decimal("5.00"),
        evidence_grade=_grade("comparable-sources"),
        optimism_bias_percent=Decimal("3"),
    )
    assert entered.optimism_bias_percent == Decimal("3")  # what the lead entered stands


def test_the_appraisal_shows_npv_as_entered_and_at_the_grades(
    world, admin_client, django_capture_on_commit_callbacks
):
    flow = world.initiative.benefits.get(beneficiary=world.nhs)
    with django_capture_on_commit_callbacks(execute=True):
        benefit_flow_update(
            flow=flow, actor=world.lead_a, evidence_grade=_grade("expert-judgement")
        )
    appraisal = Appraisal.objects.get(initiative=world.initiative)
    # As entered: -100 + 30 a year for five years. At the grades the NHS's 20 is cut by 40%:
    # -100 + 22 a year for five years at 3.5%.
    assert appraisal.npv == Decimal("35.45")
    assert appraisal.npv_at_grades == Decimal("-0.67")
    page = admin_client.get(world.initiative.get_absolute_url()).content.decode()
    assert "Net present value at the evidence grades" in page and "−£0.67" in page

    # An admin edits the table: every appraisal follows.
    grade = _grade("expert-judgement")
    url = reverse("admin:savings_evidencegrade_change", args=[grade.pk])
    form = {
        "code": grade.code,
        "rank": grade.rank,
        "name": grade.name,
        "description": grade.description,
        "optimism_bias_percent": "0",
        "source": grade.source,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, form).status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.npv_at_grades == Decimal("35.45") and appraisal.npv == Decimal("35.45")


def test_a_benefit_links_only_its_own_pilots_evidence_and_one_without_says_so(world, client):
    mine = evidence_create(
        pilot=world.alpha,
        initiative=world.initiative,
        actor=world.lead_a,
        kind=EvidenceKind.NOTE,
        title="Local evaluation of key workers",
        body="Findings.",
    )
    theirs = evidence_create(
        pilot=world.beta, actor=world.lead_b, kind=EvidenceKind.NOTE, title="Beta note", body="x"
    )
    nhs = world.initiative.benefits.get(beneficiary=world.nhs)
    with pytest.raises(ValidationError) as refused:
        benefit_flow_update(flow=nhs, actor=world.lead_a, evidence=[theirs])
    assert "evidence" in refused.value.message_dict
    benefit_flow_update(flow=nhs, actor=world.lead_a, evidence=[mine])
    assert list(BenefitFlow.objects.get(pk=nhs.pk).evidence.all()) == [mine]
    page = client.get(world.initiative.get_absolute_url()).content.decode()
    assert "Local evaluation of key workers" in page
    assert page.count("No evidence") == 1  # the police's benefit


def test_the_api_gives_grades_evidence_and_npv_at_the_grades(
    world, django_capture_on_commit_callbacks
):
    grades = world.api().get("/api/v1/evidence-grades/").json()
    assert [g["code"] for g in grades["results"]][:2] == [
        "audited-local-evaluation",
        "local-evaluation",
    ]
    flow = world.initiative.benefits.get(beneficiary=world.police)
    client = world.api(world.lead_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            f"/api/v1/benefit-flows/{flow.pk}/",
            {"evidence_grade": "dated-or-partial", "evidence": []},
            format="json",
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["evidence_grade"] == "dated-or-partial" and body["evidence"] == []
    assert body["grade"]["optimism_bias_percent"] == "25.00"
    appraisal = client.get(f"/api/v1/appraisals/{world.initiative.public_id}/").json()
    assert appraisal["npv"] == "35.45" and appraisal["npv_at_grades"] != appraisal["npv"]
