"""An import's stored file: a random name, a quota per organisation, deleted once nothing needs
it (failed, cancelled, expired), and downloaded only through a view that checks who asks."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve

from ledger.models import ImportJob, ImportJobStatus
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.imports.jobs import import_job_cancel, import_job_create, import_job_remap
from ledger.services.imports.storage import organisation_upload_usage
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview, spend_file

pytestmark = pytest.mark.django_db


def _file(number: int, padding: int = 0) -> bytes:
    rows = [dclg_row(amount=f"{number}.00", number=number, area="A" * padding)]
    return csv_bytes([DCLG_HEADER, *rows])


def test_a_file_is_stored_under_a_random_name(leeds_draft):
    first = preview(leeds_draft, _file(1), "Jan payments – Leeds.csv")
    second = preview(leeds_draft, _file(2), "Jan payments – Leeds.csv")
    for job in (first, second):
        assert job.filename == "Jan payments – Leeds.csv"
        assert re.fullmatch(r"spend-returns/imports/\d{4}/\d{2}/[0-9a-f]{32}\.csv", job.file.name)
    assert first.file.name != second.file.name


@override_settings(ORGANISATION_UPLOAD_QUOTA_MB=1)
def test_an_import_past_the_organisations_quota_is_refused(leeds_draft, officer):
    big = _file(1, padding=240)  # about 600 KB each, with the padding row repeated
    big = big + big.splitlines(keepends=True)[1] * 2400
    first = import_job_create(
        spend_return=leeds_draft, file=spend_file(big), actor=officer, start=False
    )
    assert organisation_upload_usage(organisation=leeds_draft.organisation) == first.size
    second = big + b"\r\n"  # another file (another SHA-256) of the same size
    with pytest.raises(ValidationError) as refused:
        import_job_create(spend_return=leeds_draft, file=spend_file(second), actor=officer)
    used = f"{first.size / 1024:,.1f} KB"
    assert refused.value.messages == [
        f"Leeds City Council's uploaded files already use {used} of its 1.0 MB storage quota, "
        f"and this file is {len(second) / 1024:,.1f} KB: nothing was saved. Cancel the imports "
        "you no longer need (their files are deleted within a day), or ask an administrator "
        "to raise the quota."
    ]
    assert ImportJob.objects.count() == 1
    # Once the cancelled import's file is cleaned up, the room is free again.
    import_job_cancel(job=first, actor=officer)
    from ledger.import_tasks import import_files_clean_up_task

    import_files_clean_up_task()
    assert organisation_upload_usage(organisation=leeds_draft.organisation) == 0
    import_job_create(spend_return=leeds_draft, file=spend_file(second), actor=officer, start=False)


def test_the_clean_up_deletes_the_files_nothing_needs(leeds_draft, officer):
    from ledger.import_tasks import import_files_clean_up_task

    jobs = {
        name: preview(leeds_draft, _file(n))
        for n, name in enumerate(
            ["failed", "cancelled", "expired", "waiting", "confirmed"], start=1
        )
    }
    ImportJob.objects.filter(pk=jobs["failed"].pk).update(status=ImportJobStatus.FAILED)
    import_job_cancel(job=jobs["cancelled"], actor=officer)
    old = jobs["expired"].finished_at - dt.timedelta(days=settings.UPLOAD_RETENTION_DAYS + 1)
    ImportJob.objects.filter(pk=jobs["expired"].pk).update(finished_at=old)
    import_job_confirm(job=jobs["confirmed"], actor=officer)
    stored = {name: job.file.name for name, job in jobs.items()}
    assert all(default_storage.exists(path) for path in stored.values())

    assert import_files_clean_up_task() == {"expired": 1, "files_deleted": 3}
    for name, job in jobs.items():
        job.refresh_from_db()
        kept = name in ("waiting", "confirmed")
        assert default_storage.exists(stored[name]) == kept, name
        assert (job.file.name == stored[name]) == kept, name
    assert jobs["expired"].status == ImportJobStatus.CANCELLED
    assert jobs["waiting"].status == ImportJobStatus.READY
    leeds_draft.refresh_from_db()
    assert leeds_draft.source_file.name == stored["confirmed"]
    # Idempotent: a second run finds nothing to do.
    assert import_files_clean_up_task() == {"expired": 0, "files_deleted": 0}
    # A failed import whose file is gone cannot be read again; it says so.
    with pytest.raises(ValidationError, match="file has been deleted"):
        import_job_remap(job=jobs["failed"], mapping={"fields": {}}, actor=officer)


def test_the_clean_up_runs_daily_from_beat():
    from totalplace.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "ledger.import_files_clean_up" in scheduled
    app.loader.import_default_modules()
    assert "ledger.import_files_clean_up" in app.tasks


def test_the_organisations_people_download_the_file_as_uploaded(client, leeds_draft, officer):
    job = preview(leeds_draft, _file(1), "payments.csv")
    client.force_login(officer)
    response = client.get(f"/imports/{job.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="payments.csv"'
    assert response["Content-Type"] == "text/csv"
    assert b"".join(response.streaming_content) == _file(1)
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert f'href="/imports/{job.pk}/file/"' in page
    # Once deleted, the file is gone for them too (a clear 404, not an error).
    import_job_cancel(job=job, actor=officer)
    from ledger.services.imports.storage import import_files_clean_up

    import_files_clean_up()
    assert client.get(f"/imports/{job.pk}/file/").status_code == 404


def test_no_route_serves_uploaded_files_even_with_debug_on():
    import importlib

    import totalplace.urls

    path = "/media/spend-returns/imports/2026/01/anything.csv"
    assert settings.MEDIA_URL == "/media/"
    try:
        with override_settings(DEBUG=True):
            importlib.reload(totalplace.urls)
            clear_url_caches()
            with pytest.raises(Resolver404):
                resolve(path)
    finally:
        importlib.reload(totalplace.urls)
        clear_url_caches()
