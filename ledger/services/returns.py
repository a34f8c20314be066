"""Spend returns as people work on them: open, enter lines, submit, sign off, send back, revise.

These wrap the foundation's workflow (``ledger.services.spend``) with who may do what:
finance officers of the organisation open, edit and submit; its approvers sign off or send
back, but never a return they submitted themselves.
"""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Sum

from audit.models import WorkflowAction
from audit.services import workflow_event_record
from ledger.models import (
    FinancialYear,
    Organisation,
    Place,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
)
from totalplace.permissions import require_perm

from .imports.jobs import require_officer
from .spend import (
    spend_return_approve,
    spend_return_create,
    spend_return_send_back,
    spend_return_submit,
    spend_return_versions_lock,
)

GRID_FIELDS = [
    "place",
    "theme",
    "amount",
    "spend_kind",
    "transaction_date",
    "supplier_name",
    "description",
    "expense_type",
    "expense_area",
]


def _pounds(value: Decimal) -> str:
    return f"{'−' if value < 0 else ''}£{abs(value):,.2f}"


def spend_return_open(
    *,
    organisation: Organisation,
    financial_year: FinancialYear,
    actor: AbstractBaseUser,
    place: Place | None = None,
    title: str = "",
    notes: str = "",
    control_total: Decimal | None = None,
) -> SpendReturn:
    """A new draft (the next version for its organisation, year and place)."""
    require_perm(
        actor,
        "ledger.prepare_returns",
        organisation,
        message=f"Only finance officers of {organisation} can open its returns.",
    )
    return spend_return_create(
        organisation=organisation,
        financial_year=financial_year,
        place=place,
        actor=actor,
        title=title,
        notes=notes,
        control_total=control_total,
    )


@transaction.atomic
def spend_return_submit_for_approval(
    *, spend_return: SpendReturn, actor: AbstractBaseUser | None
) -> SpendReturn:
    """Send a draft for sign-off; its lines must add up to its declared control total."""
    spend_return = SpendReturn.objects.select_for_update().get(pk=spend_return.pk)
    require_officer(actor, spend_return)
    if spend_return.control_total is not None:
        total = spend_return.lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if total != spend_return.control_total:
            raise ValidationError(
                f"The lines total {_pounds(total)} but the declared control total is "
                f"{_pounds(spend_return.control_total)}: correct the lines or the control total."
            )
    return spend_return_submit(spend_return=spend_return, actor=actor)


@transaction.atomic
def spend_return_sign_off(*, spend_return: SpendReturn, actor: AbstractBaseUser) -> SpendReturn:
    """Approve a submitted return: it replaces the previously approved version in the totals."""
    # Lock all its versions (as the approval will), not just this one: see the lock's docstring.
    spend_return = spend_return_versions_lock(spend_return=spend_return)[spend_return.pk]
    require_perm(
        actor,
        "ledger.sign_off_returns",
        spend_return,
        message=f"Only approvers of {spend_return.organisation} can sign it off.",
    )
    if spend_return.status != SpendReturnStatus.SUBMITTED:
        raise ValidationError("Only a submitted return can be approved.")
    require_perm(
        actor,
        "ledger.approve_spend_return",
        spend_return,
        message="You submitted this return, so another approver must sign it off.",
    )
    return spend_return_approve(spend_return=spend_return, actor=actor)


def spend_return_send_back_for_changes(
    *, spend_return: SpendReturn, actor: AbstractBaseUser, reason: str
) -> SpendReturn:
    """Return a submitted return to its finance officers, saying why."""
    spend_return = SpendReturn.objects.get(pk=spend_return.pk)
    require_perm(
        actor,
        "ledger.sign_off_returns",
        spend_return,
        message=f"Only approvers of {spend_return.organisation} can return it.",
    )
    if spend_return.status == SpendReturnStatus.SUBMITTED:
        require_perm(
            actor,
            "ledger.send_back_spend_return",
            spend_return,
            message="You submitted this return, so another approver must return it.",
        )
    return spend_return_send_back(spend_return=spend_return, actor=actor, reason=reason)


@transaction.atomic
def spend_return_new_version(
    *, spend_return: SpendReturn, actor: AbstractBaseUser, copy_lines: bool = True
) -> SpendReturn:
    """A new draft version of the same return, starting from this version's lines.

    The version it copies stays as it is (if approved, it counts until the new one is).
    """
    require_perm(
        actor,
        "ledger.start_spend_return_version",
        spend_return,
        message=f"Only finance officers of {spend_return.organisation} can.",
    )
    draft = spend_return_create(
        organisation=spend_return.organisation,
        financial_year=spend_return.financial_year,
        place=spend_return.place,
        actor=actor,
        title=spend_return.title,
        notes=spend_return.notes,
        control_total=spend_return.control_total,
        mapping=spend_return.mapping,
    )
    if copy_lines:
        _copy_lines(source=spend_return, target=draft)
    return draft


def _copy_lines(*, source: SpendReturn, target: SpendReturn) -> None:
    columns = [
        f.column
        for f in SpendLine._meta.concrete_fields
        if f.column not in ("id", "spend_return_id")
    ]
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SpendLine._meta.db_table} (spend_return_id, {names}) "  # noqa: S608
            f"SELECT %s, {names} FROM {SpendLine._meta.db_table} WHERE spend_return_id = %s "
            "ORDER BY id",
            [target.pk, source.pk],
        )


@transaction.atomic
def spend_lines_save_grid(
    *,
    spend_return: SpendReturn,
    actor: AbstractBaseUser | None,
    changed: list[SpendLine],
    new: list[SpendLine],
    deleted: list[SpendLine],
) -> dict[str, int]:
    """Save what the line-entry grid changed, all of it or none."""
    require_officer(actor, spend_return)
    for line in [*changed, *deleted]:
        if line.spend_return_id != spend_return.pk:
            raise PermissionDenied("A line of another return cannot be changed here.")
    if deleted:
        SpendLine.objects.filter(pk__in=[line.pk for line in deleted]).delete()
    for line in changed:
        line.full_clean(exclude=["spend_return", "organisation", "financial_year", "import_job"])
    SpendLine.objects.bulk_update(changed, GRID_FIELDS)
    for line in new:
        line.spend_return = spend_return
        line.organisation_id = spend_return.organisation_id
        line.financial_year_id = spend_return.financial_year_id
        line.full_clean(exclude=["import_job"])
    SpendLine.objects.bulk_create(new)
    return {"changed": len(changed), "added": len(new), "deleted": len(deleted)}


@transaction.atomic
def spend_return_discard(*, spend_return: SpendReturn, actor: AbstractBaseUser) -> None:
    """Delete a draft that was never submitted (for example, to import a file again)."""
    spend_return = SpendReturn.objects.select_for_update().get(pk=spend_return.pk)
    require_officer(actor, spend_return)
    if spend_return.status != SpendReturnStatus.DRAFT or spend_return.submitted_at:
        raise ValidationError("Only a draft that was never submitted can be discarded.")
    files = [job.file.name for job in spend_return.import_jobs.all() if job.file]
    workflow_event_record(
        action=WorkflowAction.DISCARDED,
        actor=actor,
        spend_return=spend_return,
        detail={"version": spend_return.version, "lines": spend_return.lines.count()},
    )
    spend_return.lines.all().delete()
    spend_return.delete()
    # The uploaded files go too, once the deletion is certain.
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
