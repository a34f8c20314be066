"""Sections that other apps add to pilots' pages, so that pilots never imports them.

Savings depends on pilots (its costs, benefits and results belong to initiatives); if a pilots
page imported savings to show them, each app would import the other. Instead a page asks for
``sections(page, ...)`` and the apps built on pilots register, when they load, a function
returning the extra template context for that page (``savings.pages.sections``).

Each is given what the user may read of pilots (``visible``: pilots' rules, as querysets) so that
it filters by them and never calls back into pilots while pilots' page is calling it.
"""

from collections import defaultdict
from collections.abc import Callable

from pilots.selectors.access import visible_to

PAGES = ("initiative", "pilot", "programme", "place")
_providers: dict[str, list[Callable[..., dict]]] = defaultdict(list)


def provides(page: str) -> Callable:
    """Register the decorated function as adding context to ``page`` (once, however often
    the module registering it is imported)."""
    if page not in PAGES:
        raise ValueError(f"no pilots page “{page}”; use one of {', '.join(PAGES)}")

    def register(fn: Callable[..., dict]) -> Callable[..., dict]:
        if fn not in _providers[page]:
            _providers[page].append(fn)
        return fn

    return register


def sections(page: str, *, request, subject) -> dict:
    """The context every registered app adds to ``page`` (given the request, the subject and
    what the user may read: ``pilots.selectors.access.Visible``)."""
    visible = visible_to(user=request.user)
    context: dict = {}
    for provider in _providers[page]:
        context.update(provider(request=request, subject=subject, visible=visible))
    return context
