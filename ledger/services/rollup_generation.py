"""The rollup generation: a counter that every change to the totals raises.

Cached answers (``ledger.calculations.cache``) are keyed by it. It is raised inside the
transaction that changes the rollups, so the new number becomes visible exactly when the new
totals do; the row lock it takes makes concurrent bumps commit in the order of their numbers,
so a reader can never see a number whose totals are not all visible yet.
"""

import contextvars
import uuid
from contextlib import contextmanager

from django.db import connection

from ledger.models import RollupGeneration

# Set while a bulk load runs: its row-by-row saves raise the generation once, at the end.
_deferred = contextvars.ContextVar("rollup_generation_deferred", default=False)


@contextmanager
def rollup_generation_deferred():
    """Saves inside (reference and demo loads) raise the generation once, when they are done."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)
    rollup_generation_bump()


def rollup_generation_is_deferred() -> bool:
    return _deferred.get()


def rollup_generation_bump() -> None:
    """Raise the generation by one (creating its row on first use); inside the transaction
    whose changes it announces, as late as possible before commit."""
    table = RollupGeneration._meta.db_table
    with connection.cursor() as cursor:
        # One statement on PostgreSQL and SQLite alike; no read-then-write race.
        cursor.execute(
            f"INSERT INTO {table} (id, number, token) VALUES (1, 1, %s) "  # noqa: S608
            f"ON CONFLICT (id) DO UPDATE SET number = {table}.number + 1, token = excluded.token",
            [uuid.uuid4().hex],
        )
