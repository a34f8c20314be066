"""Theme rules an organisation's finance officers edit; shared rules are shown for reference."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ledger.models import ImportJob, Role, ThemeRule
from ledger.selectors.access import user_organisations
from ledger.selectors.imports import import_job_get
from ledger.selectors.theme_rules import shared_theme_rules, theme_rule_get, theme_rules_for
from ledger.services.imports.jobs import import_job_recheck
from ledger.services.imports.themes import theme_rule_create, theme_rule_delete
from totalplace.errors import error_text
from totalplace.forms import apply_errors
from totalplace.permissions import has_perm, permission_required

from .forms import ThemeRuleForm

SHARED_PER_PAGE = 50


def _from_import(request) -> ImportJob | None:
    """The import preview the rule is being added from (``?import=``), if the user may change
    it: the rule is for its organisation, and the preview is checked again with it."""
    pk = request.POST.get("import") or request.GET.get("import")
    if not pk or not pk.isdigit():
        return None
    try:
        job = import_job_get(user=request.user, pk=int(pk))
    except ImportJob.DoesNotExist:
        return None
    return job if has_perm(request.user, "ledger.change_import_job", job) else None


@login_required
def theme_rule_list(request):
    """Every signed-in user reads the rules; finance officers add their organisation's."""
    if request.method == "POST" and not has_perm(request.user, "ledger.prepare_returns"):
        raise PermissionDenied("Only finance officers can add theme rules.")
    organisations = user_organisations(user=request.user, role=Role.FINANCE_OFFICER)
    job = _from_import(request)
    initial = {k: request.GET[k] for k in ("field", "pattern") if k in request.GET}
    if job is not None:
        initial["organisation"] = job.spend_return.organisation_id
    form = ThemeRuleForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule = theme_rule_create(
                organisation=data["organisation"],
                field=data["field"],
                match=data["match"],
                pattern=data["pattern"],
                theme=data["theme"],
                note=data["note"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
        else:
            if job is not None:
                return _recheck(request, job, rule)
            messages.success(request, f"Rule added: {rule}. It applies to the next imports.")
            return redirect("theme-rule-list")
    shared = Paginator(shared_theme_rules(), SHARED_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/returns/theme_rules.html",
        {
            "form": form,
            "own_rules": theme_rules_for(organisation_ids=[o.pk for o in organisations]),
            "page": shared,
            "has_organisations": organisations.exists(),
            "job": job,
        },
    )


def _recheck(request, job: ImportJob, rule: ThemeRule):
    """Back to the import the rule was added from, its preview running again with the rule."""
    try:
        import_job_recheck(job=job, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.success(request, f"Rule added: {rule}.")
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Rule added: {rule}. Checking {job.filename} again with it.")
    return redirect("import-job-detail", pk=job.pk)


def _rule(request, pk: int) -> ThemeRule:
    try:
        return theme_rule_get(user=request.user, pk=pk)
    except ThemeRule.DoesNotExist as exc:
        raise Http404("No such rule") from exc


@require_POST
@permission_required("ledger.manage_theme_rules", fn=_rule)
def theme_rule_delete_view(request, pk: int):
    rule = _rule(request, pk)
    try:
        theme_rule_delete(rule=rule, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Rule deleted: {rule}.")
    return redirect("theme-rule-list")
