"""Queueing an import job's task, surviving a broker outage without losing the upload.

The job is saved before its task is sent. If the broker cannot be reached the job keeps its
status (waiting to start, or adding lines), is marked delayed with a message the user sees,
and is queued again later: by the next poll of its status, or by the beat task every minute.
Both tasks are idempotent, so a job queued twice is still imported exactly once.
"""

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone

from ledger.models import ImportJob, ImportJobStatus
from totalplace.celery import send_or_log

logger = logging.getLogger(__name__)
DELAYED_MESSAGE = (
    "Processing is delayed: the job queue cannot be reached just now. The file is saved and "
    "will be processed automatically as soon as the queue is back; there is no need to "
    "upload it again."
)
RETRY_AFTER = dt.timedelta(seconds=10)
WAITING = (ImportJobStatus.QUEUED, ImportJobStatus.CONFIRMING)


def import_job_dispatch(*, job_id: int) -> bool:
    """Send the job's task (preview when queued, confirmation when confirming).

    Returns False, and marks the job delayed, when the broker is down.
    """
    from ledger.import_tasks import import_job_confirm_task, import_job_preview

    job = ImportJob.objects.filter(pk=job_id).only("status", "confirmed_by").first()
    if job is None or job.status not in WAITING:
        return True
    if job.status == ImportJobStatus.QUEUED:
        result = send_or_log(import_job_preview, job.pk)
    else:
        result = send_or_log(import_job_confirm_task, job.pk, job.confirmed_by_id)
    if result is None:
        ImportJob.objects.filter(pk=job.pk, status__in=WAITING).update(
            delayed_at=timezone.now(), message=DELAYED_MESSAGE
        )
        return False
    # The worker may already be running it: touch only these columns.
    ImportJob.objects.filter(pk=job.pk, message=DELAYED_MESSAGE).update(message="")
    ImportJob.objects.filter(pk=job.pk).update(delayed_at=None, task_id=result.id or "")
    return True


def import_job_retry_if_delayed(*, job: ImportJob, force: bool = False) -> bool:
    """Queue a delayed job again, at most once per ``RETRY_AFTER`` whoever asks.

    Claiming the retry (moving ``delayed_at`` on) is one conditional UPDATE, so two polls at
    the same moment send the task once.
    """
    if job.delayed_at is None or job.status not in WAITING:
        return False
    now = timezone.now()
    if not force and now - job.delayed_at < RETRY_AFTER:
        return False
    claimed = ImportJob.objects.filter(pk=job.pk, delayed_at=job.delayed_at).update(delayed_at=now)
    return bool(claimed) and import_job_dispatch(job_id=job.pk)


def import_jobs_requeue() -> int:
    """Every delayed job, queued again (the beat task, every minute); returns how many went."""
    sent = 0
    cutoff = timezone.now() - RETRY_AFTER
    for job in ImportJob.objects.filter(Q(delayed_at__lte=cutoff), status__in=WAITING):
        sent += import_job_retry_if_delayed(job=job)
    return sent
