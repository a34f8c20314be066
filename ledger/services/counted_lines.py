# ruff: noqa: S608 -- SQL text holds only table and column names; values are parameters
"""The lines the count of a place is made of: approved returns' lines, and the current dataset
editions' lines that no better source outranks (``ledger.calculations.precedence``).

The rollups (refresh and rebuild) and the reconciliation read the same selection, so what the
pages show and what the check compares are one thing. On PostgreSQL the outranked places are a
temporary table for the transaction and the selection is one SQL text; elsewhere the dataset
lines are grouped by the ORM and filtered in Python.
"""

from django.db import connection
from django.db.models import Count, Q, Sum

from ledger.calculations.precedence import Key, Rank, count_blocks, current_dataset_ranks
from ledger.models import (
    Dataset,
    DatasetEdition,
    DatasetEditionYear,
    DatasetLine,
    SpendLine,
    SpendReturn,
)
from ledger.models.fields import to_pence
from ledger.services.line_receivers import matched_receiver_join

BLOCKS = "count_blocks"
# The fields a rollup is keyed by, as the selection names them.
KEY_FIELDS = ("place_id", "organisation_id", "theme_id", "financial_year_id", "basis", "edition_id")
LINE_FIELDS = KEY_FIELDS[:-1]
CHUNK = 50_000


def scope_sql(keys: list[Key] | None, alias: str) -> tuple[str, list]:
    """``alias``'s (organisation, year) among ``keys`` (all when None), as SQL and parameters."""
    if keys is None:
        return "TRUE", []
    return (
        f"({alias}.organisation_id, {alias}.financial_year_id) IN "
        "(SELECT * FROM unnest(%s::bigint[], %s::bigint[]))",
        [[k[0] for k in keys], [k[1] for k in keys]],
    )


def scope_q(keys: list[Key] | None) -> Q:
    """The same scope as an ORM filter (the portable paths)."""
    if keys is None:
        return Q()
    scope = Q(pk__in=[])
    for organisation_id, year_id in keys:
        scope |= Q(organisation_id=organisation_id, financial_year_id=year_id)
    return scope


def _years(keys: list[Key] | None) -> set[int] | None:
    return None if keys is None else {year_id for _, year_id in keys}


