# ruff: noqa: S608 -- SQL text holds only table and column names; values are parameters
"""Checking that the rollups equal the lines they count, to the penny, per organisation and year.

The lines are those the count of a place is made of (``ledger.services.counted_lines``): approved
returns' lines and the dataset lines no better source outranks. The approved lines' receivers
(the body each pays, which the net totals subtract) are checked against the supplier matches
they are derived from (``line_receivers``): a line paying another body than its match names is
reported, as a residual is.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from ledger.models import (
    Reconciliation,
    SpendRollup,
    SupplierMatch,
    SupplierMatchStatus,
)
from ledger.models.fields import from_pence, to_pence
from ledger.selectors.access import approved_lines

from .counted_lines import (
    blocks_prepare,
    counted_checks_sql,
    counted_dataset_groups,
    scope_q,
    scope_sql,
)
from .line_receivers import counting_matches_sql
from .rollups import Key, rollup_scope_lock

# lines pence, lines, rollup pence, rollup lines, lines whose receiver is not their match's
Totals = dict[Key, tuple[int, int, int, int, int]]


def _compare_postgres(keys: list[Key] | None) -> Totals:
    """One statement, so lines and rollups are read from the same snapshot; one pass over the
    lines gives their totals and their receivers checked against the matches."""
    blocks_prepare(keys)
    # A scope (an approval's organisation-years) probes one hash of the matches, materialized:
    # expecting a few hundred lines where an approval scopes 100,000, the planner probed the
    # matches' index once per line. Every line (the nightly check) joins them inline and is
    # planned as the rebuild plans its grouping: a materialized relation kept the 10M lines out
    # of parallel workers (24 s; now 8.5 s, and 9.4 s before the receivers were checked).
    scoped = keys is not None
    if not scoped:
        from .rollup_swap import grouping_settings

        grouping_settings()
    counted, line_params = counted_checks_sql(
        keys, matches="matches" if scoped else f"({counting_matches_sql()})"
    )
    rollup_scope, rollup_params = scope_sql(keys, "t")
    matches = f"matches AS MATERIALIZED ({counting_matches_sql()})," if scoped else ""
    sql = f"""
        WITH {matches}
        l AS (
            SELECT organisation_id, financial_year_id, SUM(pence) AS pence, SUM(n) AS n,
                   SUM(mismatched) AS mismatched
            FROM ({counted}) l
            GROUP BY 1, 2),
        t AS (
            SELECT t.organisation_id, t.financial_year_id,
                   SUM(t.amount_pence) AS pence, SUM(t.line_count) AS n
            FROM {SpendRollup._meta.db_table} t WHERE {rollup_scope} GROUP BY 1, 2)
        SELECT organisation_id, financial_year_id, COALESCE(l.pence, 0), COALESCE(l.n, 0),
               COALESCE(t.pence, 0), COALESCE(t.n, 0), COALESCE(l.mismatched, 0)
        FROM l FULL OUTER JOIN t USING (organisation_id, financial_year_id)"""
    with connection.cursor() as cursor:
        cursor.execute(sql, line_params + rollup_params)
        return {(r[0], r[1]): tuple(int(v) for v in r[2:]) for r in cursor.fetchall()}


def _compare_portable(keys: list[Key] | None) -> Totals:
    fields = ("organisation_id", "financial_year_id")
    lines = (
        approved_lines()
        .filter(scope_q(keys))
        .values(*fields)
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    )
    rollups = (
        SpendRollup.objects.filter(scope_q(keys))
        .values(*fields)
        .annotate(total=Sum("amount"), n=Sum("line_count"))
        .order_by()
    )
    result: dict[Key, list[int]] = {}
    for key, mismatched in _mismatched_portable(keys).items():
        result[key] = [0, 0, 0, 0, mismatched]
    for key, (pence, count) in counted_dataset_groups(keys, scope_q(keys)).items():
        entry = result.setdefault((key[1], key[3]), [0, 0, 0, 0, 0])
        entry[0] += pence
        entry[1] += count
    for offset, rows in ((0, lines), (2, rollups)):
        for row in rows:
            entry = result.setdefault((row[fields[0]], row[fields[1]]), [0, 0, 0, 0, 0])
            entry[offset] += to_pence(row["total"])
            entry[offset + 1] += row["n"]
    return {key: tuple(v) for key, v in result.items()}


def _mismatched_portable(keys: list[Key] | None) -> dict[Key, int]:
    """The approved lines whose receiver is not their match's, per organisation-year."""
    expected = {
        (payer_id, name): receiver_id
        for payer_id, name, receiver_id in SupplierMatch.objects.exclude(
            status=SupplierMatchStatus.REJECTED
        ).values_list("payer_id", "supplier_name", "receiver_id")
    }
    found: dict[Key, int] = defaultdict(int)
    fields = ("organisation_id", "financial_year_id", "supplier_name", "receiver_id")
    for row in (
        approved_lines().filter(scope_q(keys)).values(*fields).annotate(n=Count("id")).order_by()
    ):
        if expected.get((row["organisation_id"], row["supplier_name"])) != row["receiver_id"]:
            found[(row["organisation_id"], row["financial_year_id"])] += row["n"]
    return found


@transaction.atomic
def reconciliation_run(*, keys: Iterable[Key] | None = None) -> list[Reconciliation]:
    """Compare lines with rollups for these organisation-years (all when ``keys`` is None) and
    record each result with the time of the check. Returns the records that do not match."""
    keys = None if keys is None else sorted(set(keys))
    # Two runs for the same organisation-year (two approvals at once) would each delete the
    # old record and insert a new one, and the second insert would break the unique key.
    rollup_scope_lock(keys=keys)
    as_of = timezone.now()
    if connection.vendor == "postgresql":
        totals = _compare_postgres(keys)
    else:
        totals = _compare_portable(keys)
    scope = Reconciliation.objects.filter(scope_q(keys))
    scope.delete()  # a full run also forgets organisation-years that no longer have any spend
    records = [
        Reconciliation(
            organisation_id=organisation_id,
            financial_year_id=year_id,
            as_of=as_of,
            lines_amount=from_pence(lp),
            line_count=ln,
            rollup_amount=from_pence(rp),
            rollup_count=rn,
            residual=from_pence(lp - rp),
            receivers_mismatched=mismatched,
        )
        for (organisation_id, year_id), (lp, ln, rp, rn, mismatched) in sorted(totals.items())
    ]
    Reconciliation.objects.bulk_create(records, batch_size=2000)
    return [r for r in records if not r.matches]
