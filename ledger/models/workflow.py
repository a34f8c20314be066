"""Workflow events: the steps of a spend return's sign-off and of an import, said in words.

Written by the services that take the step (``ledger.services.workflow``), in the same
transaction, on every database (SQLite too, where there are no triggers); the audit trail reads
them into a return's history. Rows are never changed or deleted (a trigger refuses it on
PostgreSQL); they outlive the return or import they describe, so no foreign key is enforced.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone


class WorkflowAction(models.TextChoices):
    CREATED = "created", "Created"
    SUBMITTED = "submitted", "Submitted for sign-off"
    APPROVED = "approved", "Approved"
    SENT_BACK = "sent_back", "Sent back for changes"
    SUPERSEDED = "superseded", "Superseded"
    DISCARDED = "discarded", "Discarded"
    IMPORT_UPLOADED = "import_uploaded", "File uploaded"
    IMPORT_PREVIEWED = "import_previewed", "File previewed"
    IMPORT_CONFIRMED = "import_confirmed", "Import confirmed"
    IMPORT_REFUSED = "import_refused", "Import refused"
    IMPORT_CANCELLED = "import_cancelled", "Import cancelled"
    IMPORT_CORRECTED = "import_corrected", "Cells corrected"
    THEMES_APPLIED = "themes_applied", "Theme rules applied"
    ACCRUALS_BASIS = "accruals_basis", "Basis of the dates changed"
    CONTROL_TOTAL = "control_total", "Control total declared"
    DATASET_UPLOADED = "dataset_uploaded", "Dataset file uploaded"
    DATASET_PREVIEWED = "dataset_previewed", "Dataset file previewed"
    DATASET_CHOICES = "dataset_choices", "Dataset choices made"
    DATASET_LOADED = "dataset_loaded", "Dataset lines loaded"
    DATASET_APPROVED = "dataset_approved", "Dataset edition approved"
    DATASET_SENT_BACK = "dataset_sent_back", "Dataset edition sent back"
    DATASET_SUPERSEDED = "dataset_superseded", "Dataset edition superseded"
    DATASET_CANCELLED = "dataset_cancelled", "Dataset edition cancelled"


def _loose_fk(to: str, **kwargs) -> models.ForeignKey:
    return models.ForeignKey(
        to, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, **kwargs
    )


class WorkflowEvent(models.Model):
    """One step in a spend return's or an import's life: who took it, when, and why."""

    created_at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=24, choices=WorkflowAction.choices)
    spend_return = _loose_fk("ledger.SpendReturn", related_name="workflow_events")
    import_job = _loose_fk("ledger.ImportJob", related_name="workflow_events")
    dataset_edition = _loose_fk("ledger.DatasetEdition", related_name="workflow_events")
    organisation = _loose_fk("ledger.Organisation", related_name="+")
    actor = _loose_fk(settings.AUTH_USER_MODEL, related_name="+")
    # The actor's username then: the trail stays readable if the account is renamed or removed.
    actor_name = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True)
    # What the step concerned: version, status before, lines and total, the file...
    detail = models.JSONField(default=dict, blank=True)
    # The audit context (totalplace.audit_context) it was taken in: the same id as the
    # trigger-written changes of the same request or task, and its metadata (path, method, task,
    # command).
    context_id = models.UUIDField(null=True, blank=True)
    context = models.JSONField(default=dict, blank=True)

    class Meta:
        # Kept from when the audit app held it: no table was renamed or copied.
        db_table = "audit_workflowevent"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["spend_return", "-created_at"], name="audit_wf_return"),
            models.Index(fields=["import_job"], name="audit_wf_import"),
            models.Index(fields=["dataset_edition", "-created_at"], name="audit_wf_dataset"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        who = self.actor_name or "the system"
        return f"{self.get_action_display()} by {who} at {self.created_at:%Y-%m-%d %H:%M}"
