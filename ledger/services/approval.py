"""Moving a spend return through sign-off: submit, approve, send back.

draft → submitted → approved (or sent back to its officers, then submitted again). Approving a
version supersedes the version approved before, in the same transaction, so the totals never
count both or neither. Finance officers of the organisation submit; its approvers approve or
send back, but never send back a return they submitted, nor approve a version they prepared
(created, entered, changed or imported lines into, or submitted: its audit trail says who, see
``ledger.selectors.preparers.spend_return_author_ids``). ``actor=None`` is the system itself
(the demo loader, the shell), which may do anything the workflow allows.
"""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ledger.models import NotificationKind, SpendReturn, SpendReturnStatus, WorkflowAction
from ledger.selectors.approval import spend_return_approval_checks
from ledger.services.workflow import workflow_event_record
from totalplace.money import pounds
from totalplace.permissions import require_perm

from .coverage import spend_return_months_record
from .notifications import notifications_send
from .transfers import supplier_matches_for_return

PREPARED_IT = (
    "You prepared this version (you created it, entered, changed or imported its lines, or "
    "submitted it), so another approver must sign it off."
)
SUBMITTED_IT = "You submitted this return, so another approver must send it back."


def spend_return_versions_lock(*, spend_return: SpendReturn) -> dict[int, SpendReturn]:
    """Lock every version of the return's organisation, year and place, fresh from the database.

    Always in id order: two approvals of different versions at once then queue on the first
    version instead of each holding one and waiting for the other (a deadlock).
    """
    scope = spend_return.versions().select_for_update(of=("self",)).order_by("pk")
    return {r.pk: r for r in scope}


def _require_approver(
    actor: AbstractBaseUser | None,
    spend_return: SpendReturn,
    *,
    perm: str,
    verb: str,
    done: str,
    refused: str,
) -> None:
    # The role first (asked of the organisation), then the state, then the act itself.
    require_perm(
        actor,
        "ledger.approve_spend_return",
        spend_return.organisation,
        message=f"Only approvers of {spend_return.organisation} can {verb}.",
    )
    if spend_return.status != SpendReturnStatus.SUBMITTED:
        raise ValidationError(f"Only a submitted return can be {done}.")
    require_perm(actor, perm, spend_return, message=refused)


@transaction.atomic
def spend_return_submit(
    *, spend_return: SpendReturn, actor: AbstractBaseUser | None
) -> SpendReturn:
    """Send a draft (or a sent-back draft) for sign-off.

    It needs at least one line, and its lines must add up to its declared control total.
    """
    spend_return = SpendReturn.objects.select_for_update().get(pk=spend_return.pk)
    require_perm(
        actor,
        "ledger.prepare_returns",
        spend_return,
        message=f"Only finance officers of {spend_return.organisation} can submit its returns.",
    )
    if spend_return.status not in SpendReturnStatus.editable():
        raise ValidationError(
            f"A {spend_return.get_status_display().lower()} return cannot be submitted."
        )
    if not spend_return.lines.exists():
        raise ValidationError("A spend return needs at least one line before it is submitted.")
    if spend_return.control_total is not None:
        total = spend_return.lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if total != spend_return.control_total:
            raise ValidationError(
                f"The lines total {pounds(total)} but the declared control total is "
                f"{pounds(spend_return.control_total)}: correct the lines or the control total."
            )
    supplier_matches_for_return(spend_return=spend_return)  # lines entered in the grid too
    # Its lines are fixed from here on: the months they cover are counted once, now.
    spend_return_months_record(spend_return=spend_return)
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
    notifications_send(spend_return=spend_return, kind=NotificationKind.SUBMITTED, actor=actor)
    return spend_return


@transaction.atomic
def spend_return_approve(
    *, spend_return: SpendReturn, actor: AbstractBaseUser | None, reason: str = ""
) -> SpendReturn:
    """Sign off a submitted return: it replaces the previously approved version in the totals.

    Refused to anyone who prepared this version (separation of duties).

    With warnings on its check-list (``spend_return_approval_checks``) a person must say why
    it is right anyway; the reason and the warnings go into the approval's workflow event.
    The system (``actor=None``: the demo loader) approves without one.
    """
    # Lock all its versions before reading its status: see the lock's docstring.
    versions = spend_return_versions_lock(spend_return=spend_return)
    spend_return = versions[spend_return.pk]
    _require_approver(
        actor,
        spend_return,
        perm="ledger.approve_spend_return",
        verb="sign it off",
        done="approved",
        refused=PREPARED_IT,
    )
    # Only a newer version replaces the approved one: approving an older one would put back
    # figures its officers have since corrected.
    newer = [
        v.version
        for v in versions.values()
        if v.status == SpendReturnStatus.APPROVED and v.version > spend_return.version
    ]
    if newer:
        raise ValidationError(
            f"Version {newer[0]} is approved and counts; version {spend_return.version} is "
            "older and would put its figures back. Send this one back, or start a new version "
            "from it to approve its figures.",
            code="older",
        )
    checks = spend_return_approval_checks(spend_return=spend_return)
    reason = reason.strip()
    if checks and actor is not None and not reason:
        raise ValidationError(
            f"Check before approving: {checks.summary}. Approving with these warnings needs a "
            "reason.",
            code="warnings",
        )
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
    spend_return_months_record(spend_return=spend_return)  # one indexed query: always right
    spend_return.status = SpendReturnStatus.APPROVED
    spend_return.approved_at, spend_return.approved_by = now, actor
    spend_return.save(update_fields=["status", "approved_at", "approved_by"])
    detail = {"version": spend_return.version}
    if checks:
        detail["warnings"] = checks.as_detail()
    workflow_event_record(
        action=WorkflowAction.APPROVED,
        actor=actor,
        spend_return=spend_return,
        reason=reason,
        detail=detail,
    )
    notifications_send(spend_return=spend_return, kind=NotificationKind.APPROVED, actor=actor)
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
    """Return a submitted return to its finance officers, saying why; they can edit it again."""
    spend_return = SpendReturn.objects.select_for_update().get(pk=spend_return.pk)
    _require_approver(
        actor,
        spend_return,
        perm="ledger.send_back_spend_return",
        verb="send it back",
        done="sent back",
        refused=SUBMITTED_IT,
    )
    if not reason.strip():
        raise ValidationError("Say why the return is being sent back.")
    spend_return.status = SpendReturnStatus.SENT_BACK
    spend_return.sent_back_at, spend_return.sent_back_by = timezone.now(), actor
    spend_return.send_back_reason = reason.strip()
    spend_return.save(update_fields=["status", "sent_back_at", "sent_back_by", "send_back_reason"])
    workflow_event_record(
        action=WorkflowAction.SENT_BACK,
        actor=actor,
        spend_return=spend_return,
        reason=spend_return.send_back_reason,
        detail={"version": spend_return.version},
    )
    notifications_send(
        spend_return=spend_return,
        kind=NotificationKind.SENT_BACK,
        actor=actor,
        reason=spend_return.send_back_reason,
    )
    return spend_return
