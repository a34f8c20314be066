"""What the matrix's statuses cannot say on their own: where each role's rights come from.

- an API token acts for its own organisation only, even when its user (or an administrator)
  acts for others in a session, and stops working when its user loses the role;
- every role may hold a token: members for their organisations, analysts, pilot leads,
  dataset editors and admins also for none (which acts for no organisation at all);
- analysts: the one role whose only extra is exports, each analyst seeing their own jobs;
- dataset editors: see every edition, and never approve one they uploaded or loaded;
- separation of duties holds for administrators too;
- every role is granted on a user's admin page.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from ledger.models import Membership, Role
from ledger.permissions import ANALYSTS_GROUP, DATASET_EDITORS_GROUP
from ledger.services.access import api_token_create, membership_grant
from ledger.services.approval import spend_return_approve, spend_return_submit
from tests.factories import UserFactory
from totalplace.permissions import has_perm

from .world import ADMIN, ANALYST, APPROVER, EDITOR, LEAD, OFFICER, OUTSIDER, TOKEN

pytestmark = pytest.mark.django_db


def _token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_token_not_its_user_decides_the_organisation(world):
    """The token's user is a finance officer of A and B; in a session it sees B's draft."""
    user, b_draft = world.token_user, world.b_draft
    session = APIClient()
    session.force_login(user)
    assert session.get(f"/api/v1/spend-returns/{b_draft.pk}/").status_code == 200
    assert session.get(f"/spend-returns/{b_draft.pk}/").status_code == 200
    token = world.client(TOKEN, api=True)
    assert token.get(f"/api/v1/spend-returns/{b_draft.pk}/").status_code == 404
    assert token.get(f"/api/v1/organisation/spend-returns/{b_draft.pk}/").status_code == 404
    listed = token.get("/api/v1/organisation/spend-returns/").json()["results"]
    assert {row["organisation"]["code"] for row in listed} == {"MXA"}


def test_an_administrators_token_acts_for_its_organisation_only(world):
    admin = world.users[ADMIN]
    membership_grant(user=admin, organisation=world.org_a, role=Role.APPROVER)
    _, key = api_token_create(user=admin, organisation=world.org_a, name="admin's")
    token = _token_client(key)
    assert token.get(f"/api/v1/spend-returns/{world.b_draft.pk}/").status_code == 404
    assert token.get(f"/api/v1/spend-returns/{world.a_draft.pk}/").status_code == 200
    session = world.client(ADMIN, api=True)
    assert session.get(f"/api/v1/spend-returns/{world.b_draft.pk}/").status_code == 200


def test_a_token_stops_working_when_its_user_loses_the_role(world):
    token = world.client(TOKEN, api=True)
    assert token.get("/api/v1/organisation/spend-returns/").status_code == 200
    Membership.objects.filter(user=world.token_user, organisation=world.org_a).delete()
    response = token.get("/api/v1/organisation/spend-returns/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "This token's user has no role in Matrix A Council."
    )
    created = token.post(
        "/api/v1/organisation/spend-returns/", {"financial_year": "2010-11"}, format="json"
    )
    assert created.status_code == 403
    # A draft of A it can no longer see, even through the read API.
    assert token.get(f"/api/v1/spend-returns/{world.a_draft.pk}/").status_code == 404


# Who may create a token for organisation A, and who for no organisation.
TOKEN_RIGHTS = {
    OUTSIDER: (False, False),
    OFFICER: (True, False),
    APPROVER: (True, False),
    ANALYST: (False, True),
    LEAD: (False, True),
    EDITOR: (False, True),
    ADMIN: (False, True),  # an administrator is a member of no organisation here
}


@pytest.mark.parametrize("role", list(TOKEN_RIGHTS))
def test_token_creation_by_every_role(world, role):
    user = world.users[role]
    for organisation, allowed in zip((world.org_a, None), TOKEN_RIGHTS[role], strict=True):
        if allowed:
            token, key = api_token_create(user=user, organisation=organisation, name="mine")
            assert token.organisation == organisation and key
        else:
            with pytest.raises(ValidationError):
                api_token_create(user=user, organisation=organisation, name="mine")


def test_a_token_without_organisation_acts_for_none(world):
    """An administrator's token for no organisation sees no drafts and cannot use the
    organisation API; an analyst's still queues exports; a pilot lead's edits their pilot."""
    _, admin_key = api_token_create(user=world.users[ADMIN], organisation=None, name="public")
    admin = _token_client(admin_key)
    assert admin.get(f"/api/v1/spend-returns/{world.a_draft.pk}/").status_code == 404
    assert admin.get(f"/api/v1/spend-returns/{world.a_approved.pk}/").status_code == 200
    refused = admin.get("/api/v1/organisation/spend-returns/")
    assert refused.status_code == 403
    assert "acts for no organisation" in refused.json()["error"]["message"]
    _, analyst_key = api_token_create(user=world.users[ANALYST], organisation=None, name="a")
    queued = _token_client(analyst_key).post(
        "/api/v1/exports/", {"cut": "year:2010-11"}, format="json"
    )
    assert queued.status_code == 202
    _, lead_key = api_token_create(user=world.users[LEAD], organisation=None, name="l")
    lead = _token_client(lead_key)
    patch = lead.patch("/api/v1/pilots/matrix-alpha/", {"summary": "By token"}, format="json")
    assert patch.status_code == 200
    patch = lead.patch("/api/v1/pilots/matrix-beta/", {"summary": "By token"}, format="json")
    assert patch.status_code == 403


def test_an_approvers_token_reads_but_cannot_write(world):
    approver = UserFactory(username="token-approver")
    membership_grant(user=approver, organisation=world.org_a, role=Role.APPROVER)
    _, key = api_token_create(user=approver, organisation=world.org_a, name="approver's")
    token = _token_client(key)
    assert token.get(f"/api/v1/organisation/spend-returns/{world.a_draft.pk}/").status_code == 200
    response = token.post(f"/api/v1/organisation/spend-returns/{world.a_draft.pk}/submit/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Only finance officers of Matrix A Council can change its spend returns."
    )


def test_analysts_see_only_their_own_export_jobs(world):
    other = UserFactory(username="second-analyst")
    other.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    client = APIClient()
    client.force_login(other)
    job = f"/api/v1/exports/{world.analyst_export.pk}/"
    assert client.get(job).status_code == 404
    assert world.client(ANALYST, api=True).get(job).status_code == 200
    queued = client.post("/api/v1/exports/", {"cut": "year:2010-11"}, format="json")
    assert queued.status_code == 202
    assert client.get(f"/api/v1/exports/{queued.json()['id']}/").status_code == 200


def test_the_analyst_role_is_a_group_created_by_a_migration():
    assert Group.objects.filter(name=ANALYSTS_GROUP).exists()


def test_dataset_editors_see_every_edition_but_approve_only_others_loads(world):
    from ledger.selectors.datasets import dataset_editions_visible

    editor, admin = world.users[EDITOR], world.users[ADMIN]
    everything = set(dataset_editions_visible(user=editor).values_list("pk", flat=True))
    assert everything == {
        e.pk for e in (world.ds_approved, world.ds_loaded, world.ds_ready, world.ds_previewed)
    }
    for role in (OUTSIDER, OFFICER, ANALYST, LEAD):
        shown = dataset_editions_visible(user=world.users[role]).values_list("pk", flat=True)
        assert list(shown) == [world.ds_approved.pk], role
    assert not has_perm(editor, "ledger.approve_dataset_edition", world.ds_loaded)
    assert has_perm(admin, "ledger.approve_dataset_edition", world.ds_loaded)
    page = world.client(EDITOR).get(f"/datasets/editions/{world.ds_loaded.pk}/").content.decode()
    assert "another dataset editor must approve it" in page


def test_the_dataset_editor_role_is_a_group_created_by_a_migration():
    assert Group.objects.filter(name=DATASET_EDITORS_GROUP).exists()


def test_line_downloads_are_offered_to_analysts_only(world):
    page = "/places/matrixshire/lines/"
    assert 'data-export="csv"' in world.client(ANALYST).get(page).content.decode()
    for role in (OUTSIDER, OFFICER, "anonymous"):
        body = world.client(role).get(page).content.decode()
        assert 'data-export="csv"' not in body and "downloads are for analysts" in body


def test_separation_of_duties_binds_administrators_too(world):
    admin, draft = world.users[ADMIN], world.a_draft
    submitted = spend_return_submit(spend_return=draft, actor=admin)
    with pytest.raises(PermissionDenied, match="another approver must sign it off"):
        spend_return_approve(spend_return=submitted, actor=admin)
    assert not has_perm(admin, "ledger.approve_spend_return", submitted)
    assert has_perm(world.users["approver_a"], "ledger.approve_spend_return", submitted)


def test_approving_is_one_permission_for_the_role_and_the_act(world):
    """Asked of an organisation it is the approver's role; of a return, approving it now."""
    perm, approver, draft = "ledger.approve_spend_return", world.users[APPROVER], world.a_draft
    assert has_perm(approver, perm, draft.organisation)
    assert has_perm(approver, perm)  # an approver somewhere
    assert not has_perm(approver, perm, draft)  # a draft: nothing to approve yet
    assert has_perm(approver, perm, world.a_submitted)
    assert not has_perm(approver, perm, world.b_draft.organisation)
    for role in (OFFICER, OUTSIDER, ANALYST):
        assert not has_perm(world.users[role], perm, draft.organisation)
        assert not has_perm(world.users[role], perm)


