"""A return's basis for its dates: lines dated outside its financial year are refused unless
its officers say it is kept on an accruals basis (goods received in March, paid in April), and
why. The approver sees the reason and how many lines lie outside the year."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ledger.models import SpendReturn, WorkflowAction
from ledger.services.workflow import workflow_event_record

from .imports.jobs import require_officer


@transaction.atomic
def spend_return_set_accruals_basis(
    *,
    spend_return: SpendReturn,
    actor: AbstractBaseUser | None,
    accruals_basis: bool,
    reason: str = "",
) -> SpendReturn:
    """Mark a draft as kept on an accruals basis (a reason is needed), or take the mark away
    (refused while lines dated outside the year remain: they would be errors)."""
    spend_return = SpendReturn.objects.select_for_update().get(pk=spend_return.pk)
    require_officer(actor, spend_return)
    reason = reason.strip()
    if accruals_basis and not reason:
        raise ValidationError("Say why the return is kept on an accruals basis.")
    if not accruals_basis:
        year = spend_return.financial_year
        outside = spend_return.lines.filter(
            ~Q(transaction_date__range=(year.start_date, year.end_date)),
            transaction_date__isnull=False,
        ).count()
        if outside:
            raise ValidationError(
                f"{outside:,} line{'s are' if outside != 1 else ' is'} dated outside {year}: "
                "correct or delete them before taking the accruals basis away."
            )
        reason = ""
    if (spend_return.accruals_basis, spend_return.accruals_reason) == (accruals_basis, reason):
        return spend_return
    spend_return.accruals_basis, spend_return.accruals_reason = accruals_basis, reason
    spend_return.save(update_fields=["accruals_basis", "accruals_reason"])
    workflow_event_record(
        action=WorkflowAction.ACCRUALS_BASIS,
        actor=actor,
        spend_return=spend_return,
        reason=reason,
        detail={"version": spend_return.version, "accruals_basis": accruals_basis},
    )
    return spend_return
