# ruff: noqa: S608 -- SQL text holds only table and column names and placeholders
"""Each line's receiver (``SpendLine.receiver``): the public body its supplier is matched to.

The matches (``SupplierMatch``: payer + supplier name as written → body) are the record; the
column is derived from them so that the rollups group the lines by the body they pay without
joining the matches on a text key for every line (on 10M lines that join was ~1.3 s of the
rebuild's 4.2 s of grouping). An import's lines are written with it (``line_receivers_of``:
their suppliers are matched first); otherwise it is set here, in one set-based UPDATE, whenever
it can change:

- a return's suppliers are matched (an import confirmed, the return submitted): its lines, and
  the payer's lines in other returns that pay a supplier matched for the first time;
- an officer decides about a match (confirms, rejects, names another body): the payer's lines
  that pay that supplier.

A draft's lines may lag (nothing counts them until their return is approved, and every return is
submitted, which sets them, before it can be approved). Only lines whose receiver changes are
written, and the column is not in the line history (``audit.models.events``), so a decision
writes no history row per line: the match's own history records it.
"""

from collections.abc import Iterable

from django.db import connection

from ledger.models import (
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
    SupplierMatch,
    SupplierMatchStatus,
)

CHUNK = 1000  # supplier names per statement (SQLite's limit on parameters is 32,766)


def counting_matches_sql() -> str:
    """The matches that make a payer's lines naming a supplier pay a body: those not rejected
    (``payer_id``, ``supplier_name``, ``receiver_id``)."""
    return (
        "SELECT payer_id, supplier_name, receiver_id "
        f"FROM {SupplierMatch._meta.db_table} WHERE status <> 'rejected'"
    )


def matched_receiver_join(matches: str | None = None, line: str = "x") -> str:
    """SQL joining each line (alias ``line``) to the match that names the body it pays, as ``m``
    (none: NULLs): ``m.receiver_id`` is what the line's ``receiver_id`` should be. ``matches``
    names a relation of ``counting_matches_sql`` (by default that query itself). The
    reconciliation checks the lines against the same rule (``counted_lines``)."""
    source = matches or f"({counting_matches_sql()})"
    return (
        f"LEFT JOIN {source} m ON m.payer_id = {line}.organisation_id "
        f"AND m.supplier_name = {line}.supplier_name"
    )


def _update(scope: str, params: list) -> set[int]:
    """Set the receiver of the lines in ``scope`` (SQL on alias ``x``) from the matches; the ids
    of the returns whose lines changed."""
    line = SpendLine._meta.db_table
    update = f"""
        UPDATE {line} SET receiver_id = n.receiver_id
        FROM (SELECT x.id, m.receiver_id FROM {line} x {matched_receiver_join()}
              WHERE {scope}) n
        WHERE {line}.id = n.id AND {line}.receiver_id IS DISTINCT FROM n.receiver_id"""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the returns, not a row per changed line
            cursor.execute(
                f"WITH changed AS ({update} RETURNING {line}.spend_return_id) "
                "SELECT DISTINCT spend_return_id FROM changed",
                params,
            )
        else:
            cursor.execute(f"{update} RETURNING {line}.spend_return_id", params)
        return {spend_return_id for (spend_return_id,) in cursor.fetchall()}


def line_receivers_set(
    *,
    payer_id: int,
    supplier_names: Iterable[str] = (),
    spend_return_ids: Iterable[int] = (),
) -> list[int]:
    """Set the receiver of the payer's lines that pay any of ``supplier_names`` or belong to any
    of ``spend_return_ids``; returns the approved returns whose lines changed (their rollups
    need a refresh)."""
    names, returns = sorted(set(supplier_names)), sorted(set(spend_return_ids))
    changed: set[int] = set()
    if returns:
        marks = ", ".join(["%s"] * len(returns))
        changed |= _update(
            f"x.organisation_id = %s AND x.spend_return_id IN ({marks})", [payer_id, *returns]
        )
    for start in range(0, len(names), CHUNK):
        chunk = names[start : start + CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        changed |= _update(
            f"x.organisation_id = %s AND x.supplier_name IN ({marks})", [payer_id, *chunk]
        )
    if not changed:
        return []
    return sorted(
        SpendReturn.objects.filter(pk__in=changed, status=SpendReturnStatus.APPROVED).values_list(
            "pk", flat=True
        )
    )


def line_receivers_of(*, payer_id: int, supplier_names: Iterable[str]) -> dict[str, int]:
    """The receiver each of ``supplier_names`` gives the payer's lines (its match, unless
    rejected); names without one are left out."""
    names, found = sorted(set(supplier_names)), {}
    for start in range(0, len(names), CHUNK):
        found.update(
            SupplierMatch.objects.filter(
                payer_id=payer_id, supplier_name__in=names[start : start + CHUNK]
            )
            .exclude(status=SupplierMatchStatus.REJECTED)
            .values_list("supplier_name", "receiver_id")
        )
    return found


def line_receivers_fill() -> int:
    """Set every line's receiver (a bulk load that wrote lines or matches around the services);
    returns the number of returns whose lines changed."""
    return len(_update("TRUE", []))
