# ruff: noqa: S608 -- SQL text holds only table and column names; values are parameters
"""Keeping the rollup table equal to the approved lines: refresh a few organisation-years, or all.

A refresh computes fresh totals from approved lines and then *diffs* them into ``SpendRollup``
(insert new keys, update changed ones, delete vanished ones) inside one transaction, so readers
see the old totals or the new ones, never a half-way state, and a re-run changes nothing. A
full rebuild on PostgreSQL builds a new table and swaps it in (``rollup_swap``), with the same
guarantees; elsewhere it diffs too. Every run raises the rollup generation in its transaction,
which retires every cached answer (``ledger.calculations.cache``).

Concurrency (PostgreSQL): a refresh holds a shared advisory lock on the rollups plus an exclusive
one per organisation × year it recomputes; a rebuild holds the exclusive rollup lock. Refreshes
of different organisation-years run side by side, two refreshes of the same one queue, and a
rebuild waits for running refreshes and holds new ones back until it commits. Because a refresh
is queued only after its approval commits, and every statement reads the latest committed lines,
whichever runs last leaves the rollups right. Imports only write draft lines, which rollups
ignore, so they never contend with either.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from ledger.calculations.precedence import Key, dependent_keys
from ledger.models import (
    RollupRun,
    RollupRunKind,
    SpendLine,
    SpendReturn,
    SpendRollup,
    SpendTransferRollup,
)
from ledger.models.fields import from_pence, to_pence
from ledger.selectors.access import approved_lines
from ledger.services.counted_lines import (
    KEY_FIELDS,
    LINE_FIELDS,
    TRANSFER_FIELDS,
    blocks_prepare,
    counted_dataset_groups,
    counted_groups_sql,
    counted_transfer_groups,
    scope_q,
    scope_sql,
)
from ledger.services.rollup_generation import rollup_generation_bump
from ledger.services.rollup_swap import leftovers_drop, rollup_table_swap, swap_possible
from ledger.services.supplier_rollups import (
    supplier_rollups_reconcile,
    supplier_rollups_sync_portable,
)

logger = logging.getLogger(__name__)
ROLLUP_LOCK = 0x544F54414C  # "TOTAL": the advisory lock a rebuild holds exclusively


@dataclass
class SyncResult:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0


def rollup_keys_for_returns(*, spend_return_ids: Iterable[int]) -> list[Key]:
    """The organisation-years whose totals the given returns' lines (or headers) touch, and
    those of the bodies whose top-down estimates give way to them (``dependent_keys``)."""
    ids = list(spend_return_ids)
    keys = set(
        SpendLine.objects.filter(spend_return_id__in=ids)
        .values_list("organisation_id", "financial_year_id")
        .distinct()
    )
    keys |= set(
        SpendReturn.objects.filter(pk__in=ids).values_list("organisation_id", "financial_year_id")
    )
    return sorted(dependent_keys(keys))


def _use_fast_path() -> bool:
    return connection.vendor == "postgresql"


def _lock(keys: list[Key] | None) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite runs one writer at a time: the transaction is the lock
    with connection.cursor() as cursor:
        if keys is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [ROLLUP_LOCK])
        for organisation_id, year_id in sorted(keys):  # one order everywhere: no deadlock
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [organisation_id, year_id])


def rollup_scope_lock(*, keys: list[Key] | None) -> None:
    """Take, for the current transaction, the locks a refresh (or, with None, a rebuild) of
    these organisation-years takes: whatever else writes about them waits its turn."""
    _lock(sorted(set(keys)) if keys is not None else None)


def _sync_postgres(keys: list[Key] | None) -> SyncResult:
    """One statement: fresh totals by one GROUP BY over the counted lines (with the body each
    line pays, if a public body), then the diff of both tables (delete vanished keys, insert new
    ones, update changed ones). One statement means one snapshot, and one pass over the lines.
    """
    rollup, transfer = SpendRollup._meta.db_table, SpendTransferRollup._meta.db_table
    cols, transfer_cols = ", ".join(KEY_FIELDS), ", ".join(TRANSFER_FIELDS)
    counted, counted_params = counted_groups_sql(keys, transfers=True)
    rollup_scope, rollup_params = scope_sql(keys, "t")
    transfer_scope, transfer_params = scope_sql(keys, "t")
    statement = f"""
        WITH base AS MATERIALIZED ({counted}),
        fresh AS MATERIALIZED (
            SELECT {cols}, SUM(amount_pence)::bigint AS amount_pence,
                   SUM(line_count)::integer AS line_count
            FROM base GROUP BY {cols}),
        fresh_transfers AS MATERIALIZED (
            SELECT {transfer_cols}, SUM(amount_pence)::bigint AS amount_pence,
                   SUM(line_count)::integer AS line_count
            FROM base WHERE receiver_id IS NOT NULL GROUP BY {transfer_cols}),
        {_diff("gone", "written", rollup, "fresh", KEY_FIELDS, rollup_scope)},
        {
        _diff(
            "transfers_gone",
            "transfers_written",
            transfer,
            "fresh_transfers",
            TRANSFER_FIELDS,
            transfer_scope,
        )
    }
        SELECT (SELECT COUNT(*) FROM gone),
               (SELECT COUNT(*) FILTER (WHERE inserted) FROM written),
               (SELECT COUNT(*) FILTER (WHERE NOT inserted) FROM written),
               (SELECT COUNT(*) FROM transfers_gone) + (SELECT COUNT(*) FROM transfers_written)"""
    with connection.cursor() as cursor:
        cursor.execute(statement, counted_params + rollup_params + transfer_params)
        deleted, inserted, updated, _transfers = cursor.fetchone()
    return SyncResult(inserted=inserted, updated=updated, deleted=deleted)


def _diff(gone: str, written: str, table: str, fresh: str, fields, scope: str) -> str:
    """Two CTEs that make ``table`` equal ``fresh`` within ``scope``."""
    cols = ", ".join(fields)
    match = " AND ".join(f"f.{c} = t.{c}" for c in fields)
    return f"""{gone} AS (
            DELETE FROM {table} t WHERE {scope}
            AND NOT EXISTS (SELECT 1 FROM {fresh} f WHERE {match})
            RETURNING 1),
        {written} AS (
            INSERT INTO {table} AS t ({cols}, amount_pence, line_count)
            SELECT {cols}, amount_pence, line_count FROM {fresh}
            ON CONFLICT ({cols})
            DO UPDATE SET amount_pence = EXCLUDED.amount_pence, line_count = EXCLUDED.line_count
            WHERE t.amount_pence <> EXCLUDED.amount_pence OR t.line_count <> EXCLUDED.line_count
            RETURNING (xmax = 0) AS inserted)"""


def _sync_portable(keys: list[Key] | None) -> SyncResult:
    """The same diff through the ORM, for SQLite (and any other backend)."""
    fresh = {
        (*(row[f] for f in LINE_FIELDS), 0): (to_pence(row["total"]), row["lines"])
        for row in approved_lines()
        .filter(scope_q(keys))
        .values(*LINE_FIELDS)
        .annotate(total=Sum("amount"), lines=Count("id"))
        .order_by()
    }
    fresh.update(counted_dataset_groups(keys, scope_q(keys)))
    transfers = counted_transfer_groups(keys, approved_lines().filter(scope_q(keys)))
    _diff_portable(SpendTransferRollup, TRANSFER_FIELDS, transfers, scope_q(keys))
    return _diff_portable(SpendRollup, KEY_FIELDS, fresh, scope_q(keys))


def _diff_portable(model, fields, fresh: dict, scope: Q) -> SyncResult:
    """Make ``model``'s rows within ``scope`` equal ``fresh`` (key → (pence, lines))."""
    existing = {tuple(getattr(r, f) for f in fields): r for r in model.objects.filter(scope)}
    gone = [row.pk for key, row in existing.items() if key not in fresh]
    changed = []
    for key, (pence, lines) in fresh.items():
        row = existing.get(key)
        if row is not None and (to_pence(row.amount) != pence or row.line_count != lines):
            row.amount, row.line_count = from_pence(pence), lines
            changed.append(row)
    new = [
        model(**dict(zip(fields, key, strict=True)), amount=from_pence(p), line_count=n)
        for key, (p, n) in fresh.items()
        if key not in existing
    ]
    for start in range(0, len(gone), 5000):
        model.objects.filter(pk__in=gone[start : start + 5000]).delete()
    model.objects.bulk_update(changed, ["amount", "line_count"], batch_size=2000)
    model.objects.bulk_create(new, batch_size=2000)
    return SyncResult(inserted=len(new), updated=len(changed), deleted=len(gone))


