"""Recomputes after changes: stored results, idempotence, totals per pilot, place, programme."""

from decimal import Decimal

import pytest

from pilots.models import InitiativeStatus
from pilots.services.initiatives import initiative_delete, initiative_update
from savings.models import Appraisal, Attribution, ScopeKind
from savings.services.inputs import benefit_flow_create, cost_line_update
from savings.services.recompute import initiative_recompute, scopes_recompute
from savings.services.reference import unit_cost_changed
from tests.factories import OrganisationFactory
from tests.pilots.factories import UnitCostFactory

pytestmark = pytest.mark.django_db


def _stored(world):
    return (
        list(Appraisal.objects.values()),
        list(Attribution.objects.order_by("scope", "id").values()),
    )


def _strip_times(rows):
    return [
        {k: v for k, v in row.items() if k not in ("computed_at", "requested_at")} for row in rows
    ]


def test_a_change_stores_the_appraisal_and_where_savings_land(world):
    appraisal = Appraisal.objects.get(initiative=world.initiative)
    assert appraisal.is_current
    assert appraisal.pv_costs == Decimal("100.00")
    assert appraisal.pv_fiscal == Decimal("135.45")  # 30 a year for years 1-5
    assert appraisal.npv == Decimal("35.45")
    scopes = set(Attribution.objects.values_list("scope", flat=True))
    assert scopes == {"initiative", "pilot", "place", "programme"}
    pilot = Attribution.objects.get(pilot=world.alpha)
    positions = {p["organisation"]: p for p in pilot.positions}
    assert positions["COUNCIL"]["invests_here_saves_elsewhere"] is True
    assert positions["COUNCIL"]["after_deal"] == "0.00"
    assert sum(Decimal(p["transfer"]) for p in pilot.positions) == 0


def test_recomputing_again_changes_nothing(world, django_capture_on_commit_callbacks):
    before = _stored(world)
    counts = (Appraisal.objects.count(), Attribution.objects.count())
    initiative_recompute(initiative_id=world.initiative.pk)
    initiative_recompute(initiative_id=world.initiative.pk)
    scopes_recompute(pilot_id=world.alpha.pk)
    after = _stored(world)
    assert (Appraisal.objects.count(), Attribution.objects.count()) == counts
    assert _strip_times(after[0]) == _strip_times(before[0])
    assert _strip_times(after[1]) == _strip_times(before[1])


def test_edits_flow_through_to_the_pilot_and_programme(world, django_capture_on_commit_callbacks):
    line = world.initiative.costs.get()
    with django_capture_on_commit_callbacks(execute=True):
        cost_line_update(line=line, actor=world.lead_a, amount=Decimal("200.00"))
    appraisal = Appraisal.objects.get(initiative=world.initiative)
    assert appraisal.npv == Decimal("-64.55")
    programme = Attribution.objects.get(programme=world.alpha.programme)
    assert programme.fiscal_net == Decimal("-64.55")
    assert programme.deal_possible is False and programme.shortfall == Decimal("64.55")
    assert programme.transfers == []


def test_drafts_and_deleted_initiatives_count_in_no_totals(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        initiative_update(
            initiative=world.initiative, actor=world.lead_a, status=InitiativeStatus.DRAFT
        )
    pilot = Attribution.objects.get(scope=ScopeKind.PILOT, pilot=world.alpha)
    assert pilot.initiative_count == 0 and pilot.pv_costs == 0 and pilot.matrix == []
    assert Attribution.objects.filter(initiative=world.initiative).exists()  # its own stays
    with django_capture_on_commit_callbacks(execute=True):
        initiative_update(
            initiative=world.initiative, actor=world.lead_a, status=InitiativeStatus.PUBLISHED
        )
    assert Attribution.objects.get(pilot=world.alpha).initiative_count == 1
    with django_capture_on_commit_callbacks(execute=True):
        initiative_delete(initiative=world.initiative, actor=world.lead_a)
    assert not Appraisal.objects.exists()
    assert Attribution.objects.get(pilot=world.alpha).initiative_count == 0


def test_a_place_and_a_programme_sum_their_pilots(world, django_capture_on_commit_callbacks):
    from pilots.services.initiatives import initiative_create
    from savings.services.inputs import cost_line_create

    other = OrganisationFactory(code="FIRE", name="Testshire Fire")
    with django_capture_on_commit_callbacks(execute=True):
        second = initiative_create(
            pilot=world.beta,
            actor=world.lead_b,
            title="Fire safety visits",
            service_theme=world.theme,
            status=InitiativeStatus.PUBLISHED,
        )
        cost_line_create(initiative=second, actor=world.lead_b, payer=other, year=0, amount=50)
        benefit_flow_create(
            initiative=second, actor=world.lead_b, beneficiary=other, amount_per_year=60, lag=0
        )
    programme = Attribution.objects.get(programme=world.alpha.programme)
    assert programme.initiative_count == 2
    assert programme.pv_costs == Decimal("150.00")
    assert programme.pv_fiscal == Decimal("195.45")
    place = Attribution.objects.get(place=world.beta.places.get())
    assert place.pv_costs == Decimal("50.00") and place.initiative_count == 1


def test_a_unit_cost_change_recomputes_the_initiatives_using_it(
    world, django_capture_on_commit_callbacks
):
    unit_cost = UnitCostFactory(value=Decimal("10.00"))
    with django_capture_on_commit_callbacks(execute=True):
        benefit_flow_create(
            initiative=world.initiative,
            actor=world.lead_a,
            beneficiary=world.nhs,
            outcomes_per_year=Decimal("2"),
            unit_cost=unit_cost,
            lag=0,
        )
    assert Appraisal.objects.get().pv_fiscal == Decimal("155.45")
    unit_cost.value = Decimal("20.00")
    unit_cost.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert unit_cost_changed(unit_cost=unit_cost) == 1
    assert Appraisal.objects.get().pv_fiscal == Decimal("175.45")


def test_inputs_beyond_the_schedule_are_refused_before_they_are_stored(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        benefit_flow_create(
            initiative=world.initiative,
            actor=world.lead_a,
            beneficiary=world.nhs,
            amount_per_year=1,
            lag=120,
            duration=10,
        )
    assert "duration" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        benefit_flow_create(
            initiative=world.initiative, actor=world.lead_a, amount_per_year=1, value_type="fiscal"
        )
    assert "beneficiary" in error.value.message_dict


def test_many_changes_in_one_transaction_queue_one_recompute(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from savings import tasks
    from savings.services.inputs import cost_line_create

    sent = []
    monkeypatch.setattr(
        tasks.initiative_recompute, "apply_async", lambda args, **options: sent.append(*args)
    )
    with django_capture_on_commit_callbacks(execute=True):
        for year in range(3):
            cost_line_create(
                initiative=world.initiative, actor=None, payer=world.council, year=year, amount=1
            )
    assert sent == [world.initiative.pk]

    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():  # a savepoint whose request is rolled back with it
                cost_line_create(
                    initiative=world.initiative, actor=None, payer=world.council, year=9, amount=1
                )
                raise RuntimeError
        except RuntimeError:
            pass
        cost_line_create(
            initiative=world.initiative, actor=None, payer=world.council, year=8, amount=1
        )
    assert sent == [world.initiative.pk]
