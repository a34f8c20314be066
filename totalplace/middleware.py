"""Refusing oversized request bodies before Django reads (or spools to disk) a single byte."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

# Room for the form fields and multipart boundaries around a file of the maximum size.
FORM_OVERHEAD_BYTES = 1024 * 1024


def size_text(size: int) -> str:
    """ "200.0 MB" (plain spaces: this also goes into JSON)."""
    return filesizeformat(size).replace("\xa0", " ")


def upload_limit_bytes() -> int:
    return settings.MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES


class UploadSizeLimitMiddleware:
    """A request whose declared length is over ``MAX_UPLOAD_BYTES`` gets 413 at once.

    The API answers in its error shape, pages with a page that says what the limit is. Bodies
    without a length (chunked) are still bounded: the parsers and the import service count.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > upload_limit_bytes():
            return self.too_large(request, length)
        return self.get_response(request)

    @staticmethod
    def too_large(request, length: int):
        message = (
            f"The upload is {size_text(length)}; the most this site accepts is "
            f"{size_text(settings.MAX_UPLOAD_BYTES)}. Split the file (for example by month) "
            "or save it as CSV, which is smaller than .xlsx."
        )
        if request.path.startswith("/api/"):
            body = {"error": {"status": 413, "code": "too_large", "message": message}}
            return JsonResponse(body, status=413)
        return render(request, "413.html", {"message": message}, status=413)
