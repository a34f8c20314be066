"""A Redis cache that degrades to "always a miss" while Redis is unreachable.

Everything the cache holds can be recomputed (totals, throttle counters), so an outage must slow
pages down, not break them: without this, Django's Redis cache raises on every ``get`` and
every page and API call that touches the cache (throttling included) becomes a server error.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY_SECONDS = 60


class ResilientRedisCache(RedisCache):
    _last_logged = 0.0
    # Whether this instance's last call found Redis unreachable (instances are per thread):
    # the API's throttles then count in process memory instead (``totalplace.throttling``).
    failed = False

    def _unreachable(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged > LOG_EVERY_SECONDS:
            ResilientRedisCache._last_logged = now
            logger.warning("cache unreachable, serving without it: %s", exc)

    def _guard(self, default, method, *args, **kwargs):
        try:
            result = method(*args, **kwargs)
        except UNREACHABLE as exc:
            self.failed = True
            self._unreachable(exc)
            return default
        self.failed = False
        return result

    def get(self, key, default=None, version=None):
        return self._guard(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard(False, super().has_key, key, version)

    def set(self, key, value, timeout=None, version=None):
        return self._guard(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._guard(list(data), super().set_many, data, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        return self._guard(False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._guard(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._guard(None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        return self._guard(delta, super().incr, key, delta, version)

    def clear(self):
        return self._guard(False, super().clear)