def test_an_inactive_administrator_has_no_rights(world):
    admin = world.users[ADMIN]
    admin.is_active = False
    assert not has_perm(admin, "ledger.view_spend_return", world.b_draft)
    assert not has_perm(admin, "pilots.edit_pilot", world.alpha)


def test_every_role_is_granted_on_the_users_admin_page(world):
    admin = world.client(ADMIN)
    lead = world.users[LEAD]
    page = admin.get(f"/admin/auth/user/{lead.pk}/change/").content.decode()
    assert 'name="memberships-TOTAL_FORMS"' in page  # finance officer, approver
    assert 'name="pilot_leads-TOTAL_FORMS"' in page  # pilot lead
    assert "Matrix programme" in page or "Alpha" in page  # the pilot this user leads
    assert f">{ANALYSTS_GROUP}</option>" in page  # analyst
    assert f">{DATASET_EDITORS_GROUP}</option>" in page  # dataset editor
    assert 'name="is_superuser"' in page  # admin
    listing = admin.get("/admin/auth/user/?q=matrix-officer").content.decode()
    assert "Finance officer · MXA" in listing
    for role in (OUTSIDER, OFFICER, ANALYST, LEAD):
        response = world.client(role).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_token_does_not_sign_anyone_in_on_the_pages(world):
    pages = world.client(TOKEN)  # a plain client sending the token header
    response = pages.get("/spend-returns/new/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert pages.get(f"/spend-returns/{world.a_draft.pk}/").status_code == 404
