"""A large export asked for while the job queue is down: kept, said to be delayed, sent later."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from ledger.models import ExportJob, ExportStatus
from ledger.permissions import ANALYSTS_GROUP
from ledger.services.fiscal_data_package import EXPORT_DELAYED_MESSAGE
from ledger.tasks import export_jobs_requeue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_api() -> APIClient:
    analyst = UserFactory(username="delayed-analyst")
    analyst.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    client = APIClient()
    client.force_login(analyst)
    return client


def test_an_export_while_the_queue_is_down_waits_then_runs_once(
    mini, analyst_api, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_api.post("/api/v1/exports/", {"cut": "year:2010-11"}, format="json")
    assert response.status_code == 202
    url = f"/api/v1/exports/{response.json()['id']}/"
    body = analyst_api.get(url).json()
    assert (body["status"], body["delayed"], body["message"]) == (
        "queued",
        True,
        EXPORT_DELAYED_MESSAGE,
    )

    assert export_jobs_requeue() == 0  # still down: the job keeps waiting
    assert ExportJob.objects.get().status == ExportStatus.QUEUED

    broker.down = False
    assert export_jobs_requeue() == 1  # (eager in tests: the package is built now)
    body = analyst_api.get(url).json()
    assert (body["status"], body["delayed"], body["message"]) == ("done", False, "")
    assert body["download_url"].endswith("/download/")
    assert export_jobs_requeue() == 0  # nothing left waiting, nothing built twice
    assert ExportJob.objects.count() == 1


def test_an_export_with_the_queue_up_is_never_marked_delayed(
    mini, analyst_api, broker, django_capture_on_commit_callbacks
):
    broker.down = False
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_api.post("/api/v1/exports/", {"cut": ""}, format="json")
    job = ExportJob.objects.get(pk=response.json()["id"])
    assert (job.status, job.delayed_at) == (ExportStatus.DONE, None)
