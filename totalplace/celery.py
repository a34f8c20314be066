"""The Celery app. ``celery -A totalplace worker`` and ``celery -A totalplace beat`` start it."""

import logging
import os

from celery import Celery
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "totalplace.settings.base")

app = Celery("totalplace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="totalplace.ping")
def ping() -> str:
    """Round-trip check used by the health page and the worker test."""
    return "pong"


logger = logging.getLogger(__name__)
# What publishing raises when the broker is down (refused, unreachable, reset).
BROKER_ERRORS = (OperationalError, OSError)
# A web request should not hang on a dead broker: two quick retries, then give up.
QUICK_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def send_or_log(task, *args):
    """Queue ``task(*args)``; if the broker cannot be reached, log it and return None.

    For side effects that something else heals (the nightly rollup rebuild, a job that is
    re-queued later), so that an approval or an upload never fails because Redis is down.
    """
    try:
        # ignore_result: the job records its own state, and subscribing for a result would wait
        # on the (Redis) result backend for twenty retries before failing.
        return task.apply_async(args, retry_policy=QUICK_RETRY, ignore_result=True)
    except BROKER_ERRORS as exc:
        logger.warning("broker unreachable, %s%r not queued: %s", task.name, args, exc)
        return None
