"""Celery tasks for pilots: thin, idempotent."""

from celery import shared_task

from pilots.models import Initiative
from pilots.services.initiatives import (
    initiative_baseline_refresh,
    initiative_baselines_refresh,
    initiative_baselines_refresh_for_pilot,
    initiative_baselines_refresh_for_returns,
)


@shared_task(name="pilots.baselines_refresh")
def baselines_refresh() -> int:
    """Re-read every initiative's baseline from the ledger (returns approved since change it).

    Queued when the nightly rollup rebuild is done (``rollups_refreshed`` for every return): the
    catch-all for refreshes that were never queued (the broker was down). Approvals refresh the
    baselines they touch at once (``baselines_refresh_for_returns``) and the recompute after any
    change to an initiative refreshes its own. Idempotent: a re-run stores the same figures.
    """
    count = 0
    for initiative in Initiative.objects.select_related("pilot", "baseline_year").iterator():
        initiative_baseline_refresh(initiative=initiative)
        count += 1
    return count


@shared_task(name="pilots.baseline_refresh")
def baseline_refresh(initiative_id: int) -> int:
    """Refresh one initiative's baseline after a lead changed it (its theme or year)."""
    return initiative_baselines_refresh(initiative_ids=[initiative_id])


@shared_task(name="pilots.baselines_refresh_for_returns")
def baselines_refresh_for_returns(spend_return_ids: list[int]) -> int:
    """Refresh the baselines the given returns' lines can change (after their rollups)."""
    return initiative_baselines_refresh_for_returns(spend_return_ids=spend_return_ids)


@shared_task(name="pilots.baselines_refresh_for_pilot")
def baselines_refresh_for_pilot(pilot_id: int) -> int:
    """Refresh a pilot's baselines after its footprint changed (in the admin)."""
    return initiative_baselines_refresh_for_pilot(pilot_id=pilot_id)
