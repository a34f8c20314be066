"""Import jobs: import a file into a draft spend return, preview it, remap it, cancel it.

The preview (``import_job_run``) runs in a Celery task: it reads, maps and validates the whole
file into the staging table, counting rows as it goes so the page can show a progress bar.
Nothing reaches the ledger until ``ledger.services.imports.confirm``.
"""

import datetime as dt
import os

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ledger.importers.mapping import Mapping
from ledger.models import (
    ColumnMapping,
    ImportJob,
    ImportJobStatus,
    ImportMode,
    Organisation,
    Place,
    SpendReturn,
    SpendReturnStatus,
    WorkflowAction,
)
from ledger.services.workflow import workflow_event_record
from totalplace.permissions import require_perm
from totalplace.uploads import upload_digest, upload_too_large_message, validate_spreadsheet

from .apportionment import driver_for
from .staging import staged_lines_delete
from .storage import refuse_duplicate, refuse_over_quota

# A preview that has finished and can be read again (a new mapping, corrected cells).
PREVIEWED = (
    ImportJobStatus.NEEDS_MAPPING,
    ImportJobStatus.INVALID,
    ImportJobStatus.READY,
    ImportJobStatus.FAILED,
)


def _sentence(problems: list[str]) -> str:
    text = "; ".join(problems)
    return text[:1].upper() + text[1:] + "."


def require_officer(actor: AbstractBaseUser | None, spend_return: SpendReturn) -> None:
    """Only the organisation's finance officers touch its drafts (``None``: the shell)."""
    require_perm(
        actor,
        "ledger.prepare_returns",
        spend_return,
        message=f"Only finance officers of {spend_return.organisation} can change its spend "
        "returns.",
    )
    if spend_return.status not in SpendReturnStatus.editable():
        raise ValidationError(
            f"This spend return is {spend_return.get_status_display().lower()}, so its lines "
            "cannot change. Start a new version to make changes."
        )


@transaction.atomic
def import_job_create(
    *,
    spend_return: SpendReturn,
    file: File,
    actor: AbstractBaseUser | None,
    filename: str = "",
    mode: str = ImportMode.ADD,
    place: Place | None = None,
    apportion: bool = False,
    driver: str = "population",
    control_total=None,
    mapping: ColumnMapping | None = None,
    requested_mapping: dict | None = None,
    save_mapping_as: str = "",
    save_mapping_preferred: bool = False,
    start: bool = True,
) -> ImportJob:
    """Keep an uploaded file for ``spend_return`` and (``start``) queue its preview.

    Refuses a file already imported for the same organisation and year (same SHA-256), naming
    the return that holds it, unless only this draft holds it and ``mode`` replaces its lines.
    """
    # Re-read under lock: the return may have been submitted since the caller loaded it.
    spend_return = SpendReturn.objects.select_for_update().get(pk=spend_return.pk)
    require_officer(actor, spend_return)
    filename = os.path.basename(filename or file.name or "upload.csv")[:255]
    sha256, size = upload_digest(file)
    if size == 0:
        raise ValidationError("The file is empty (0 bytes).")
    if size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(upload_too_large_message(size))
    validate_spreadsheet(file, filename)
    # The quota and the duplicate check read all of the organisation's imports, not just this
    # return's: two uploads to two of its returns at once would both pass on the same reading.
    # Its row's lock makes the second wait for the first to commit (or roll back).
    Organisation.objects.select_for_update().get(pk=spend_return.organisation_id)
    refuse_over_quota(organisation=spend_return.organisation, size=size)
    refuse_duplicate(
        organisation=spend_return.organisation,
        financial_year=spend_return.financial_year,
        sha256=sha256,
        replacing=spend_return if mode == ImportMode.REPLACE else None,
    )
    if apportion and place is not None:
        raise ValidationError("Choose a place or apportion the lines, not both.")
    if apportion:
        driver_for(
            organisation=spend_return.organisation,
            financial_year=spend_return.financial_year,
            name=driver,
        )
    if mapping is not None and mapping.organisation_id != spend_return.organisation_id:
        raise ValidationError("That saved mapping belongs to another organisation.")
    job = ImportJob(
        spend_return=spend_return,
        organisation=spend_return.organisation,
        financial_year=spend_return.financial_year,
        mode=ImportMode(mode),
        filename=filename,
        sha256=sha256,
        size=size,
        place=place,
        apportion=apportion,
        driver=driver,
        control_total=control_total,
        mapping=mapping,
        requested_mapping=requested_mapping,
        save_mapping_as=save_mapping_as[:100],
        save_mapping_preferred=save_mapping_preferred,
        created_by=actor,
    )
    job.file.save(filename, file, save=False)
    job.save()
    workflow_event_record(
        action=WorkflowAction.IMPORT_UPLOADED,
        actor=actor,
        import_job=job,
        detail={"file": filename, "sha256": sha256, "bytes": size, "mode": job.mode},
    )
    if start:
        _queue_preview(job)
    return job


