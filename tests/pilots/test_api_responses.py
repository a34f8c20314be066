"""Whole pilots API responses on the small world (``api_expected`` works the figures out)."""

from decimal import Decimal

import pytest

from pilots.models import EvidenceKind
from pilots.services.evidence import evidence_create
from pilots.services.submissions import submission_create
from savings.models import Appraisal, Attribution
from savings.selectors.realisation import NOT_TRANSFERABLE
from tests.pilots.api_expected import (
    HOST,
    _time,
    expected_appraisal,
    expected_attribution,
    expected_initiative,
    expected_pilot,
)

pytestmark = pytest.mark.django_db


def test_pilot_response(world):
    assert world.api().get("/api/v1/pilots/alpha/").json() == expected_pilot()


def test_initiative_response(world):
    uid = world.initiative.public_id
    assert world.api().get(f"/api/v1/initiatives/{uid}/").json() == expected_initiative(world)


def test_appraisal_response(world):
    uid = world.initiative.public_id
    body = world.api().get(f"/api/v1/appraisals/{uid}/").json()
    assert body == expected_appraisal(world, Appraisal.objects.get(initiative=world.initiative))


def test_attribution_responses_per_initiative_and_pilot(world):
    uid = str(world.initiative.public_id)
    client = world.api()
    body = client.get(f"/api/v1/attributions/?scope=initiative&key={uid}").json()
    assert len(body["results"]) == 1 and body["next"] is None
    assert body["results"][0] == expected_attribution(
        world,
        Attribution.objects.get(initiative=world.initiative),
        "initiative",
        uid,
        "Family key workers",
        f"/initiatives/{uid}/where-savings-land.csv",
    )
    pilot = client.get("/api/v1/attributions/?scope=pilot&key=alpha").json()["results"][0]
    assert pilot == expected_attribution(
        world,
        Attribution.objects.get(pilot=world.alpha),
        "pilot",
        "alpha",
        "Alpha",
        "/pilots/alpha/where-savings-land.csv",
    )


def test_attribution_filters_explain_bad_input(world):
    response = world.api().get("/api/v1/attributions/?scope=county")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {
        "scope": ["Choose one of initiative, pilot, place, programme."]
    }


