"""Writing spend returns and moving them through sign-off.

draft → submitted → approved (or returned to draft); approving a version supersedes the version
that was approved before, in the same transaction, so the totals never count both or neither.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

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

LINE_BATCH_SIZE = 5000


def _versions_of(spend_return: SpendReturn):
    same_place = Q(place=spend_return.place_id) if spend_return.place_id else Q(place__isnull=True)
    return SpendReturn.objects.filter(
        same_place,
        organisation=spend_return.organisation_id,
        financial_year=spend_return.financial_year_id,
    )


@transaction.atomic
def spend_return_create(
    *,
    organisation: Organisation,
    financial_year: FinancialYear,
    place: Place | None = None,
    actor: AbstractBaseUser | None = None,
    **fields,
) -> SpendReturn:
    """A new draft: version 1, or one more than the latest version for the same scope."""
    scope = SpendReturn(organisation=organisation, financial_year=financial_year, place=place)
    # Lock the scope's existing versions so two drafts created at once get different numbers.
    latest = _versions_of(scope).select_for_update().aggregate(v=Max("version"))["v"] or 0
    spend_return = SpendReturn.objects.create(
        organisation=organisation,
        financial_year=financial_year,
        place=place,
        version=latest + 1,
        created_by=actor,
        **fields,
    )
    workflow_event_record(
        action=WorkflowAction.CREATED,
        actor=actor,
        spend_return=spend_return,
        detail={"version": spend_return.version},
    )
    return spend_return


def spend_lines_add(*, spend_return: SpendReturn, lines: Iterable[SpendLine]) -> int:
    """Attach unsaved lines to a draft return in batches; returns how many were written."""
    if spend_return.status not in (SpendReturnStatus.DRAFT, SpendReturnStatus.RETURNED):
        raise ValidationError("Lines can only be added to a draft or returned spend return.")
    batch, written = [], 0
    with transaction.atomic():
        for line in lines:
            line.spend_return = spend_return
            line.organisation_id = line.organisation_id or spend_return.organisation_id
            line.financial_year_id = line.financial_year_id or spend_return.financial_year_id
            batch.append(line)
            if len(batch) >= LINE_BATCH_SIZE:
                written += len(SpendLine.objects.bulk_create(batch))
                batch = []
        written += len(SpendLine.objects.bulk_create(batch))
    return written


@transaction.atomic
def spend_return_submit(
    *, spend_return: SpendReturn, actor: AbstractBaseUser | None
) -> SpendReturn:
    """Send a draft (or a returned draft) for sign-off."""
    spend_return = SpendReturn.objects.select_for_update().get(pk=spend_return.pk)
    if spend_return.status not in (SpendReturnStatus.DRAFT, SpendReturnStatus.RETURNED):
        raise ValidationError(
            f"A {spend_return.get_status_display().lower()} return cannot be submitted."
        )
    if not spend_return.lines.exists():
        raise ValidationError("A spend return needs at least one line before it is submitted.")
    previous_status = spend_return.status
    spend_return.status = SpendReturnStatus.SUBMITTED
    spend_return.submitted_at, spend_return.submitted_by = timezone.now(), actor
    spend_return.save(update_fields=["status", "submitted_at", "submitted_by"])
    workflow_event_record(
        action=WorkflowAction.SUBMITTED,
        actor=actor,
        spend_return=spend_return,
        detail={"version": spend_return.version, "status_before": previous_status},
    )
    return spend_return


def spend_return_versions_lock(*, spend_return: SpendReturn) -> dict[int, SpendReturn]:
    """Lock every version of the return's organisation, year and place, fresh from the database.

    Always in id order: two approvals of different versions at once then queue on the first
    version instead of each holding one and waiting for the other (a deadlock).
    """
    scope = _versions_of(spend_return).select_for_update(of=("self",)).order_by("pk")
    return {r.pk: r for r in scope}


@transaction.atomic
def spend_return_approve(
    *, spend_return: SpendReturn, actor: AbstractBaseUser | None
) -> SpendReturn:
    """Sign off a submitted return; the previously approved version becomes superseded."""
    versions = spend_return_versions_lock(spend_return=spend_return)
    spend_return = versions[spend_return.pk]
    if spend_return.status != SpendReturnStatus.SUBMITTED:
        raise ValidationError("Only a submitted return can be approved.")
    now = timezone.now()
    touched = [spend_return.pk]
    for previous in versions.values():
        if previous.status == SpendReturnStatus.APPROVED:
            previous.status = SpendReturnStatus.SUPERSEDED
            previous.superseded_at, previous.superseded_by = now, spend_return
            previous.save(update_fields=["status", "superseded_at", "superseded_by"])
            workflow_event_record(
                action=WorkflowAction.SUPERSEDED,
                actor=actor,
                spend_return=previous,
                detail={"version": previous.version, "by_version": spend_return.version},
            )
            touched.append(previous.pk)
    spend_return.status = SpendReturnStatus.APPROVED
    spend_return.approved_at, spend_return.approved_by = now, actor
    spend_return.save(update_fields=["status", "approved_at", "approved_by"])
    workflow_event_record(
        action=WorkflowAction.APPROVED,
        actor=actor,
        spend_return=spend_return,
        detail={"version": spend_return.version},
    )
    # Totals follow after commit: the worker must see the approval it is refreshing for.
    from ledger.tasks import rollups_refresh  # import here: tasks import the services
    from totalplace.celery import send_or_log

    # If the broker is down the approval still stands; the nightly rebuild catches the totals up.
    transaction.on_commit(lambda: send_or_log(rollups_refresh, touched))
    return spend_return


@transaction.atomic
def spend_return_send_back(
    *, spend_return: SpendReturn, actor: AbstractBaseUser | None, reason: str
) -> SpendReturn:
    """Return a submitted return to its organisation with a reason; it can be edited again."""
    spend_return = SpendReturn.objects.select_for_update().get(pk=spend_return.pk)
    if spend_return.status != SpendReturnStatus.SUBMITTED:
        raise ValidationError("Only a submitted return can be returned.")
    if not reason.strip():
        raise ValidationError("Say why the return is being returned.")
    spend_return.status = SpendReturnStatus.RETURNED
    spend_return.returned_at, spend_return.returned_by = timezone.now(), actor
    spend_return.return_reason = reason.strip()
    spend_return.save(update_fields=["status", "returned_at", "returned_by", "return_reason"])
    workflow_event_record(
        action=WorkflowAction.RETURNED,
        actor=actor,
        spend_return=spend_return,
        reason=spend_return.return_reason,
        detail={"version": spend_return.version},
    )
    return spend_return
