"""Line change summaries: one row per statement per spend return that added, changed or deleted
its lines, so a return's history says "alice added 200,000 lines (£65.4m)" in one row.

Written only by the statement-level triggers on ``SpendLine`` that the audit trail declares
(``audit.models.lines``, which says how), in the same statement as the lines themselves, and
never changed or deleted. The ledger keeps the table (its table name is still the audit
trail's) because it reads it too: who changed a version's lines prepared it, and separation of
duties keeps them from approving it (``ledger.selectors.preparers``).
"""

import pgtrigger
from django.conf import settings
from django.db import models

from .fields import MoneyField


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
    # Lines added by confirming an import: the job, its file's hash and who confirmed it.
    import_job = models.ForeignKey(
        "ledger.ImportJob",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    sha256 = models.CharField(max_length=64, blank=True, db_default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        db_table = "audit_linechangesummary"
        ordering = ["-id"]
        indexes = [models.Index(fields=["spend_return", "-id"], name="audit_linesum_return")]
        constraints = [
            models.UniqueConstraint(
                fields=["import_job"],
                condition=models.Q(import_job__isnull=False),
                name="audit_linesum_one_per_import",
            )
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.LABELS.get(self.label, self.label)} {self.lines} lines"

    @property
    def verb(self) -> str:
        if self.import_job_id:
            return "imported"
        return self.LABELS.get(self.label, self.label)
