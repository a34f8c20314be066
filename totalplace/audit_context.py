"""The audit context: who is acting, and through what (a request, a Celery task, a command).

On PostgreSQL the context is django-pghistory's: every SQL statement carries it to the triggers,
which attach it to each event row (``pghistory_context``). SQLite has no triggers and cannot run
pghistory's ``set_config`` prefix, so there the context lives only in this process, for the
explicit workflow events. Either way ``current()`` tells the services who is acting.

Contexts nest: an inner ``audit_context`` adds its metadata to the outer one while it lasts (an
eager task inside a request keeps the request's user and adds its task name), and takes it back
when it ends, so what the outer one does next is not named after the task.
"""

import contextlib
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import pghistory
from django.db import connection

_local = threading.local()
_ABSENT = object()

# Metadata keys handed on to Celery tasks queued from a context (see audit.worker).
INHERITED_KEYS = ("user", "username", "url", "method", "command", "api_token")


@dataclass
class AuditContext:
    id: uuid.UUID
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def user_id(self) -> int | None:
        return self.metadata.get("user")


def uses_triggers() -> bool:
    """Whether the trigger-based trail is recorded (PostgreSQL); SQLite has workflow events only."""
    return connection.vendor == "postgresql"


def current() -> AuditContext | None:
    """The context this thread is acting in, if any."""
    return getattr(_local, "value", None)


def user_metadata(user) -> dict[str, Any]:
    """How a user is recorded: primary key and, for readability after renames, the username."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user": None, "username": ""}
    return {"user": user.pk, "username": user.get_username()}


def audit_context_update(**metadata: Any) -> None:
    """Add to the current context, if there is one (e.g. the user once DRF has authenticated)."""
    ctx = current()
    if ctx is not None:
        ctx.metadata.update(metadata)


class audit_context(contextlib.ContextDecorator):
    """Attribute every change made inside to ``metadata`` (user, url, method, task, command...)."""

    def __init__(self, **metadata: Any):
        self.metadata = metadata
        self._pghistory = None
        self._owner = False
        self._outer: dict[str, Any] | None = None  # nested: the outer values it covered

    def __enter__(self) -> AuditContext:
        ctx = current()
        if ctx is not None:
            self._outer = {key: ctx.metadata.get(key, _ABSENT) for key in self.metadata}
            ctx.metadata.update(self.metadata)
            return ctx
        if uses_triggers():
            self._pghistory = pghistory.context(**self.metadata)
            tracked = self._pghistory.__enter__()
            # The same dict: what is added later reaches the triggers with the next statement.
            ctx = AuditContext(id=tracked.id, metadata=tracked.metadata)
        else:
            ctx = AuditContext(id=uuid.uuid4(), metadata=dict(self.metadata))
        _local.value = ctx
        self._owner = True
        return ctx

    def __exit__(self, *exc) -> None:
        if self._outer is not None:
            # The same dict the outer context (and pghistory) holds: edited in place.
            metadata = current().metadata
            for key, value in self._outer.items():
                if value is _ABSENT:
                    metadata.pop(key, None)
                else:
                    metadata[key] = value
            self._outer = None
        if not self._owner:
            return
        del _local.value
        self._owner = False
        if self._pghistory is not None:
            self._pghistory.__exit__(*exc)
            self._pghistory = None
