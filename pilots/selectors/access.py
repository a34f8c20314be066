"""What each user may read: published work for everyone; drafts and unpublished evidence for
the pilot's leads (and administrators). Who may *change* a pilot is ``pilots/permissions.py``."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from pilots.models import EvidenceItem, Initiative, InitiativeStatus, Pilot, PilotLead

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")


def _led_pilot_ids(user) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(PilotLead.objects.filter(user=user).values_list("pilot_id", flat=True))


@dataclass(frozen=True)
class Visible:
    """What one user may read of pilots, as querysets not yet run. Pilots hands it to the
    sections other apps add to its pages (``pilots.pages.common.sections``), which filter by it
    rather than call back into these rules while pilots' page is calling them."""

    initiatives: QuerySet[Initiative]
    evidence: QuerySet[EvidenceItem]


def visible_to(*, user) -> Visible:
    """Initiatives: published and withdrawn ones for everyone, drafts only for the pilot's leads.
    Evidence: published evidence (of a public initiative, if any) for everyone, all of it for
    leads. Administrators see everything."""
    initiatives, evidence = Initiative.objects.all(), EvidenceItem.objects.all()
    if user.is_authenticated and user.is_superuser:
        return Visible(initiatives=initiatives, evidence=evidence)
    led = Q(pilot_id__in=_led_pilot_ids(user))
    public = Q(is_published=True) & (
        Q(initiative__isnull=True) | ~Q(initiative__status=InitiativeStatus.DRAFT)
    )
    return Visible(
        initiatives=initiatives.filter(~Q(status=InitiativeStatus.DRAFT) | led),
        evidence=evidence.filter(public | led),
    )


def visible_initiatives(*, user) -> QuerySet[Initiative]:
    """The initiatives ``user`` may read (``visible_to``)."""
    return visible_to(user=user).initiatives


def visible_evidence(*, user) -> QuerySet[EvidenceItem]:
    """The evidence ``user`` may read (``visible_to``)."""
    return visible_to(user=user).evidence


def visible_submissions(*, user):
    from pilots.models import PlaceBudgetSubmission

    submissions = PlaceBudgetSubmission.objects.all()
    if user.is_authenticated and user.is_superuser:
        return submissions
    return submissions.filter(Q(is_published=True) | Q(pilot_id__in=_led_pilot_ids(user)))


def owner_pilot_id(*, pilot_slug=None, initiative_id=None) -> int | None:
    """The pilot a new record will belong to, named by its slug or by one of its initiatives
    (``None`` when nothing matches: the serializer reports that)."""
    if pilot_slug:
        # Raw, unvalidated input: anything that cannot be a slug (a NUL byte, say, which
        # PostgreSQL refuses outright) matches no pilot.
        if not SLUG.fullmatch(str(pilot_slug)):
            return None
        return Pilot.objects.filter(slug=str(pilot_slug)).values_list("pk", flat=True).first()
    if initiative_id:
        try:
            return (
                Initiative.objects.filter(public_id=str(initiative_id))
                .values_list("pilot_id", flat=True)
                .first()
            )
        except ValidationError:  # not a UUID
            return None
    return None
