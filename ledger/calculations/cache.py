"""Caching totals between rollup changes.

Figures only change when the rollups do, so an answer is cached under the current rollup
generation (the latest refresh or rebuild): a new run makes every older entry unreachable, and
nobody has to remember which keys to delete.
"""

import hashlib
import json
from collections.abc import Callable

from django.core.cache import cache

from ledger.models import RollupRun

TIMEOUT = 3600


def rollup_generation() -> str:
    run = RollupRun.objects.order_by("-pk").values_list("pk", "finished_at").first()
    return f"{run[0]}-{run[1].timestamp()}" if run else "0"


def cached(namespace: str, params: dict, compute: Callable[[], object]):
    """``compute()`` once per rollup generation and parameters."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    key = f"totals:{namespace}:{rollup_generation()}:{digest[:32]}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