def blocks_prepare(keys: list[Key] | None) -> None:
    """Fill this transaction's table of outranked places (PostgreSQL; call inside a transaction
    before using ``counted_lines_sql``)."""
    blocks = count_blocks(years=_years(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {BLOCKS} (organisation_id bigint, "
            "financial_year_id bigint, place_id bigint, precedence integer, dataset_id bigint) "
            "ON COMMIT DROP"
        )
        cursor.execute(f"DELETE FROM {BLOCKS}")
        rows = [(*key, *rank) for key, rank in blocks.items()]
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.execute(
                f"INSERT INTO {BLOCKS} SELECT * FROM unnest(%s::bigint[], %s::bigint[], "
                "%s::bigint[], %s::integer[], %s::bigint[])",
                [list(column) for column in zip(*chunk, strict=True)],
            )
        if rows:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {BLOCKS}_key ON {BLOCKS} "
                "(organisation_id, financial_year_id, place_id)"
            )
            cursor.execute(f"ANALYZE {BLOCKS}")


def _branches(
    keys: list[Key] | None, transfers: bool, matches: str | None = None
) -> tuple[str, list, str, list]:
    """The two halves of the selection (returns' lines, dataset lines), each a SELECT ... FROM
    ... WHERE with its parameters, selecting the key fields, ``amount_pence``, (with
    ``transfers``) ``receiver_id`` and (with ``matches``) ``mismatched``."""
    line, ret = SpendLine._meta.db_table, SpendReturn._meta.db_table
    dline, dyear = DatasetLine._meta.db_table, DatasetEditionYear._meta.db_table
    edition, dataset = DatasetEdition._meta.db_table, Dataset._meta.db_table
    line_scope, line_params = scope_sql(keys, "l")
    dataset_scope, dataset_params = scope_sql(keys, "d")
    receiver, none = "", ""
    if transfers:
        # One pass over the lines gives both totals. The body a line pays is on the line
        # (``line_receivers``): joining the matches here cost a third of the rebuild's grouping.
        receiver, none = ", l.receiver_id", ", NULL::bigint AS receiver_id"
    join = ""
    if matches:  # checked in the same pass over the lines (a second one doubled a check's time)
        join = matched_receiver_join(matches, line="l")
        receiver += ", (l.receiver_id IS DISTINCT FROM m.receiver_id)::integer AS mismatched"
        none += ", 0 AS mismatched"
    lines = f"""
        SELECT {", ".join("l." + f for f in LINE_FIELDS)}, 0::bigint AS edition_id,
               l.amount_pence{receiver}
        FROM {line} l JOIN {ret} r ON r.id = l.spend_return_id {join}
        WHERE r.status = 'approved' AND {line_scope}"""
    datasets = f"""
        SELECT {", ".join("d." + f for f in LINE_FIELDS)}, d.edition_id::bigint,
               d.amount_pence{none}
        FROM {dline} d
        JOIN {dyear} y ON y.edition_id = d.edition_id
                      AND y.financial_year_id = d.financial_year_id AND y.is_current
        JOIN {edition} e ON e.id = d.edition_id
        JOIN {dataset} s ON s.id = e.dataset_id
        WHERE {dataset_scope} AND NOT EXISTS (
            SELECT 1 FROM {BLOCKS} b
            WHERE b.organisation_id = d.organisation_id
              AND b.financial_year_id = d.financial_year_id AND b.place_id = d.place_id
              AND (b.precedence, b.dataset_id) < (s.precedence, s.id))"""
    return lines, line_params, datasets, dataset_params


def counted_lines_sql(
    keys: list[Key] | None, *, transfers: bool = False, matches: str | None = None
) -> tuple[str, list]:
    """A SELECT of every counted line's key fields and ``amount_pence`` (``blocks_prepare``
    first); with ``transfers``, also ``receiver_id``: the public body a return's line pays (its
    supplier's match, not rejected: ``SpendLine.receiver``), else NULL; with ``matches`` (a
    relation of ``line_receivers.counting_matches_sql``), also ``mismatched``: 1 for a return's
    line whose receiver is not the one its match names, else 0."""
    lines, line_params, datasets, dataset_params = _branches(keys, transfers, matches)
    return f"{lines} UNION ALL {datasets}", line_params + dataset_params


def counted_checks_sql(keys: list[Key] | None, *, matches: str) -> tuple[str, list]:
    """Per organisation and year of the counted lines: ``pence``, ``n`` (lines) and
    ``mismatched`` (returns' lines whose receiver is not their match's: see
    ``counted_lines_sql``), each half grouped on its own as in ``counted_groups_sql`` (parallel
    workers; an organisation-year can come from both halves, so sum again)."""
    lines, line_params, datasets, dataset_params = _branches(keys, False, matches)
    cols = "organisation_id, financial_year_id"
    totals = "SUM(amount_pence) AS pence, COUNT(*) AS n, SUM(mismatched) AS mismatched"
    sql = f"""
        SELECT {cols}, {totals} FROM ({lines}) l GROUP BY {cols}
        UNION ALL
        SELECT {cols}, {totals} FROM ({datasets}) d GROUP BY {cols}"""
    return sql, line_params + dataset_params


def counted_groups_sql(keys: list[Key] | None, *, transfers: bool = False) -> tuple[str, list]:
    """The counted lines grouped by the key fields (and ``receiver_id`` with ``transfers``):
    ``amount_pence`` and ``line_count`` per group.

    Each half is grouped on its own, then the two appended: a return's line has edition 0 and a
    dataset line never does, so no group is split between them. Grouped after a UNION ALL, the
    10M lines went through one serial aggregate (spilling to disk, ~4x a bare GROUP BY);
    grouped in each half, the planner aggregates the lines in parallel workers."""
    lines, line_params, datasets, dataset_params = _branches(keys, transfers)
    group = ", ".join(KEY_FIELDS) + (", receiver_id" if transfers else "")
    totals = "SUM(amount_pence)::bigint AS amount_pence, COUNT(*)::integer AS line_count"
    sql = f"""
        SELECT {group}, {totals} FROM ({lines}) l GROUP BY {group}
        UNION ALL
        SELECT {group}, {totals} FROM ({datasets}) d GROUP BY {group}"""
    return sql, line_params + dataset_params


TRANSFER_FIELDS = (
    "place_id",
    "organisation_id",
    "receiver_id",
    "theme_id",
    "financial_year_id",
    "basis",
)


# ``TRANSFER_FIELDS`` in the order of the index ``spend_line_paid_body``'s columns.
PAID_BODY_ORDER = (
    "organisation_id",
    "financial_year_id",
    "place_id",
    "theme_id",
    "basis",
    "receiver_id",
)


def transfer_groups_sql(approved_return_ids: list[int]) -> tuple[str, list]:
    """The lines of the given (approved) returns that pay a public body, grouped by
    ``TRANSFER_FIELDS``: ``amount_pence`` and ``line_count`` per group (a full rebuild's
    transfer rollups), as SQL and parameters.

    Only returns' lines pay a body (a dataset line has no supplier). The partial index
    ``spend_line_paid_body`` holds every column read here, so on PostgreSQL this reads the tenth
    of the lines that pay a body from the index alone, in its order; grouped in that order
    (``GROUP BY`` lists the index's columns as it does), the sums stream out of the scan with no
    hash table. The returns are a list rather than a join: PostgreSQL (14 on; the project runs
    15) tests a constant list with a hash and keeps the index's order, where the join to the
    returns (a hash join) lost it and left 1M lines to a hash aggregate (10M-line ledger: 1.6 s
    against 0.85 s, loaded machine)."""
    line = SpendLine._meta.db_table
    group = ", ".join(f"l.{f}" for f in PAID_BODY_ORDER)
    sql = f"""
        SELECT {group}, SUM(l.amount_pence)::bigint AS amount_pence,
               COUNT(*)::integer AS line_count
        FROM {line} l
        WHERE l.receiver_id IS NOT NULL AND l.spend_return_id = ANY (%s::bigint[])
        GROUP BY {group}"""
    return sql, [list(approved_return_ids)]


def counted_transfer_groups(keys: list[Key] | None, lines) -> dict[tuple, tuple[int, int]]:
    """The portable path: approved lines paid to public bodies (``SpendLine.receiver``), grouped
    by ``TRANSFER_FIELDS`` → (pence, lines). ``lines`` is the approved lines in scope."""
    rows = (
        lines.filter(receiver__isnull=False)
        .values(*TRANSFER_FIELDS)
        .annotate(total=Sum("amount"), lines=Count("id"))
        .order_by()
    )
    return {
        tuple(row[f] for f in TRANSFER_FIELDS): (to_pence(row["total"]), row["lines"])
        for row in rows
    }


def counted_dataset_groups(keys: list[Key] | None, scope) -> dict[tuple, tuple[int, int]]:
    """The portable path: counted dataset lines grouped by ``KEY_FIELDS`` → (pence, lines).

    ``scope`` is the ORM filter for the keys (``scope_q``)."""
    years = _years(keys)
    ranks = current_dataset_ranks(years)
    if not ranks:
        return {}
    blocks = count_blocks(years=years)
    rows = (
        DatasetLine.objects.filter(scope, edition_id__in={e for e, _ in ranks})
        .values(*LINE_FIELDS, "edition_id")
        .annotate(total=Sum("amount"), lines=Count("id"))
        .order_by()
    )
    found: dict[tuple, tuple[int, int]] = {}
    for row in rows:
        rank: Rank | None = ranks.get((row["edition_id"], row["financial_year_id"]))
        if rank is None:
            continue  # not the current edition for this year
        block = blocks.get((row["organisation_id"], row["financial_year_id"], row["place_id"]))
        if block is not None and block < rank:
            continue
        found[tuple(row[f] for f in KEY_FIELDS)] = (to_pence(row["total"]), row["lines"])
    return found
