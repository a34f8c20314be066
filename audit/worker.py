"""Celery tasks act in an audit context: the task, and the user who queued it.

When a task is queued from inside a context (a request, a command, another task), that
context's user, path and command travel with the message as a header. The worker opens a
context for the task with them, so an import confirmed on a worker names the user who clicked
"Confirm", not nobody. Tasks from beat have no user: their context names the task alone.
"""

import threading

from celery import signals

from totalplace.audit_context import INHERITED_KEYS, audit_context, current

HEADER = "totalplace_audit"
# Open task contexts by task id, with the thread that runs each (thread pools run several).
_open: dict[str, tuple[int, audit_context]] = {}


def _on_publish(headers=None, **kwargs) -> None:
    ctx = current()
    if ctx is None or headers is None:
        return
    headers[HEADER] = {key: ctx.metadata[key] for key in INHERITED_KEYS if key in ctx.metadata}


def _close_stale() -> None:
    """A task whose end was never signalled must not lend its user to the next one."""
    me = threading.get_ident()
    for task_id, (thread, ctx) in list(_open.items()):
        if thread == me:
            ctx.__exit__(None, None, None)
            del _open[task_id]


def _on_prerun(task_id=None, task=None, **kwargs) -> None:
    if not task.request.is_eager:  # an eager task runs inside its caller's context
        _close_stale()
    inherited = getattr(task.request, HEADER, None) or {}
    origin = {f"queued_from_{key}" if key in ("url", "method") else key: value
              for key, value in inherited.items()}  # fmt: skip
    ctx = audit_context(task=task.name, task_id=task_id, **origin)
    ctx.__enter__()
    _open[task_id] = (threading.get_ident(), ctx)


def _on_postrun(task_id=None, **kwargs) -> None:
    opened = _open.pop(task_id, None)
    if opened is not None:
        opened[1].__exit__(None, None, None)


def connect_signals() -> None:
    signals.before_task_publish.connect(_on_publish, weak=False, dispatch_uid="audit-publish")
    signals.task_prerun.connect(_on_prerun, weak=False, dispatch_uid="audit-prerun")
    signals.task_postrun.connect(_on_postrun, weak=False, dispatch_uid="audit-postrun")
