"""Writing through the pilots API, its error shape, its query counts and its schema."""

import pytest

from pilots.services.submissions import submission_create
from tests.pilots.api_expected import HOST, expected_pilot
from tests.pilots.factories import EvidenceFactory, InitiativeFactory

pytestmark = pytest.mark.django_db


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
        "/api/v1/evidence-grades/",
        "/api/v1/savings/",
        "/api/v1/savings/{id}/agree/",
        "/api/v1/savings/{id}/cash/",
        "/api/v1/savings/realisation/",
    ]:
        assert path in paths, path
    pack = paths["/api/v1/pilots/{slug}/evidence-pack/"]["get"]
    assert "whole evidence pack in one call" in pack["description"]
    money = schema["components"]["schemas"]["Appraisal"]["properties"]["npv"]
    assert money["type"] == "string" and money["format"] == "decimal"
