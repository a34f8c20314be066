"""Uploaded spend files: never the same file twice for an organisation and year (but again
into the draft holding it, replacing all its lines), each organisation's quota, and the
clean-up of files no import needs any more. The upload checks both before it stores a file,
and the confirmation checks for a duplicate again.

A file stays while its import may still use it (queued, previewing, waiting for confirmation)
and once confirmed (it is the return's source file). A failed or cancelled import's file is
deleted by the daily clean-up, and so is a preview's once it expires (left unconfirmed for
``UPLOAD_RETENTION_DAYS``). What an organisation keeps counts against its quota.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from ledger.models import FinancialYear, ImportJob, ImportJobStatus, Organisation, SpendReturn
from totalplace.uploads import human_size

# Imports whose file nothing will read again: they wrote no lines and cannot be resumed.
ABANDONED = (ImportJobStatus.FAILED, ImportJobStatus.CANCELLED)


def return_holding_file(
    *,
    organisation: Organisation,
    financial_year: FinancialYear,
    sha256: str,
    besides: SpendReturn | None = None,
) -> SpendReturn | None:
    """The return (any version, any status) whose lines came from a file with this SHA-256,
    other than ``besides``."""
    jobs = ImportJob.objects.filter(
        organisation=organisation,
        financial_year=financial_year,
        sha256=sha256,
        status=ImportJobStatus.CONFIRMED,
    )
    returns = SpendReturn.objects.filter(
        organisation=organisation, financial_year=financial_year, source_sha256=sha256
    )
    if besides is not None:
        jobs, returns = jobs.exclude(spend_return=besides), returns.exclude(pk=besides.pk)
    job = jobs.select_related("spend_return__organisation", "spend_return__financial_year").first()
    if job is not None:
        return job.spend_return
    return returns.select_related("organisation", "financial_year").first()


def refuse_duplicate(
    *,
    organisation: Organisation,
    financial_year: FinancialYear,
    sha256: str,
    replacing: SpendReturn | None = None,
) -> None:
    """Refuse a file already imported for the organisation and year, naming the return.

    ``replacing``: the draft whose every line this import replaces (``ImportMode.REPLACE``).
    A file held by that draft alone is allowed there: its old lines are deleted as the new
    ones go in, so nothing counts twice (an officer re-importing it with another choice of
    place or driver). Held by any other return, or added (not replacing), it is refused.
    """
    existing = return_holding_file(
        organisation=organisation, financial_year=financial_year, sha256=sha256, besides=replacing
    )
    if existing is not None:
        raise ValidationError(
            f"This file has already been imported into {existing} "
            f"({existing.get_status_display().lower()}, spend return {existing.pk}); "
            "the same file is never imported twice.",
            code="duplicate",
        )


def organisation_upload_usage(*, organisation: Organisation) -> int:
    """Bytes of the organisation's uploaded files still stored."""
    stored = ImportJob.objects.filter(organisation=organisation).exclude(file="")
    return stored.aggregate(total=Sum("size"))["total"] or 0


def refuse_over_quota(*, organisation: Organisation, size: int) -> None:
    """Refuse a file of ``size`` bytes that would take ``organisation`` past its quota."""
    limit = settings.ORGANISATION_UPLOAD_QUOTA_MB * 1024 * 1024
    used = organisation_upload_usage(organisation=organisation)
    if used + size > limit:
        raise ValidationError(
            f"{organisation}'s uploaded files already use {human_size(used)} of its "
            f"{human_size(limit)} storage quota, and this file is {human_size(size)}: nothing "
            "was saved. Cancel the imports you no longer need (their files are deleted within "
            "a day), or ask an administrator to raise the quota.",
            code="over_quota",
        )


def import_files_clean_up() -> dict[str, int]:
    """Expire old previews, then delete the files of failed and cancelled imports.

    Idempotent: a job whose file is gone is skipped, and the file is deleted before the job
    forgets its name, so a run stopped between the two deletes it again next time.
    """
    from .jobs import import_jobs_expire

    expired = import_jobs_expire()
    deleted = 0
    pending = ImportJob.objects.filter(status__in=ABANDONED).exclude(file="")
    for job_id in pending.order_by("pk").values_list("pk", flat=True).iterator():
        with transaction.atomic():
            job = pending.select_for_update().filter(pk=job_id).first()
            if job is None:  # confirmed meanwhile is impossible; deleted or done by another run
                continue
            job.file.storage.delete(job.file.name)
            job.file = ""
            job.save(update_fields=["file"])
            deleted += 1
    return {"expired": expired, "files_deleted": deleted}
