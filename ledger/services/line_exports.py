"""A return's line download as an export job, when it has too many lines to stream in a request.

A million-line return is a 343 MB CSV that took 150 s to stream, and gunicorn ends a request
at 60 s: past ``DIRECT_DOWNLOAD_MAX_LINES`` the download is written by a worker to a file
(the same columns and bytes as the direct download), with a page that follows its progress
and links to the file when it is ready. The job machinery is the Fiscal Data Package's
(``ExportJob``, requeued by beat while the broker is down).
"""

import io
import logging
import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ledger.exports import ExportAbout, csv_write
from ledger.line_rows import RETURN_LINE_HEADER, spend_return_line_rows
from ledger.models import ExportJob, ExportStatus, SpendReturn, SpendReturnStatus
from ledger.selectors.return_figures import spend_return_figures

logger = logging.getLogger(__name__)

KIND = "spend-return-lines"
PROGRESS_EVERY = 20_000  # lines between two progress updates (one small UPDATE each)
FAILED_MESSAGE = (
    "The file could not be written. Ask for the download again; if it fails again, tell us."
)


def spend_return_lines_filename(spend_return: SpendReturn) -> str:
    """The name the file is downloaded as (the direct download's)."""
    return f"{slugify(f'{spend_return} lines')[:80]}.csv"


# Which layout of file a job wrote: 2 begins with the "about" block (ledger.exports). A file
# of an older layout is not handed out again for a frozen version; a new one is written.
FILE_LAYOUT = 2


def _version_stamp(spend_return: SpendReturn) -> str:
    """Which state of the lines a job wrote: a frozen version's lines never change."""
    stamp = spend_return.submitted_at or spend_return.approved_at
    return f"{spend_return.status}:{stamp.isoformat() if stamp else ''}:layout-{FILE_LAYOUT}"


@transaction.atomic
def spend_return_lines_export_create(*, spend_return: SpendReturn, actor) -> ExportJob:
    """The ``actor``'s export of this return's lines: one still being written is reused, and so
    is a finished one of a version whose lines are frozen (a second click builds nothing
    twice); otherwise a new job, queued after commit."""
    from ledger.services.fiscal_data_package import export_job_dispatch

    mine = ExportJob.objects.filter(
        kind=KIND, created_by=actor, params__spend_return=spend_return.pk
    ).exclude(status=ExportStatus.FAILED)
    reusable = mine.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
    if spend_return.status in SpendReturnStatus.frozen():
        reusable = mine.filter(params__stamp=_version_stamp(spend_return))
    job = reusable.order_by("-created_at").first()
    if job is not None:
        return job
    job = ExportJob.objects.create(
        kind=KIND,
        params={
            "spend_return": spend_return.pk,
            "stamp": _version_stamp(spend_return),
            "filename": spend_return_lines_filename(spend_return),
        },
        rows_total=spend_return_figures(spend_return=spend_return)["count"],
        created_by=actor,
    )
    transaction.on_commit(lambda: export_job_dispatch(job_id=job.pk))
    return job


def spend_return_lines_about(spend_return: SpendReturn) -> ExportAbout:
    """What a return's line download says about itself (the direct download's and the job's).
    A submitted or approved version's lines are as of that moment (they no longer change, and
    the job's file is then the direct download's, byte for byte); a draft's as of now."""
    as_of = timezone.now()
    if spend_return.status in SpendReturnStatus.frozen():
        as_of = spend_return.approved_at or spend_return.submitted_at or as_of
    return ExportAbout(
        source=f"TotalPlace, the lines of spend return {spend_return} "
        f"({spend_return.get_status_display()})",
        illustrative=spend_return.is_illustrative,
        as_of=as_of,
    )


def _write(spend_return: SpendReturn, raw, progress) -> int:
    """The CSV as the direct download streams it (UTF-8 with a BOM, spreadsheet-safe)."""
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    done = csv_write(
        text,
        RETURN_LINE_HEADER,
        spend_return_line_rows(spend_return=spend_return),
        about=spend_return_lines_about(spend_return),
        progress=progress,
        every=PROGRESS_EVERY,
    )
    text.flush()
    text.detach()  # the file stays open for saving
    return done


def spend_return_lines_export_run(*, job_id) -> ExportJob:
    """Write the job's file (idempotent: a finished job is left as it is). A failure is kept
    on the job with a message for people; the exception goes to the log only."""
    job = ExportJob.objects.get(pk=job_id)
    if job.status == ExportStatus.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, rows_done=0)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    try:
        spend_return = SpendReturn.objects.select_related("organisation", "financial_year").get(
            pk=job.params["spend_return"]
        )
        with tempfile.TemporaryFile() as raw:
            done = _write(spend_return, raw, progress)
            raw.seek(0)
            # A name no one can guess; it is downloaded as params["filename"].
            job.file.save(f"{KIND}-{job.pk.hex}.csv", File(raw), save=False)
    except Exception:
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=FAILED_MESSAGE, finished_at=timezone.now()
        )
        raise
    job.status, job.finished_at = ExportStatus.DONE, timezone.now()
    job.rows_done = job.rows_total = done
    job.save(update_fields=["file", "status", "finished_at", "rows_done", "rows_total"])
    return job
