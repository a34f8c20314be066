"""Whole API responses on the small world (figures worked out by hand), and query counts.

The world: Testshire Council pays £100 in year 0; £20 a year lands with the PCT and £10 a year
with the police (half cashable) in years 1-5. At 3.5%: the PCT's PV is £90.30, the police's
£45.15 (cashable £22.58), NPV £35.45. The council pays £100 and gets nothing back, so the
fair-share deal moves £100 to it, 2:1 from the PCT (£66.67) and the police (£33.33).
"""

from decimal import Decimal

import pytest

from pilots.models import EvidenceKind
from pilots.services.evidence import evidence_create
from pilots.services.submissions import submission_create
from savings.models import Appraisal, Attribution
from tests.pilots.factories import EvidenceFactory, InitiativeFactory

pytestmark = pytest.mark.django_db
HOST = "http://testserver"


def _years():
    columns = ["year", "discount_factor", "costs", "pv_costs", "fiscal", "pv_fiscal"]
    rows = [
        (0, "1.000000", "100.00", "100.00", "0.00", "0.00"),
        (1, "0.966184", "0.00", "0.00", "30.00", "28.99"),
        (2, "0.933511", "0.00", "0.00", "30.00", "28.00"),
        (3, "0.901943", "0.00", "0.00", "30.00", "27.06"),
        (4, "0.871442", "0.00", "0.00", "30.00", "26.14"),
        (5, "0.841973", "0.00", "0.00", "30.00", "25.26"),
    ]
    cumulative = ["-100.00", "-70.00", "-40.00", "-10.00", "20.00", "50.00"]
    cumulative_pv = ["-100.00", "-71.01", "-43.01", "-15.95", "10.19", "35.45"]
    result = []
    for row, cum, cum_pv in zip(rows, cumulative, cumulative_pv, strict=True):
        r = dict(zip(columns, row, strict=True))
        net = Decimal(r["fiscal"]) - Decimal(r["costs"])
        pv_net = Decimal(r["pv_fiscal"]) - Decimal(r["pv_costs"])
        r.update(
            economic="0.00",
            pv_economic="0.00",
            social="0.00",
            pv_social="0.00",
            benefits=r["fiscal"],
            pv_benefits=r["pv_fiscal"],
            net=f"{net:.2f}",
            pv_net=f"{pv_net:.2f}",
            cumulative_fiscal_net=cum,
            cumulative_fiscal_pv_net=cum_pv,
        )
        result.append(r)
    return result


def expected_appraisal(world, appraisal):
    return {
        "initiative": str(world.initiative.public_id),
        "is_current": True,
        "requested_at": appraisal.requested_at.isoformat().replace("+00:00", "Z"),
        "computed_at": appraisal.computed_at.isoformat().replace("+00:00", "Z"),
        "error": "",
        "horizon": 5,
        "pv_costs": "100.00",
        "pv_fiscal": "135.45",
        "pv_cashable": "112.88",
        "pv_economic": "0.00",
        "pv_social": "0.00",
        "pv_benefits": "135.45",
        "npv": "35.45",
        "fiscal_npv": "35.45",
        "net_budget_impact": "12.88",
        "financial_roi": "1.3545",
        "public_value_roi": "1.3545",
        "payback_year": 4,
        "payback_year_discounted": 4,
        "years": _years(),
    }


def _position(code, name, sector, paid, received, cashable, net, flag, transfer, after):
    return {
        "organisation": code,
        "name": name,
        "sector": sector,
        "paid": paid,
        "received": received,
        "cashable": cashable,
        "net": net,
        "invests_here_saves_elsewhere": flag,
        "transfer": transfer,
        "after_deal": after,
    }


