"""One row per statement per spend return that added, changed or deleted its lines.

A million-line import writes a million line events; the return's history page must not add
them up on every visit. Statement-level triggers on ``SpendLine`` (beside pghistory's) group
each statement's transition table by return, so "alice added 200,000 lines (£65.4m)" is one
row, written in the same statement as the lines themselves.
"""

import pgtrigger
from django.db import models

from ledger.models import MoneyField, SpendLine

from .events import SPEND_LINE_FIELDS


class LineChangeSummary(models.Model):
    """How many lines one statement added to, changed in or deleted from one spend return.

    ``amount`` is the total added or deleted, or for changes the net change in the total.
    """

    LABELS = {"insert": "added", "update": "changed", "delete": "deleted"}

    created_at = models.DateTimeField()
    label = models.CharField(max_length=10)
    spend_return = models.ForeignKey(
        "ledger.SpendReturn",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="line_change_summaries",
    )
    lines = models.PositiveIntegerField()
    amount = MoneyField(db_column="amount_pence")
    context = models.ForeignKey(
        "pghistory.Context",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["spend_return", "-id"], name="audit_linesum_return")]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.LABELS.get(self.label, self.label)} {self.lines} lines"

    @property
    def verb(self) -> str:
        return self.LABELS.get(self.label, self.label)


def _columns(names: list[str]) -> list[str]:
    return [SpendLine._meta.get_field(name).column for name in names]


_TABLE = "audit_linechangesummary"
_INSERT = (
    f"INSERT INTO {_TABLE} (created_at, label, spend_return_id, lines, amount_pence, context_id) "
)
_CHANGED = " OR ".join(
    f'o."{column}" IS DISTINCT FROM n."{column}"' for column in _columns(SPEND_LINE_FIELDS)
)

for _trigger in (
    pgtrigger.Trigger(
        name="line_summary_insert",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Insert,
        referencing=pgtrigger.Referencing(new="new_values"),
        func=_INSERT  # noqa: S608 - our own table and column names, no values
        + "SELECT NOW(), 'insert', spend_return_id, COUNT(*), SUM(amount_pence), "
        "_pgh_attach_context() FROM new_values GROUP BY spend_return_id; RETURN NULL;",
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
