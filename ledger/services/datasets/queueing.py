"""Queueing a dataset edition's task: its preview when queued, its load when loading
(``ledger.services.job_queue``: a broker outage delays it, never loses it)."""

from ledger.models import DatasetEdition, DatasetEditionStatus
from ledger.services.job_queue import job_dispatch, job_retry_if_delayed, jobs_requeue
from totalplace.celery import send_or_log

WAITING = (DatasetEditionStatus.QUEUED, DatasetEditionStatus.LOADING)


def _send(edition: DatasetEdition):
    from ledger.dataset_tasks import dataset_edition_load_task, dataset_edition_preview_task

    if edition.status == DatasetEditionStatus.QUEUED:
        return send_or_log(dataset_edition_preview_task, edition.pk)
    return send_or_log(dataset_edition_load_task, edition.pk, edition.loaded_by_id)


def dataset_edition_dispatch(*, edition_id: int) -> bool:
    """Send the edition's task; False (and the edition marked delayed) if the broker is down."""
    return job_dispatch(model=DatasetEdition, pk=edition_id, waiting=WAITING, send=_send)


def dataset_edition_retry_if_delayed(*, edition: DatasetEdition, force: bool = False) -> bool:
    return job_retry_if_delayed(
        job=edition,
        waiting=WAITING,
        dispatch=lambda pk: dataset_edition_dispatch(edition_id=pk),
        force=force,
    )


def dataset_editions_requeue() -> int:
    """Every delayed edition, queued again (the beat task); returns how many went."""
    return jobs_requeue(
        model=DatasetEdition,
        waiting=WAITING,
        dispatch=lambda pk: dataset_edition_dispatch(edition_id=pk),
    )
