"""What a spend return's history shows to whom.

An approved return whose officer entered a line naming a person and deleted it before
submitting, and uploaded a file whose preview failed with a message naming a server path. The
public and other organisations read its status changes only; its organisation's people and
staff read the lines; nobody reads a server path.
"""

import re
from html import unescape

import pytest
from django.conf import settings
from django.urls import reverse

from ledger.importers import ImportFileError
from ledger.models import (
    ImportJob,
    ImportJobStatus,
    LineChangeSummary,
    Role,
    ServiceTheme,
    WorkflowAction,
    WorkflowEvent,
)
from ledger.services.access import api_token_create, membership_grant
from ledger.services.approval import spend_return_approve, spend_return_submit
from tests.factories import UserFactory
from tests.ledger.import_helpers import preview
from tests.services import require_postgres

pytestmark = [pytest.mark.django_db, pytest.mark.services]

PERSON = "Jane Private-Person"
FILE = "payroll-names.xlsx"
SERVER_PATH = f"{settings.MEDIA_ROOT}/spend-returns/imports/{FILE}"
PATH_MESSAGE = (
    "The workbook is damaged and cannot be read past this row (FileNotFoundError: [Errno 2] "
    f"No such file or directory: '{SERVER_PATH}'). Open it in Excel and save it again."
)


def _text(response) -> str:
    html = response.content.decode()
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _no_path(body: str, who: str) -> None:
    assert str(settings.MEDIA_ROOT) not in body, who
    assert "/spend-returns/imports/" not in body, who


