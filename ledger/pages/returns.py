"""Spend return pages: list, create, detail (versions, lines, unallocated), sign-off actions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ledger.models import Organisation, Role, ServiceTheme, SpendReturn, SpendReturnStatus
from ledger.selectors.access import sees_trail, user_organisations
from ledger.selectors.approval import spend_return_approval_checks
from ledger.selectors.coverage import spend_return_coverage
from ledger.selectors.imports import import_jobs_for_return
from ledger.selectors.return_figures import spend_returns_with_figures
from ledger.selectors.returns import (
    spend_return_against_approved,
    spend_return_get,
    spend_return_lines,
    spend_return_list,
    spend_return_organisations,
    spend_return_summary,
    spend_return_themes,
    spend_return_versions,
    spend_return_years,
    spend_returns_waiting,
)
from ledger.services.approval import (
    spend_return_approve,
    spend_return_send_back,
    spend_return_submit,
)
from ledger.services.returns import (
    spend_return_create,
    spend_return_discard,
    spend_return_new_version,
)
from totalplace.errors import error_text
from totalplace.history import history_read
from totalplace.permissions import has_perm, permission_required

from .confirmations import confirm_page, confirmations
from .forms import ControlTotalForm, SendBackForm, SpendReturnCreateForm
from .keyset import keyset_page, old_page_redirect
from .month_forms import DeclaredMonthsForm

ONLY_OFFICERS = "Only the organisation's finance officers can do that."
ONLY_APPROVERS = "Only the organisation's approvers can approve or send back its spend returns."
RETURNS_PER_PAGE = 25
LINES_PER_PAGE = 50
HISTORY_SHOWN = 5
CHECKED_STATUSES = (
    SpendReturnStatus.DRAFT,
    SpendReturnStatus.SENT_BACK,
    SpendReturnStatus.SUBMITTED,
)


def spend_return_or_404(request, pk: int, **url_kwargs) -> SpendReturn:
    """A return the user may see (another organisation's draft is a 404, not a 403).

    It is also the permission object of the return's actions (``url_kwargs``: the rest of the
    page's address, which the decorator passes): they check the role here (403 for the wrong
    one); the state (already submitted, your own submission) is the service's to refuse, with
    a message, since a page may simply be out of date."""
    try:
        return spend_return_get(user=request.user, pk=pk)
    except SpendReturn.DoesNotExist as exc:
        raise Http404("No such spend return") from exc


def spend_return_organisation(request, pk: int, **kwargs) -> Organisation:
    """The organisation of the return: approving's role is asked of it (as a spend return,
    ``ledger.approve_spend_return`` is the act itself, which the service refuses with why)."""
    return spend_return_or_404(request, pk).organisation


# The organisation filter's values besides an organisation's id.
OWN, ALL = "own", "all"


def _organisation_filter(request, *, has_own: bool) -> tuple[str, int | None]:
    """(``OWN``, ``ALL`` or ``""`` for one organisation, its id). Members of an organisation
    open the list on their own organisations' returns; anyone else on all of them."""
    chosen = request.GET.get("organisation", "")
    if chosen in (OWN, ALL):
        return chosen, None
    try:
        return "", int(chosen)
    except ValueError:
        return (OWN if has_own else ALL), None