def expected_attribution(world, attribution, scope, key, name, csv_path):
    return {
        "id": attribution.pk,
        "scope": scope,
        "subject": {"key": key, "name": name},
        "csv_url": HOST + csv_path,
        "computed_at": attribution.computed_at.isoformat().replace("+00:00", "Z"),
        "initiative_count": 1,
        "pv_costs": "100.00",
        "pv_fiscal": "135.45",
        "fiscal_net": "35.45",
        "deal_possible": True,
        "shortfall": "0.00",
        "is_illustrative": False,
        "positions": [
            _position(
                "COUNCIL",
                "Testshire Council",
                "local_government",
                "100.00",
                "0.00",
                "0.00",
                "-100.00",
                True,
                "100.00",
                "0.00",
            ),
            _position(
                "NHS",
                "Testshire PCT",
                "nhs",
                "0.00",
                "90.30",
                "90.30",
                "90.30",
                False,
                "-66.67",
                "23.63",
            ),
            _position(
                "POLICE",
                "Testshire Police",
                "police",
                "0.00",
                "45.15",
                "22.58",
                "45.15",
                False,
                "-33.33",
                "11.82",
            ),
        ],
        "matrix": [
            {
                "payer": "COUNCIL",
                "payer_name": "Testshire Council",
                "beneficiary": "NHS",
                "beneficiary_name": "Testshire PCT",
                "present_value": "90.30",
            },
            {
                "payer": "COUNCIL",
                "payer_name": "Testshire Council",
                "beneficiary": "POLICE",
                "beneficiary_name": "Testshire Police",
                "present_value": "45.15",
            },
        ],
        "transfers": [
            {
                "from": "NHS",
                "from_name": "Testshire PCT",
                "to": "COUNCIL",
                "to_name": "Testshire Council",
                "amount": "66.67",
            },
            {
                "from": "POLICE",
                "from_name": "Testshire Police",
                "to": "COUNCIL",
                "to_name": "Testshire Council",
                "amount": "33.33",
            },
        ],
    }


def _time(value):
    return value.isoformat().replace("+00:00", "Z")


def expected_initiative(world):
    i = world.initiative
    i.refresh_from_db()
    uid = str(i.public_id)
    return {
        "id": uid,
        "pilot": "alpha",
        "title": "Family key workers",
        "summary": "Key workers for families.",
        "status": "published",
        "deep_dive": None,
        "service_theme": "family-support",
        "baseline_year": "2010-11",
        "baseline_basis": "entered",
        "baseline_amount": "1000000.00",
        "baseline_ledger_amount": None,
        "baseline_ledger_lines": 0,
        "baseline_entered_amount": "1000000.00",
        "baseline_entered_source": "Council budget book 2010-11",
        "is_illustrative": False,
        "created_at": _time(i.created_at),
        "updated_at": _time(i.updated_at),
        "url": f"{HOST}/api/v1/initiatives/{uid}/",
        "html_url": f"{HOST}/initiatives/{uid}/",
        "appraisal_url": f"{HOST}/api/v1/appraisals/{uid}/",
        "attribution_url": f"{HOST}/api/v1/attributions/?scope=initiative&key={uid}",
    }


def expected_pilot():
    return {
        "slug": "alpha",
        "name": "Alpha",
        "programme": "test-programme",
        "kind": "pilot",
        "status": "active",
        "places": [
            {
                "code": "E99000001",
                "gss_code": "E99000001",
                "snac_code": None,
                "name": "Alphaton",
                "kind": "district",
                "html_url": f"{HOST}/places/alphaton/",
            },
        ],
        "lead_organisation": {
            "code": "COUNCIL",
            "name": "Testshire Council",
            "sector": "local_government",
        },
        "deep_dives": [],
        "service_themes": [],
        "summary": "",
        "is_illustrative": False,
        "url": f"{HOST}/api/v1/pilots/alpha/",
        "html_url": f"{HOST}/pilots/alpha/",
        "evidence_pack_url": f"{HOST}/api/v1/pilots/alpha/evidence-pack/",
        "attribution_url": f"{HOST}/api/v1/attributions/?scope=pilot&key=alpha",
    }


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
    assert body["count"] == 1
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
    }


