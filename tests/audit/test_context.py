"""Who the trail names: page requests, API tokens, Celery tasks (eager and on a real worker),
management commands."""

import time
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from audit.models import SpendLineEvent, SpendReturnEvent
from ledger.models import (
    FinancialYear,
    ImportJob,
    ImportJobStatus,
    LineChangeSummary,
    Organisation,
    Role,
    SpendLine,
    SpendReturn,
    WorkflowEvent,
)
from ledger.services.access import api_token_create, membership_grant
from ledger.services.imports.confirm import import_job_request_confirm
from ledger.services.imports.jobs import import_job_create
from ledger.services.returns import spend_return_create
from tests.audit.helpers import context_of, events_of
from tests.factories import SpendLineFactory, UserFactory
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview, spend_file
from tests.services import ROOT, require_postgres
from totalplace.audit_context import current, uses_triggers

SMALL_FILE = csv_bytes([DCLG_HEADER, dclg_row(amount="1,000.00"), dclg_row(amount="-0.50")])


@pytest.mark.django_db
def test_a_page_request_names_its_user_path_and_method(client, leeds_draft, officer):
    SpendLineFactory(spend_return=leeds_draft)
    client.force_login(officer)
    response = client.post(f"/spend-returns/{leeds_draft.pk}/submit/")
    assert response.status_code == 302
    event = WorkflowEvent.objects.get(action="submitted")
    assert (event.actor_id, event.actor_name, event.spend_return_id) == (
        officer.pk,
        "officer",
        leeds_draft.pk,
    )
    assert event.context == {
        "url": f"/spend-returns/{leeds_draft.pk}/submit/",
        "method": "POST",
        "user": officer.pk,
        "username": "officer",
    }
    assert current() is None  # the request's context ended with it
    if uses_triggers():
        update = events_of(leeds_draft, "update")[-1]
        assert update.status == "submitted"
        assert update.pgh_context_id == event.context_id
        assert context_of(update)["user"] == officer.pk


@pytest.mark.django_db
def test_an_api_request_with_a_token_names_the_token_user(leeds, officer):
    _, key = api_token_create(user=officer, organisation=leeds, name="ledger sync")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(
        "/api/v1/organisation/spend-returns/",
        {"financial_year": "2010-11", "title": "By API"},
        format="json",
    )
    assert response.status_code == 201
    created = WorkflowEvent.objects.get(action="created")
    assert (created.actor_id, created.spend_return_id) == (officer.pk, response.json()["id"])
    assert created.context["user"] == officer.pk
    assert created.context["api_token"] == f"{key[:8]}… (ledger sync)"
    assert created.context["method"] == "POST"
    if uses_triggers():
        spend_return = SpendReturn.objects.get(pk=response.json()["id"])
        (insert,) = events_of(spend_return, "insert")
        assert context_of(insert)["user"] == officer.pk
        assert context_of(insert)["api_token"].startswith(key[:8])


@pytest.mark.django_db
def test_a_confirmation_task_names_the_user_who_confirmed(
    client, leeds_draft, officer, django_capture_on_commit_callbacks
):
    job = preview(leeds_draft, SMALL_FILE, actor=officer)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{job.pk}/confirm/")
    assert response.status_code == 302
    confirmed = WorkflowEvent.objects.get(action="import_confirmed")
    assert confirmed.actor_id == officer.pk
    assert confirmed.context["task"] == "ledger.import_job_confirm"
    assert confirmed.context["user"] == officer.pk
    assert confirmed.detail["lines"] == 2
    if uses_triggers():  # the import's one record (not a row per line) names them too
        assert not SpendLineEvent.objects.filter(spend_return=leeds_draft).exists()
        record = LineChangeSummary.objects.get(spend_return=leeds_draft, import_job=job)
        assert record.context.metadata["user"] == record.actor_id == officer.pk


def _spend_file(tmp_path: Path) -> Path:
    path = tmp_path / "january.csv"
    path.write_bytes(SMALL_FILE)
    return path


