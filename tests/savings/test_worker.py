"""The recompute on a real Celery worker, through Redis, writing PostgreSQL."""

from decimal import Decimal

import pytest

from pilots.models import InitiativeStatus
from pilots.services.initiatives import initiative_create
from savings.models import Appraisal, Attribution
from savings.services.inputs import benefit_flow_create, cost_line_create, cost_line_update
from tests.factories import FinancialYearFactory, OrganisationFactory, ServiceThemeFactory
from tests.pilots.factories import PilotFactory
from tests.services import wait_for


def _appraisal(initiative):
    return Appraisal.objects.filter(initiative=initiative).first()


@pytest.mark.services
def test_changes_are_recomputed_by_a_real_worker(real_worker):
    FinancialYearFactory(code="2010-11")
    council, nhs = OrganisationFactory(code="C"), OrganisationFactory(code="N")
    pilot = PilotFactory()
    # Each service call commits (no surrounding transaction), then queues its recompute.
    initiative = initiative_create(
        pilot=pilot,
        actor=None,
        title="Worked on by the worker",
        service_theme=ServiceThemeFactory(),
        status=InitiativeStatus.PUBLISHED,
    )
    line = cost_line_create(
        initiative=initiative, actor=None, payer=council, year=0, amount=Decimal("100")
    )
    benefit_flow_create(
        initiative=initiative, actor=None, beneficiary=nhs, amount_per_year=30, lag=1, duration=5
    )

    def settled(npv):
        appraisal = _appraisal(initiative)
        return appraisal is not None and appraisal.is_current and appraisal.npv == npv

    wait_for(lambda: settled(Decimal("35.45")), "compute the appraisal", real_worker)
    # The pilot's totals commit just after the appraisal (a transaction of their own).
    wait_for(
        lambda: Attribution.objects.filter(pilot=pilot, pv_fiscal=Decimal("135.45")).exists(),
        "sum the pilot's totals",
        real_worker,
    )
    pilot_result = Attribution.objects.get(pilot=pilot)
    assert pilot_result.pv_fiscal == Decimal("135.45") and pilot_result.initiative_count == 1
    assert "savings.initiative_recompute" in real_worker.log()

    cost_line_update(line=line, actor=None, amount=Decimal("200"))
    wait_for(lambda: settled(Decimal("-64.55")), "recompute after an edit", real_worker)
    wait_for(
        lambda: Attribution.objects.get(pilot=pilot).deal_possible is False,
        "refresh the pilot's totals",
        real_worker,
    )
    assert Attribution.objects.filter(initiative=initiative).count() == 1  # no duplicates
