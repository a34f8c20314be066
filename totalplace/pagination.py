"""The API's default pagination: ``limit`` and ``offset``, with ``limit`` capped.

Without a cap, ``?limit=10**26`` reached PostgreSQL as a LIMIT beyond bigint (a 500, found by
the API fuzz) and ``?limit=10**9`` would build one enormous page. Above the cap a client simply
gets the cap, as DRF does for ``max_limit``; ``next`` links continue from there.
"""

from rest_framework.pagination import LimitOffsetPagination


class CappedLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000
