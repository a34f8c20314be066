"""Celery tasks for national datasets. Thin: they take ids and call the dataset services.

Idempotent (a redelivered task finds its edition previewed or loaded and stops), which matters
because tasks are acknowledged late: a worker lost mid-load gets its edition redelivered.
"""

from celery import shared_task
from django.contrib.auth import get_user_model

from ledger.services.datasets.load import dataset_edition_load
from ledger.services.datasets.preview import dataset_edition_preview
from ledger.services.datasets.queueing import dataset_editions_requeue
from totalplace.audit_context import audit_context_update, user_metadata


@shared_task(name="ledger.dataset_edition_preview")
def dataset_edition_preview_task(edition_id: int) -> str:
    """Read an uploaded edition and record what it holds; returns its status."""
    return dataset_edition_preview(edition_id=edition_id).status


@shared_task(name="ledger.dataset_edition_load")
def dataset_edition_load_task(edition_id: int, actor_id: int | None) -> str:
    """Write a previewed edition's lines, all or none; returns its status."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    if actor is not None:
        # Loaded on behalf of whoever asked: the audit trail names them.
        audit_context_update(**user_metadata(actor))
    return dataset_edition_load(edition_id=edition_id).status


@shared_task(name="ledger.dataset_editions_requeue")
def dataset_editions_requeue_task() -> int:
    """Every minute: queue again the editions whose task could not be sent (broker down)."""
    return dataset_editions_requeue()
