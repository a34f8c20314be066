"""Declaring the total a draft spend return's lines must add up to, from its page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ledger.services.returns import spend_return_control_total_declare
from totalplace.errors import error_text
from totalplace.money import pounds
from totalplace.permissions import permission_required

from .forms import ControlTotalForm
from .returns import spend_return_or_404


@require_POST
@permission_required(
    "ledger.edit_spend_return",
    fn=spend_return_or_404,
    message="Only the organisation's finance officers can change a draft's control total.",
)
def spend_return_control_total_view(request, pk: int):
    """Declare (or clear) a draft's control total."""
    spend_return = spend_return_or_404(request, pk)
    form = ControlTotalForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("spend-return-detail", pk=pk)
    total = form.cleaned_data["control_total"]
    try:
        spend_return_control_total_declare(
            spend_return=spend_return, actor=request.user, control_total=total
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            f"{spend_return}'s lines must add up to {pounds(total)}."
            if total is not None
            else f"{spend_return} declares no control total.",
        )
    return redirect("spend-return-detail", pk=pk)
