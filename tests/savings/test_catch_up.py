"""A cost or benefit changed while the job queue is down: the change stands, the appraisal says
it is being recalculated, and beat's catch-up recomputes it once the change is a while old."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from savings.models import Appraisal, Attribution
from savings.services.inputs import cost_line_update
from savings.services.recompute import CATCH_UP_AFTER
from savings.tasks import appraisals_catch_up

pytestmark = pytest.mark.django_db


def test_a_change_while_the_queue_is_down_is_caught_up_later(
    world, broker, django_capture_on_commit_callbacks
):
    line = world.initiative.costs.get()
    with django_capture_on_commit_callbacks(execute=True):
        cost_line_update(line=line, actor=world.lead_a, amount=Decimal("200.00"))  # no error
    line.refresh_from_db()
    assert line.amount == Decimal("200.00")
    appraisal = Appraisal.objects.get(initiative=world.initiative)
    assert not appraisal.is_current and appraisal.npv == Decimal("35.45")  # the old result

    assert appraisals_catch_up() == 0  # too recent: its own job may still be in the queue
    # As if the change was made a while ago (after the last recompute).
    now = timezone.now()
    Appraisal.objects.filter(pk=appraisal.pk).update(
        computed_at=now - dt.timedelta(hours=1),
        requested_at=now - CATCH_UP_AFTER - dt.timedelta(seconds=1),
    )
    assert appraisals_catch_up() == 1
    appraisal.refresh_from_db()
    assert appraisal.is_current and appraisal.npv == Decimal("-64.55")
    assert Attribution.objects.get(pilot=world.alpha).fiscal_net == Decimal("-64.55")
    assert appraisals_catch_up() == 0  # current now: nothing more to do


def test_the_initiative_page_says_it_is_being_recalculated(
    world, client, broker, django_capture_on_commit_callbacks
):
    line = world.initiative.costs.get()
    with django_capture_on_commit_callbacks(execute=True):
        cost_line_update(line=line, actor=world.lead_a, amount=Decimal("200.00"))
    page = client.get(world.initiative.get_absolute_url()).content.decode()
    assert "being recalculated" in page.lower()
