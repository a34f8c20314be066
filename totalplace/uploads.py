"""Upload size limits: one limit (``MAX_UPLOAD_BYTES``) for every file a user can send.

Three layers, so a file over the limit is refused clearly and nothing is written:
- ``UploadSizeLimitMiddleware`` refuses a request whose declared body is far over the limit
  before Django reads it (no temporary file fills the disk);
- ``validate_upload_size`` on every upload field (page forms and API serializers) says which
  file is too large and what the limit is;
- the services check again before they store a file (commands and scripts call them too).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

# Room for the other form fields and multipart headers around a file that is within the limit.
REQUEST_OVERHEAD_BYTES = 1024 * 1024


def human_size(size: int) -> str:
    """1,536 → "1.5 KB"; 209,715,200 → "200.0 MB"."""
    if size < 1024:
        return f"{size:,} bytes"
    if size < 1024**2:
        return f"{size / 1024:,.1f} KB"
    return f"{size / 1024**2:,.1f} MB"


def upload_too_large_message(size: int | None = None, *, what: str = "The file") -> str:
    """Says how big the upload was, what the limit is, that nothing was kept and what to do."""
    limit = human_size(settings.MAX_UPLOAD_BYTES)
    actual = f"{what} is {human_size(size)}" if size is not None else f"{what} is too large"
    return (
        f"{actual}; files can be at most {limit}. Nothing was saved. "
        "Split a bigger file (for example by month) and upload the parts."
    )


def upload_digest(upload) -> tuple[str, int]:
    """The upload's SHA-256 and size, read in chunks (a 200 MB file is never held whole)."""
    import hashlib

    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def validate_upload_size(upload) -> None:
    """Field validator: refuse a file over ``MAX_UPLOAD_BYTES``."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(upload_too_large_message(size), code="file_too_large")


class UploadSizeLimitMiddleware:
    """Answer 413 to a request declaring a body bigger than the upload limit allows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_UPLOAD_BYTES + REQUEST_OVERHEAD_BYTES:
            # The declared length is the whole request (file and form), hence "The upload".
            message = upload_too_large_message(length, what="The upload")
            if request.path.startswith("/api/"):
                body = {"error": {"status": 413, "code": "too_large", "message": message}}
                return JsonResponse(body, status=413)
            page = render_to_string("upload_too_large.html", {"message": message}, request=request)
            return HttpResponse(page, status=413)
        return self.get_response(request)
