"""Pilot leads: granting, and the checks every write makes."""

from collections.abc import Collection

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from pilots.models import Pilot, PilotLead
from totalplace.permissions import require_perm

NOT_A_LEAD = "Only this pilot's leads can change it."


def require_pilot_lead(*, actor: AbstractBaseUser | None, pilot: Pilot | int) -> None:
    """Refuse a write by anyone but the pilot's leads (the ``pilots.edit_pilot`` rule).
    ``actor=None`` is the system itself (the demo loader, admin imports), which may write
    anything."""
    require_perm(actor, "pilots.edit_pilot", pilot, message=NOT_A_LEAD)


def require_known_fields(*, fields: dict, allowed: Collection[str]) -> None:
    """Refuse fields a write does not take, rather than set or ignore them unseen."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")


@transaction.atomic
def pilot_lead_grant(
    *, pilot: Pilot, user: AbstractBaseUser, actor: AbstractBaseUser | None = None
) -> PilotLead:
    """Make ``user`` a lead of ``pilot`` (idempotent)."""
    lead, _ = PilotLead.objects.get_or_create(
        pilot=pilot, user=user, defaults={"granted_by": actor}
    )
    return lead