@pytest.mark.django_db
def test_a_management_command_names_itself_and_the_user_it_runs_for(tmp_path, leeds, officer):
    call_command(
        "import_spend",
        str(_spend_file(tmp_path)),
        organisation="00DA",
        year="2010-11",
        user="officer",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    spend_return = SpendReturn.objects.get(organisation=leeds)
    actions = list(
        WorkflowEvent.objects.filter(spend_return=spend_return)
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("created", officer.pk),
        ("import_uploaded", officer.pk),
        ("import_previewed", officer.pk),
        ("import_confirmed", officer.pk),
    ]
    context = WorkflowEvent.objects.filter(spend_return=spend_return).first().context
    assert context["command"] == "import_spend" and context["user"] == officer.pk
    assert context["os_user"]
    if uses_triggers():  # the import's one record (not a row per line) names them too
        assert not SpendLineEvent.objects.filter(spend_return=spend_return).exists()
        record = LineChangeSummary.objects.get(spend_return=spend_return)
        assert record.lines == 2 and record.import_job_id is not None
        metadata = record.context.metadata
        assert (metadata["command"], metadata["user"]) == ("import_spend", officer.pk)


@pytest.mark.django_db
def test_a_command_without_a_user_is_the_system_and_a_stranger_is_refused(tmp_path, leeds):
    from django.core.management.base import CommandError

    call_command("load_reference", stdout=open("/dev/null", "w"))  # noqa: SIM115
    stranger = UserFactory(username="stranger")
    with pytest.raises(CommandError, match="finance officers"):
        call_command(
            "import_spend",
            str(_spend_file(tmp_path)),
            organisation="00DA",
            year="2010-11",
            user=stranger.username,
        )
    with pytest.raises(CommandError, match="No user is called"):
        call_command("load_reference", user="nobody")
    assert not SpendLine.objects.exists()


def _wait(job: ImportJob, done: set, timeout: float = 90) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in done:
            return job
        time.sleep(0.2)
    return job


@pytest.mark.services
def test_a_confirmation_on_a_real_worker_names_the_user_who_clicked_confirm(
    real_worker, reference_data_tx, settings
):
    """The request queues the task; the worker's events name that user and the task."""
    from totalplace.audit_context import audit_context

    require_postgres()
    settings.MEDIA_ROOT = str(ROOT / "var" / "test-media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    leeds = Organisation.objects.by_code("00DA").get()
    officer = UserFactory(username="worker-officer")
    membership_grant(user=officer, organisation=leeds, role=Role.FINANCE_OFFICER)
    spend_return = spend_return_create(
        organisation=leeds, financial_year=FinancialYear.objects.get(code="2010-11"), actor=officer
    )
    with audit_context(user=officer.pk, username=officer.username, url="/import/", method="POST"):
        job = import_job_create(
            spend_return=spend_return, file=spend_file(SMALL_FILE), actor=officer
        )
    job = _wait(job, {ImportJobStatus.READY, ImportJobStatus.INVALID, ImportJobStatus.FAILED})
    assert job.status == ImportJobStatus.READY, real_worker.log()[-2000:]
    confirm_url = f"/imports/{job.pk}/confirm/"
    with audit_context(user=officer.pk, username=officer.username, url=confirm_url, method="POST"):
        import_job_request_confirm(job=job, actor=officer)
    job = _wait(job, {ImportJobStatus.CONFIRMED, ImportJobStatus.INVALID})
    assert job.status == ImportJobStatus.CONFIRMED, real_worker.log()[-2000:]

    # The import's lines are one record, not a row each: it names the user and the task.
    assert not SpendLineEvent.objects.filter(spend_return=spend_return).exists()
    summary = LineChangeSummary.objects.get(spend_return=spend_return)
    assert (summary.import_job_id, summary.lines, summary.actor_id) == (job.pk, 2, officer.pk)
    context = summary.context.metadata
    assert context["user"] == officer.pk and context["username"] == officer.username
    assert context["task"] == "ledger.import_job_confirm" and context["task_id"]
    assert (context["queued_from_url"], context["queued_from_method"]) == (confirm_url, "POST")
    previewed = WorkflowEvent.objects.get(import_job=job, action="import_previewed")
    confirmed = WorkflowEvent.objects.get(import_job=job, action="import_confirmed")
    assert previewed.actor_id == confirmed.actor_id == officer.pk
    assert previewed.context["task"] == "ledger.import_job_preview"
    assert confirmed.context_id == summary.context_id
    # The return's own change (its source file) is attributed to the same user and task.
    source_change = SpendReturnEvent.objects.filter(pgh_obj_id=spend_return.pk).last()
    assert source_change.source_sha256 == job.sha256
    assert context_of(source_change)["task"] == "ledger.import_job_confirm"
    job.file.delete(save=False)


@pytest.mark.django_db
def test_a_nested_context_takes_its_metadata_back_when_it_ends():
    """A task run in-process inside a command (eager Celery: make run, load_demo) names itself
    while it runs; what the command does afterwards is the command's again."""
    from totalplace.audit_context import audit_context, current

    with audit_context(command="load_demo", user=None) as outer:
        with audit_context(task="pilots.baselines_refresh_for_returns", task_id="t1", user=7):
            assert current().metadata == {
                "command": "load_demo",
                "user": 7,
                "task": "pilots.baselines_refresh_for_returns",
                "task_id": "t1",
            }
        assert current() is outer
        assert outer.metadata == {"command": "load_demo", "user": None}
    assert current() is None
