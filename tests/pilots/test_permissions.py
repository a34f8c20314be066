"""A pilot's leads edit it; a lead of one pilot cannot edit another's, on pages or the API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from pilots.models import EvidenceKind, Initiative
from pilots.services.evidence import evidence_create
from savings.models import CostLine

pytestmark = pytest.mark.django_db

FORBIDDEN = {
    "error": {
        "status": 403,
        "code": "permission_denied",
        "message": "Only this pilot's leads can change it.",
    }
}


def _pages(world):
    initiative = world.initiative
    line = initiative.costs.get()
    flow = initiative.benefits.first()
    uid = initiative.public_id
    return [
        reverse("pilots:initiative-create", args=["alpha"]),
        reverse("pilots:initiative-edit", args=[uid]),
        reverse("savings:cost-create", args=[uid]),
        reverse("savings:cost-edit", args=[uid, line.pk]),
        reverse("savings:benefit-create", args=[uid]),
        reverse("savings:benefit-edit", args=[uid, flow.pk]),
        reverse("pilots:evidence-create", args=["alpha"]),
        reverse("pilots:initiative-evidence-create", args=["alpha", uid]),
    ]


def test_visitors_are_asked_to_sign_in(client, world):
    for url in _pages(world):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_pilots_lead_can_open_every_form(client, world):
    client.force_login(world.lead_a)
    for url in _pages(world):
        assert client.get(url).status_code == 200, url


def test_a_lead_of_another_pilot_is_refused_every_form_and_changes_nothing(client, world):
    client.force_login(world.lead_b)
    for url in _pages(world):
        assert client.get(url).status_code == 403, url
        assert (
            client.post(url, {"title": "Hijacked", "amount": "1", "year": "0"}).status_code == 403
        )
    line = world.initiative.costs.get()
    for url in [
        reverse("pilots:initiative-delete", args=[world.initiative.public_id]),
        reverse("savings:cost-delete", args=[world.initiative.public_id, line.pk]),
    ]:
        assert client.post(url).status_code == 403
    assert Initiative.objects.filter(pilot=world.alpha).count() == 1
    assert CostLine.objects.get(pk=line.pk).amount == Decimal("100.00")
    assert not Initiative.objects.filter(title="Hijacked").exists()


def test_a_lead_sees_edit_links_only_on_their_own_pilot(client, world):
    client.force_login(world.lead_b)
    page = client.get(world.initiative.get_absolute_url()).content.decode()
    assert "Edit initiative" not in page and "Add a cost" not in page
    client.force_login(world.lead_a)
    page = client.get(world.initiative.get_absolute_url()).content.decode()
    assert "Edit initiative" in page and "Add a cost" in page


def test_a_lead_edits_their_own_initiative_through_the_form(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.lead_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(
                "savings:cost-edit",
                args=[world.initiative.public_id, world.initiative.costs.get().pk],
            ),
            {
                "payer": world.council.pk,
                "year": "0",
                "amount": "120.00",
                "kind": "revenue",
                "optimism_bias_percent": "0",
            },
        )
    assert response.status_code == 302
    world.initiative.refresh_from_db()
    assert world.initiative.appraisal.pv_costs == Decimal("120.00")


def test_api_writes_need_the_pilots_own_lead(world):
    outsider, lead = world.api(world.lead_b), world.api(world.lead_a)
    uid = str(world.initiative.public_id)
    line = world.initiative.costs.get()
    new_initiative = {"pilot": "alpha", "title": "New", "service_theme": "family-support"}
    new_cost = {"initiative": uid, "payer": "COUNCIL", "year": 1, "amount": "5.00"}
    attempts = [
        ("post", "/api/v1/initiatives/", new_initiative),
        ("patch", f"/api/v1/initiatives/{uid}/", {"title": "Hijacked"}),
        ("delete", f"/api/v1/initiatives/{uid}/", None),
        ("post", "/api/v1/cost-lines/", new_cost),
        ("patch", f"/api/v1/cost-lines/{line.pk}/", {"amount": "1.00"}),
        ("delete", f"/api/v1/cost-lines/{line.pk}/", None),
        (
            "post",
            "/api/v1/evidence/",
            {"pilot": "alpha", "kind": "note", "title": "x", "body": "y"},
        ),
    ]
    for method, url, body in attempts:
        response = getattr(outsider, method)(url, body, format="json")
        assert (response.status_code, response.json()) == (403, FORBIDDEN), (method, url)
    assert Initiative.objects.get(pk=world.initiative.pk).title == "Family key workers"

    assert (
        lead.patch(f"/api/v1/initiatives/{uid}/", {"title": "Renamed"}, format="json").status_code
        == 200
    )
    assert lead.post("/api/v1/initiatives/", new_initiative, format="json").status_code == 201
    assert lead.post("/api/v1/cost-lines/", new_cost, format="json").status_code == 201
    assert Initiative.objects.get(pk=world.initiative.pk).title == "Renamed"


def test_anonymous_api_writes_are_refused(world):
    response = world.api().post(
        "/api/v1/initiatives/", {"pilot": "alpha", "title": "x"}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_drafts_and_unpublished_evidence_are_for_leads_only(client, world):
    draft = Initiative.objects.create(
        pilot=world.alpha, title="Secret draft", service_theme=world.theme
    )
    note = evidence_create(
        pilot=world.alpha,
        actor=None,
        kind=EvidenceKind.NOTE,
        title="Private",
        body="x",
        is_published=False,
    )
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(note.get_absolute_url()).status_code == 404
    assert (
        "Secret draft"
        not in client.get(reverse("pilots:pilot-detail", args=["alpha"])).content.decode()
    )
    anonymous = world.api()
    assert anonymous.get(f"/api/v1/initiatives/{draft.public_id}/").status_code == 404
    assert [i["title"] for i in anonymous.get("/api/v1/initiatives/").json()["results"]] == [
        "Family key workers"
    ]
    assert world.api(world.lead_b).get(f"/api/v1/evidence/{note.public_id}/").status_code == 404
    client.force_login(world.lead_a)
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(note.get_absolute_url()).status_code == 200
    assert world.api(world.lead_a).get(f"/api/v1/evidence/{note.public_id}/").status_code == 200
