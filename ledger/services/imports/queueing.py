"""Queueing an import job's task (``ledger.services.job_queue``: a broker outage delays the
job, the next status poll or the beat task queues it again, and the upload is never lost)."""

from ledger.models import ImportJob, ImportJobStatus
from ledger.services.job_queue import (
    DELAYED_MESSAGE,
    RETRY_AFTER,
    job_dispatch,
    job_retry_if_delayed,
    jobs_requeue,
)
from totalplace.celery import send_or_log

__all__ = ["DELAYED_MESSAGE", "RETRY_AFTER"]
WAITING = (ImportJobStatus.QUEUED, ImportJobStatus.CONFIRMING)


def _send(job: ImportJob):
    from ledger.import_tasks import import_job_confirm_task, import_job_preview

    if job.status == ImportJobStatus.QUEUED:
        return send_or_log(import_job_preview, job.pk)
    return send_or_log(import_job_confirm_task, job.pk, job.confirmed_by_id)


def import_job_dispatch(*, job_id: int) -> bool:
    """Send the job's task (preview when queued, confirmation when confirming).

    Returns False, and marks the job delayed, when the broker is down.
    """
    return job_dispatch(model=ImportJob, pk=job_id, waiting=WAITING, send=_send)


def import_job_retry_if_delayed(*, job: ImportJob, force: bool = False) -> bool:
    """Queue a delayed job again, at most once per ``RETRY_AFTER`` whoever asks."""
    return job_retry_if_delayed(
        job=job,
        waiting=WAITING,
        dispatch=lambda pk: import_job_dispatch(job_id=pk),
        force=force,
    )


def import_jobs_requeue() -> int:
    """Every delayed job, queued again (the beat task, every minute); returns how many went."""
    return jobs_requeue(
        model=ImportJob, waiting=WAITING, dispatch=lambda pk: import_job_dispatch(job_id=pk)
    )
