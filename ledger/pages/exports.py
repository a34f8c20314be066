"""A return's line download: streamed at once when small, else an export job with a page that
follows it and links to the file (``ledger.services.line_exports``)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ledger.exports import csv_rows_response
from ledger.line_rows import RETURN_LINE_HEADER, spend_return_line_rows
from ledger.models import ExportJob, ExportStatus, SpendReturn
from ledger.selectors.access import export_jobs_visible
from ledger.selectors.return_figures import spend_return_figures
from ledger.selectors.returns import spend_return_get
from ledger.services.fiscal_data_package import EXPORT_DELAYED_MESSAGE
from ledger.services.line_exports import (
    KIND,
    spend_return_lines_about,
    spend_return_lines_export_create,
)
from totalplace.permissions import has_perm

NOT_YOURS = "Downloading lines is for the organisation's own people and analysts."


def _downloadable(request, pk: int) -> SpendReturn:
    """A return whose lines the user may download (404 if they may not see it, else 403)."""
    try:
        spend_return = spend_return_get(user=request.user, pk=pk)
    except SpendReturn.DoesNotExist as exc:
        raise Http404("No such spend return") from exc
    if not has_perm(request.user, "ledger.download_spend_return_lines", spend_return):
        raise PermissionDenied(NOT_YOURS)
    return spend_return


@login_required
def spend_return_lines_download(request, pk: int):
    """Every line of one return as CSV, for its organisation's officers and approvers to check
    against their own ledger, and analysts: streamed at once up to DIRECT_DOWNLOAD_MAX_LINES,
    written by a worker beyond (the page of the job follows it)."""
    spend_return = _downloadable(request, pk)
    count = spend_return_figures(spend_return=spend_return)["count"]
    if count > settings.DIRECT_DOWNLOAD_MAX_LINES:
        job = spend_return_lines_export_create(spend_return=spend_return, actor=request.user)
        return redirect("export-job-detail", pk=job.pk)
    rows = spend_return_line_rows(spend_return=spend_return)
    about = spend_return_lines_about(spend_return)
    return csv_rows_response(f"{spend_return} lines", RETURN_LINE_HEADER, rows, about=about)


def _job(request, pk) -> tuple[ExportJob, SpendReturn]:
    """The user's own job (an administrator's: anyone's) for lines they may still download
    directly: leaving the organisation takes the file away too."""
    try:
        job = export_jobs_visible(user=request.user).get(pk=pk, kind=KIND)
    except ExportJob.DoesNotExist as exc:
        raise Http404("No such export") from exc
    return job, _downloadable(request, job.params["spend_return"])


def _status(job: ExportJob) -> dict:
    """The shape the progress script reads (as an import job's)."""
    total = job.rows_total or 0
    percent = (
        100 if job.status == ExportStatus.DONE else int(100 * job.rows_done / total) if total else 0
    )
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.status in (ExportStatus.DONE, ExportStatus.FAILED),
        "rows_done": job.rows_done,
        "rows_total": total,
        "percent": min(percent, 100),
        "unit": "line",
        "delayed": job.delayed_at is not None and job.status == ExportStatus.QUEUED,
        "message": EXPORT_DELAYED_MESSAGE
        if job.delayed_at and job.status == ExportStatus.QUEUED
        else "",
        "url": reverse("export-job-detail", args=[job.pk]),
    }


@login_required
def export_job_detail(request, pk):
    """A progress bar while the file is written; the link to it when it is ready."""
    job, spend_return = _job(request, pk)
    return render(
        request,
        "ledger/exports/job.html",
        {"job": job, "spend_return": spend_return, "status": _status(job)},
    )


@login_required
def export_job_status(request, pk):
    """A small JSON status for the progress bar to poll."""
    job, _ = _job(request, pk)
    return JsonResponse(_status(job))


@login_required
def export_job_download(request, pk):
    """The finished file (404 until it is written)."""
    job, _ = _job(request, pk)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404("This export is not ready yet.")
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.params.get("filename", "lines.csv"),
        content_type="text/csv; charset=utf-8",
    )
