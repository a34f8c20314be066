"""Helpers shared by pilots' pages, and the sections other apps add to those pages.

Sections, so that pilots never imports the apps that add them: savings depends on pilots (its
costs, benefits and results belong to initiatives); if a pilots page imported savings to show
them, each app would import the other. Instead a page asks for ``sections(page, ...)`` and the
apps built on pilots register (``provides``), when they load, a function returning the extra
template context for that page (``savings.pages.sections``). Each is given what the user may
read of pilots (``visible``: pilots' rules, as querysets) and whether they may change the page's
subject (``may_edit``), so that it filters and decides by them and never calls back into pilots
while pilots' page is calling it.
"""

from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404

from pilots.models import EvidenceItem, Initiative, Pilot
from pilots.selectors import pages
from pilots.selectors.access import visible_to


def pilot_of(request, slug: str, **kwargs) -> Pilot:
    """The pilot named in the URL (pilots themselves are public)."""
    return get_object_or_404(Pilot, slug=slug)


def initiative_of(request, public_id, **kwargs) -> Initiative:
    """An initiative the user may see (a draft of someone else's pilot is a 404)."""
    try:
        return pages.initiative_get(public_id=public_id, user=request.user)
    except Initiative.DoesNotExist as exc:
        raise Http404("No such initiative") from exc


def evidence_of(request, public_id, **kwargs) -> EvidenceItem:
    """Evidence the user may see (someone else's unpublished evidence is a 404)."""
    try:
        return pages.evidence_get(public_id=public_id, user=request.user)
    except EvidenceItem.DoesNotExist as exc:
        raise Http404("No such evidence") from exc


def form_fields(form) -> dict:
    """The form's cleaned values for its own fields: what the service is given."""
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


def demo_label() -> str:
    return settings.TOTALPLACE_DEMO_LABEL


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


def sections(page: str, *, request, subject, may_edit: bool) -> dict:
    """The context every registered app adds to ``page``, given the request, the subject, what
    the user may read (``pilots.selectors.access.Visible``) and ``may_edit``: whether the user
    holds ``pilots.edit_pilot`` on the subject (an initiative's or a pilot's page; ``False`` on a
    programme's or a place's, which no one edits through pilots)."""
    visible = visible_to(user=request.user)
    context: dict = {}
    for provider in _providers[page]:
        context.update(
            provider(request=request, subject=subject, visible=visible, may_edit=may_edit)
        )
    return context
