"""Many-to-many links in the trail: a pilot's footprint and themes, the places an organisation
serves, a submission's initiatives and evidence, a place's successors; added and removed, by
whom, and where shown."""

import datetime as dt
import itertools
import re

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.history import object_history
from audit.models import OrganisationPlaceEvent, PilotPlaceEvent
from audit.models.links import LINK_EVENT_MODELS
from pilots.models import PlaceBudgetSubmission
from tests.audit.helpers import context_of
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
    UserFactory,
)
from tests.pilots.factories import (
    BenefitFlowFactory,
    DeepDiveFactory,
    EvidenceFactory,
    InitiativeFactory,
    PilotFactory,
    pilot_admin_form,
)
from tests.services import require_postgres
from totalplace.audit_context import audit_context

pytestmark = pytest.mark.django_db
_codes = itertools.count()


def _submission():
    return PlaceBudgetSubmission.objects.create(
        pilot=PilotFactory(), title="August 2010", baseline_year=FinancialYearFactory()
    )


# For each tracked link: make the record, the link's field, and make a record to link to.
LINKS = {
    "pilot places": (lambda: PilotFactory(places=[]), "places", PlaceFactory),
    "pilot service themes": (lambda: PilotFactory(), "service_themes", ServiceThemeFactory),
    "pilot deep dives": (
        lambda: PilotFactory(),
        "deep_dives",
        lambda: DeepDiveFactory(code=f"deep-dive-{next(_codes)}"),
    ),
    "organisation places": (lambda: OrganisationFactory(), "places", PlaceFactory),
    "submission initiatives": (_submission, "linked_initiatives", InitiativeFactory),
    "submission evidence": (_submission, "linked_evidence", EvidenceFactory),
    "place successors": (lambda: PlaceFactory(), "successors", PlaceFactory),
    "benefit evidence": (lambda: BenefitFlowFactory(), "evidence", EvidenceFactory),
}


def _links_of(obj, field: str) -> list[tuple[str, int, int | None]]:
    """(label, linked record's id, acting user) of every event of ``obj.field``, oldest first."""
    (event_model,) = [
        m
        for m in LINK_EVENT_MODELS[type(obj)]
        if m.pgh_tracked_model._meta.concrete_model is getattr(type(obj), field).through
    ]
    events = event_model.objects.filter(**{event_model.link_owner: obj.pk}).order_by("pgh_id")
    return [
        (e.pgh_label, getattr(e, f"{e.link_other}_id"), context_of(e).get("user"))
        for e in events.select_related("pgh_context")
    ]


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_every_tracked_link_is_in_the_table():
    made = {type(make()) for make, _, _ in LINKS.values()}
    assert made == set(LINK_EVENT_MODELS)
    tracked = {(type(make()), field) for make, field, _ in LINKS.values()}
    assert len(tracked) == sum(len(models) for models in LINK_EVENT_MODELS.values())


@pytest.mark.services
@pytest.mark.parametrize("name", LINKS)
def test_adding_and_removing_a_link_is_recorded_with_the_acting_user(name):
    require_postgres()
    make, field, make_other = LINKS[name]
    obj, first, second = make(), make_other(), make_other()
    before = _links_of(obj, field)  # e.g. the factory's own first place, outside any context
    alice = UserFactory(username="alice")
    with audit_context(user=alice.pk, username="alice", url="/test/", method="POST"):
        getattr(obj, field).add(first, second)
        getattr(obj, field).add(first)  # already linked: nothing happens, nothing recorded
        getattr(obj, field).remove(first)
    changes = _links_of(obj, field)[len(before) :]
    # add() of several inserts them in a set's order, which depends on the ids.
    assert sorted(changes[:2]) == [("add", first.pk, alice.pk), ("add", second.pk, alice.pk)]
    assert changes[2:] == [("remove", first.pk, alice.pk)]


@pytest.mark.services
@pytest.mark.parametrize("name", ["pilot places", "organisation places", "place successors"])
def test_set_and_clear_are_recorded_link_by_link(name):
    require_postgres()
    make, field, make_other = LINKS[name]
    obj = make()
    a, b, c = make_other(), make_other(), make_other()
    getattr(obj, field).set([a, b])
    start = len(_links_of(obj, field))
    bob = UserFactory(username="bob")
    with audit_context(user=bob.pk, username="bob", command="fix_footprints"):
        getattr(obj, field).set([b, c])
        getattr(obj, field).clear()
    changes = _links_of(obj, field)[start:]
    assert changes[:2] == [("remove", a.pk, bob.pk), ("add", c.pk, bob.pk)]
    assert sorted(changes[2:]) == [("remove", b.pk, bob.pk), ("remove", c.pk, bob.pk)]


