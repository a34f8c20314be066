"""Correcting cells on the job page and over the API, and the line that still says so."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.fields import DateTimeField
from rest_framework.test import APIClient

from ledger.models import (
    ImportCorrection,
    ImportJobStatus,
    Role,
    SpendLine,
    WorkflowAction,
    WorkflowEvent,
)
from ledger.services.access import api_token_create, membership_grant
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.returns import spend_return_create
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview
from tests.ledger.test_import_corrections import _bad_rows

pytestmark = pytest.mark.django_db
when = DateTimeField().to_representation


@pytest.fixture
def invalid(leeds_draft, officer):
    """A previewed file with a bad amount (row 3, column 6) and a bad date (row 4, column 3)."""
    return preview(leeds_draft, csv_bytes([DCLG_HEADER, *_bad_rows()]), actor=officer)


def _page(client, job) -> str:
    response = client.get(reverse("import-job-detail", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _post(client, job, data, capture):
    with capture(execute=True):
        response = client.post(reverse("import-job-corrections", args=[job.pk]), data)
    assert response.status_code == 302
    job.refresh_from_db()
    return [str(m) for m in response.wsgi_request._messages]


def test_an_officer_corrects_the_cells_on_the_page_then_confirms(
    client, invalid, officer, approver, leeds_draft, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = _page(client, invalid)
    assert "Correct a value here and check the file again" in page
    assert (
        '<label class="visually-hidden" for="cell-3-5">Corrected value for row 3, column Amount'
        '</label><input type="text" id="cell-3-5" name="cell-3-5" value="1,2x4.00"' in page
    )
    assert '<input type="hidden" name="shown-4-2" value="31/02/2011">' in page
    assert "Check again with these corrections" in page

    form = {
        "cell-3-5": "1,234.00",
        "shown-3-5": "1,2x4.00",
        "cell-4-2": "28/02/2011",
        "shown-4-2": "31/02/2011",
    }
    assert _post(client, invalid, form, django_capture_on_commit_callbacks) == [
        "2 corrections saved; checking the file again."
    ]
    assert (invalid.status, invalid.line_total) == (ImportJobStatus.READY, Decimal("1249.50"))
    page = _page(client, invalid)
    assert "Corrections made here" in page and "Problems to fix" not in page
    assert "<code>1,2x4.00</code></td><td><code>1,234.00</code></td><td>officer</td>" in page
    # Whoever signs the return off sees that cells were changed here, and how many.
    event = WorkflowEvent.objects.get(action=WorkflowAction.IMPORT_CORRECTED)
    assert (event.actor_id, event.spend_return_id, event.detail) == (
        officer.pk,
        leeds_draft.pk,
        {
            "file": invalid.filename,
            "corrected": 2,
            "undone": 0,
            "cells": ["row 3, Amount", "row 4, Date"],
        },
    )
    page = client.get(reverse("spend-return-detail", args=[leeds_draft.pk])).content.decode()
    assert "Cells corrected</span>" in page and "· 2 cells corrected" in page
    assert f'<a href="/imports/{invalid.pk}/#corrections-heading">2</a>' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-job-confirm", args=[invalid.pk]))
    assert leeds_draft.lines.count() == 3

    spend_return_submit(spend_return=leeds_draft, actor=officer)
    spend_return_approve(spend_return=leeds_draft, actor=approver, reason="January only.")
    line = SpendLine.objects.get(source_row=3)
    assert line.amount == Decimal("1234.00")
    text = client.get(reverse("line-detail", args=[line.pk])).content.decode()
    assert "<dt>Corrected on import</dt><dd>Amount was “1,2x4.00” in the file" in text
    untouched = SpendLine.objects.get(source_row=2)
    assert "Corrected on import" not in client.get(f"/lines/{untouched.pk}/").content.decode()


def test_an_unchanged_form_changes_nothing_and_a_correction_is_undone(
    client, invalid, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    unchanged = {"cell-3-5": "1,2x4.00", "shown-3-5": "1,2x4.00"}
    assert _post(client, invalid, unchanged, django_capture_on_commit_callbacks) == [
        "No value was changed: correct a value in the table, then check again."
    ]
    fix = {"cell-3-5": "1,234.00", "shown-3-5": "1,2x4.00"}
    _post(client, invalid, fix, django_capture_on_commit_callbacks)
    assert (invalid.status, [e["row"] for e in invalid.errors]) == (ImportJobStatus.INVALID, [4])
    page = _page(client, invalid)
    assert '<input type="hidden" name="remove_row" value="3">' in page
    assert 'Undo<span class="visually-hidden"> the correction of row 3, column Amount' in page
    undo = {"remove_row": "3", "remove_column": "Amount"}
    assert _post(client, invalid, undo, django_capture_on_commit_callbacks) == [
        "Correction undone; checking the file again."
    ]
    assert [e["row"] for e in invalid.errors] == [3, 4]
    assert not ImportCorrection.objects.exists()
    assert [
        (e.detail["corrected"], e.detail["undone"])
        for e in WorkflowEvent.objects.filter(action=WorkflowAction.IMPORT_CORRECTED).order_by("pk")
    ] == [(1, 0), (0, 1)]


def test_refusals_are_shown_and_approvers_and_other_organisations_are_kept_out(
    client, invalid, officer, approver, craven, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    tampered = {"cell-1-5": "1.00", "shown-1-5": "Amount"}  # the header row
    assert _post(client, invalid, tampered, django_capture_on_commit_callbacks) == [
        "Row 1 is not a data row: the header is row 1, and only rows under it can be corrected."
    ]
    url = reverse("import-job-corrections", args=[invalid.pk])
    assert client.get(url).status_code == 405
    client.force_login(approver)
    assert "Corrected value" not in _page(client, invalid)
    assert client.post(url, {"cell-3-5": "1.00"}).status_code == 403
    craven_officer = officer.__class__.objects.create(username="craven-only")
    membership_grant(user=craven_officer, organisation=craven, role=Role.FINANCE_OFFICER)
    client.force_login(craven_officer)
    assert client.post(url, {"cell-3-5": "1.00"}).status_code == 404
    assert not ImportCorrection.objects.exists()


def _api(user, organisation) -> APIClient:
    _, key = api_token_create(user=user, organisation=organisation, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_corrections_through_the_api(
    invalid, officer, leeds, craven, year_2010, django_capture_on_commit_callbacks
):
    api = _api(officer, leeds)
    url = f"/api/v1/organisation/imports/{invalid.pk}/corrections/"
    body = {"corrections": [{"row": 3, "column": "Amount", "value": "1,234.00"}]}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url, body, format="json")
    assert response.status_code == 202
    (correction,) = ImportCorrection.objects.all()
    assert response.json()["status"] == "queued"
    assert response.json()["corrections"] == [
        {
            "row": 3,
            "column": "Amount",
            "original": "1,2x4.00",
            "value": "1,234.00",
            "created_by": "officer",
            "created_at": when(correction.created_at),
        }
    ]
    detail = api.get(f"/api/v1/organisation/imports/{invalid.pk}/").json()
    assert (detail["status"], detail["error_count"], detail["corrections"]) == (
        "invalid",
        1,
        response.json()["corrections"],
    )
    assert detail["errors"] == [
        {
            "row": 4,
            "column": "Date",
            "value": "31/02/2011",
            "message": detail["errors"][0]["message"],
        }
    ]

    refused = api.post(url, {"corrections": [{"row": 4, "column": "When"}]}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"] == {
        "corrections": {"0": {"non_field_errors": ["Give the corrected value, or remove: true."]}}
    }
    wrong = {"corrections": [{"row": 4, "column": "When", "value": "x"}]}
    unknown = api.post(url, wrong, format="json")
    assert unknown.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "The file has no column “When” (row 4).",
            "details": ["The file has no column “When” (row 4)."],
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        removed = api.post(
            url, {"corrections": [{"row": 3, "column": "Amount", "remove": True}]}, format="json"
        )
    assert (removed.status_code, removed.json()["corrections"]) == (202, [])

    # Another organisation's import is not found, even for a member of both.
    other = spend_return_create(organisation=craven, financial_year=year_2010, actor=None)
    craven_job = preview(other, csv_bytes([DCLG_HEADER, dclg_row(amount="x")]), actor=officer)
    elsewhere = api.post(
        f"/api/v1/organisation/imports/{craven_job.pk}/corrections/", body, format="json"
    )
    assert elsewhere.status_code == 404
    assert not ImportCorrection.objects.exists()