def test_the_whole_evidence_pack_in_one_call(world):
    note = evidence_create(
        pilot=world.alpha,
        actor=None,
        kind=EvidenceKind.NOTE,
        title="Pilot report",
        body="Text",
        source="Alpha board",
    )
    link = evidence_create(
        pilot=world.alpha,
        actor=None,
        initiative=world.initiative,
        kind=EvidenceKind.LINK,
        title="Evaluation",
        url="https://example.org/evaluation",
    )
    submission = submission_create(
        pilot=world.alpha,
        actor=None,
        title="August 2010 submission",
        dividend_vs_aligned_percent=Decimal("2.50"),
        benefits_counterfactual=Decimal("1000.00"),
        benefits_projected=Decimal("900.00"),
        benefits_treasury_share_percent=Decimal("75.00"),
        savings=[
            {
                "description": "Family key workers",
                "initiative": world.initiative,
                "saving": Decimal("135.45"),
            }
        ],
        linked_initiatives=[world.initiative],
        linked_evidence=[link],
    )
    body = world.api().get("/api/v1/pilots/alpha/evidence-pack/").json()

    def evidence(item, initiative):
        uid = str(item.public_id)
        return {
            "id": uid,
            "pilot": "alpha",
            "initiative": initiative,
            "kind": item.kind,
            "title": item.title,
            "description": "",
            "link": item.url,
            "body": item.body,
            "source": item.source,
            "published_on": None,
            "is_published": True,
            "is_illustrative": False,
            "filename": "",
            "file_size": None,
            "file_sha256": "",
            "download_url": None,
            "permalink": f"{HOST}/evidence/{uid}/",
            "url": f"{HOST}/api/v1/evidence/{uid}/",
            "created_at": _time(item.created_at),
            "updated_at": _time(item.updated_at),
        }

    world.initiative.refresh_from_db()
    uid = str(world.initiative.public_id)
    costs = [
        {
            "id": world.initiative.costs.get().pk,
            "initiative": uid,
            "payer": "COUNCIL",
            "payer_name": "Testshire Council",
            "description": "",
            "year": 0,
            "amount": "100.00",
            "kind": "revenue",
            "optimism_bias_percent": "0.00",
        },
    ]
    flows = list(world.initiative.benefits.order_by("value_type", "beneficiary__name", "lag", "id"))

    def flow(f, code, name, amount, cashable):
        return {
            "id": f.pk,
            "initiative": uid,
            "beneficiary": code,
            "beneficiary_name": name,
            "description": "",
            "value_type": "fiscal",
            "amount_per_year": amount,
            "outcomes_per_year": None,
            "unit_cost": None,
            "gross_per_year": f"{amount}0000",
            "lag": 1,
            "duration": 5,
            "drop_off_percent": "0.00",
            "deadweight_percent": "0.00",
            "attribution_percent": "100.00",
            "optimism_bias_percent": "0.00",
            "cashable_percent": cashable,
            "evidence_grade": None,
            "grade": None,
            "evidence": [],
        }

    initiative = {
        **expected_initiative(world),
        "costs": costs,
        "benefits": [
            flow(flows[0], "NHS", "Testshire PCT", "20.00", "100.00"),
            flow(flows[1], "POLICE", "Testshire Police", "10.00", "50.00"),
        ],
        "evidence": [evidence(link, uid)],
        "appraisal": expected_appraisal(world, Appraisal.objects.get(initiative=world.initiative)),
        "attribution": expected_attribution(
            world,
            Attribution.objects.get(initiative=world.initiative),
            "initiative",
            uid,
            "Family key workers",
            f"/initiatives/{uid}/where-savings-land.csv",
        ),
        "savings": [],
    }
    sid = str(submission.public_id)
    assert body == {
        "pilot": expected_pilot(),
        "spend": [],
        "initiatives": [initiative],
        "evidence": [evidence(note, None)],
        "place_budget_submissions": [
            {
                "id": sid,
                "pilot": "alpha",
                "title": "August 2010 submission",
                "submitted_on": None,
                "summary": "",
                "baseline_year": "2010-11",
                "total_spend_baseline": None,
                "total_spend_baseline_source": "",
                "savings": [
                    {
                        "description": "Family key workers",
                        "theme": None,
                        "organisation": None,
                        "initiative": uid,
                        "baseline": None,
                        "saving": "135.45",
                    }
                ],
                "total_saving": "135.45",
                "dividend_vs_aligned_amount": None,
                "dividend_vs_aligned_percent": "2.50",
                "dividend_vs_separate_amount": None,
                "dividend_vs_separate_percent": None,
                "dividend_notes": "",
                "benefits_counterfactual": "1000.00",
                "benefits_counterfactual_source": "",
                "benefits_projected": "900.00",
                "benefits_saving": "100.00",
                "benefits_treasury_share_percent": "75.00",
                "benefits_local_share_percent": "25.00",
                "benefits_notes": "",
                "linked_initiatives": [uid],
                "linked_evidence": [str(link.public_id)],
                "is_published": True,
                "is_illustrative": False,
                "url": f"{HOST}/api/v1/place-budget-submissions/{sid}/",
                "html_url": f"{HOST}/submissions/{sid}/",
            }
        ],
        "attribution": expected_attribution(
            world,
            Attribution.objects.get(pilot=world.alpha),
            "pilot",
            "alpha",
            "Alpha",
            "/pilots/alpha/where-savings-land.csv",
        ),
        "realisation": {  # no savings claimed yet: every figure nought, with the caveat
            "scope": "pilot",
            "key": "alpha",
            "caveat": NOT_TRANSFERABLE,
            "rows": [],
            "total": {
                "organisation": "",
                "organisation_name": "All organisations",
                "financial_year": "All years",
                **dict.fromkeys(
                    [
                        "forecast",
                        "cashable",
                        "non_cashable",
                        "agreed",
                        "realised",
                        "not_realised",
                        "gap",
                    ],
                    "0.00",
                ),
            },
        },
    }
