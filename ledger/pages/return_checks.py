"""Marking a draft as kept on an accruals basis (its lines may then be dated outside its year)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ledger.services.accruals import spend_return_set_accruals_basis
from totalplace.errors import error_text
from totalplace.permissions import permission_required

from .returns import spend_return_or_404


@require_POST
@permission_required(
    "ledger.edit_spend_return",
    fn=spend_return_or_404,
    message="Only the organisation's finance officers can change a draft's basis.",
)
def spend_return_accruals(request, pk: int):
    spend_return = spend_return_or_404(request, pk)
    accruals = bool(request.POST.get("accruals_basis"))
    try:
        spend_return_set_accruals_basis(
            spend_return=spend_return,
            actor=request.user,
            accruals_basis=accruals,
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            "The return is kept on an accruals basis: lines dated outside its year are taken."
            if accruals
            else "Lines dated outside the return's year are refused again.",
        )
    return redirect("spend-return-detail", pk=pk)
