"""Writing place-based budget submissions and how their savings build up."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from pilots.models import Pilot, PlaceBudgetSubmission, SubmissionSaving

from .access import require_known_fields, require_pilot_lead

SUBMISSION_FIELDS = frozenset(PlaceBudgetSubmission.INPUT_FIELDS)
SAVING_FIELDS = {"description", "theme", "organisation", "initiative", "baseline", "saving"}


def _validate(submission: PlaceBudgetSubmission) -> None:
    errors = {}
    if submission.total_spend_baseline is not None and not (
        submission.total_spend_baseline_source.strip()
    ):
        errors["total_spend_baseline_source"] = "Say where an entered baseline comes from."
    if (submission.benefits_counterfactual is None) != (submission.benefits_projected is None):
        errors["benefits_projected"] = (
            "Give both the counterfactual and the projected benefits spend, or neither."
        )
    if errors:
        raise ValidationError(errors)
    submission.full_clean(exclude=["pilot", "created_by", "baseline_year"])


def _savings_replace(submission: PlaceBudgetSubmission, savings: list[dict]) -> None:
    rows = []
    for order, row in enumerate(savings):
        unknown = set(row) - SAVING_FIELDS
        if unknown:
            raise ValidationError({"savings": f"Row {order + 1}: unknown fields {sorted(unknown)}"})
        initiative = row.get("initiative")
        if initiative is not None and initiative.pilot_id != submission.pilot_id:
            raise ValidationError(
                {"savings": f"Row {order + 1}: that initiative belongs to another pilot."}
            )
        saving = SubmissionSaving(submission=submission, sort_order=order, **row)
        saving.full_clean(exclude=["submission"])
        rows.append(saving)
    submission.savings.all().delete()
    SubmissionSaving.objects.bulk_create(rows)


def _links_set(submission, linked_initiatives, linked_evidence) -> None:
    for name, items in (
        ("linked_initiatives", linked_initiatives),
        ("linked_evidence", linked_evidence),
    ):
        if items is None:
            continue
        if any(item.pilot_id != submission.pilot_id for item in items):
            raise ValidationError({name: "Link only this pilot's own initiatives and evidence."})
        getattr(submission, name).set(items)


@transaction.atomic
def submission_create(
    *,
    pilot: Pilot,
    actor: AbstractBaseUser | None,
    title: str,
    savings: list[dict] | None = None,
    linked_initiatives=None,
    linked_evidence=None,
    **fields,
) -> PlaceBudgetSubmission:
    """Record a pilot's place-based budget submission, with its savings build-up and links."""
    require_pilot_lead(actor=actor, pilot=pilot)
    require_known_fields(fields=fields, allowed=SUBMISSION_FIELDS)
    submission = PlaceBudgetSubmission(pilot=pilot, title=title, created_by=actor, **fields)
    _validate(submission)
    submission.save()
    _savings_replace(submission, savings or [])
    _links_set(submission, linked_initiatives, linked_evidence)
    return submission


@transaction.atomic
def submission_update(
    *,
    submission: PlaceBudgetSubmission,
    actor: AbstractBaseUser | None,
    savings: list[dict] | None = None,
    linked_initiatives=None,
    linked_evidence=None,
    **fields,
) -> PlaceBudgetSubmission:
    """Change a submission; ``savings`` (when given) replaces the whole build-up."""
    require_pilot_lead(actor=actor, pilot=submission.pilot_id)
    require_known_fields(fields=fields, allowed=SUBMISSION_FIELDS)
    for name, value in fields.items():
        setattr(submission, name, value)
    _validate(submission)
    submission.save()
    if savings is not None:
        _savings_replace(submission, savings)
    _links_set(submission, linked_initiatives, linked_evidence)
    return submission


@transaction.atomic
def submission_delete(*, submission: PlaceBudgetSubmission, actor: AbstractBaseUser | None):
    require_pilot_lead(actor=actor, pilot=submission.pilot_id)
    submission.delete()
