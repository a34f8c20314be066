"""A rate limit for anonymous page views, as the API has its own (``totalplace.throttling``).

Every public page reads only rollups, cached figures and keyset pages, but a client asking
for thousands a minute still takes the workers from everyone else. Signed-in users are not
limited here (they are few, and known); the API, static files and the health check are left
to their own rules. Over ``ANONYMOUS_PAGE_RATE`` (``"120/minute"``; empty: no limit) a client
gets a 429 page saying when to come back, with ``Retry-After``.

Counted like the API: one integer per client address (``totalplace.client_address``: behind
``NUM_PROXIES`` proxies, never a header the client wrote) per fixed window in the shared cache
(Redis), in process memory while Redis is down.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from totalplace.client_address import client_address
from totalplace.throttling import LOCAL_COUNTERS, _count

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
