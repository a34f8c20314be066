"""Import pages: import a file, follow its preview, fix the mapping or cells, confirm, cancel."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ledger.importers.layouts import FIELD_LABELS
from ledger.importers.mapping import guess_by_values
from ledger.models import ImportJob, ImportJobStatus
from ledger.selectors.duplicates import file_held_message, returns_holding_file
from ledger.selectors.imports import (
    import_job_corrections,
    import_job_get,
    import_job_preview_lines,
)
from ledger.services.imports.confirm import import_job_request_confirm
from ledger.services.imports.corrections import import_job_correct
from ledger.services.imports.jobs import (
    PREVIEWED,
    import_job_cancel,
    import_job_create,
    import_job_remap,
)
from ledger.services.imports.queueing import import_job_retry_if_delayed
from totalplace.errors import error_text
from totalplace.permissions import has_perm, permission_required
from totalplace.redact import without_paths

from .forms import ImportForm, MappingForm, layout_name
from .returns import spend_return_or_404

PREVIEW_LINES = 20
ONLY_DRAFTS = "Only the organisation's finance officers can upload, and only into a draft."
ONLY_OFFICERS = "Only the organisation's finance officers can change its imports."
# One input per cell: its file row and its column's position in the job's headers (a header
# can hold any text, so it is not used in a field name).
CELL = re.compile(r"^cell-(\d+)-(\d+)$")


def _job(request, pk: int, **kwargs) -> ImportJob:
    """An import of one of the user's organisations (anyone else's is a 404)."""
    try:
        return import_job_get(user=request.user, pk=pk)
    except ImportJob.DoesNotExist as exc:
        raise Http404("No such import") from exc


@permission_required("ledger.edit_spend_return", fn=spend_return_or_404, message=ONLY_DRAFTS)
def spend_return_import(request, pk: int):
    spend_return = spend_return_or_404(request, pk)
    form = ImportForm(
        request.POST or None, request.FILES or None, organisation=spend_return.organisation
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_job_create(
                spend_return=spend_return,
                file=data["file"],
                actor=request.user,
                filename=data["file"].name,
                mode=data["mode"],
                place=data["place"] if data["where"] == "place" else None,
                apportion=data["where"] == "apportion",
                driver=data["driver"],
                control_total=data["control_total"],
                mapping=data["mapping"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("import-job-detail", pk=job.pk)
    return render(
        request,
        "ledger/returns/import.html",
        {"spend_return": spend_return, "form": form, "has_lines": spend_return.lines.exists()},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def spend_return_upload_moved(request, pk: int):
    """The import page's old address (``upload/``), kept for bookmarks and scripts: a GET is a
    301 to the new one; a POST a 308, which a client follows as the same POST (a 301 would
    turn it into a GET and lose the file). The new page asks the permissions."""
    url = reverse("spend-return-import", args=[pk])
    if request.META.get("QUERY_STRING"):
        url = f"{url}?{request.META['QUERY_STRING']}"
    response = HttpResponsePermanentRedirect(url)
    if request.method == "POST":
        response.status_code = 308
    return response


def _status(job: ImportJob) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.is_finished,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent_done,
        "lines": job.line_count,
        "errors": job.error_count,
        "delayed": job.delayed_at is not None,
        "message": without_paths(job.message),
    }


@permission_required("ledger.view_import_job", fn=_job)
def import_job_status(request, pk: int):
    """A small JSON status for the progress bar to poll (it also re-queues a delayed job)."""
    job = _job(request, pk)
    if import_job_retry_if_delayed(job=job):
        job = _job(request, pk)
    payload = _status(job)
    payload["url"] = reverse("import-job-detail", args=[job.pk])
    return JsonResponse(payload)


@permission_required("ledger.view_import_job", fn=_job)
def import_job_detail(request, pk: int):
    """The progress bar while the job runs; the preview (or the problems) when it is done."""
    job = _job(request, pk)
    preview = (
        import_job_preview_lines(job=job, limit=PREVIEW_LINES)
        if job.status == ImportJobStatus.READY
        else []
    )
    fields = job.mapping_used.get("fields", {})
    read_as = job.mapping_used.get("read_as", {})
    can_edit = has_perm(request.user, "ledger.change_import_job", job)
    return render(
        request,
        "ledger/returns/job.html",
        {
            "job": job,
            "spend_return": job.spend_return,
            "status": _status(job),
            "mapping_rows": [
                (FIELD_LABELS.get(f, f), h, read_as.get(h, "")) for f, h in fields.items()
            ],
            "wide_columns": job.mapping_used.get("wide_columns", {}),
            "layout_name": layout_name(job.layout),
            "preview": preview,
            "dropped_examples": [
                d for d in job.file_format.get("dropped_examples", []) if d["reason"] != "empty"
            ],
            "can_edit": can_edit,
            "can_correct": can_edit and job.status in PREVIEWED and bool(job.headers),
            "errors": correction_inputs(job),
            "corrections": import_job_corrections(job=job),
            "file_held": _file_held(job),
        },
    )


def _file_held(job: ImportJob) -> str:
    """What the confirm form says when the file is already in another counting return."""
    if job.status != ImportJobStatus.READY:
        return ""
    holders = returns_holding_file(sha256=job.sha256, spend_return=job.spend_return)
    return file_held_message(holders) if holders else ""


@permission_required("ledger.prepare_returns", fn=_job, message=ONLY_OFFICERS)
def import_job_mapping(request, pk: int):
    """Fix or confirm which column is which, pre-filled with what was recognised or saved."""
    job = _job(request, pk)
    if not job.headers:
        messages.error(request, "This file's header row has not been read yet.")
        return redirect("import-job-detail", pk=job.pk)
    wide = job.layout == "revenue_outturn_wide" or bool(job.mapping_used.get("wide_columns"))
    form = MappingForm(
        request.POST or None,
        headers=job.headers,
        wide=wide,
        initial_mapping=job.mapping_used,
        initial={"preferred": job.mapping.preferred if job.mapping else job.save_mapping_preferred},
        guesses={}
        if wide
        else guess_by_values(job.headers, job.samples or [], job.mapping_used.get("fields", {})),
    )
    if request.method == "POST" and form.is_valid():
        try:
            import_job_remap(
                job=job,
                mapping=form.mapping(job.layout if wide else "custom"),
                actor=request.user,
                save_as=form.cleaned_data.get("save_as", ""),
                preferred=form.cleaned_data.get("preferred", False),
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "Mapping saved for this file; reading it again.")
            return redirect("import-job-detail", pk=job.pk)
    samples = job.samples or []
    columns = [
        {"header": header, "samples": [row[i] for row in samples if i < len(row)]}
        for i, header in enumerate(job.headers)
    ]
    return render(
        request,
        "ledger/returns/mapping.html",
        {
            "job": job,
            "form": form,
            "columns": columns,
            "wide": wide,
            "layout_name": layout_name(job.layout),
        },
    )


@require_POST
@permission_required("ledger.prepare_returns", fn=_job, message=ONLY_OFFICERS)
def import_job_confirm_view(request, pk: int):
    job = _job(request, pk)
    try:
        import_job_request_confirm(
            job=job,
            actor=request.user,
            acknowledge_duplicate=bool(request.POST.get("acknowledge_duplicate")),
            duplicate_reason=request.POST.get("duplicate_reason", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect("import-job-detail", pk=job.pk)


@require_POST
@permission_required("ledger.prepare_returns", fn=_job, message=ONLY_OFFICERS)
def import_job_cancel_view(request, pk: int):
    job = _job(request, pk)
    try:
        import_job_cancel(job=job, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("import-job-detail", pk=job.pk)
    messages.success(request, f"Import of {job.filename} cancelled; nothing was added.")
    return redirect("spend-return-detail", pk=job.spend_return_id)


@require_POST
@permission_required("ledger.prepare_returns", fn=_job, message=ONLY_OFFICERS)
def import_job_corrections_view(request, pk: int):
    job = _job(request, pk)
    corrections = corrections_posted(request.POST, job)
    if not corrections:
        messages.info(
            request, "No value was changed: correct a value in the table, then check again."
        )
        return redirect("import-job-detail", pk=job.pk)
    try:
        job = import_job_correct(job=job, corrections=corrections, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, corrections_done(corrections, queued=job.status == ImportJobStatus.QUEUED)
        )
    return redirect("import-job-detail", pk=job.pk)


# Correcting cells of an import's file on its job page: the inputs in the table of problems to
# fix, and what a post of that form asks for.


def correction_inputs(job: ImportJob) -> list[dict]:
    """The job's errors, each with the name of its input when it points at one data cell
    (the first error of a cell only: one cell, one input)."""
    position = {header: i for i, header in enumerate(job.headers)}
    header_row = job.file_format.get("header_row", 0)
    seen, rows = set(), []
    for error in job.errors:
        row, index = error.get("row"), position.get(error.get("column"))
        name = shown = ""
        if row and row > header_row and index is not None and (row, index) not in seen:
            seen.add((row, index))
            name, shown = f"cell-{row}-{index}", f"shown-{row}-{index}"
        rows.append({**error, "input": name, "shown": shown})
    return rows


def corrections_posted(post, job: ImportJob) -> list[dict]:
    """What the form asks for: one correction undone, or every value the user changed (an
    input still holding what was shown is left alone: the value shown may be shortened)."""
    if "remove_row" in post:
        row = post["remove_row"]
        return [
            {
                "row": int(row) if row.isdigit() else row,
                "column": post.get("remove_column", ""),
                "remove": True,
            }
        ]
    changed = []
    for key, value in post.items():
        cell = CELL.match(key)
        if cell is None or value == post.get(f"shown-{cell[1]}-{cell[2]}"):
            continue
        row, index = int(cell[1]), int(cell[2])
        column = job.headers[index] if index < len(job.headers) else f"column {index + 1}"
        changed.append({"row": row, "column": column, "value": value})
    return changed


def corrections_done(corrections: list[dict], *, queued: bool) -> str:
    if not queued:
        return "Nothing changed: the file or its corrections already hold those values."
    if corrections[0].get("remove"):
        return "Correction undone; checking the file again."
    count = len(corrections)
    return f"{count} correction{'s' if count != 1 else ''} saved; checking the file again."
