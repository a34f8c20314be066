"""History pages for spend returns: the whole trail, and the lines one change touched.

Who reads what is the selectors' (``audit.selectors``): the organisation's people and staff
read the whole trail; everyone else who may see the return reads its status changes.
"""

import uuid

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from ledger.models import ImportJob, ImportJobStatus, SpendReturn
from ledger.pages.keyset import keyset_page, old_page_redirect
from ledger.selectors.access import sees_trail
from ledger.selectors.returns import spend_return_get
from totalplace.audit_context import uses_triggers
from totalplace.permissions import permission_required

from . import history
from .selectors import spend_return_history_for

ENTRIES_PER_PAGE = 20
LINES_PER_PAGE = 50
ONLY_ITS_PEOPLE = "A return's line history is for its organisation's people and staff."


def _visible_return(request, pk: int, **_) -> SpendReturn:
    try:
        return spend_return_get(user=request.user, pk=pk)
    except SpendReturn.DoesNotExist as exc:
        raise Http404("No such spend return") from exc


def spend_return_history(request, pk: int):
    """Who did what to a spend return and its lines, newest first."""
    spend_return = _visible_return(request, pk)
    trail = sees_trail(user=request.user, spend_return=spend_return)
    entries = spend_return_history_for(user=request.user, spend_return=spend_return)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/return_history.html",
        {
            "spend_return": spend_return,
            "page": page,
            "entries": page.object_list,
            "trail": trail,
            "show_via": trail,
            "uses_triggers": uses_triggers(),
        },
    )


@permission_required("ledger.view_spend_return_trail", fn=_visible_return, message=ONLY_ITS_PEOPLE)
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


@permission_required("ledger.view_spend_return_trail", fn=_visible_return, message=ONLY_ITS_PEOPLE)
def spend_return_import_lines(request, pk: int, job_pk: int):
    """One confirmed import as its history records it (one record for all its lines: the file,
    its hash, who, how many, the total), and the lines it added as they are now; a line changed
    or deleted since has its own entries in the history."""
    spend_return = _visible_return(request, pk)
    job = ImportJob.objects.filter(
        pk=job_pk,
        spend_return=spend_return,
        status__in=(ImportJobStatus.CONFIRMED, ImportJobStatus.REPLACED),
    ).first()
    if job is None:
        raise Http404("No such import")
    if (bookmark := old_page_redirect(request)) is not None:
        return bookmark
    lines = spend_return.lines.filter(import_job_id=job.pk).select_related("place", "theme")
    page = keyset_page(lines, request=request, per_page=LINES_PER_PAGE)
    return render(
        request,
        "audit/import_lines.html",
        {
            "spend_return": spend_return,
            "job": job,
            "record": history.import_record(spend_return_id=spend_return.pk, import_job_id=job.pk),
            "page": page,
            "lines": page.object_list,
            "per_page": LINES_PER_PAGE,
        },
    )
