"""API rate limits whose cost does not grow with the rate: one counter per client and window.

DRF's own throttles keep the timestamp of every request in the window as a list, which each
request reads, trims and writes back whole: at 600 requests a minute that is a 600-item list
(de)serialised per request, and throttling cost more than the answer. A fixed window keeps
one integer per client per window, moved by ``cache.incr`` (atomic on Redis) and created by
``cache.add``; the key carries the window's number, so a counter is never reused. The price:
a client can get up to twice the rate across a window boundary, which is fine for a limit
meant to stop abuse, not to meter.

While Redis is unreachable (``totalplace.cache`` reports ``failed``) each server process counts
in its own memory: a client then gets the rate once per process, which still stops a flood,
instead of no limit at all.
"""

from django.core.cache.backends.locmem import LocMemCache
from rest_framework import throttling

from totalplace.client_address import client_address

# Bounded: LocMemCache culls old entries past MAX_ENTRIES, so an outage cannot grow it forever.
LOCAL_COUNTERS = LocMemCache("throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def _count(cache, key: str, duration: int) -> int:
    """Add one to the window's counter and return it; the first request creates it."""
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request: create the counter, with its expiry
        return 1 if cache.add(key, 1, duration) else cache.incr(key)


class FixedWindowMixin:
    """``allow_request`` and ``wait`` for a ``SimpleRateThrottle`` subclass (same scopes, rates
    and cache keys as DRF's, plus the window's number)."""

    def get_ident(self, request) -> str | None:
        """The client's address behind the configured proxies (``NUM_PROXIES``), never one
        that the client wrote into ``X-Forwarded-For`` itself."""
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = f"{ident}:{window}"
        count = _count(self.cache, key, self.duration)
        if getattr(self.cache, "failed", False):
            count = _count(LOCAL_COUNTERS, key, self.duration)
        return count <= self.num_requests

    def wait(self) -> float:
        """Seconds until the window ends and the count starts again."""
        return max(self.window_ends - self.now, 0.0)


class AnonRateThrottle(FixedWindowMixin, throttling.AnonRateThrottle):
    """Anonymous clients, by address (scope ``anon``)."""


class UserRateThrottle(FixedWindowMixin, throttling.UserRateThrottle):
    """Signed-in users, by id (scope ``user``). Anonymous clients are ``AnonRateThrottle``'s
    alone: DRF's version counted them here as well, against the (higher) user rate, which
    doubled the cache work of every anonymous request."""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)
