"""An import while the job queue is down: kept, shown as delayed, queued again later, never lost.

The broker is made unreachable by making publishing fail as kombu does; the real broker
outage (a web process pointed at a closed port) is in ``tests/test_faults.py``.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from ledger.import_tasks import import_jobs_requeue_task
from ledger.models import ImportJob, ImportJobStatus
from ledger.services.access import api_token_create
from ledger.services.imports import queueing
from ledger.services.imports.queueing import DELAYED_MESSAGE, RETRY_AFTER
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row

pytestmark = pytest.mark.django_db


def _api(officer, leeds) -> APIClient:
    _, key = api_token_create(user=officer, organisation=leeds, name="delayed")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_an_import_while_the_queue_is_down_is_kept_and_queued_again(
    officer, leeds, leeds_draft, broker, django_capture_on_commit_callbacks
):
    api = _api(officer, leeds)
    content = csv_bytes([DCLG_HEADER, dclg_row(amount="12.34")])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/organisation/spend-returns/{leeds_draft.pk}/imports/",
            {"file": SimpleUploadedFile("jan.csv", content, "text/csv")},
            format="multipart",
        )
    assert response.status_code == 202  # accepted: the file is kept whatever the queue does
    job = ImportJob.objects.get()
    assert job.delayed_at is not None and job.file.read() == content

    # A poll straight away does not hammer the broker; it says why nothing is moving.
    url = f"/api/v1/organisation/imports/{job.pk}/"
    sent = broker.sent
    body = api.get(url).json()
    assert (body["status"], body["delayed"], body["message"]) == ("queued", True, DELAYED_MESSAGE)
    assert broker.sent == sent
    status = _page_status(officer, job)
    assert status["delayed"] is True and status["message"] == DELAYED_MESSAGE

    # Later, still down: the beat task tries, fails, and the job still waits.
    _age(job)
    assert import_jobs_requeue_task() == 0
    assert broker.sent == sent + 1
    job.refresh_from_db()
    assert job.status == ImportJobStatus.QUEUED and job.delayed_at is not None

    # The queue is back: the next poll queues it (run inline here) and the preview happens.
    broker.down = False
    _age(job)
    body = api.get(url).json()
    assert (body["status"], body["delayed"], body["message"]) == ("ready", False, "")
    assert body["line_total"] == "12.34"


def test_a_confirmation_while_the_queue_is_down_waits_and_completes_once(
    officer, leeds, leeds_draft, broker, django_capture_on_commit_callbacks
):
    from ledger.services.imports.confirm import import_job_request_confirm
    from tests.ledger.import_helpers import preview

    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row(amount="5.00")]))
    with django_capture_on_commit_callbacks(execute=True):
        import_job_request_confirm(job=job, actor=officer)
    job.refresh_from_db()
    assert (job.status, job.message) == (ImportJobStatus.CONFIRMING, DELAYED_MESSAGE)
    assert not leeds_draft.lines.exists()
    broker.down = False
    _age(job)
    assert import_jobs_requeue_task() == 1
    job.refresh_from_db()
    assert (job.status, job.confirmed_by, job.delayed_at) == (
        ImportJobStatus.CONFIRMED,
        officer,
        None,
    )
    assert leeds_draft.lines.count() == 1
    assert import_jobs_requeue_task() == 0  # nothing left waiting; nothing doubled
    assert leeds_draft.lines.count() == 1


def test_the_job_page_says_processing_is_delayed(client, officer, leeds_draft, broker):
    from ledger.services.imports.jobs import import_job_create
    from tests.ledger.import_helpers import spend_file

    job = import_job_create(
        spend_return=leeds_draft, file=spend_file(b"Amount\r\n1\r\n"), actor=officer, start=False
    )
    queueing.import_job_dispatch(job_id=job.pk)
    client.force_login(officer)
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert f'<p id="job-delayed" class="banner">{DELAYED_MESSAGE}</p>' in page


def _age(job: ImportJob) -> None:
    """As if the last try was a while ago."""
    ImportJob.objects.filter(pk=job.pk).update(
        delayed_at=timezone.now() - RETRY_AFTER - dt.timedelta(seconds=1)
    )


def _page_status(user, job) -> dict:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(f"/imports/{job.pk}/status/").json()
