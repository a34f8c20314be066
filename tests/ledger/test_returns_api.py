"""The spend-returns API: token-scoped writes and reads, whole responses."""

import pytest
from rest_framework.fields import DateTimeField
from rest_framework.test import APIClient

from ledger.models import ImportJob, Role, SpendReturn
from ledger.services.access import api_token_create, membership_grant
from ledger.services.returns import spend_return_create
from tests.factories import UserFactory
from tests.ledger.import_helpers import CRAVEN_FILE, DCLG_HEADER, csv_bytes, dclg_row

pytestmark = pytest.mark.django_db
when = DateTimeField().to_representation


def _client(user, organisation) -> APIClient:
    _, key = api_token_create(user=user, organisation=organisation, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api(officer, leeds):
    return _client(officer, leeds)


def _return_body(spend_return: SpendReturn, **overrides) -> dict:
    spend_return.refresh_from_db()
    body = {
        "id": spend_return.pk,
        "organisation": {"code": "E08000035", "name": "Leeds City Council"},
        "financial_year": "2010-11",
        "place": None,
        "version": spend_return.version,
        "status": spend_return.status,
        "title": spend_return.title,
        "notes": "",
        "control_total": None,
        "line_count": 0,
        "total": None,
        "source_filename": "",
        "source_sha256": "",
        "mapping": None,
        "is_illustrative": False,
        "months": None,
        "months_label": "months not known",
        "declared_months": None,
        "accruals_basis": False,
        "accruals_reason": "",
        "created_at": when(spend_return.created_at),
        "submitted_at": None,
        "approved_at": None,
        "sent_back_at": None,
        "send_back_reason": "",
        "superseded_by": None,
    }
    body.update(overrides)
    return body


def test_create_import_preview_confirm_submit(api, leeds, django_capture_on_commit_callbacks):
    created = api.post(
        "/api/v1/organisation/spend-returns/",
        {"financial_year": "2010-11", "title": "January"},
        format="json",
    )
    assert created.status_code == 201
    spend_return = SpendReturn.objects.get()
    assert created.json() == _return_body(spend_return, title="January")

    content = csv_bytes([DCLG_HEADER, dclg_row(amount="1,000.00"), dclg_row(amount="-0.50")])
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        imported = api.post(
            f"/api/v1/organisation/spend-returns/{spend_return.pk}/imports/",
            {"file": SimpleUploadedFile("jan.csv", content, "text/csv")},
            format="multipart",
        )
    assert imported.status_code == 202
    job = ImportJob.objects.get()
    assert imported.json()["id"] == job.pk and imported.json()["filename"] == "jan.csv"

    status = api.get(f"/api/v1/organisation/imports/{job.pk}/")
    job.refresh_from_db()
    assert status.json() == {
        "id": job.pk,
        "spend_return": spend_return.pk,
        "status": "ready",
        "status_label": "Ready to confirm",
        "delayed": False,
        "filename": "jan.csv",
        "sha256": job.sha256,
        "size": len(content),
        "mode": "add",
        "rows_done": 3,
        "rows_total": 3,
        "percent": 100,
        "layout": "dclg_2010",
        "mapping": job.mapping_used,
        "line_count": 2,
        "staged_count": 2,
        "line_total": "999.50",
        "lines_count": 2,
        "lines_total": "999.50",
        "credits_count": 1,
        "dropped": {},
        "dropped_count": 0,
        "file_total": None,
        "control_total": None,
        "unallocated_count": 0,
        "unallocated_total": "0.00",
        "error_count": 0,
        "errors": [],
        "warnings": [],
        "corrections": [],
        "message": "",
        "created_at": when(job.created_at),
        "finished_at": when(job.finished_at),
        "confirmed_at": None,
        "duplicate_reason": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = api.post(f"/api/v1/organisation/imports/{job.pk}/confirm/")
    assert confirmed.status_code == 202 and confirmed.json()["status"] == "confirming"
    assert api.get(f"/api/v1/organisation/imports/{job.pk}/").json()["status"] == "confirmed"

    submitted = api.post(f"/api/v1/organisation/spend-returns/{spend_return.pk}/submit/")
    assert submitted.status_code == 200
    assert submitted.json() == _return_body(
        spend_return,
        title="January",
        status="submitted",
        line_count=2,
        total="999.50",
        source_filename="jan.csv",
        source_sha256=job.sha256,
        # Counted from the lines' dates (14 January 2011) when it was submitted.
        months=[1],
        months_label="Jan",
        submitted_at=when(SpendReturn.objects.get().submitted_at),
    )


def test_list_is_the_tokens_organisation_only_with_constant_queries(
    api, leeds, craven, year_2010, officer, django_assert_num_queries
):
    first = spend_return_create(organisation=leeds, financial_year=year_2010, actor=None)
    spend_return_create(organisation=craven, financial_year=year_2010, actor=None)
    # token, its last use, the user's role in the token's organisation, page
    with django_assert_num_queries(4):
        response = api.get("/api/v1/organisation/spend-returns/")
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [_return_body(first)],
    }
    for _ in range(5):
        spend_return_create(organisation=leeds, financial_year=year_2010, actor=None)
    with django_assert_num_queries(3):  # the token's last use is written once a minute
        drafts = api.get("/api/v1/organisation/spend-returns/?status=draft").json()["results"]
    assert len(drafts) == 6
    assert api.get("/api/v1/organisation/spend-returns/?year=2011-12").json()["results"] == []


def test_errors_use_the_one_error_shape(api, leeds, craven, year_2010, approver):
    other = spend_return_create(organisation=craven, financial_year=year_2010, actor=None)
    assert api.get(f"/api/v1/organisation/spend-returns/{other.pk}/").json() == {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": "No SpendReturn matches the given query.",
        }
    }
    anonymous = APIClient().get("/api/v1/organisation/spend-returns/")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    bad_year = api.post(
        "/api/v1/organisation/spend-returns/", {"financial_year": "2010-12"}, format="json"
    )
    assert bad_year.status_code == 400
    assert bad_year.json()["error"]["details"] == {
        "financial_year": ["“2010-12” is not a financial year: the years must be consecutive"]
    }
    mine = spend_return_create(organisation=leeds, financial_year=year_2010, actor=None)
    from django.core.files.uploadedfile import SimpleUploadedFile

    as_approver = _client(approver, leeds)
    forbidden = as_approver.post(
        f"/api/v1/organisation/spend-returns/{mine.pk}/imports/",
        {"file": SimpleUploadedFile("a.csv", CRAVEN_FILE.read_bytes())},
        format="multipart",
    )
    assert forbidden.status_code == 403
    assert forbidden.json() == {
        "error": {
            "status": 403,
            "code": "permission_denied",
            "message": "Only finance officers of Leeds City Council can change its spend returns.",
        }
    }


