"""Uploaded spend files on disk: each organisation's quota, and the clean-up of files no
import needs any more.

A file stays while its import may still use it (queued, previewing, waiting for confirmation)
and once confirmed (it is the return's source file). A failed or cancelled import's file is
deleted by the daily clean-up, and so is a preview's once it expires (left unconfirmed for
``UPLOAD_RETENTION_DAYS``). What an organisation keeps counts against its quota.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from ledger.models import ImportJob, ImportJobStatus, Organisation
from totalplace.uploads import human_size

# Imports whose file nothing will read again: they wrote no lines and cannot be resumed.
ABANDONED = (ImportJobStatus.FAILED, ImportJobStatus.CANCELLED)


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
