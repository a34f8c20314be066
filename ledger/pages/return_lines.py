"""The line-entry grid: a page of a draft's lines as a formset, plus blank rows for new ones;
and today's theme rules applied to a draft's unallocated lines."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import modelformset_factory
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ledger.models import ServiceTheme, SpendLine
from ledger.selectors.return_figures import spend_return_figures
from ledger.selectors.returns import spend_return_lines
from ledger.services.lines import spend_lines_apply_theme_rules, spend_lines_save_grid
from totalplace.errors import error_text
from totalplace.permissions import permission_required

from .forms import SpendLineForm, places_for
from .keyset import keyset_page, old_page_redirect
from .returns import spend_return_or_404

GRID_PAGE = 25
NEW_ROWS = 5

LineFormSet = modelformset_factory(SpendLine, form=SpendLineForm, extra=NEW_ROWS, can_delete=True)


@permission_required(
    "ledger.edit_spend_return",
    fn=spend_return_or_404,
    message="Only the organisation's finance officers can edit lines, and only of a draft.",
)
def spend_return_lines_view(request, pk: int):
    spend_return = spend_return_or_404(request, pk)
    if (bookmark := old_page_redirect(request)) is not None:
        return bookmark
    # "Only unallocated lines": the ones still to give a theme, a page at a time.
    unallocated = request.GET.get("theme") == ServiceTheme.UNALLOCATED_CODE
    lines = spend_return_lines(
        spend_return=spend_return, theme_code=ServiceTheme.UNALLOCATED_CODE if unallocated else ""
    )
    page = keyset_page(lines, request=request, per_page=GRID_PAGE)
    form_kwargs = {
        "places": places_for(spend_return.organisation),
        "themes": ServiceTheme.objects.order_by("sort_order", "name"),
    }
    # The formset edits exactly this page of this return's lines, nothing else.
    queryset = lines.filter(pk__in=[line.pk for line in page.object_list]).order_by("id")
    formset = LineFormSet(
        request.POST or None, queryset=queryset, form_kwargs=form_kwargs, prefix="lines"
    )
    if request.method == "POST" and formset.is_valid():
        deleted = [form.instance for form in formset.deleted_forms if form.instance.pk]
        changed, new = [], []
        for form in formset.forms:
            if form in formset.deleted_forms or not form.has_changed():
                continue
            line = form.save(commit=False)
            (changed if line.pk else new).append(line)
        try:
            counts = spend_lines_save_grid(
                spend_return=spend_return,
                actor=request.user,
                changed=changed,
                new=new,
                deleted=deleted,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                f"Saved: {counts['added']} added, {counts['changed']} changed, "
                f"{counts['deleted']} deleted.",
            )
            return redirect(request.get_full_path())  # the same page (by cursor) again
    figures = spend_return_figures(spend_return=spend_return)
    unallocated_code = ServiceTheme.UNALLOCATED_CODE
    return render(
        request,
        "ledger/returns/lines.html",
        {
            "spend_return": spend_return,
            "formset": formset,
            "page": page,
            "line_count": figures["count"],
            "unallocated_count": next(
                (t["count"] for t in figures["themes"] if t["theme__code"] == unallocated_code),
                0,
            ),
            "unallocated": unallocated,
            "unallocated_code": unallocated_code,
        },
    )


@require_POST
@permission_required(
    "ledger.edit_spend_return",
    fn=spend_return_or_404,
    message="Only the organisation's finance officers can change lines, and only of a draft.",
)
def spend_return_apply_theme_rules(request, pk: int):
    spend_return = spend_return_or_404(request, pk)
    try:
        result = spend_lines_apply_theme_rules(spend_return=spend_return, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("spend-return-detail", pk=pk)
    allocated, remaining = result["allocated"], result["still_unallocated"]
    if allocated:
        lines = "1 line now has" if allocated == 1 else f"{allocated:,} lines now have"
        messages.success(request, f"{lines} a theme; {remaining:,} still match no rule.")
    elif remaining:
        lines = (
            "the unallocated line"
            if remaining == 1
            else f"any of the {remaining:,} unallocated lines"
        )
        messages.info(request, f"No rule matches {lines} yet.")
    else:
        messages.info(request, "Every line already has a theme.")
    return redirect("spend-return-detail", pk=pk)
