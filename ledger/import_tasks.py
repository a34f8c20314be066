"""Celery tasks for spend-file imports. Thin: they take ids and call the import services.

Both are idempotent (a redelivered task finds its job finished and stops), which matters
because tasks are acknowledged late: a worker lost mid-import gets its job redelivered.
"""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from ledger.models import ImportJob
from ledger.services.imports.confirm import import_job_confirm, import_job_confirm_failed
from ledger.services.imports.jobs import import_jobs_expire
from ledger.services.imports.preview import import_job_run
from ledger.services.imports.queueing import import_jobs_requeue
from ledger.services.imports.storage import import_files_clean_up
from totalplace.audit_context import audit_context_update, user_metadata
from totalplace.errors import error_text

logger = logging.getLogger(__name__)
CONFIRM_FAILED = (
    "The lines could not be added because of an error on our side; it has been logged and "
    "nothing was added. Upload the file again, or contact support with the job number."
)


@shared_task(name="ledger.import_job_preview")
def import_job_preview(job_id: int) -> str:
    """Read, map and validate an uploaded file into the staging table; returns the status."""
    return import_job_run(job_id=job_id).status


@shared_task(name="ledger.import_job_confirm")
def import_job_confirm_task(job_id: int, actor_id: int | None) -> str:
    """Copy a previewed import into its spend return (all lines or none)."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    if actor is not None:
        # The lines are added on behalf of whoever confirmed: the audit trail names them.
        audit_context_update(**user_metadata(actor))
    try:
        job = import_job_confirm(job=ImportJob.objects.get(pk=job_id), actor=actor)
    except (ValidationError, PermissionDenied) as exc:
        message = error_text(exc)
        import_job_confirm_failed(job_id=job_id, message=message)
        return "invalid"
    except Exception:
        # The confirmation rolled back (nothing reached the return); without this the job
        # would show "Adding lines to the return" for ever.
        logger.exception("confirming import job %s failed", job_id)
        import_job_confirm_failed(job_id=job_id, message=CONFIRM_FAILED)
        return "invalid"
    return job.status


@shared_task(name="ledger.import_jobs_expire")
def import_jobs_expire_task() -> int:
    """Daily: cancel previews nobody confirmed, so the staging table does not fill up."""
    return import_jobs_expire()


@shared_task(name="ledger.import_files_clean_up")
def import_files_clean_up_task() -> dict[str, int]:
    """Daily: expire old previews and delete the files of failed and cancelled imports."""
    return import_files_clean_up()


@shared_task(name="ledger.import_jobs_requeue")
def import_jobs_requeue_task() -> int:
    """Every minute: queue again the jobs whose task could not be sent (the broker was down)."""
    return import_jobs_requeue()