def spend_return_list_view(request):
    """Returns the user may see: everyone's approved ones, and their organisations' drafts."""
    has_own = user_organisations(user=request.user).exists()
    scope, organisation_id = _organisation_filter(request, has_own=has_own)
    year = request.GET.get("year", "")
    status = request.GET.get("status", "")
    if status not in SpendReturnStatus.values:
        status = ""
    returns = spend_return_list(
        user=request.user,
        organisation_id=organisation_id,
        own=scope == OWN,
        year=year,
        status=status,
    )
    page = Paginator(returns, RETURNS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = spend_returns_with_figures(page.object_list)
    return render(
        request,
        "ledger/returns/list.html",
        {
            "page": page,
            # Everyone's with a return this user may see: analysts browse them all.
            "organisations": spend_return_organisations(user=request.user),
            "has_own": has_own,
            "can_create": has_perm(request.user, "ledger.prepare_returns")
            and user_organisations(user=request.user, role=Role.FINANCE_OFFICER).exists(),
            "years": spend_return_years(user=request.user),
            "statuses": SpendReturnStatus.choices,
            "filters": {
                "scope": scope,
                "organisation": organisation_id,
                "year": year,
                "status": status,
            },
            "waiting": spend_returns_waiting(user=request.user),
        },
    )


@login_required
def spend_return_create_view(request):
    """The form for finance officers; anyone else signed in is told how to get the role."""
    if request.method == "POST" and not has_perm(request.user, "ledger.prepare_returns"):
        raise PermissionDenied("Only finance officers can start spend returns.")
    organisations = user_organisations(user=request.user, role=Role.FINANCE_OFFICER)
    form = SpendReturnCreateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            spend_return = spend_return_create(
                organisation=data["organisation"],
                financial_year=data["financial_year"],
                place=data["place"],
                actor=request.user,
                title=data["title"],
                notes=data["notes"],
                control_total=data["control_total"],
                declared_months=data["declared_months"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, f"Draft {spend_return} created. Add its lines next.")
            return redirect("spend-return-detail", pk=spend_return.pk)
    return render(
        request,
        "ledger/returns/create.html",
        {"form": form, "has_organisations": organisations.exists()},
    )


def spend_return_detail(request, pk: int):
    spend_return = spend_return_or_404(request, pk)
    if (bookmark := old_page_redirect(request, "#lines-heading")) is not None:
        return bookmark
    theme = request.GET.get("theme", "")
    lines = spend_return_lines(spend_return=spend_return, theme_code=theme)
    page = keyset_page(lines, request=request, per_page=LINES_PER_PAGE)
    user = request.user
    versions = spend_return_versions(spend_return=spend_return, user=user)

    def can(perm: str) -> bool:
        return has_perm(user, f"ledger.{perm}", spend_return)

    trail = sees_trail(user=user, spend_return=spend_return)
    # The approver's check-list, for the return's people while it can still change hands.
    checks = (
        spend_return_approval_checks(spend_return=spend_return)
        if spend_return.status in CHECKED_STATUSES and can("see_drafts")
        else None
    )

    context = {
        "spend_return": spend_return,
        "summary": spend_return_summary(spend_return=spend_return),
        "themes": spend_return_themes(spend_return=spend_return),
        "against_approved": spend_return_against_approved(spend_return=spend_return),
        "versions": versions,
        "is_latest": all(v.version <= spend_return.version for v in versions),
        "page": page,
        "theme_filter": theme,
        "unallocated_code": ServiceTheme.UNALLOCATED_CODE,
        "jobs": import_jobs_for_return(spend_return=spend_return) if can("see_drafts") else [],
        "can_edit": can("edit_spend_return"),
        "can_download_lines": can("download_spend_return_lines"),
        "direct_download_max_lines": settings.DIRECT_DOWNLOAD_MAX_LINES,
        "can_submit": can("submit_spend_return"),
        "can_approve": can("approve_spend_return"),
        "can_send_back": can("send_back_spend_return"),
        "can_discard": can("discard_spend_return"),
        "is_approver": has_perm(user, "ledger.approve_spend_return", spend_return.organisation),
        "can_start_version": can("start_spend_return_version"),
        "send_back_form": SendBackForm(),
        "coverage": spend_return_coverage(spend_return=spend_return),
        "months_form": DeclaredMonthsForm(initial={"months": spend_return.declared_months}),
        "control_total_form": ControlTotalForm(
            initial={"control_total": spend_return.control_total}
        ),
        # The latest of its audit trail; the history page has the rest.
        "history": history_read("spend_return", user=user, spend_return=spend_return)[
            :HISTORY_SHOWN
        ],
        # Who did what, and through what: for the organisation's people and staff.
        "trail": trail,
        "show_via": trail,
        "checks": checks,
        # Submit, approve and discard ask first (in a dialog, or on a page without JS).
        "confirm": confirmations(
            user=user, spend_return=spend_return, warnings=bool(checks and checks.warnings)
        ),
    }
    return render(request, "ledger/returns/detail.html", context)


def _act(request, pk: int, action, success: str):
    spend_return = spend_return_or_404(request, pk)
    try:
        result = action(spend_return)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("spend-return-detail", pk=spend_return.pk)
    messages.success(request, success.format(result=result or spend_return))
    return redirect("spend-return-detail", pk=(result or spend_return).pk)


@require_http_methods(["GET", "POST"])
@permission_required("ledger.prepare_returns", fn=spend_return_or_404, message=ONLY_OFFICERS)
def spend_return_submit_view(request, pk: int):
    if request.method == "GET":
        return confirm_page(request, spend_return_or_404(request, pk), "submit")
    return _act(
        request,
        pk,
        lambda r: spend_return_submit(spend_return=r, actor=request.user),
        "{result} is submitted for sign-off.",
    )


@require_http_methods(["GET", "POST"])
@permission_required(
    "ledger.approve_spend_return", fn=spend_return_organisation, message=ONLY_APPROVERS
)
def spend_return_approve_view(request, pk: int):
    if request.method == "GET":
        spend_return = spend_return_or_404(request, pk)
        checks = spend_return_approval_checks(spend_return=spend_return)
        return confirm_page(request, spend_return, "approve", warnings=bool(checks.warnings))
    return _act(
        request,
        pk,
        lambda r: spend_return_approve(
            spend_return=r, actor=request.user, reason=request.POST.get("reason", "")
        ),
        "{result} is approved: its lines now count in the totals.",
    )


@require_POST
@permission_required(
    "ledger.approve_spend_return", fn=spend_return_organisation, message=ONLY_APPROVERS
)
def spend_return_send_back_view(request, pk: int):
    form = SendBackForm(request.POST)
    reason = form.data.get("reason", "")
    return _act(
        request,
        pk,
        lambda r: spend_return_send_back(spend_return=r, actor=request.user, reason=reason),
        "{result} is sent back to its finance officers.",
    )


@require_POST
@permission_required(
    "ledger.start_spend_return_version", fn=spend_return_or_404, message=ONLY_OFFICERS
)
def spend_return_new_version_view(request, pk: int):
    return _act(
        request,
        pk,
        lambda r: spend_return_new_version(spend_return=r, actor=request.user),
        "Draft {result} created from the previous version's lines.",
    )


@require_http_methods(["GET", "POST"])
@permission_required("ledger.prepare_returns", fn=spend_return_or_404, message=ONLY_OFFICERS)
def spend_return_discard_view(request, pk: int):
    spend_return = spend_return_or_404(request, pk)
    if request.method == "GET":
        return confirm_page(request, spend_return, "discard")
    try:
        spend_return_discard(spend_return=spend_return, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("spend-return-detail", pk=pk)
    messages.success(request, f"Draft {spend_return} discarded.")
    return redirect("spend-return-list")
