"""The Celery app. ``celery -A totalplace worker`` and ``celery -A totalplace beat`` start it."""

import logging
import os
import threading

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "totalplace.settings.base")

app = Celery("totalplace", task_cls="totalplace.celery:Task")
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


class _Ticket:
    sent = False


_open_tickets = threading.local()


class Task(DjangoTask):
    """Every task of the project: Celery's Django task, whose ``delay_on_commit`` queues a job
    once the transaction commits, made to queue it once per transaction and to tolerate a
    broker outage."""

    def delay_on_commit(self, *args) -> None:
        """Queue ``self(*args)`` after commit: once, however many changes in the transaction ask
        (ten cost lines saved together need one recompute, not ten).

        Every call registers its own callback, as Celery's does, so a rolled-back savepoint
        takes only its own with it; the callbacks for one task and arguments share a ticket,
        and the first to run sends the job while the others find it sent. Only public API
        (``transaction.on_commit``), never Django's list of pending hooks.

        What is queued this way is healed by something else if it is lost (beat's catch-up,
        the nightly rebuild), so a dead broker is logged (``send_or_log``), never raised to
        whoever saved the change; ``robust``: a job run inline (eager) that fails is logged.
        """
        tickets = getattr(_open_tickets, "by_key", None)
        if tickets is None:
            tickets = _open_tickets.by_key = {}
        key = (self.name, repr(args))
        ticket = tickets.get(key)
        if ticket is None or ticket.sent:
            ticket = tickets[key] = _Ticket()

        def send() -> None:
            if ticket.sent:
                return
            ticket.sent = True
            if tickets.get(key) is ticket:
                del tickets[key]
            send_or_log(self, *args)

        transaction.on_commit(send, robust=True)
