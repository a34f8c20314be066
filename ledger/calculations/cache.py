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


def rollup_generation() -> str | None:
    """The current generation as "number-token"; None before the first refresh or rebuild.
    One primary-key read."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT number, token FROM {RollupGeneration._meta.db_table} WHERE id = 1"  # noqa: S608
        )
        row = cursor.fetchone()
    return f"{row[0]}-{row[1]}" if row else None


def cache_key(namespace: str, params: dict) -> str | None:
    """The key for ``params`` in the current generation (None: nothing to key by, do not
    cache). Taken *before* computing, so an answer is always at least as new as the
    generation it is stored under."""
    generation = rollup_generation()
    if generation is None:
        return None
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    return f"totals:{namespace}:{generation}:{digest[:32]}"


def cached(namespace: str, params: dict, compute: Callable[[], object]):
    """``compute()`` once per rollup generation and parameters."""
    key = cache_key(namespace, params)
    value = cache.get(key) if key else None
    if value is None:
        value = compute()
        if key:
            cache.set(key, value, TIMEOUT)
    return value
