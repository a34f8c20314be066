"""The months a spend return covers: from its lines' dates, or as its officer declares them.

Computed once, when a return is submitted and when it is approved (its lines cannot change
after it is submitted), and stored on the return, so pages and the API read a number and never
scan lines. An officer may declare the months instead (an annual return dated 31 March covers
the whole year, not March): the declaration wins wherever months are shown.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import ExtractMonth

from ledger.calculations.coverage import ALL_YEAR
from ledger.models import SpendLine, SpendReturn, SpendReturnStatus
from totalplace.permissions import require_perm


def spend_return_months(spend_return: SpendReturn) -> int:
    """The 12-bit mask of the months its lines are dated in, within its financial year (lines
    dated outside it, or not at all, add nothing): one aggregate query over its lines."""
    year = spend_return.financial_year
    months = (
        SpendLine.objects.filter(
            spend_return_id=spend_return.pk,
            transaction_date__gte=year.start_date,
            transaction_date__lte=year.end_date,
        )
        .annotate(month=ExtractMonth("transaction_date"))
        .values_list("month", flat=True)
        .distinct()
        .order_by()
    )
    mask = 0
    for month in months:
        mask |= 1 << (month - 1)
    return mask


def spend_return_months_record(*, spend_return: SpendReturn) -> int:
    """Compute and store the months its lines cover (``SpendReturn.months``); returns them."""
    mask = spend_return_months(spend_return)
    if mask != spend_return.months:
        spend_return.months = mask
        SpendReturn.objects.filter(pk=spend_return.pk).update(months=mask)
    return mask


@transaction.atomic
def spend_return_months_declare(
    *, spend_return: SpendReturn, actor: AbstractBaseUser | None, months: int | None
) -> SpendReturn:
    """Declare the months a draft covers (a mask; ``ALL_YEAR`` for the whole year), or with
    None go back to its lines' dates. Its finance officers may, while they can edit it; the
    change is in its audit trail."""
    spend_return = SpendReturn.objects.select_for_update().get(pk=spend_return.pk)
    require_perm(
        actor,
        "ledger.prepare_returns",
        spend_return,
        message=f"Only finance officers of {spend_return.organisation} can declare its months.",
    )
    if spend_return.status not in SpendReturnStatus.editable():
        raise ValidationError(
            f"A {spend_return.get_status_display().lower()} return's months cannot be changed."
        )
    if months is not None and not 0 < months <= ALL_YEAR:
        raise ValidationError("Declare at least one month, or the whole year.")
    spend_return.declared_months = months
    spend_return.save(update_fields=["declared_months"])
    return spend_return