def test_a_duplicate_file_is_refused_naming_the_return(
    api, leeds, year_2010, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    spend_return = spend_return_create(organisation=leeds, financial_year=year_2010, actor=None)
    content = csv_bytes([DCLG_HEADER, dclg_row()])
    url = f"/api/v1/organisation/spend-returns/{spend_return.pk}/imports/"
    with django_capture_on_commit_callbacks(execute=True):
        job_id = api.post(
            url, {"file": SimpleUploadedFile("a.csv", content)}, format="multipart"
        ).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/api/v1/organisation/imports/{job_id}/confirm/")
    # Through the deprecated address (``files/``, the same view) as through ``imports/``.
    deprecated_url = url.replace("/imports/", "/files/")
    again = api.post(
        deprecated_url, {"file": SimpleUploadedFile("b.csv", content)}, format="multipart"
    )
    assert again.status_code == 400
    assert again.json()["error"]["message"] == (
        f"This file has already been imported into Leeds City Council 2010-11 v1 (draft, spend "
        f"return {spend_return.pk}); the same file is never imported twice."
    )


def test_a_member_without_the_officer_role_cannot_start_returns(leeds):
    user = UserFactory()
    membership_grant(user=user, organisation=leeds, role=Role.APPROVER)
    response = _client(user, leeds).post(
        "/api/v1/organisation/spend-returns/", {"financial_year": "2010-11"}, format="json"
    )
    assert response.status_code == 403
    assert not SpendReturn.objects.exists()


def test_the_schema_documents_the_returns_api(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert {
        "/api/v1/organisation/spend-returns/",
        "/api/v1/organisation/spend-returns/{id}/imports/",
        "/api/v1/organisation/spend-returns/{id}/files/",
        "/api/v1/organisation/imports/{id}/",
        "/api/v1/organisation/imports/{id}/confirm/",
        "/api/v1/organisation/imports/{id}/corrections/",
        "/api/v1/organisation/spend-returns/{id}/submit/",
    } <= set(paths)
    corrections = paths["/api/v1/organisation/imports/{id}/corrections/"]["post"]
    assert "The file is kept as published" in corrections["description"]
    imports = paths["/api/v1/organisation/spend-returns/{id}/imports/"]["post"]
    assert "(same SHA-256) is refused" in imports["description"]
    assert not imports.get("deprecated")
    # The old address: the same operation, marked deprecated.
    files = paths["/api/v1/organisation/spend-returns/{id}/files/"]["post"]
    assert files["deprecated"] is True
    assert files["description"] == imports["description"]
    assert files["requestBody"] == imports["requestBody"]
    assert files["responses"] == imports["responses"]
    money = schema["components"]["schemas"]["ImportJob"]["properties"]["line_total"]
    assert money["type"] == "string" and money["format"] == "decimal"
    # The fields' names before December 2026: still served, marked deprecated.
    job = schema["components"]["schemas"]["ImportJob"]["properties"]
    assert job["lines_total"]["deprecated"] is True and job["lines_count"]["deprecated"] is True
    assert not job["line_total"].get("deprecated")


def test_a_well_formed_year_that_is_not_loaded_is_a_400(api):
    """Found by the API fuzzer: this was a server error."""
    response = api.post(
        "/api/v1/organisation/spend-returns/", {"financial_year": "2099-00"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {
        "financial_year": ["“2099-00” is not a financial year we know."]
    }
