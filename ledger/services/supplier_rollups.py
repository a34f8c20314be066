# ruff: noqa: S608 -- SQL text holds only table and column names; values are parameters
"""Keeping the supplier rollups (``SpendSupplierRollup``) equal to the approved lines.

Called by ``ledger.services.rollups`` inside the transaction (and under the locks) of every
refresh and rebuild, so the supplier figures change exactly when the other totals do, and the
rollup generation retires the cached supplier pages with them. Only approved returns' lines:
imports write draft lines, so an import's confirm costs nothing here.

Neither a refresh nor a rebuild groups every line in its scope again (on the pages bench, 2M
lines in 1M rows, that took the rebuild from 6.5 s to 31 s, and a 1M-line body-year's refresh
from 5 s to 8 s): an approved return's lines cannot change, so each recomputes only the
organisation-years with a row of a return no longer approved, an approved return without rows,
or (a refresh's own organisation-years) rows that do not add up to the fresh rollups' total and
line count (``supplier_rollups_reconcile``): a newly approved return's, in practice.

The key of a spelling is computed once per group, in SQL for the ASCII names
(``supplier_key_sql_text``, equal to Python's for them) and in Python for the rest, which SQL
may not normalise as Python does (``keys_from_python``).
"""

from django.db import connection
from django.db.models import Case, Count, F, Max, Min, Sum, Value, When

from ledger.calculations.precedence import Key
from ledger.calculations.suppliers import NON_ASCII_SQL, supplier_key_sql_text
from ledger.models import SpendLine, SpendReturn, SpendRollup, SpendSupplierRollup
from ledger.models.fields import from_pence, to_pence
from ledger.selectors.access import approved_lines
from ledger.services.counted_lines import scope_q, scope_sql
from ledger.services.transfers import supplier_key

# A row's identity (the unique key), then what is computed for it besides its sums.
SUPPLIER_KEY_FIELDS = ("spend_return_id", "place_id", "supplier_name", "redacted")
SUPPLIER_FIELDS = (
    *SUPPLIER_KEY_FIELDS,
    "organisation_id",
    "financial_year_id",
    "supplier_key",
    "first_date",
    "last_date",
)


def supplier_groups_sql(keys: list[Key] | None) -> tuple[str, list]:
    """The approved lines of these organisation-years (every one: None) grouped by
    ``SUPPLIER_KEY_FIELDS``: the columns of ``SUPPLIER_FIELDS``, ``amount_pence`` and
    ``line_count``. A redacted line's name is replaced by "" before grouping: it never reaches
    the rollup."""
    line, ret = SpendLine._meta.db_table, SpendReturn._meta.db_table
    scope, params = scope_sql(keys, "l")
    sql = f"""
        SELECT g.spend_return_id, g.place_id, g.supplier_name, g.redacted, g.organisation_id,
               g.financial_year_id, {supplier_key_sql_text("g.supplier_name")} AS supplier_key,
               g.first_date, g.last_date, g.amount_pence, g.line_count
        FROM (
            SELECT l.spend_return_id, l.place_id,
                   CASE WHEN l.supplier_redacted THEN '' ELSE l.supplier_name END
                       AS supplier_name,
                   l.supplier_redacted AS redacted, l.organisation_id, l.financial_year_id,
                   MIN(l.transaction_date) AS first_date, MAX(l.transaction_date) AS last_date,
                   SUM(l.amount_pence)::bigint AS amount_pence, COUNT(*)::integer AS line_count
            FROM {line} l JOIN {ret} r ON r.id = l.spend_return_id
            WHERE r.status = 'approved' AND {scope}
            GROUP BY 1, 2, 3, 4, 5, 6
        ) g"""
    return sql, params