def _queue_preview(job: ImportJob) -> None:
    from .queueing import import_job_dispatch

    # After commit (the worker must find the job); a broker outage leaves it delayed, not lost.
    transaction.on_commit(lambda: import_job_dispatch(job_id=job.pk))


@transaction.atomic
def import_job_remap(
    *,
    job: ImportJob,
    mapping: dict,
    actor: AbstractBaseUser | None,
    save_as: str = "",
    preferred: bool = False,
) -> ImportJob:
    """Preview the file again with the columns the user chose; on confirming, the mapping is
    saved (as ``save_as``), and with ``preferred`` always used for files with these columns,
    even one whose layout is recognised."""
    job = ImportJob.objects.select_for_update().select_related("spend_return").get(pk=job.pk)
    require_officer(actor, job.spend_return)
    require_previewed(job)
    chosen = Mapping.from_json(mapping)
    problems = chosen.missing(job.headers)
    if problems:
        raise ValidationError(_sentence(problems))
    job.requested_mapping = chosen.as_json()
    job.mapping = None
    job.save_mapping_as = save_as[:100]
    job.save_mapping_preferred = preferred
    import_job_preview_again(job=job)
    return job


@transaction.atomic
def import_job_recheck(*, job: ImportJob, actor: AbstractBaseUser | None) -> ImportJob:
    """Preview the file again as it is: after a theme rule is added from this preview, its
    lines are matched to today's rules."""
    job = ImportJob.objects.select_for_update().select_related("spend_return").get(pk=job.pk)
    require_officer(actor, job.spend_return)
    require_previewed(job)
    import_job_preview_again(job=job)
    return job


def require_previewed(job: ImportJob) -> None:
    """Only a finished preview, not yet confirmed, is read again with changes."""
    if job.status not in PREVIEWED:
        raise ValidationError(f"This import is {job.get_status_display().lower()}.")
    if not job.file:
        raise ValidationError(
            "This import's file has been deleted (it could not be read): upload the file again."
        )


def import_job_preview_again(*, job: ImportJob) -> None:
    """Throw the preview away and queue a new one (the caller holds the job's row lock).

    Saves the whole job, so changes the caller made to it are kept.
    """
    staged_lines_delete(job=job)
    job.status = ImportJobStatus.QUEUED
    job.rows_done = 0
    job.save()
    _queue_preview(job)


@transaction.atomic
def import_job_cancel(*, job: ImportJob, actor: AbstractBaseUser | None) -> ImportJob:
    """Abandon an import before it is confirmed; its previewed lines are thrown away."""
    job = ImportJob.objects.select_for_update().select_related("spend_return").get(pk=job.pk)
    require_perm(
        actor,
        "ledger.prepare_returns",
        job,
        message="Only the organisation's finance officers can cancel its imports.",
    )
    if job.status in (ImportJobStatus.CONFIRMED, ImportJobStatus.CONFIRMING):
        raise ValidationError("This import is confirmed: its lines are in the return.")
    staged_lines_delete(job=job)
    previous_status = job.status
    job.status = ImportJobStatus.CANCELLED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    workflow_event_record(
        action=WorkflowAction.IMPORT_CANCELLED,
        actor=actor,
        import_job=job,
        detail={"file": job.filename, "status_before": previous_status},
    )
    return job


# Previews that wait for someone: they expire when nobody comes back to them.
WAITING = (ImportJobStatus.NEEDS_MAPPING, ImportJobStatus.INVALID, ImportJobStatus.READY)


def import_jobs_expire(*, older_than: dt.timedelta | None = None) -> int:
    """Cancel previews left unconfirmed for ``older_than`` (``UPLOAD_RETENTION_DAYS``), freeing
    their staged lines; the daily clean-up then deletes their files."""
    older_than = older_than or dt.timedelta(days=settings.UPLOAD_RETENTION_DAYS)
    cutoff = timezone.now() - older_than
    expired = 0
    for job in ImportJob.objects.filter(status__in=WAITING, finished_at__lt=cutoff):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if job.status not in WAITING:
                continue
            previous_status = job.status
            staged_lines_delete(job=job)
            job.status = ImportJobStatus.CANCELLED
            job.message = f"Cancelled: not confirmed within {older_than.days} days."
            job.save(update_fields=["status", "message"])
            workflow_event_record(
                action=WorkflowAction.IMPORT_CANCELLED,
                import_job=job,
                reason=job.message,
                detail={"file": job.filename, "status_before": previous_status},
            )
            expired += 1
    return expired
