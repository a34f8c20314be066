"""Changes a pilot's own leads may make: its summary, status and themes.

The footprint, programme, kind and lead organisation are reference data, set by administrators.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from pilots.models import Pilot

from .access import require_pilot_lead

PILOT_FIELDS = {"summary", "status", "deep_dives", "service_themes"}


@transaction.atomic
def pilot_update(*, pilot: Pilot, actor: AbstractBaseUser | None, **fields) -> Pilot:
    """Change a pilot's summary, status or themes (its leads only)."""
    require_pilot_lead(actor=actor, pilot=pilot)
    unknown = set(fields) - PILOT_FIELDS
    if unknown:
        raise ValidationError(f"Only administrators can change: {', '.join(sorted(unknown))}")
    deep_dives = fields.pop("deep_dives", None)
    service_themes = fields.pop("service_themes", None)
    if deep_dives is not None and any(d.scheme != "deep_dive" for d in deep_dives):
        raise ValidationError({"deep_dives": "Choose Total Place deep-dive themes."})
    for name, value in fields.items():
        setattr(pilot, name, value)
    pilot.full_clean(exclude=["programme", "lead_organisation"])
    pilot.save()
    if deep_dives is not None:
        pilot.deep_dives.set(deep_dives)
    if service_themes is not None:
        pilot.service_themes.set(service_themes)
    return pilot
