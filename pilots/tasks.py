"""Celery tasks for pilots: thin, idempotent."""

from celery import shared_task

from pilots.models import Initiative
from pilots.services.initiatives import initiative_baseline_refresh


@shared_task(name="pilots.baselines_refresh")
def baselines_refresh() -> int:
    """Re-read every initiative's baseline from the ledger (returns approved since change it).

    Runs nightly from beat; the recompute after any change to an initiative refreshes its own.
    """
    count = 0
    for initiative in Initiative.objects.select_related("pilot", "baseline_year").iterator():
        initiative_baseline_refresh(initiative=initiative)
        count += 1
    return count
