"""What a draft spend return's officers declare of it on its page: the months it covers
(``month_forms``) and the total its lines must add up to."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ledger.calculations.coverage import months_label
from ledger.models import SpendReturn
from ledger.services.coverage import spend_return_months_declare
from ledger.services.returns import spend_return_control_total_declare
from totalplace.errors import error_text
from totalplace.money import pounds
from totalplace.permissions import permission_required

from .forms import ControlTotalForm
from .month_forms import DeclaredMonthsForm
from .returns import spend_return_or_404


def _declare(
    request,
    pk: int,
    form_class: type[forms.Form],
    declare: Callable[[SpendReturn, object], SpendReturn],
    said: Callable[[SpendReturn, object], str],
):
    """Validate the one field of ``form_class``, ``declare`` its value, and say what it now is
    (or why not) on the return's page."""
    spend_return = spend_return_or_404(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("spend-return-detail", pk=pk)
    (value,) = form.cleaned_data.values()
    try:
        declare(spend_return, value)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, said(spend_return, value))
    return redirect("spend-return-detail", pk=pk)


@require_POST
@permission_required(
    "ledger.edit_spend_return",
    fn=spend_return_or_404,
    message="Only the organisation's finance officers can change a draft's months.",
)
def spend_return_months_view(request, pk: int):
    """Declare the months a draft covers, or go back to its lines' dates."""
    return _declare(
        request,
        pk,
        DeclaredMonthsForm,
        lambda r, months: spend_return_months_declare(
            spend_return=r, actor=request.user, months=months
        ),
        lambda r, months: (
            f"{r} covers {months_label(months)}."
            if months is not None
            else f"{r}'s months now come from its lines' dates."
        ),
    )


@require_POST
@permission_required(
    "ledger.edit_spend_return",
    fn=spend_return_or_404,
    message="Only the organisation's finance officers can change a draft's control total.",
)
def spend_return_control_total_view(request, pk: int):
    """Declare (or clear) the total a draft's lines must add up to."""
    return _declare(
        request,
        pk,
        ControlTotalForm,
        lambda r, total: spend_return_control_total_declare(
            spend_return=r, actor=request.user, control_total=total
        ),
        lambda r, total: (
            f"{r}'s lines must add up to {pounds(total)}."
            if total is not None
            else f"{r} declares no control total."
        ),
    )