def keys_from_python(table: str, scope: str = "TRUE", params: list | None = None) -> int:
    """Set the key of every row of ``table`` within ``scope`` whose spelling has characters
    beyond ASCII to Python's (``supplier_key``): the SQL upper-cases those in its own way.
    Few rows: a key is computed once per spelling. Returns the rows changed."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT supplier_name FROM {table} t "
            f"WHERE {scope} AND {NON_ASCII_SQL.format(column='t.supplier_name')}",
            params or [],
        )
        names = [name for (name,) in cursor.fetchall()]
        if not names:
            return 0
        cursor.execute(
            f"UPDATE {table} t SET supplier_key = v.k "
            "FROM unnest(%s::text[], %s::text[]) AS v(n, k) "
            f"WHERE t.supplier_name = v.n AND t.supplier_key <> v.k AND {scope}",
            [names, [supplier_key(n) for n in names], *(params or [])],
        )
        return cursor.rowcount


def supplier_rollups_sync_postgres(keys: list[Key] | None) -> None:
    """Make the supplier rollups of these organisation-years (all: None) equal their approved
    lines, in one statement (delete the vanished rows, insert the new, update the changed),
    then the keys of new spellings beyond ASCII from Python. A row's key never changes (it is
    its spelling's), so only its sums and dates are compared and updated."""
    table = SpendSupplierRollup._meta.db_table
    fresh, fresh_params = supplier_groups_sql(keys)
    scope, scope_params = scope_sql(keys, "t")
    fields = SUPPLIER_FIELDS
    cols = ", ".join(fields)
    key_cols = ", ".join(SUPPLIER_KEY_FIELDS)
    match = " AND ".join(f"f.{c} = t.{c}" for c in SUPPLIER_KEY_FIELDS)
    sums = ("amount_pence", "line_count", "first_date", "last_date")
    changed = " OR ".join(f"t.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in sums)
    statement = f"""
        WITH fresh AS MATERIALIZED ({fresh}),
        gone AS (
            DELETE FROM {table} t WHERE {scope}
            AND NOT EXISTS (SELECT 1 FROM fresh f WHERE {match})
            RETURNING 1)
        INSERT INTO {table} AS t ({cols}, amount_pence, line_count)
        SELECT {cols}, amount_pence, line_count FROM fresh
        ON CONFLICT ({key_cols}) DO UPDATE SET
            {", ".join(f"{c} = EXCLUDED.{c}" for c in sums)}
        WHERE {changed}"""
    with connection.cursor() as cursor:
        cursor.execute(statement, fresh_params + scope_params)
    keys_from_python(table, scope, scope_params)


def supplier_rollups_sync_portable(keys: list[Key] | None) -> None:
    """The same through the ORM (SQLite, and any other backend), keys from Python."""
    spelling = Case(When(supplier_redacted=True, then=Value("")), default=F("supplier_name"))
    rows = (
        approved_lines()
        .filter(scope_q(keys))
        .annotate(spelling=spelling)
        .values(
            "spend_return_id",
            "place_id",
            "spelling",
            "supplier_redacted",
            "organisation_id",
            "financial_year_id",
        )
        .annotate(
            total=Sum("amount"),
            lines=Count("id"),
            first=Min("transaction_date"),
            last=Max("transaction_date"),
        )
        .order_by()
    )
    fresh = {
        (r["spend_return_id"], r["place_id"], r["spelling"], r["supplier_redacted"]): (
            r["organisation_id"],
            r["financial_year_id"],
            to_pence(r["total"]),
            r["lines"],
            r["first"],
            r["last"],
        )
        for r in rows
    }
    existing = {
        (r.spend_return_id, r.place_id, r.supplier_name, r.redacted): r
        for r in SpendSupplierRollup.objects.filter(scope_q(keys))
    }
    gone = [row.pk for key, row in existing.items() if key not in fresh]
    changed, new = [], []
    for key, (organisation_id, year_id, pence, lines, first, last) in fresh.items():
        row = existing.get(key)
        if row is None:
            new.append(
                SpendSupplierRollup(
                    **dict(zip(SUPPLIER_KEY_FIELDS, key, strict=True)),
                    organisation_id=organisation_id,
                    financial_year_id=year_id,
                    supplier_key=supplier_key(key[2]),
                    amount=from_pence(pence),
                    line_count=lines,
                    first_date=first,
                    last_date=last,
                )
            )
        elif (to_pence(row.amount), row.line_count, row.first_date, row.last_date) != (
            pence,
            lines,
            first,
            last,
        ):
            row.amount, row.line_count = from_pence(pence), lines
            row.first_date, row.last_date = first, last
            changed.append(row)
    for start in range(0, len(gone), 5000):
        SpendSupplierRollup.objects.filter(pk__in=gone[start : start + 5000]).delete()
    SpendSupplierRollup.objects.bulk_update(
        changed, ["amount", "line_count", "first_date", "last_date"], batch_size=2000
    )
    SpendSupplierRollup.objects.bulk_create(new, batch_size=2000)


def stale_returns_keys() -> list[Key]:
    """The nightly rebuild's check (every organisation-year): the supplier rows are of exactly
    the approved returns with lines. It reads one index entry per return, never the rows: the
    sums were checked against the rollups when the rows were written (a refresh's
    ``stale_keys`` in the same transaction), and an approved return's lines cannot change.
    Summing every row each night (``stale_keys(None)``) took 0.73 s at 2M rows, 1.8x a bare
    GROUP BY of the lines, and would have taken the rebuild past issue 14's 2x."""
    table, ret, line = (
        SpendSupplierRollup._meta.db_table,
        SpendReturn._meta.db_table,
        SpendLine._meta.db_table,
    )
    # The returns holding rows, by skipping through the unique index (spend_return_id first):
    # one probe per return, not a pass over every row (PostgreSQL has no skip scan of its own).
    statement = f"""
        WITH RECURSIVE held(id) AS (
            (SELECT spend_return_id FROM {table} ORDER BY spend_return_id LIMIT 1)
            UNION ALL
            SELECT (SELECT s.spend_return_id FROM {table} s WHERE s.spend_return_id > held.id
                    ORDER BY s.spend_return_id LIMIT 1)
            FROM held WHERE held.id IS NOT NULL),
        holding AS MATERIALIZED (SELECT id FROM held WHERE id IS NOT NULL)
        SELECT s.organisation_id, s.financial_year_id
        FROM holding h LEFT JOIN {ret} r ON r.id = h.id AND r.status = 'approved'
        CROSS JOIN LATERAL (SELECT organisation_id, financial_year_id FROM {table}
                            WHERE spend_return_id = h.id LIMIT 1) s
        WHERE r.id IS NULL
        UNION
        SELECT r.organisation_id, r.financial_year_id FROM {ret} r
        WHERE r.status = 'approved' AND r.id NOT IN (SELECT id FROM holding)
          AND EXISTS (SELECT 1 FROM {line} l WHERE l.spend_return_id = r.id)"""
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return sorted(set(cursor.fetchall()))


def stale_keys(keys: list[Key] | None = None) -> list[Key]:
    """The organisation-years (among ``keys``; all: None) whose supplier rows may not be their
    approved lines': a row of a return no longer approved (or gone), an approved return with
    lines but no rows, or rows not adding up to the rollups' total and line count of the
    body-year (read after the rollups are fresh, in the same transaction). Reads the rollup
    tables and the returns, and the lines' return index only to see that a return has some."""
    table, ret, rollup = (
        SpendSupplierRollup._meta.db_table,
        SpendReturn._meta.db_table,
        SpendRollup._meta.db_table,
    )
    scopes = [scope_sql(keys, alias) for alias in ("s", "r", "a")]
    (s_scope, r_scope, a_scope), params = zip(*scopes, strict=True)
    # One pass over the supplier rows (by return: thousands of groups), then small joins.
    statement = f"""
        WITH s AS MATERIALIZED (
            SELECT spend_return_id, organisation_id, financial_year_id,
                   SUM(amount_pence) AS pence, SUM(line_count) AS n
            FROM {table} s WHERE {s_scope} GROUP BY 1, 2, 3),
        b AS (SELECT organisation_id, financial_year_id, SUM(pence) AS pence, SUM(n) AS n
              FROM s GROUP BY 1, 2)
        SELECT s.organisation_id, s.financial_year_id FROM s
        LEFT JOIN {ret} r ON r.id = s.spend_return_id
        WHERE r.id IS NULL OR r.status <> 'approved'
        UNION
        SELECT r.organisation_id, r.financial_year_id FROM {ret} r
        WHERE r.status = 'approved' AND {r_scope}
          AND NOT EXISTS (SELECT 1 FROM s WHERE s.spend_return_id = r.id)
          AND EXISTS (SELECT 1 FROM {SpendLine._meta.db_table} l WHERE l.spend_return_id = r.id)
        UNION
        SELECT COALESCE(a.organisation_id, b.organisation_id),
               COALESCE(a.financial_year_id, b.financial_year_id)
        FROM (SELECT organisation_id, financial_year_id, SUM(amount_pence) AS pence,
                     SUM(line_count) AS n
              FROM {rollup} a WHERE edition_id = 0 AND {a_scope} GROUP BY 1, 2) a
        FULL JOIN b
          ON a.organisation_id = b.organisation_id AND a.financial_year_id = b.financial_year_id
        WHERE a.pence IS DISTINCT FROM b.pence OR a.n IS DISTINCT FROM b.n"""
    with connection.cursor() as cursor:
        cursor.execute(statement, [p for scope_params in params for p in scope_params])
        return sorted(set(cursor.fetchall()))


def supplier_rollups_reconcile(keys: list[Key] | None = None) -> list[Key]:
    """Every refresh's and rebuild's part (PostgreSQL), after the rollups: recompute the
    supplier rows of the stale organisation-years (among ``keys``) only: an approved return's
    rows stay right while it stays approved (its lines cannot change). A refresh checks its
    body-years' sums too (``stale_keys``); the rebuild of everything checks which returns have
    rows (``stale_returns_keys``). Returns the keys recomputed."""
    stale = stale_returns_keys() if keys is None else stale_keys(keys)
    if stale:
        supplier_rollups_sync_postgres(stale)
    return stale
