"""Declaring the months a draft spend return covers, from its page (``month_forms``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ledger.calculations.coverage import months_label
from ledger.services.coverage import spend_return_months_declare
from totalplace.errors import error_text
from totalplace.permissions import permission_required

from .month_forms import DeclaredMonthsForm
from .returns import spend_return_or_404


@require_POST
@permission_required(
    "ledger.edit_spend_return",
    fn=spend_return_or_404,
    message="Only the organisation's finance officers can change a draft's months.",
)
def spend_return_months_view(request, pk: int):
    """Declare the months a draft covers, or go back to its lines' dates."""
    spend_return = spend_return_or_404(request, pk)
    form = DeclaredMonthsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("spend-return-detail", pk=pk)
    try:
        spend_return_months_declare(
            spend_return=spend_return, actor=request.user, months=form.cleaned_data["months"]
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        declared = form.cleaned_data["months"]
        messages.success(
            request,
            f"{spend_return} covers {months_label(declared)}."
            if declared is not None
            else f"{spend_return}'s months now come from its lines' dates.",
        )
    return redirect("spend-return-detail", pk=pk)
