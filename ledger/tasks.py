"""Celery tasks for the ledger. Thin: they take ids or nothing, and call services."""

from celery import shared_task

from ledger.services.demo import demo_load_cumbria
from ledger.services.reference import reference_load_all


@shared_task(name="ledger.reference_load")
def reference_load() -> dict[str, int]:
    """Refresh reference data from fixtures/ (idempotent); returns rows created per loader."""
    return {name: result.created for name, result in reference_load_all().items()}


@shared_task(name="ledger.demo_load")
def demo_load() -> dict[str, int]:
    """Load the illustrative Cumbria data set (idempotent)."""
    reference_load_all()
    return demo_load_cumbria()


@shared_task(name="ledger.rollups_refresh")
def rollups_refresh(spend_return_ids: list[int]) -> dict[str, int]:
    """Refresh the rollups of the organisation-years these returns touch, then reconcile them.

    Queued after an approval commits (the approved and the superseded version). Idempotent.
    Then tells subscribers (``rollups_refreshed``) so what they read from the rollups follows.
    """
    from ledger.services.reconciliation import reconciliation_run
    from ledger.services.rollups import rollup_keys_for_returns, rollup_refresh
    from ledger.signals import rollups_refreshed

    keys = rollup_keys_for_returns(spend_return_ids=spend_return_ids)
    run = rollup_refresh(keys=keys)
    residuals = reconciliation_run(keys=keys)
    # Robust: the totals are done; a subscriber's failure is logged, not this task's failure.
    rollups_refreshed.send_robust(sender=rollups_refresh, spend_return_ids=spend_return_ids)
    return {
        "scopes": len(keys),
        "inserted": run.rows_inserted if run else 0,
        "updated": run.rows_updated if run else 0,
        "deleted": run.rows_deleted if run else 0,
        "residuals": len(residuals),
    }


@shared_task(name="ledger.rollups_rebuild")
def rollups_rebuild() -> dict[str, int]:
    """Nightly: rebuild every rollup from the approved lines, then reconcile everything.

    Idempotent. Once rebuilt, it tells subscribers (``rollups_refreshed``, with
    ``spend_return_ids=None``: every return) that anything they read from the rollups may have
    changed.
    """
    from ledger.services.reconciliation import reconciliation_run
    from ledger.services.rollups import rollup_rebuild
    from ledger.signals import rollups_refreshed

    run = rollup_rebuild()
    # The rebuild catches up refreshes that were never queued, so which returns' totals moved
    # is not known: subscribers hear "all of them". Robust, as after a refresh, and before the
    # reconciliation, so a reconciliation that fails does not keep them reading the old totals.
    rollups_refreshed.send_robust(sender=rollups_rebuild, spend_return_ids=None)
    residuals = reconciliation_run()
    return {
        "inserted": run.rows_inserted,
        "updated": run.rows_updated,
        "deleted": run.rows_deleted,
        "residuals": len(residuals),
    }


@shared_task(name="ledger.export_fiscal_data_package")
def export_fiscal_data_package(job_id: str) -> str:
    """Build a queued Fiscal Data Package export; returns its status."""
    from ledger.services.fiscal_data_package import export_job_run

    return export_job_run(job_id=job_id).status


@shared_task(name="ledger.export_spend_return_lines")
def export_spend_return_lines(job_id: str) -> str:
    """Write a return's lines to a file for a download too big to stream; returns its status."""
    from ledger.services.line_exports import spend_return_lines_export_run

    return spend_return_lines_export_run(job_id=job_id).status


@shared_task(name="ledger.export_jobs_requeue")
def export_jobs_requeue() -> int:
    """Beat: queue again the exports whose task could not be sent (the broker was down)."""
    from ledger.services.fiscal_data_package import export_jobs_requeue as requeue

    return requeue()


# Import and dataset tasks live in their own modules; importing them here registers them.
from ledger.dataset_tasks import (  # noqa: E402,F401
    dataset_edition_load_task,
    dataset_edition_preview_task,
    dataset_editions_requeue_task,
)
from ledger.import_tasks import import_job_confirm_task, import_job_preview  # noqa: E402,F401


@shared_task(name="ledger.notification_emails_send")
def notification_emails_send(notification_ids: list[int]) -> int:
    """Email these notifications (queued after the step that made them commits). Idempotent:
    each is emailed once."""
    from ledger.services.notifications import notification_emails_send as send

    return send(notification_ids=notification_ids)
