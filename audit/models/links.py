"""History of many-to-many links, one table per link: a row when a link is added or removed.

A pilot's footprint (``Pilot.places``) decides whose spend is its baseline; the places an
organisation serves (``Organisation.places``) decide how its spend is apportioned; a place's
successors (``Place.successors``) record a boundary change (Cumbria was followed by Cumberland
and by Westmorland and Furness). None is a column of the record, so the records' own history
tables (where they have one) do not see them change.

Django keeps each link as a row of an auto-created through table. pghistory tracks a proxy of
that table (declared here, so its triggers and migrations are the audit app's): an ``add``
event after each insert, a ``remove`` event after each delete, including the ones ``clear()``,
``set()`` and a cascade make. Each event names both linked records; there is no ``pgh_obj``
because Django forbids foreign keys to auto-created through models.
"""

import pghistory
from django.db import models

from ledger.models import Organisation, Place
from pilots.models import Pilot, PlaceBudgetSubmission
from savings.models import BenefitFlow

ADD = "add"
REMOVE = "remove"


def _links_of(model: type[models.Model], field_name: str, *, noun: str):
    """An abstract event model for ``model.field_name``'s links, and the proxy it tracks."""
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    owner, other = field.m2m_field_name(), field.m2m_reverse_field_name()
    name = f"{model.__name__}{noun.title().replace(' ', '')}"
    proxy = type(
        f"{name}Link",
        (through,),
        {
            "__module__": __name__,
            "Meta": type("Meta", (), {"proxy": True, "app_label": "audit"}),
        },
    )
    return pghistory.create_event_model(
        proxy,
        pghistory.InsertEvent(ADD),
        pghistory.DeleteEvent(REMOVE),
        fields=[owner, other],
        app_label="audit",
        model_name=f"{name}EventBase",
        obj_field=None,
        context_field=pghistory.ContextForeignKey(db_index=True),
        append_only=True,
        # A record's history reads its links by the record's id.
        meta={"indexes": [models.Index(fields=[owner], name=f"audit_{name.lower()}"[:30])]},
        attrs={"link_owner": owner, "link_other": other, "link_noun": noun},
    )


class PilotPlaceEvent(_links_of(Pilot, "places", noun="place")):
    pass


class PilotServiceThemeEvent(_links_of(Pilot, "service_themes", noun="service theme")):
    pass


class PilotDeepDiveEvent(_links_of(Pilot, "deep_dives", noun="deep dive")):
    pass


class OrganisationPlaceEvent(_links_of(Organisation, "places", noun="place")):
    pass


# Self-referential: ``from_place`` is the place that ended, ``to_place`` a place that followed it.
class PlaceSuccessorEvent(_links_of(Place, "successors", noun="successor")):
    # Read from the other side too: Cumberland's history says when Cumbria became its predecessor.
    link_reverse_noun = "predecessor"


class PlaceBudgetSubmissionInitiativeEvent(
    _links_of(PlaceBudgetSubmission, "linked_initiatives", noun="initiative")
):
    pass


class PlaceBudgetSubmissionEvidenceEvent(
    _links_of(PlaceBudgetSubmission, "linked_evidence", noun="evidence")
):
    pass


class BenefitFlowEvidenceEvent(_links_of(BenefitFlow, "evidence", noun="evidence")):
    pass


# Record's model → the history tables of its links, for the history pages and the admin.
LINK_EVENT_MODELS = {
    Pilot: [PilotPlaceEvent, PilotServiceThemeEvent, PilotDeepDiveEvent],
    Organisation: [OrganisationPlaceEvent],
    Place: [PlaceSuccessorEvent],
    PlaceBudgetSubmission: [
        PlaceBudgetSubmissionInitiativeEvent,
        PlaceBudgetSubmissionEvidenceEvent,
    ],
    BenefitFlow: [BenefitFlowEvidenceEvent],
}
# Record's model → the history tables in which it is the other side of a link, read by
# ``link_other`` and named with ``link_reverse_noun``. A link's history table is indexed by its
# owner only: these tables are small (boundary changes), so the other side needs no index.
REVERSE_LINK_EVENT_MODELS = {Place: [PlaceSuccessorEvent]}
