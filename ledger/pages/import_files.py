"""An import's stored file, downloaded by the organisation's people (never served by URL)."""

import os

from django.http import FileResponse, Http404

from totalplace.permissions import permission_required

from .imports import _job

CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
}


@permission_required(
    "ledger.download_import_file",
    fn=_job,
    message="Only the organisation's finance officers and approvers can download its files.",
)
def import_job_file(request, pk: int):
    """The file as uploaded, under its original name; always an attachment, never shown."""
    job = _job(request, pk)
    if not job.file or not job.file.storage.exists(job.file.name):
        raise Http404(
            "This import's file is no longer kept (a failed or cancelled import's is deleted)."
        )
    extension = os.path.splitext(job.file.name)[1].lower()
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
