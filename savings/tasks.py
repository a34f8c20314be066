"""Celery tasks: thin, take ids, idempotent (each recomputes from committed data and upserts)."""

from celery import shared_task

from savings.services import recompute


@shared_task(name="savings.initiative_recompute")
def initiative_recompute(initiative_id: int) -> str:
    """Appraise an initiative and refresh where its savings land, then its pilot's totals."""
    appraisal = recompute.initiative_recompute(initiative_id=initiative_id)
    return "gone" if appraisal is None else "ok"


@shared_task(name="savings.pilot_scopes_recompute")
def pilot_scopes_recompute(pilot_id: int) -> str:
    """Refresh a pilot's, its places' and its programme's where-savings-land totals."""
    recompute.scopes_recompute(pilot_id=pilot_id)
    return "ok"


@shared_task(name="savings.recompute_all")
def recompute_all() -> int:
    """Recompute every initiative (after the discount schedule or many unit costs change)."""
    return recompute.recompute_all()


@shared_task(name="savings.appraisals_catch_up")
def appraisals_catch_up() -> int:
    """Beat: recompute appraisals whose queued recompute never ran (the queue was down)."""
    return recompute.appraisals_catch_up()
