"""Helpers for the audit-trail tests."""

from audit.models.events import EVENT_MODELS


def events_of(obj, label: str | None = None):
    """The trigger-written history rows of ``obj``, oldest first, with their context."""
    events = EVENT_MODELS[type(obj)].objects.filter(pgh_obj_id=obj.pk).select_related("pgh_context")
    if label:
        events = events.filter(pgh_label=label)
    return list(events.order_by("pgh_id"))


def context_of(event) -> dict:
    return event.pgh_context.metadata if event.pgh_context_id else {}
