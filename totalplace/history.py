"""The audit trail's readers, for the apps whose records it keeps.

The audit app builds on ledger, pilots and savings: its history tables name their models, and
its readers and pages know their fields. So those apps never import it; where one of their
pages (or the admin) shows a record's history, it asks here by name, and the audit app
registers its readers when it loads (``audit.apps``), as savings adds its sections to pilots'
pages (``pilots.sections``).
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

# What each reader is given and returns (a list of ``audit.history.Entry``, newest first).
READERS = {
    "record": "obj: any tracked record (the admin's history page)",
    "spend_return": "user, spend_return: the history of a return that the user may read",
}
_readers: dict[str, Callable[..., list]] = {}


def provides(name: str) -> Callable:
    """Register the decorated function as the reader ``name``."""
    if name not in READERS:
        raise ValueError(f"no history reader “{name}”; use one of {', '.join(READERS)}")

    def register(fn: Callable[..., list]) -> Callable[..., list]:
        _readers[name] = fn
        return fn

    return register


def history_read(name: str, **kwargs) -> list:
    """The history the reader ``name`` reads for ``kwargs`` (see ``READERS``)."""
    try:
        reader = _readers[name]
    except KeyError:
        # Never an empty history instead: a page would say nothing happened.
        raise ImproperlyConfigured(f"No history reader “{name}”: is audit installed?") from None
    return reader(**kwargs)