def _sync(keys: list[Key] | None, kind: str, fast: bool | None) -> RollupRun:
    started = timezone.now()
    fast = _use_fast_path() if fast is None else fast
    with transaction.atomic():
        _lock(keys)
        if fast:
            with connection.cursor() as cursor:
                # Room for the hash aggregate and the fresh rows in memory, this transaction only.
                cursor.execute("SET LOCAL work_mem = '256MB'")
            blocks_prepare(keys)
        if not fast:
            result = _sync_portable(keys)
            supplier_rollups_sync_portable(keys)
        elif keys is None:
            result = rollup_table_swap() if swap_possible() else _sync_postgres(None)
            # After the rollups: the supplier rows of a body-year must add up to them.
            supplier_rollups_reconcile()
        else:
            result = _sync_postgres(keys)
            supplier_rollups_reconcile(keys)
        # Last, just before commit: the generation's row lock serialises only this moment, and
        # commits in the order of the numbers they publish (see rollup_generation_bump).
        rollup_generation_bump()
        return RollupRun.objects.create(
            kind=kind,
            started_at=started,
            finished_at=timezone.now(),
            scopes=0 if keys is None else len(keys),
            rows_inserted=result.inserted,
            rows_updated=result.updated,
            rows_deleted=result.deleted,
            fast_path=fast,
        )


def rollup_refresh(*, keys: Iterable[Key], fast: bool | None = None) -> RollupRun | None:
    """Recompute the rollups of just these organisation-years from their approved lines.

    ``fast`` picks the PostgreSQL SQL path (default on PostgreSQL) or the portable ORM path.
    """
    keys = sorted(set(keys))
    if not keys:
        return None
    return _sync(keys, RollupRunKind.REFRESH, fast)


def rollup_rebuild(*, fast: bool | None = None) -> RollupRun:
    """Recompute every rollup from the approved lines; one transaction, so readers never see a
    half-built table. Safe to run while refreshes and imports run (see the module docstring).
    On PostgreSQL the new totals are built in a table of their own and swapped in
    (``rollup_swap``)."""
    # A rebuild outside any transaction may build in two sessions (``rollup_swap``): if it
    # fails, the table the second one committed goes too.
    outermost = not connection.in_atomic_block
    try:
        return _sync(None, RollupRunKind.REBUILD, fast)
    except Exception:
        if outermost and connection.vendor == "postgresql":
            try:
                leftovers_drop()
            except Exception:  # the rebuild's own error is the one to raise; the next drops it
                logger.exception("rollup rebuild: the second session's table was not dropped")
        raise
