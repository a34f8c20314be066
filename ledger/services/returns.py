"""A spend return's versions: create one, start the next from it, discard an unsubmitted draft.

Each service checks who may do it (``actor=None`` is the system itself: the demo loader, the
shell) and records a workflow event in the same transaction. Moving a return through sign-off
is ``ledger.services.approval``; its lines are ``ledger.services.lines``.
"""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Max

from ledger.calculations.coverage import ALL_YEAR
from ledger.models import (
    ColumnMapping,
    FinancialYear,
    Organisation,
    Place,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
    WorkflowAction,
)
from ledger.services.workflow import workflow_event_record
from totalplace.permissions import require_perm

from .imports.jobs import require_officer


@transaction.atomic
def spend_return_create(
    *,
    organisation: Organisation,
    financial_year: FinancialYear,
    actor: AbstractBaseUser | None,
    place: Place | None = None,
    title: str = "",
    notes: str = "",
    control_total: Decimal | None = None,
    mapping: ColumnMapping | None = None,
    is_illustrative: bool = False,
    declared_months: int | None = None,
) -> SpendReturn:
    """A new draft: version 1, or one more than the latest version for the same scope.

    ``is_illustrative`` marks made-up figures (the demo's), which pages label as such;
    ``declared_months`` the months it covers, as its officer says (a 12-bit mask: see
    ``ledger.calculations.coverage``), where its lines' dates would not say it right.
    """
    if declared_months is not None and not 0 < declared_months <= ALL_YEAR:
        raise ValidationError("Declare at least one month, or the whole year.")
    require_perm(
        actor,
        "ledger.prepare_returns",
        organisation,
        message=f"Only finance officers of {organisation} can open its returns.",
    )
    scope = SpendReturn(organisation=organisation, financial_year=financial_year, place=place)
    # Lock the scope's existing versions so two drafts created at once get different numbers.
    latest = scope.versions().select_for_update().aggregate(v=Max("version"))["v"] or 0
    spend_return = SpendReturn.objects.create(
        organisation=organisation,
        financial_year=financial_year,
        place=place,
        version=latest + 1,
        created_by=actor,
        title=title,
        notes=notes,
        control_total=control_total,
        mapping=mapping,
        is_illustrative=is_illustrative,
        declared_months=declared_months,
    )
    workflow_event_record(
        action=WorkflowAction.CREATED,
        actor=actor,
        spend_return=spend_return,
        detail={"version": spend_return.version},
    )
    return spend_return


@transaction.atomic
def spend_return_control_total_declare(
    *, spend_return: SpendReturn, actor: AbstractBaseUser | None, control_total: Decimal | None
) -> SpendReturn:
    """Declare the total a draft's lines must add up to before it is submitted, or with None
    declare none. Its finance officers may, while they can edit it; the change is in its audit
    trail and its workflow events (from → to)."""
    spend_return = SpendReturn.objects.select_for_update().get(pk=spend_return.pk)
    require_perm(
        actor,
        "ledger.prepare_returns",
        spend_return,
        message=f"Only finance officers of {spend_return.organisation} can declare its total.",
    )
    if spend_return.status not in SpendReturnStatus.editable():
        raise ValidationError(
            f"A {spend_return.get_status_display().lower()} return's control total cannot be "
            "changed."
        )
    before = spend_return.control_total
    spend_return.control_total = control_total
    spend_return.save(update_fields=["control_total"])
    workflow_event_record(
        action=WorkflowAction.CONTROL_TOTAL,
        actor=actor,
        spend_return=spend_return,
        detail={
            "from": None if before is None else str(before),
            "to": None if control_total is None else str(control_total),
        },
    )
    return spend_return


@transaction.atomic
def spend_return_new_version(
    *, spend_return: SpendReturn, actor: AbstractBaseUser | None, copy_lines: bool = True
) -> SpendReturn:
    """A new draft version of the same return, starting from this version's lines.

    The version it copies stays as it is (if approved, it counts until the new one is).
    Who may: ``spend_return_create`` asks (the organisation's finance officers).
    """
    draft = spend_return_create(
        organisation=spend_return.organisation,
        financial_year=spend_return.financial_year,
        place=spend_return.place,
        actor=actor,
        title=spend_return.title,
        notes=spend_return.notes,
        control_total=spend_return.control_total,
        mapping=spend_return.mapping,
        declared_months=spend_return.declared_months,
    )
    if spend_return.accruals_basis:  # its lines may be dated outside the year: keep saying why
        draft.accruals_basis, draft.accruals_reason = True, spend_return.accruals_reason
        draft.save(update_fields=["accruals_basis", "accruals_reason"])
    if copy_lines:
        _copy_lines(source=spend_return, target=draft)
    return draft


def _copy_lines(*, source: SpendReturn, target: SpendReturn) -> None:
    # One INSERT ... SELECT: a version of a large return copies without a row passing through
    # Python, and the audit triggers still record every copied line.
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
def spend_return_discard(*, spend_return: SpendReturn, actor: AbstractBaseUser | None) -> None:
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
