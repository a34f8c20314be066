"""Queueing a job's Celery task, surviving a broker outage without losing the job.

Import jobs and dataset editions both work this way: the job is saved before its task is sent.
If the broker cannot be reached the job keeps its status, is marked delayed with a message the
user sees, and is queued again later: by the next poll of its status, or by a beat task every
minute. Their tasks are idempotent, so a job queued twice still runs exactly once.
"""

import datetime as dt
from collections.abc import Callable

from django.db import models
from django.db.models import Q
from django.utils import timezone

DELAYED_MESSAGE = (
    "Processing is delayed: the job queue cannot be reached just now. The file is saved and "
    "will be processed automatically as soon as the queue is back; there is no need to "
    "upload it again."
)
RETRY_AFTER = dt.timedelta(seconds=10)


def job_dispatch(
    *, model: type[models.Model], pk, waiting: tuple[str, ...], send: Callable
) -> bool:
    """Send the job's task (``send(job)`` returns the AsyncResult, or None if the broker is
    down). Returns False, and marks the job delayed, when it could not be sent."""
    job = model.objects.filter(pk=pk).first()
    if job is None or job.status not in waiting:
        return True
    result = send(job)
    if result is None:
        model.objects.filter(pk=pk, status__in=waiting).update(
            delayed_at=timezone.now(), message=DELAYED_MESSAGE
        )
        return False
    # The worker may already be running it: touch only these columns.
    model.objects.filter(pk=pk, message=DELAYED_MESSAGE).update(message="")
    model.objects.filter(pk=pk).update(delayed_at=None, task_id=result.id or "")
    return True


def job_retry_if_delayed(
    *, job: models.Model, waiting: tuple[str, ...], dispatch: Callable, force: bool = False
) -> bool:
    """Queue a delayed job again, at most once per ``RETRY_AFTER`` whoever asks.

    Claiming the retry (moving ``delayed_at`` on) is one conditional UPDATE, so two polls at
    the same moment send the task once.
    """
    if job.delayed_at is None or job.status not in waiting:
        return False
    now = timezone.now()
    if not force and now - job.delayed_at < RETRY_AFTER:
        return False
    claimed = type(job).objects.filter(pk=job.pk, delayed_at=job.delayed_at).update(delayed_at=now)
    return bool(claimed) and dispatch(job.pk)


def jobs_requeue(*, model: type[models.Model], waiting: tuple[str, ...], dispatch: Callable) -> int:
    """Every delayed job, queued again (a beat task, every minute); returns how many went."""
    sent = 0
    cutoff = timezone.now() - RETRY_AFTER
    for job in model.objects.filter(Q(delayed_at__lte=cutoff), status__in=waiting):
        sent += job_retry_if_delayed(job=job, waiting=waiting, dispatch=dispatch)
    return sent
