"""What every request passes before a view: the project's own middleware, in the order
``MIDDLEWARE`` runs it (``totalplace/settings/base.py``).

* ``UploadSizeLimitMiddleware``: a request whose declared body is far over ``MAX_UPLOAD_BYTES``
  is refused (413) before Django reads it, so no temporary file fills the disk. The other layers
  of the upload limit, on the fields and in the services, are ``totalplace/uploads.py``.
* ``AnonymousPageRateLimitMiddleware``: a rate limit for anonymous page views, as the API has its
  own (``totalplace.throttling``). Every public page reads only rollups, cached figures and
  keyset pages, but a client asking for thousands a minute still takes the workers from everyone
  else. Signed-in users are not limited here (they are few, and known); the API, static files
  and the health check are left to their own rules. Over ``ANONYMOUS_PAGE_RATE``
  (``"120/minute"``; empty: no limit) a client gets a 429 page saying when to come back, with
  ``Retry-After``. Counted like the API: one integer per client address
  (``totalplace.client_address``: behind ``NUM_PROXIES`` proxies, never a header the client
  wrote) per fixed window in the shared cache (Redis), in process memory while Redis is down.
* ``RejectNulBytesMiddleware``: PostgreSQL cannot hold a NUL in text, and psycopg raises (a
  500) when a filter carries one. Form and serializer fields already refuse them; query-string
  filters and raw values read before validation do not, so they are refused here, once, with a
  400 that names the parameter.
"""

import contextlib
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from totalplace.client_address import client_address
from totalplace.throttling import LOCAL_COUNTERS, _count
from totalplace.uploads import REQUEST_OVERHEAD_BYTES, upload_too_large_message


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


PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
EXEMPT_PREFIXES = ("/api/", "/static/", "/health", "/favicon")


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """``"120/minute"`` (or ``120/min``, ``10/s``, ``1000/h``, ``5000/day``) as (requests,
    seconds); None for no limit."""
    if not rate:
        return None
    number, _, period = rate.partition("/")
    return int(number), PERIODS[period.strip()[:1].lower()]


class AnonymousPageRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = parse_rate(getattr(settings, "ANONYMOUS_PAGE_RATE", ""))
        if (
            limit is None
            or request.user.is_authenticated
            or request.path.startswith(EXEMPT_PREFIXES)
        ):
            return self.get_response(request)
        allowed, seconds = limit
        now = time.time()
        window = int(now // seconds)
        key = f"page-rate:{client_address(request)}:{window}"
        count = _count(cache, key, seconds)
        if getattr(cache, "failed", False):
            count = _count(LOCAL_COUNTERS, key, seconds)
        if count <= allowed:
            return self.get_response(request)
        retry_after = max(1, int((window + 1) * seconds - now + 0.999))
        response = render(request, "429.html", {"retry_after": retry_after}, status=429)
        response["Retry-After"] = str(retry_after)
        return response


# Multipart bodies are left to the forms and serializers (their fields refuse NUL), so that
# a file upload is not parsed here before the size checks and the views want it.
FORM_TYPE = "application/x-www-form-urlencoded"


def _nul_parameter(query) -> str | None:
    for key, values in query.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return key.replace("\x00", "\\0")
    return None


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = _nul_parameter(request.GET)
        if name is None and request.method == "POST" and request.content_type == FORM_TYPE:
            # Too big or too many fields: the view raises it again and answers in its own
            # shape (the API's 413/400), so say nothing here.
            with contextlib.suppress(SuspiciousOperation):
                name = _nul_parameter(request.POST)
        if name is None:
            return self.get_response(request)
        message = f'The parameter "{name}" contains a NUL character (\\0), which is not allowed.'
        if request.path.startswith("/api/"):
            body = {"error": {"status": 400, "code": "invalid", "message": message}}
            return JsonResponse(body, status=400)
        return render(request, "400.html", {"message": message}, status=400)