@pytest.mark.services
def test_deleting_a_pilot_records_its_footprint_removed():
    require_postgres()
    cumbria = PlaceFactory(name="Cumbria")
    pilot = PilotFactory(places=[cumbria])
    pk = pilot.pk
    with audit_context(user=None, command="prune"):
        pilot.delete()
    removed = PilotPlaceEvent.objects.get(pilot_id=pk, pgh_label="remove")
    assert removed.place_id == cumbria.pk
    assert removed.pgh_context.metadata["command"] == "prune"


@pytest.mark.services
def test_link_events_cannot_be_changed_or_deleted():
    require_postgres()
    organisation = OrganisationFactory()
    organisation.places.add(PlaceFactory())
    event = OrganisationPlaceEvent.objects.get(organisation=organisation)
    for statement in (
        f"UPDATE audit_organisationplaceevent SET place_id = 0 WHERE pgh_id = {event.pgh_id}",
        f"DELETE FROM audit_organisationplaceevent WHERE pgh_id = {event.pgh_id}",
    ):
        with (
            pytest.raises(DatabaseError, match="Cannot"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


@pytest.fixture
def admin_user():
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.mark.services
def test_an_admin_edit_of_the_footprint_is_recorded_with_the_admin(client, admin_user):
    require_postgres()
    cumbria, carlisle = PlaceFactory(name="Cumbria"), PlaceFactory(name="Carlisle")
    pilot = PilotFactory(places=[cumbria])
    client.force_login(admin_user)
    url = f"/admin/pilots/pilot/{pilot.pk}/change/"
    response = client.post(url, pilot_admin_form(pilot, places=[carlisle]))
    assert response.status_code == 302, _text(response)
    assert _links_of(pilot, "places")[1:] == [  # set(): the old link goes, the new one comes
        ("remove", cumbria.pk, admin_user.pk),
        ("add", carlisle.pk, admin_user.pk),
    ]
    event = PilotPlaceEvent.objects.filter(pilot=pilot).latest("pgh_id")
    assert event.pgh_context.metadata["url"] == url
    # The audit app's list of the link's events, searched by the pilot's id.
    listing = _text(client.get(f"/admin/audit/pilotplaceevent/?q={pilot.pk}"))
    assert "Carlisle" in listing and "Cumbria" in listing and "admin" in listing
    assert "Carlisle" not in _text(client.get(f"/admin/audit/pilotplaceevent/?q={pilot.pk + 1}"))


@pytest.mark.services
def test_the_pilots_history_shows_places_added_and_removed(client, admin_user):
    require_postgres()
    cumbria = PlaceFactory(name="Cumbria")
    pilot = PilotFactory(places=[])
    theme = ServiceThemeFactory(name="Children and families")
    with audit_context(user=admin_user.pk, username="admin", url="/admin/x/", method="POST"):
        pilot.places.add(cumbria)
        pilot.service_themes.add(theme)
        pilot.summary = "Counting Cumbria"
        pilot.save()
    with audit_context(user=None, username="", command="fix_footprints"):
        pilot.places.remove(cumbria)
    # One entry per context: the request's field change with its links, then the command's.
    assert {
        (e.who, e.via, tuple(map(str, e.links)), len(e.records)) for e in object_history(pilot)
    } == {
        (
            "admin",
            "POST /admin/x/",
            ("Place added: Cumbria", "Service theme added: Children and families"),
            1,
        ),
        ("the system", "command fix_footprints", ("Place removed: Cumbria",), 0),
        ("the system", "", (), 1),  # the factory made the pilot outside any context
    }
    client.force_login(admin_user)
    text = _text(client.get(f"/admin/pilots/pilot/{pilot.pk}/history/"))
    assert "Summary – Counting Cumbria" in text
    assert "Place added: Cumbria" in text and "Service theme added: Children and families" in text
    assert "via command fix_footprints Place removed: Cumbria" in text


@pytest.mark.services
def test_the_pilots_history_takes_a_fixed_number_of_queries(client, admin_user):
    require_postgres()
    pilot = PilotFactory(places=[])
    client.force_login(admin_user)
    url = f"/admin/pilots/pilot/{pilot.pk}/history/"

    def link(n):
        for _ in range(n):
            with audit_context(user=admin_user.pk, username="admin"):
                pilot.places.add(PlaceFactory())
                pilot.service_themes.add(ServiceThemeFactory())

    link(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    link(8)
    with CaptureQueriesContext(connection) as many:
        text = _text(client.get(url))
    assert text.count("Place added: Testshire") == 10
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_organisations_history_shows_the_places_it_serves(client, admin_user):
    organisation = OrganisationFactory(name="Cumbria County Council")
    with audit_context(user=admin_user.pk, username="admin"):
        organisation.places.add(PlaceFactory(name="Cumbria"))
    client.force_login(admin_user)
    response = client.get(f"/admin/ledger/organisation/{organisation.pk}/history/")
    assert response.status_code == 200
    text = _text(response)
    if connection.vendor == "postgresql":
        assert "Place added: Cumbria" in text and "admin" in text
    else:  # no triggers on SQLite: nothing recorded, and the page says why
        assert "Place added" not in text and "only workflow steps are recorded" in text


def test_an_organisations_own_changes_are_in_its_history(client, admin_user):
    """Its code finds it in files and its sector groups the totals: a change must be traceable."""
    require_postgres()
    organisation = OrganisationFactory(name="Eden District Council", sector="local_government")
    with audit_context(user=admin_user.pk, username="admin"):
        organisation.name = "Eden Council"
        organisation.save()
    client.force_login(admin_user)
    text = _text(client.get(f"/admin/ledger/organisation/{organisation.pk}/history/"))
    assert "Eden District Council" in text and "Eden Council" in text and "admin" in text


def test_a_submissions_own_changes_are_in_its_history(client, admin_user):
    require_postgres()
    submission = _submission()
    with audit_context(user=admin_user.pk, username="admin"):
        submission.title = "September 2010"
        submission.save()
    client.force_login(admin_user)
    url = f"/admin/pilots/placebudgetsubmission/{submission.pk}/history/"
    text = _text(client.get(url))
    assert "August 2010" in text and "September 2010" in text


def _place_admin_form(place, *, successors) -> dict:
    """The admin's change form for ``place`` as posted, with its successors set."""
    return {
        "name": place.name,
        "slug": place.slug,
        "kind": place.kind,
        "gss_code": place.gss_code or "",
        "valid_to": place.valid_to.isoformat() if place.valid_to else "",
        "successors": [successor.pk for successor in successors],
        "aliases-TOTAL_FORMS": 0,
        "aliases-INITIAL_FORMS": 0,
    }


@pytest.mark.services
def test_a_places_history_shows_its_successors_added_and_removed(client, admin_user):
    """A boundary change decides where a place's spend is counted: who recorded it, and when."""
    require_postgres()
    cumbria = PlaceFactory(name="Cumbria", kind="county")
    cumberland = PlaceFactory(name="Cumberland", kind="unitary")
    westmorland = PlaceFactory(name="Westmorland and Furness", kind="unitary")
    eden = PlaceFactory(name="Eden")
    client.force_login(admin_user)
    url = f"/admin/ledger/place/{cumbria.pk}/change/"
    cumbria.valid_to = dt.date(2023, 4, 1)  # it ends, followed by its successors
    response = client.post(url, _place_admin_form(cumbria, successors=[cumberland, eden]))
    assert response.status_code == 302, _text(response)
    with audit_context(user=None, username="", command="fix_successors"):
        cumbria.successors.set([cumberland, westmorland])
    changes = _links_of(cumbria, "successors")
    assert sorted(changes[:2]) == [
        ("add", cumberland.pk, admin_user.pk),
        ("add", eden.pk, admin_user.pk),
    ]
    assert changes[2:] == [("remove", eden.pk, None), ("add", westmorland.pk, None)]
    # One entry per context: the admin's end date with its successors, then the command's.
    assert {
        (e.who, e.via, tuple(sorted(map(str, e.links))), len(e.records))
        for e in object_history(cumbria)
    } == {
        ("admin", f"POST {url}", ("Successor added: Cumberland", "Successor added: Eden"), 1),
        (
            "the system",
            "command fix_successors",
            ("Successor added: Westmorland and Furness", "Successor removed: Eden"),
            0,
        ),
        ("the system", "", (), 1),  # the factory made the place outside any context
    }
    # The successors' own histories say so too, from their side.
    assert [str(link) for e in object_history(westmorland) for link in e.links] == [
        "Predecessor added: Cumbria"
    ]
    assert sorted(str(link) for e in object_history(eden) for link in e.links) == [
        "Predecessor added: Cumbria",
        "Predecessor removed: Cumbria",
    ]
    text = _text(client.get(f"/admin/ledger/place/{cumbria.pk}/history/"))
    assert "Valid to – 1 Apr 2023" in text and "Successor added: Cumberland" in text
    assert "via command fix_successors Successor removed: Eden" in text
    # Clearing them (a boundary change recorded in error) leaves a removal for each.
    with audit_context(user=admin_user.pk, username="admin", command="fix_successors"):
        cumbria.successors.clear()
    assert sorted(_links_of(cumbria, "successors")[4:]) == [
        ("remove", cumberland.pk, admin_user.pk),
        ("remove", westmorland.pk, admin_user.pk),
    ]
    assert "Successor removed: Westmorland and Furness" in _text(
        client.get(f"/admin/ledger/place/{cumbria.pk}/history/")
    )