def test_a_lead_creates_an_initiative_and_evidence_with_a_file(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lead = world.api(world.lead_a)
    created = lead.post(
        "/api/v1/initiatives/",
        {"pilot": "alpha", "title": "Second", "service_theme": "family-support"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["status"] == "draft" and created.json()["baseline_basis"] == "none"
    upload = SimpleUploadedFile("model.csv", b"year,amount\n0,100\n", content_type="text/csv")
    response = lead.post(
        "/api/v1/evidence/",
        {"pilot": "alpha", "kind": "dataset", "title": "CBA model", "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    item = response.json()
    assert item["filename"] == "model.csv" and item["file_size"] == 18
    assert item["download_url"] == f"{HOST}/evidence/{item['id']}/download/"
    download = world.api().get(item["download_url"].removeprefix(HOST))
    assert b"".join(download.streaming_content) == b"year,amount\n0,100\n"


def test_bad_input_gets_the_error_shape_with_details(world):
    lead = world.api(world.lead_a)
    response = lead.post(
        "/api/v1/benefit-flows/",
        {
            "initiative": str(world.initiative.public_id),
            "value_type": "fiscal",
            "amount_per_year": "5.00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "beneficiary: A fiscal benefit lands with an organisation: say which.",
            "details": {"beneficiary": ["A fiscal benefit lands with an organisation: say which."]},
        }
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/pilots/",
        "/api/v1/initiatives/",
        "/api/v1/evidence/",
        "/api/v1/cost-lines/",
        "/api/v1/benefit-flows/",
        "/api/v1/appraisals/",
        "/api/v1/attributions/",
        "/api/v1/place-budget-submissions/",
        "/api/v1/programmes/",
        "/api/v1/unit-costs/",
    ],
)
def test_list_endpoints_use_a_fixed_number_of_queries(
    world, url, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client = world.api()
    EvidenceFactory(pilot=world.alpha, initiative=world.initiative)
    submission_create(pilot=world.alpha, actor=None, title="One submission")

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    with django_capture_on_commit_callbacks(execute=True):  # more rows of every kind
        for n in range(3):
            more = InitiativeFactory(pilot=world.beta, title=f"More {n}", service_theme=world.theme)
            EvidenceFactory(pilot=world.beta, initiative=more)
            from savings.services.inputs import benefit_flow_create, cost_line_create

            cost_line_create(initiative=more, actor=None, payer=world.council, year=0, amount=1)
            benefit_flow_create(
                initiative=more, actor=None, beneficiary=world.nhs, amount_per_year=2
            )
            submission_create(pilot=world.beta, actor=None, title=f"Submission {n}")
    with django_assert_num_queries(before):
        assert client.get(url).status_code == 200


def test_a_pilots_leads_may_change_its_summary_status_and_themes(world):
    from tests.pilots.factories import DeepDiveFactory

    DeepDiveFactory(code="older-people", name="Older people")
    change = {
        "summary": "Now with a summary",
        "status": "completed",
        "deep_dives": ["older-people"],
    }
    outsider = world.api(world.lead_b).patch("/api/v1/pilots/alpha/", change, format="json")
    assert outsider.status_code == 403
    response = world.api(world.lead_a).patch("/api/v1/pilots/alpha/", change, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["summary"], body["status"]) == ("Now with a summary", "completed")
    assert body["deep_dives"] == [{"code": "older-people", "name": "Older people"}]
    assert body["places"] == expected_pilot()["places"]  # the footprint is not theirs to change


def test_every_resource_is_in_the_openapi_schema_with_its_docstring(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for path in [
        "/api/v1/programmes/",
        "/api/v1/pilots/",
        "/api/v1/pilots/{slug}/evidence-pack/",
        "/api/v1/initiatives/",
        "/api/v1/initiatives/{public_id}/",
        "/api/v1/evidence/",
        "/api/v1/place-budget-submissions/",
        "/api/v1/cost-lines/",
        "/api/v1/benefit-flows/",
        "/api/v1/appraisals/{initiative}/",
        "/api/v1/attributions/",
        "/api/v1/unit-costs/",
        "/api/v1/discount-rates/",
    ]:
        assert path in paths, path
    pack = paths["/api/v1/pilots/{slug}/evidence-pack/"]["get"]
    assert "whole evidence pack in one call" in pack["description"]
    money = schema["components"]["schemas"]["Appraisal"]["properties"]["npv"]
    assert money["type"] == "string" and money["format"] == "decimal"
