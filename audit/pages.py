"""History pages for spend returns: the whole trail, and the lines one change touched."""

import uuid

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from ledger import return_selectors
from ledger.models import Role, SpendReturn

from . import history
from .context import uses_triggers

ENTRIES_PER_PAGE = 20
LINES_PER_PAGE = 50


def _visible_return(request, pk: int) -> SpendReturn:
    try:
        return return_selectors.spend_return_get(user=request.user, pk=pk)
    except SpendReturn.DoesNotExist as exc:
        raise Http404("No such spend return") from exc


def shows_how(user, spend_return: SpendReturn) -> bool:
    """Paths, tasks and tokens behind each change: for the organisation's people and staff."""
    return bool(user.is_authenticated and user.is_staff) or any(
        return_selectors.has_role(user, spend_return.organisation_id, role)
        for role in (Role.FINANCE_OFFICER, Role.APPROVER)
    )


def spend_return_history(request, pk: int):
    """Who did what to a spend return and its lines, newest first."""
    spend_return = _visible_return(request, pk)
    entries = spend_return_history_entries(spend_return)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/return_history.html",
        {
            "spend_return": spend_return,
            "page": page,
            "entries": page.object_list,
            "show_via": shows_how(request.user, spend_return),
            "uses_triggers": uses_triggers(),
        },
    )


def spend_return_history_entries(spend_return: SpendReturn):
    return history.spend_return_history(spend_return_id=spend_return.pk)


def spend_return_line_changes(request, pk: int):
    """The lines one request, task or command added, changed or deleted, from → to."""
    spend_return = _visible_return(request, pk)
    try:
        context_id = uuid.UUID(request.GET.get("context", ""))
    except ValueError as exc:
        raise Http404("No such change") from exc
    label = request.GET.get("label", "")
    if label not in ("", "insert", "update", "delete"):
        label = ""
    events = history.line_changes(
        spend_return_id=spend_return.pk, context_id=context_id, label=label
    )
    page = Paginator(events, LINES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/line_changes.html",
        {
            "spend_return": spend_return,
            "page": page,
            "records": history.line_changes_render(list(page.object_list)),
            "label": label,
        },
    )
