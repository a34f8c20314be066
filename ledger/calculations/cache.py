"""Caching totals between rollup changes.

Figures only change when the rollups (or the reference data they are shown with) do, so an
answer is cached under the current rollup generation (``RollupGeneration``, raised in the same
transaction as every refresh, rebuild and reference load): once a change commits, every older
entry is unreachable, and nobody has to remember which keys to delete.

Only answers that are the same for everyone may be cached here (totals come from approved
returns, which everyone may see): nothing user-specific belongs in ``params`` or the value.
"""

import hashlib
import json
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

from ledger.models import RollupGeneration

TIMEOUT = 3600


def rollup_generation() -> int:
    """The current generation (0 before any refresh or rebuild): one primary-key read."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT number FROM {RollupGeneration._meta.db_table} WHERE id = 1"  # noqa: S608
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def cache_key(namespace: str, params: dict) -> str:
    """The key for ``params`` in the current generation. Read the generation *before*
    computing: the answer is then at least as new as the generation it is stored under."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    return f"totals:{namespace}:{rollup_generation()}:{digest[:32]}"


def cached(namespace: str, params: dict, compute: Callable[[], object]):
    """``compute()`` once per rollup generation and parameters."""
    key = cache_key(namespace, params)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
