"""Who may change a pilot: its leads (``PilotLead``) and administrators. Defined once here;
the pages, the API and the services all ask ``pilots.edit_pilot``.

Reading is for everyone, except drafts and unpublished evidence, which the selectors in
``pilots/selectors/access.py`` show only to the pilot's leads and administrators.
"""

import rules

from ledger.permissions import is_admin, works_without_organisation
from pilots.models import Pilot, PilotLead


def pilot_id_of(obj) -> int | None:
    """The pilot a thing belongs to: a pilot, its id, an initiative, evidence, a submission,
    or a cost line or benefit flow (through its initiative)."""
    if obj is None or isinstance(obj, int):
        return obj
    if isinstance(obj, Pilot):
        return obj.pk
    if hasattr(obj, "pilot_id"):
        return obj.pilot_id
    return obj.initiative.pilot_id


@rules.predicate
def is_pilot_lead(user, obj=None) -> bool:
    """A lead of the object's pilot (with no object: of any pilot)."""
    if not user.is_authenticated or not user.is_active:
        return False
    leads = PilotLead.objects.filter(user=user)
    pilot_id = pilot_id_of(obj)
    if pilot_id is not None:
        leads = leads.filter(pilot_id=pilot_id)
    return leads.exists()


rules.add_perm("pilots.edit_pilot", is_pilot_lead | is_admin)
# Pilot leads use the API for their pilots, not for an organisation (``ledger/permissions.py``).
rules.set_perm(
    "ledger.create_api_token_without_organisation",
    works_without_organisation | is_pilot_lead,
)