def _grid(client, spend_return, row: dict, *, line=None):
    """Post one row of the line grid, as the page does (a new line, or deleting ``line``)."""
    data = {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1" if line else "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **{f"lines-0-{k}": v for k, v in row.items()},
    }
    if line:
        data.update({"lines-0-id": line.pk, "lines-0-DELETE": "on"})
    response = client.post(reverse("spend-return-lines", args=[spend_return.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def people(leeds, craven):
    officer, approver = UserFactory(username="priya-prepares"), UserFactory(username="arthur")
    membership_grant(user=officer, organisation=leeds, role=Role.FINANCE_OFFICER)
    membership_grant(user=approver, organisation=leeds, role=Role.APPROVER)
    stranger = UserFactory(username="craven-officer")  # another organisation's officer
    membership_grant(user=stranger, organisation=craven, role=Role.FINANCE_OFFICER)
    staff = UserFactory(username="staff-member", is_staff=True)
    return {"officer": officer, "approver": approver, "stranger": stranger, "staff": staff}


@pytest.fixture
def approved(client, leeds, year_2010, people, monkeypatch):
    """Leeds's approved return, with what happened to it before it was submitted."""
    require_postgres()
    from ledger.services.returns import spend_return_create

    officer = people["officer"]
    spend_return = spend_return_create(organisation=leeds, financial_year=year_2010, actor=officer)
    row = {
        "place": leeds.home_place.pk,
        "theme": ServiceTheme.objects.get(code="cultural-libraries").pk,
        "amount": "250.00",
        "spend_kind": "revenue",
        "transaction_date": "2010-06-01",
        "description": "Books",
    }
    client.force_login(officer)
    _grid(client, spend_return, {**row, "supplier_name": PERSON})
    _grid(client, spend_return, {**row, "supplier_name": PERSON}, line=spend_return.lines.get())
    _grid(client, spend_return, {**row, "supplier_name": "Books Ltd"})

    def damaged(opener):
        raise ImportFileError(PATH_MESSAGE)

    monkeypatch.setattr("ledger.services.imports.preview.tables.inspect", damaged)
    failed = preview(spend_return, b"not really a workbook", name=FILE, actor=officer)
    assert failed.status == ImportJobStatus.FAILED
    spend_return_submit(spend_return=spend_return, actor=officer)
    # Its lines are dated (a line typed in needs a date): one month, so approved with a reason.
    spend_return_approve(spend_return=spend_return, actor=people["approver"], reason="June only.")
    client.logout()
    deleted = LineChangeSummary.objects.get(spend_return=spend_return, label="delete")
    return spend_return, failed, deleted.context_id


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def test_a_failed_preview_keeps_no_server_path(approved):
    _, failed, _ = approved
    assert "Open it in Excel" in failed.message
    assert "/spend-returns/imports/" not in failed.message
    assert "/spend-returns/imports/" not in str(failed.errors)
    event = WorkflowEvent.objects.get(import_job=failed, action=WorkflowAction.IMPORT_PREVIEWED)
    assert "/spend-returns/imports/" not in event.reason


@pytest.mark.parametrize("who", [None, "stranger"])
def test_outsiders_read_status_changes_only(client, approved, people, who):
    spend_return, _, context_id = approved
    user = people.get(who)
    history = _text(_as(client, user).get(f"/spend-returns/{spend_return.pk}/history/"))
    assert "Approved" in history and "Submitted for sign-off" in history
    for secret in (
        PERSON,
        FILE,
        "Could not be read",
        "Deleted 1 line",
        "see the lines",
        "priya-prepares",
        "arthur",
        " via ",
    ):
        assert secret not in history, secret
    lines = client.get(
        f"/spend-returns/{spend_return.pk}/history/lines/?context={context_id}&label=delete"
    )
    if user is None:
        assert lines.status_code == 302 and lines["Location"].startswith(reverse("login"))
    else:
        assert lines.status_code == 403
    assert PERSON not in lines.content.decode()
    detail = _text(client.get(f"/spend-returns/{spend_return.pk}/"))
    assert "Approved" in detail
    assert "priya-prepares" not in detail and "arthur" not in detail and FILE not in detail


@pytest.mark.parametrize("who", ["officer", "approver", "staff"])
def test_the_organisations_people_and_staff_read_the_lines(client, approved, people, who):
    spend_return, _, context_id = approved
    client = _as(client, people[who])
    history = _text(client.get(f"/spend-returns/{spend_return.pk}/history/"))
    assert "Deleted 1 line" in history and FILE in history and "priya-prepares" in history
    lines = client.get(
        f"/spend-returns/{spend_return.pk}/history/lines/?context={context_id}&label=delete"
    )
    assert lines.status_code == 200
    assert f"Supplier name: {PERSON}" in _text(lines)


def test_no_page_shows_a_server_path(client, approved, people, leeds):
    """Not even a message stored with one before paths were taken out of stored messages."""
    spend_return, failed, _ = approved
    ImportJob.objects.filter(pk=failed.pk).update(
        message=PATH_MESSAGE,
        errors=[{"row": None, "column": "", "value": "", "message": PATH_MESSAGE}],
    )
    WorkflowEvent.objects.create(
        action=WorkflowAction.IMPORT_PREVIEWED,
        spend_return=spend_return,
        import_job=failed,
        organisation=leeds,
        reason=PATH_MESSAGE,
        detail={"file": FILE, "outcome": "failed"},
    )
    pages = [f"/spend-returns/{spend_return.pk}/", f"/spend-returns/{spend_return.pk}/history/"]
    for who in (None, "stranger", "officer", "approver", "staff"):
        client = _as(client, people.get(who))
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200
            _no_path(response.content.decode(), f"{who} {url}")
    client = _as(client, people["officer"])
    history = _text(client.get(f"/spend-returns/{spend_return.pk}/history/"))
    assert "No such file or directory: '[server path]'" in history  # the reason, not the path
    for url in (f"/imports/{failed.pk}/", f"/imports/{failed.pk}/status/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Open it in Excel" in response.content.decode()
        _no_path(response.content.decode(), url)
    _, key = api_token_create(user=people["officer"], organisation=leeds, name="history")
    response = client.get(
        reverse("api-own-import-detail", args=[failed.pk]), HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 200
    body = response.json()
    assert "Open it in Excel" in body["message"] and "Open it in Excel" in str(body["errors"])
    _no_path(response.content.decode(), "API import job")


def test_a_failed_export_keeps_no_exception_text(monkeypatch):
    """Its analyst polls the job: the reason is ours to say, the exception is the log's."""
    from rest_framework.test import APIClient

    from ledger.models import ExportJob, ExportStatus
    from ledger.services import fiscal_data_package
    from ledger.services.fiscal_data_package import EXPORT_FAILED_MESSAGE, export_job_run

    def broken(**kwargs):
        raise OSError(f"[Errno 28] No space left on device: '{settings.MEDIA_ROOT}/exports/x'")

    monkeypatch.setattr(fiscal_data_package, "fiscal_data_package_build", broken)
    admin = UserFactory(is_staff=True, is_superuser=True)
    job = ExportJob.objects.create(params={"cut": ""}, created_by=admin)
    with pytest.raises(OSError):
        export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportStatus.FAILED, EXPORT_FAILED_MESSAGE)
    # And one stored with its exception's text before this: shown without the path.
    ExportJob.objects.filter(pk=job.pk).update(error=f"Failed: {SERVER_PATH}")
    api = APIClient()
    api.force_login(admin)
    body = api.get(f"/api/v1/exports/{job.pk}/").json()
    assert body["error"] == "Failed: [server path]"
