"""Read for everyone; write only for the leads of the pilot a resource belongs to (the
``pilots.edit_pilot`` rule in ``pilots/permissions.py``)."""

from rest_framework.exceptions import PermissionDenied

from pilots.selectors.access import owner_pilot_id
from pilots.services.access import NOT_A_LEAD
from totalplace.permissions import RulePermission, has_perm


class IsPilotLeadOrReadOnly(RulePermission):
    """Safe methods for anyone; changes only by a lead of the object's pilot (or an admin)."""

    perm = "pilots.edit_pilot"
    view_level = False  # creates are checked against the pilot named in the body, below
    message = NOT_A_LEAD


def require_lead_for_payload(request, *, pilot_slug=None, initiative_id=None) -> None:
    """Before parsing a create, refuse callers who do not lead the pilot named in the body
    (so an outsider learns nothing from validation errors). Unknown names are left to the
    serializer to report."""
    pilot = owner_pilot_id(pilot_slug=pilot_slug, initiative_id=initiative_id)
    if pilot is not None and not has_perm(request.user, "pilots.edit_pilot", pilot):
        raise PermissionDenied(NOT_A_LEAD)
