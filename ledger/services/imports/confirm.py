"""Confirming an import: the previewed lines go into the return, all of them or none.

One transaction: lock the return's scope, check the file is still not a duplicate, check the
staging table still holds exactly what the preview counted (an UNLOGGED table empties after a
database crash; the same read lists the suppliers), replace the return's lines if asked, match
the suppliers, then one ``INSERT ... SELECT`` writes each line once, its receiver included.

The audit trail records the added lines as one record for the import (``audit.models.lines``:
the job, its file's hash, who confirmed, how many lines and their total), written by the
trigger on SpendLine in the same statement; the workflow event says the same in words.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ledger.models import (
    ImportJob,
    ImportJobStatus,
    ImportMode,
    SpendLine,
    SpendReturn,
    WorkflowAction,
)
from ledger.selectors.duplicates import file_held_message, return_label, returns_holding_file
from ledger.services.transfers import supplier_matches_for_lines
from ledger.services.workflow import workflow_event_record

from .jobs import require_officer
from .mappings import column_mapping_remember
from .staging import (
    staged_lines_clear,
    staged_lines_delete,
    staged_lines_summary,
    staged_lines_transfer,
)
from .storage import refuse_duplicate


def _ready(job: ImportJob) -> None:
    if job.status not in (ImportJobStatus.READY, ImportJobStatus.CONFIRMING):
        # The status reads as a phrase of its own ("Has errors", "Waiting to start").
        raise ValidationError(
            f"This import cannot be confirmed (“{job.get_status_display()}”): only a previewed "
            "import without errors can."
        )
    if job.error_count:
        raise ValidationError("This import has errors to fix before it can be confirmed.")


def _acknowledge_duplicate(job: ImportJob, *, acknowledge: bool, reason: str) -> None:
    """A file already in another approved or submitted return (another organisation's, another
    year's) is refused unless the officer says it belongs here too, and why; the approver reads
    the reason on the check-list."""
    holders = returns_holding_file(sha256=job.sha256, spend_return=job.spend_return)
    reason = reason.strip()
    if holders and not (acknowledge and reason):
        raise ValidationError(
            f"{file_held_message(holders)}. Confirm it into this return too only if it belongs "
            "in both: tick the acknowledgement and say why (the approver will see it).",
            code="duplicate_file",
        )
    job.duplicate_reason = reason if holders else ""


@transaction.atomic
def import_job_request_confirm(
    *,
    job: ImportJob,
    actor: AbstractBaseUser | None,
    acknowledge_duplicate: bool = False,
    duplicate_reason: str = "",
) -> ImportJob:
    """Queue the confirmation (a big file takes a while); the job page follows its progress.

    ``acknowledge_duplicate`` with a ``duplicate_reason``: the officer knows the file is
    already in another approved or submitted return and confirms it here as well.
    """
    job = ImportJob.objects.select_for_update().select_related("spend_return").get(pk=job.pk)
    require_officer(actor, job.spend_return)
    if job.status == ImportJobStatus.CONFIRMING:
        return job
    _ready(job)
    _acknowledge_duplicate(job, acknowledge=acknowledge_duplicate, reason=duplicate_reason)
    job.status = ImportJobStatus.CONFIRMING
    # Who asked, kept on the job so a delayed confirmation can be queued again for them.
    job.confirmed_by = actor
    job.save(update_fields=["status", "confirmed_by", "duplicate_reason"])
    from .queueing import import_job_dispatch

    transaction.on_commit(lambda: import_job_dispatch(job_id=job.pk))
    return job


@transaction.atomic
def import_job_confirm(
    *, job: ImportJob, actor: AbstractBaseUser | None, duplicate_reason: str = ""
) -> ImportJob:
    """Add the job's previewed lines to its spend return in one transaction.

    Idempotent: confirming a confirmed job changes nothing. A file already in another approved
    or submitted return needs the reason given when the confirmation was requested (or
    ``duplicate_reason`` here).
    """
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == ImportJobStatus.CONFIRMED:
        return job
    _ready(job)
    # Lock every return of this organisation and year: duplicate checks must not race. Only
    # the returns (of="self"), in id order: the model's default ordering joins the organisation
    # and the year, and locking those rows FOR UPDATE would stall every other organisation's
    # confirmation and approval in the year (their lines' foreign-key checks) until this commits.
    scope = (
        SpendReturn.objects.select_for_update(of=("self",))
        .filter(organisation_id=job.organisation_id, financial_year_id=job.financial_year_id)
        .order_by("pk")
    )
    spend_return = {r.pk: r for r in scope}[job.spend_return_id]
    require_officer(actor, spend_return)
    refuse_duplicate(
        organisation=job.organisation,
        financial_year=job.financial_year,
        sha256=job.sha256,
        # Replacing every line of the draft that holds the file cannot count it twice.
        replacing=spend_return if job.mode == ImportMode.REPLACE else None,
    )
    holders = returns_holding_file(sha256=job.sha256, spend_return=spend_return)
    if duplicate_reason.strip():
        job.duplicate_reason = duplicate_reason.strip()
    if holders and not job.duplicate_reason:
        raise ValidationError(f"{file_held_message(holders)}: confirming it needs a reason.")
    staged = staged_lines_summary(job=job)
    if staged.count != job.staged_count or staged.total != job.line_total:
        raise ValidationError(
            "The previewed lines are no longer complete (the preview must run again): "
            f"{staged.count:,} of {job.staged_count:,} lines are waiting."
        )
    replaced = 0
    if job.mode == ImportMode.REPLACE:
        replaced, _ = SpendLine.objects.filter(spend_return=spend_return).delete()
        spend_return.import_jobs.filter(status=ImportJobStatus.CONFIRMED).update(
            status=ImportJobStatus.REPLACED
        )
    # Who confirms, on the job before its lines go in: the audit trigger on SpendLine records
    # the import (one record for all its lines) with the job's hash and this user.
    job.confirmed_by = actor
    job.save(update_fields=["confirmed_by"])
    # Payments to public bodies among the new lines are transfers: their suppliers are matched
    # now (``ledger.services.transfers``), so the officer sees them before submitting, and
    # before the lines go in, so each is written with its receiver.
    supplier_matches_for_lines(spend_return=spend_return, names=staged.suppliers)
    written = staged_lines_transfer(job=job, spend_return=spend_return, suppliers=staged.names)
    if written != job.staged_count:
        raise ValidationError(f"Expected {job.staged_count:,} lines but wrote {written:,}.")
    staged_lines_clear(job=job)
    spend_return.source_file = job.file.name
    spend_return.source_filename = job.filename
    spend_return.source_sha256 = job.sha256
    # A file's control total checked that file's lines (the preview). Replacing every line, it
    # is the return's too; added to lines already there, it says nothing of their sum, so the
    # return keeps the total its officer declared (changed on its page).
    if job.control_total is not None and job.mode == ImportMode.REPLACE:
        spend_return.control_total = job.control_total
    column_mapping_remember(job=job, spend_return=spend_return, actor=actor)
    spend_return.save(
        update_fields=[
            "source_file",
            "source_filename",
            "source_sha256",
            "control_total",
            "mapping",
        ]
    )
    job.status = ImportJobStatus.CONFIRMED
    job.confirmed_at = timezone.now()
    if not holders:
        job.duplicate_reason = ""
    job.save(update_fields=["status", "confirmed_at", "duplicate_reason"])
    detail = {
        "file": job.filename,
        "sha256": job.sha256,
        "lines": written,
        "total": str(job.line_total),
        "mode": job.mode,
        "lines_replaced": replaced,
    }
    if holders:
        detail["also_in"] = [return_label(r) for r in holders]
    workflow_event_record(
        action=WorkflowAction.IMPORT_CONFIRMED,
        actor=actor,
        import_job=job,
        reason=job.duplicate_reason,
        detail=detail,
    )
    return job


def import_job_confirm_failed(*, job_id: int, message: str) -> None:
    """A queued confirmation was refused: say why, and let the user look again."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportJobStatus.CONFIRMING:
            return
        job.status = ImportJobStatus.INVALID
        job.message = message
        job.errors = [{"row": None, "column": "", "value": "", "message": message}]
        job.error_count = 1
        job.save(update_fields=["status", "message", "errors", "error_count"])
        staged_lines_delete(job=job)
        workflow_event_record(
            action=WorkflowAction.IMPORT_REFUSED,
            import_job=job,
            reason=message,
            detail={"file": job.filename},
        )
