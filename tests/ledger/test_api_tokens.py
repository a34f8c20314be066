import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from ledger.models import Role
from ledger.services.access import api_token_create, api_token_revoke, membership_grant
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    user, organisation = UserFactory(), OrganisationFactory()
    membership_grant(user=user, organisation=organisation, role=Role.FINANCE_OFFICER)
    return user, organisation


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_only_members_get_tokens_and_only_the_hash_is_kept(member):
    user, organisation = member
    token, key = api_token_create(user=user, organisation=organisation, name="ci")
    assert key not in (token.key_hash, token.key_prefix) and token.key_prefix == key[:8]
    with pytest.raises(ValidationError):
        api_token_create(user=UserFactory(), organisation=organisation, name="stranger")


def test_revoked_and_expired_tokens_are_refused_with_the_error_shape(member):
    user, organisation = member
    token, key = api_token_create(user=user, organisation=organisation, name="ci")
    _, old_key = api_token_create(
        user=user, organisation=organisation, name="old", lifetime=dt.timedelta(seconds=-1)
    )
    assert _client(key).get("/api/schema/?format=json").status_code == 200
    api_token_revoke(token=token)
    for bad_key, message in [
        (key, "Token has been revoked."),
        (old_key, "Token has expired."),
        ("nonsense", "Invalid token."),
    ]:
        response = _client(bad_key).get("/api/schema/?format=json")
        assert response.status_code == 401
        assert response.json() == {
            "error": {"status": 401, "code": "authentication_failed", "message": message}
        }


def test_a_used_token_records_when(member):
    user, organisation = member
    token, key = api_token_create(user=user, organisation=organisation, name="ci")
    _client(key).get("/api/schema/?format=json")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < dt.timedelta(minutes=1)


def test_schema_and_local_docs_page(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content  # served locally
    # The docs page draws the schema's description: it says how to get a token.
    description = schema.json()["info"]["description"]
    assert "## Getting a token" in description
    assert "/account/api-tokens/" in description and "Authorization: Token <key>" in description
    # Uploads are multipart file parts, which generated clients send only when told "binary".
    components = schema.json()["components"]["schemas"]
    uploads = [
        field
        for c in components.values()
        for name, field in c.get("properties", {}).items()
        if name == "file"
    ]
    assert uploads and all(f.get("format") == "binary" for f in uploads), uploads


def test_token_page_creates_shows_the_key_once_and_revokes(client, member):
    user, organisation = member
    client.force_login(user)
    response = client.post(
        "/account/api-tokens/",
        {"name": "script", "organisation": organisation.pk, "lifetime_days": 30},
    )
    key = response.context["new_key"]
    assert key and key.encode() in response.content
    token = user.api_tokens.get()
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - dt.timedelta(days=30)) < dt.timedelta(seconds=5)
    assert key.encode() not in client.get("/account/api-tokens/").content  # only once
    client.post(f"/account/api-tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_or_creates_for_someone_else(client, member):
    user, organisation = member
    token, _ = api_token_create(user=user, organisation=organisation, name="mine")
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404
    data = {"name": "x", "organisation": organisation.pk, "lifetime_days": 30}
    # With no role at all, no token; as a member of another organisation, not for this one.
    assert client.post("/account/api-tokens/", data).status_code == 403
    membership_grant(user=stranger, organisation=OrganisationFactory(), role=Role.APPROVER)
    response = client.post("/account/api-tokens/", data)
    assert "organisation" in response.context["form"].errors
    token.refresh_from_db()
    assert token.revoked_at is None and not stranger.api_tokens.exists()


def test_token_page_needs_sign_in(client):
    assert client.get("/account/api-tokens/").status_code == 302
