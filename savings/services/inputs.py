"""Writing an initiative's costs and benefits; every change queues its recompute."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from pilots.models import Initiative
from pilots.services.access import require_pilot_lead
from savings.models import BenefitFlow, CostLine, ValueType
from savings.models.inputs import MAX_YEAR

from .recompute import appraisal_request

COST_FIELDS = set(CostLine.INPUT_FIELDS)
BENEFIT_FIELDS = set(BenefitFlow.INPUT_FIELDS)


def _check_fields(fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")


def _benefit_validate(flow: BenefitFlow) -> None:
    errors = {}
    has_amount = flow.amount_per_year is not None
    has_outcomes = flow.outcomes_per_year is not None or flow.unit_cost_id is not None
    if has_amount == has_outcomes:
        errors["amount_per_year"] = (
            "Give either an amount a year, or a number of outcomes a year and a unit cost."
        )
    elif has_outcomes and (flow.outcomes_per_year is None or flow.unit_cost_id is None):
        errors["unit_cost"] = "Outcomes a year need a unit cost, and a unit cost needs outcomes."
    if flow.value_type == ValueType.FISCAL and flow.beneficiary_id is None:
        errors["beneficiary"] = "A fiscal benefit lands with an organisation: say which."
    if flow.lag + flow.duration - 1 > MAX_YEAR:
        errors["duration"] = f"The benefit must end by year {MAX_YEAR}."
    if errors:
        raise ValidationError(errors)
    flow.full_clean(exclude=["initiative", "created_by"])


@transaction.atomic
def cost_line_create(
    *, initiative: Initiative, actor: AbstractBaseUser | None, **fields
) -> CostLine:
    """Add a cost paid by one organisation in one year."""
    require_pilot_lead(actor=actor, pilot=initiative.pilot_id)
    _check_fields(fields, COST_FIELDS)
    line = CostLine(initiative=initiative, created_by=actor, **fields)
    line.full_clean(exclude=["initiative", "created_by"])
    line.save()
    appraisal_request(initiative=initiative)
    return line


@transaction.atomic
def cost_line_update(*, line: CostLine, actor: AbstractBaseUser | None, **fields) -> CostLine:
    require_pilot_lead(actor=actor, pilot=line.initiative.pilot_id)
    _check_fields(fields, COST_FIELDS)
    for name, value in fields.items():
        setattr(line, name, value)
    line.full_clean(exclude=["initiative", "created_by"])
    line.save()
    appraisal_request(initiative=line.initiative)
    return line


@transaction.atomic
def cost_line_delete(*, line: CostLine, actor: AbstractBaseUser | None) -> None:
    require_pilot_lead(actor=actor, pilot=line.initiative.pilot_id)
    initiative = line.initiative
    line.delete()
    appraisal_request(initiative=initiative)


@transaction.atomic
def benefit_flow_create(
    *, initiative: Initiative, actor: AbstractBaseUser | None, **fields
) -> BenefitFlow:
    """Add a benefit stream landing with one organisation (or with people, if not fiscal)."""
    require_pilot_lead(actor=actor, pilot=initiative.pilot_id)
    _check_fields(fields, BENEFIT_FIELDS)
    flow = BenefitFlow(initiative=initiative, created_by=actor, **fields)
    _benefit_validate(flow)
    flow.save()
    appraisal_request(initiative=initiative)
    return flow


@transaction.atomic
def benefit_flow_update(
    *, flow: BenefitFlow, actor: AbstractBaseUser | None, **fields
) -> BenefitFlow:
    require_pilot_lead(actor=actor, pilot=flow.initiative.pilot_id)
    _check_fields(fields, BENEFIT_FIELDS)
    for name, value in fields.items():
        setattr(flow, name, value)
    _benefit_validate(flow)
    flow.save()
    appraisal_request(initiative=flow.initiative)
    return flow


@transaction.atomic
def benefit_flow_delete(*, flow: BenefitFlow, actor: AbstractBaseUser | None) -> None:
    require_pilot_lead(actor=actor, pilot=flow.initiative.pilot_id)
    initiative = flow.initiative
    flow.delete()
    appraisal_request(initiative=initiative)
