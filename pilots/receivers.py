"""What pilots does when the ledger says some of its totals changed: it only queues the work."""

from django.db import transaction

from ledger.signals import rollups_refreshed
from pilots.tasks import baselines_refresh, baselines_refresh_for_returns
from totalplace.celery import send_or_log


def _baselines_follow(sender, *, spend_return_ids: list[int] | None, **kwargs) -> None:
    if spend_return_ids is None:  # every rollup was rebuilt: any baseline may have moved
        task, args = baselines_refresh, ()
    else:
        task, args = baselines_refresh_for_returns, (list(spend_return_ids),)
    # After commit, so the job reads the refreshed rollups. If the broker is down the next
    # night's rebuild catches these baselines up; robust: should the job run inline (eager) and
    # fail, the error is logged, never raised to whoever approved the return.
    transaction.on_commit(lambda: send_or_log(task, *args), robust=True)


def connect() -> None:
    rollups_refreshed.connect(_baselines_follow, dispatch_uid="pilots-baselines-follow-rollups")
