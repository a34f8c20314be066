"""Pilots' API and exports against hostile input: deep JSON, formula injection."""

import pytest

from pilots.models import Initiative
from tests.csv_downloads import csv_table

pytestmark = pytest.mark.django_db


def test_pilot_writes_refuse_deep_json(world):
    lead = world.api(world.lead_a)
    nested = "[" * 5000 + "]" * 5000
    body = '{"pilot": "alpha", "title": "x", "summary": ' + nested + "}"
    response = lead.post("/api/v1/initiatives/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "parse_error",
            "message": "The JSON is nested more than 32 levels deep.",
        }
    }
    assert Initiative.objects.count() == 1


def test_where_savings_land_csv_escapes_names_and_keeps_values(client, world):
    from savings.models import Attribution

    attribution = Attribution.objects.get(pilot=world.alpha)
    attribution.matrix[0]["payer_name"] = "=HYPERLINK(1)"
    attribution.matrix[0]["beneficiary_name"] = "@cmd"
    attribution.matrix[0]["present_value"] = "-5.25"
    attribution.save()
    response = client.get("/pilots/alpha/where-savings-land.csv")
    rows = csv_table(response)
    assert rows[0] == [
        "payer_code",
        "payer",
        "beneficiary_code",
        "beneficiary",
        "present_value_gbp",
    ]
    assert rows[1][1] == "'=HYPERLINK(1)" and rows[1][3] == "'@cmd"
    assert rows[1][4] == "-5.25"


@pytest.mark.parametrize("body", ["5", "[]", '"text"', "null"])
def test_a_create_with_a_body_that_is_not_an_object_is_a_400(world, body):
    """Found by the API fuzzer: a bare JSON number was a server error."""
    lead = world.api(world.lead_a)
    response = lead.post("/api/v1/initiatives/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Send an object with the fields."


@pytest.mark.parametrize(
    "path", ["/api/v1/initiatives/", "/api/v1/evidence/", "/api/v1/place-budget-submissions/"]
)
@pytest.mark.parametrize("pilot", ["al\x00pha", "a" * 500, "al pha"])
def test_a_pilot_name_that_cannot_be_a_slug_is_a_400_not_a_crash(world, path, pilot):
    """Found by the API fuzz: the lead check read the raw body's pilot before validation, and
    PostgreSQL refuses a NUL byte in a query (a 500)."""
    response = world.api(world.lead_a).post(
        path, {"pilot": pilot, "title": "x", "kind": "note"}, format="json"
    )
    assert response.status_code == 400
    assert "pilot" in response.json()["error"]["details"]
    assert Initiative.objects.count() == 1
