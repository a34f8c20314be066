"""What savings does when pilots says an initiative changed: it asks for a recompute."""

from pilots.signals import initiative_changed
from savings.services.recompute import appraisal_request, pilot_scopes_request


def _results_follow(sender, *, initiative, pilot_id: int, **kwargs) -> None:
    if initiative is None:  # deleted: its results went with it, its pilot's totals follow
        pilot_scopes_request(pilot_id=pilot_id)
    else:
        appraisal_request(initiative=initiative)


def connect() -> None:
    initiative_changed.connect(_results_follow, dispatch_uid="savings-results-follow-initiatives")
