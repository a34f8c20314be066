"""The triggers that write the line change summaries (``ledger.models.line_changes``): one
row per statement per spend return that added, changed or deleted its lines.

A million-line import would write a million line events; the return's history page must not
add them up on every visit. Statement-level triggers on ``SpendLine`` (beside pghistory's) group
each statement's transition table by return, so "alice added 200,000 lines (£65.4m)" is one
row, written in the same statement as the lines themselves.

Lines added by a confirmed import are recorded here alone, one row per import job (the job,
its file's sha256, who confirmed it, how many lines and their total): the job and its kept file
describe each line (with its ``source_row``), so pghistory's per-line insert rows are written
only for lines without a job (the line grid). The trigger refuses lines that claim a job unless
they are exactly that job's previewed lines going into its own return while it is being
confirmed, and a unique index allows one such row per job: no other code can pass lines off as
an import to skip their history. Every update and delete of any line keeps its per-line rows.
"""

import pgtrigger

from ledger.models import LineChangeSummary, SpendLine

from .events import CONFIRMING_JOBS, SPEND_LINE_FIELDS


def _columns(names: list[str]) -> list[str]:
    return [SpendLine._meta.get_field(name).column for name in names]


_TABLE = LineChangeSummary._meta.db_table
_INSERT = (
    f"INSERT INTO {_TABLE} (created_at, label, spend_return_id, lines, amount_pence, context_id) "
)
_CHANGED = " OR ".join(
    f'o."{column}" IS DISTINCT FROM n."{column}"' for column in _columns(SPEND_LINE_FIELDS)
)

# One pass over the statement's lines, grouped by return and job being confirmed (if any). A
# group with such a job is that job's import record: refused unless it goes into the job's own
# return and is exactly its previewed lines (count and total); the unique index refuses a
# second record for the job. Other lines: one summary per return, as before.
# Our own table and column names, no values (S608).
_IMPORT_CHECKED_INSERT = (
    "FOR added IN SELECT n.spend_return_id, j.id AS import_job_id, j.sha256, "  # noqa: S608
    "j.confirmed_by_id, COUNT(*) AS lines, SUM(n.amount_pence) AS amount FROM new_values n "
    f"LEFT JOIN ({CONFIRMING_JOBS}) AS confirming ON confirming.id = n.import_job_id "
    "LEFT JOIN ledger_importjob j ON j.id = confirming.id "
    "GROUP BY n.spend_return_id, j.id LOOP "
    "IF added.import_job_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_importjob j "
    "WHERE j.id = added.import_job_id AND j.spend_return_id = added.spend_return_id "
    "AND j.staged_count = added.lines AND j.line_total = added.amount) THEN "
    "RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE = format("
    "'Lines of import job %s can only be added by confirming it (all its previewed lines at "
    "once, into its own return)', added.import_job_id); END IF; "
    + _INSERT.replace(") ", ", import_job_id, sha256, actor_id) ", 1)
    + "VALUES (NOW(), 'insert', added.spend_return_id, added.lines, added.amount, "
    "_pgh_attach_context(), added.import_job_id, COALESCE(added.sha256, ''), "
    "added.confirmed_by_id); END LOOP; RETURN NULL;"
)

for _trigger in (
    pgtrigger.Trigger(
        name="line_summary_insert",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Insert,
        referencing=pgtrigger.Referencing(new="new_values"),
        declare=[("added", "record")],
        func=_IMPORT_CHECKED_INSERT,
    ),
    pgtrigger.Trigger(
        name="line_summary_update",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Update,
        referencing=pgtrigger.Referencing(old="old_values", new="new_values"),
        func=_INSERT + "SELECT NOW(), 'update', n.spend_return_id, COUNT(*), "  # noqa: S608
        "SUM(n.amount_pence - o.amount_pence), _pgh_attach_context() "
        f"FROM old_values o JOIN new_values n ON o.id = n.id WHERE {_CHANGED} "
        "GROUP BY n.spend_return_id; RETURN NULL;",
    ),
    pgtrigger.Trigger(
        name="line_summary_delete",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Delete,
        referencing=pgtrigger.Referencing(old="old_values"),
        func=_INSERT  # noqa: S608
        + "SELECT NOW(), 'delete', spend_return_id, COUNT(*), SUM(amount_pence), "
        "_pgh_attach_context() FROM old_values GROUP BY spend_return_id; RETURN NULL;",
    ),
):
    pgtrigger.register(_trigger)(SpendLine)
