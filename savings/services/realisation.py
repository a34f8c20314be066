"""A saving's life: proposed by the pilot's leads, agreed by each of the paying and receiving
organisations, then cashed or not realised. Each step is one function, records who took it,
and refuses the steps that do not follow (``actor=None`` is the system: the demo loader)."""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ledger.models import FinancialYear, SpendReturn
from ledger.selectors.access import user_organisations
from pilots.models import Initiative
from pilots.services.access import require_known_fields, require_pilot_lead
from savings.models import Saving, SavingStatus

NOT_A_MEMBER = "Only members of the paying or the receiving organisation may agree this saving."
NOT_THE_RECEIVER = "Only members of the receiving organisation may record that it was cashed."


def _member_of(actor: AbstractBaseUser | None, organisation_id: int) -> bool:
    # Members only: an agreement is an organisation's word, so administrators, who may see and
    # fix everything, do not give it for them. The system (None) records the demo's.
    if actor is None:
        return True
    return user_organisations(user=actor).filter(pk=organisation_id).exists()


def _require_status(saving: Saving, *allowed: str) -> None:
    if saving.status not in allowed:
        raise ValidationError(
            f"This saving is {saving.get_status_display().lower()}: that step does not follow."
        )


def _locked(saving: Saving) -> Saving:
    return Saving.objects.select_for_update().select_related("initiative").get(pk=saving.pk)


@transaction.atomic
def saving_propose(*, initiative: Initiative, actor: AbstractBaseUser | None, **fields) -> Saving:
    """Claim a saving for a receiving organisation in a financial year (the pilot's leads)."""
    require_pilot_lead(actor=actor, pilot=initiative.pilot_id)
    require_known_fields(fields=fields, allowed=Saving.INPUT_FIELDS)
    # The payer may be the receiver too (a council investing to save in its own budget).
    saving = Saving(initiative=initiative, created_by=actor, **fields)
    saving.full_clean(exclude=["initiative", "created_by"])
    saving.save()
    return saving


@transaction.atomic
def saving_agree(*, saving: Saving, actor: AbstractBaseUser | None) -> Saving:
    """Record the actor's organisation's agreement: the payer's, the receiver's, or both if
    the actor belongs to both. Agreed by both sides, the saving is agreed."""
    saving = _locked(saving)
    _require_status(saving, SavingStatus.PROPOSED)
    now = timezone.now()
    sides = [
        side
        for side in ("payer", "receiver")
        if getattr(saving, f"{side}_agreed_at") is None
        and _member_of(actor, getattr(saving, f"{side}_id"))
    ]
    if not sides:
        raise PermissionDenied(NOT_A_MEMBER)
    for side in sides:
        setattr(saving, f"{side}_agreed_by", actor)
        setattr(saving, f"{side}_agreed_at", now)
    if saving.payer_agreed_at and saving.receiver_agreed_at:
        saving.status = SavingStatus.AGREED
    saving.save()
    return saving


@transaction.atomic
def saving_cash(
    *,
    saving: Saving,
    actor: AbstractBaseUser | None,
    amount: Decimal,
    financial_year: FinancialYear,
    spend_return: SpendReturn | None = None,
) -> Saving:
    """Record an agreed saving as cashed: how much, in which year, and the receiver's return
    whose lines show it (its members only)."""
    saving = _locked(saving)
    _require_status(saving, SavingStatus.AGREED)
    if not _member_of(actor, saving.receiver_id):
        raise PermissionDenied(NOT_THE_RECEIVER)
    if spend_return is not None and spend_return.organisation_id != saving.receiver_id:
        raise ValidationError({"spend_return": "Choose a return of the receiving organisation."})
    saving.status = SavingStatus.CASHED
    saving.realised, saving.realised_year = amount, financial_year
    saving.spend_return = spend_return
    saving.full_clean(exclude=["initiative", "created_by"])
    saving.save()
    return saving


@transaction.atomic
def saving_not_realised(*, saving: Saving, actor: AbstractBaseUser | None, reason: str) -> Saving:
    """Record that a proposed or agreed saving did not happen, and why (either organisation's
    members or the pilot's leads)."""
    saving = _locked(saving)
    _require_status(saving, SavingStatus.PROPOSED, SavingStatus.AGREED)
    if not (_member_of(actor, saving.payer_id) or _member_of(actor, saving.receiver_id)):
        require_pilot_lead(actor=actor, pilot=saving.initiative.pilot_id)
    if not reason.strip():
        raise ValidationError({"not_realised_reason": "Say why the saving was not realised."})
    saving.status, saving.not_realised_reason = SavingStatus.NOT_REALISED, reason.strip()
    saving.save()
    return saving
