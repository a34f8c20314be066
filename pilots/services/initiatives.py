"""Writing initiatives, and refreshing their baseline from the ledger."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ledger.calculations.footprint import footprint_spend, theme_weights_for
from pilots.models import Initiative, Pilot
from pilots.selectors.ledger import initiatives_affected_by_returns
from pilots.signals import initiative_changed

from .access import require_known_fields, require_pilot_lead

INITIATIVE_FIELDS = {
    "title",
    "summary",
    "deep_dive",
    "service_theme",
    "status",
    "baseline_year",
    "baseline_entered_amount",
    "baseline_entered_source",
    "is_illustrative",
}


def _validate(initiative: Initiative) -> None:
    errors = {}
    if initiative.deep_dive_id is None and initiative.service_theme_id is None:
        errors["service_theme"] = "Choose a deep-dive theme, a service theme, or both."
    if initiative.deep_dive_id and initiative.deep_dive.scheme != "deep_dive":
        errors["deep_dive"] = "Choose one of the Total Place deep-dive themes."
    if initiative.baseline_entered_amount is not None and not (
        initiative.baseline_entered_source.strip()
    ):
        errors["baseline_entered_source"] = "Say where an entered baseline comes from."
    if errors:
        raise ValidationError(errors)
    initiative.full_clean(exclude=["pilot", "created_by", "updated_by", "baseline_year"])


def _announce(initiative: Initiative) -> None:
    """Refresh the baseline once this change commits (its theme or year may have changed) and
    tell the apps built on pilots (savings recomputes the appraisal)."""
    from pilots.tasks import baseline_refresh

    baseline_refresh.delay_on_commit(initiative.pk)
    initiative_changed.send(
        sender=Initiative,
        initiative=initiative,
        initiative_id=initiative.pk,
        pilot_id=initiative.pilot_id,
    )


@transaction.atomic
def initiative_create(
    *, pilot: Pilot, actor: AbstractBaseUser | None, title: str, **fields
) -> Initiative:
    """A new initiative (a draft unless ``status`` says otherwise); announced with
    ``initiative_changed`` (savings queues its appraisal) and its baseline read after commit."""
    require_pilot_lead(actor=actor, pilot=pilot)
    require_known_fields(fields=fields, allowed=INITIATIVE_FIELDS)
    initiative = Initiative(pilot=pilot, title=title, created_by=actor, updated_by=actor, **fields)
    _validate(initiative)
    initiative.save()
    _announce(initiative)
    return initiative


@transaction.atomic
def initiative_update(
    *, initiative: Initiative, actor: AbstractBaseUser | None, **fields
) -> Initiative:
    """Change an initiative; announced with ``initiative_changed`` (its appraisal and its pilot's
    totals are recomputed after commit) and its baseline read again after commit."""
    require_pilot_lead(actor=actor, pilot=initiative.pilot_id)
    require_known_fields(fields=fields, allowed=INITIATIVE_FIELDS)
    for name, value in fields.items():
        setattr(initiative, name, value)
    initiative.updated_by = actor
    _validate(initiative)
    initiative.save()
    _announce(initiative)
    return initiative


@transaction.atomic
def initiative_delete(*, initiative: Initiative, actor: AbstractBaseUser | None) -> None:
    """Delete an initiative with its evidence, costs and benefits; announced with
    ``initiative_changed`` (``initiative`` None), so its pilot's totals follow."""
    require_pilot_lead(actor=actor, pilot=initiative.pilot_id)
    pilot_id, initiative_id = initiative.pilot_id, initiative.pk
    initiative.delete()
    initiative_changed.send(
        sender=Initiative, initiative=None, initiative_id=initiative_id, pilot_id=pilot_id
    )


def initiative_baseline_refresh(*, initiative: Initiative) -> Initiative:
    """Store the ledger's approved spend for the footprint × theme × baseline year."""
    year = initiative.baseline_year
    weights = theme_weights_for(
        service_theme=initiative.service_theme,
        deep_dive=initiative.deep_dive,
        on=year.start_date,
    )
    totals = footprint_spend(
        places=initiative.pilot.places.all(), financial_year=year, theme_weights=weights
    )
    amount = totals[0].amount if totals else None
    lines = totals[0].lines if totals else 0
    initiative.baseline_ledger_amount, initiative.baseline_ledger_lines = amount, lines
    initiative.baseline_refreshed_at = timezone.now()
    initiative.save(
        update_fields=["baseline_ledger_amount", "baseline_ledger_lines", "baseline_refreshed_at"]
    )
    return initiative


def initiative_baselines_refresh_for_returns(*, spend_return_ids: list[int]) -> int:
    """Refresh the baselines these returns can change, once their rollups are current; returns
    how many. Run again, it stores the same figures (the nightly refresh remains the catch-all).
    """
    affected = initiatives_affected_by_returns(spend_return_ids=spend_return_ids)
    return initiative_baselines_refresh(
        initiative_ids=affected.order_by("pk").values_list("pk", flat=True)
    )


def initiative_baselines_refresh_for_pilot(*, pilot_id: int) -> int:
    """Refresh every baseline of a pilot whose footprint changed; returns how many."""
    initiatives = Initiative.objects.filter(pilot_id=pilot_id).order_by("pk")
    return initiative_baselines_refresh(initiative_ids=initiatives.values_list("pk", flat=True))


def initiative_baselines_refresh(*, initiative_ids) -> int:
    """Refresh these initiatives' baselines, each locked and read afresh; returns how many."""
    ids = list(initiative_ids)
    for initiative_id in ids:
        with transaction.atomic():
            # Locked and read afresh: a lead's edit to the theme or year committed meanwhile is
            # the one refreshed, and an appraisal's recompute of it waits its turn.
            initiative = (
                Initiative.objects.select_for_update(of=("self",))
                .select_related("pilot", "baseline_year", "service_theme", "deep_dive")
                .filter(pk=initiative_id)
                .first()
            )
            if initiative is not None:  # deleted since: nothing to refresh
                initiative_baseline_refresh(initiative=initiative)
    return len(ids)
