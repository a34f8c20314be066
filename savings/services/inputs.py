"""Writing an initiative's costs and benefits; every change queues its recompute.

Costs and benefits are written alike: by the pilot's leads, only their input fields, checked by
the model (a benefit by its own rules first), and each change recomputes the appraisal.
"""

from decimal import Decimal
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from pilots.models import EvidenceItem, Initiative
from pilots.services.access import require_known_fields, require_pilot_lead
from savings.models import BenefitFlow, CostLine, ValueType
from savings.models.inputs import MAX_YEAR

from .recompute import appraisal_request

Input = TypeVar("Input", CostLine, BenefitFlow)


def _benefit_check(flow: BenefitFlow) -> None:
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


def _optimism_bias_default(flow: BenefitFlow) -> None:
    # Left blank, a benefit's optimism bias is its evidence grade's (the table admins keep).
    if flow.optimism_bias_percent is None:
        grade = flow.grade
        flow.optimism_bias_percent = grade.optimism_bias_percent if grade else Decimal(0)


def _evidence_check(flow: BenefitFlow, evidence: list[EvidenceItem]) -> None:
    initiative = flow.initiative
    if any(
        item.pilot_id != initiative.pilot_id or item.initiative_id not in (None, initiative.pk)
        for item in evidence
    ):
        raise ValidationError(
            {"evidence": "Link evidence about this initiative or about its pilot as a whole."}
        )


def _input_save(item: Input, links: dict) -> Input:
    if isinstance(item, BenefitFlow):
        _optimism_bias_default(item)
        _benefit_check(item)
        if "evidence" in links:
            _evidence_check(item, list(links["evidence"]))
    item.full_clean(exclude=["initiative", "created_by"])
    item.save()
    for name, values in links.items():
        getattr(item, name).set(values)
    appraisal_request(initiative=item.initiative)
    return item


def _links(model: type[Input], fields: dict) -> dict:
    """The many-to-many inputs (a benefit's evidence), set once the record is saved."""
    return {name: fields.pop(name) for name in getattr(model, "LINK_FIELDS", ()) if name in fields}


def _input_create(
    model: type[Input], *, initiative: Initiative, actor: AbstractBaseUser | None, fields: dict
) -> Input:
    require_pilot_lead(actor=actor, pilot=initiative.pilot_id)
    links = _links(model, fields)
    require_known_fields(fields=fields, allowed=model.INPUT_FIELDS)
    return _input_save(model(initiative=initiative, created_by=actor, **fields), links)


def _input_update(item: Input, *, actor: AbstractBaseUser | None, fields: dict) -> Input:
    require_pilot_lead(actor=actor, pilot=item.initiative.pilot_id)
    links = _links(type(item), fields)
    require_known_fields(fields=fields, allowed=item.INPUT_FIELDS)
    for name, value in fields.items():
        setattr(item, name, value)
    return _input_save(item, links)


def _input_delete(item: CostLine | BenefitFlow, *, actor: AbstractBaseUser | None) -> None:
    require_pilot_lead(actor=actor, pilot=item.initiative.pilot_id)
    initiative = item.initiative
    item.delete()
    appraisal_request(initiative=initiative)


@transaction.atomic
def cost_line_create(
    *, initiative: Initiative, actor: AbstractBaseUser | None, **fields
) -> CostLine:
    """Add a cost paid by one organisation in one year."""
    return _input_create(CostLine, initiative=initiative, actor=actor, fields=fields)


@transaction.atomic
def cost_line_update(*, line: CostLine, actor: AbstractBaseUser | None, **fields) -> CostLine:
    return _input_update(line, actor=actor, fields=fields)


@transaction.atomic
def cost_line_delete(*, line: CostLine, actor: AbstractBaseUser | None) -> None:
    _input_delete(line, actor=actor)


@transaction.atomic
def benefit_flow_create(
    *, initiative: Initiative, actor: AbstractBaseUser | None, **fields
) -> BenefitFlow:
    """Add a benefit stream landing with one organisation (or with people, if not fiscal),
    with the evidence it rests on (``evidence``) and that evidence's grade; an optimism bias
    left as None is the grade's."""
    return _input_create(BenefitFlow, initiative=initiative, actor=actor, fields=fields)


@transaction.atomic
def benefit_flow_update(
    *, flow: BenefitFlow, actor: AbstractBaseUser | None, **fields
) -> BenefitFlow:
    return _input_update(flow, actor=actor, fields=fields)


@transaction.atomic
def benefit_flow_delete(*, flow: BenefitFlow, actor: AbstractBaseUser | None) -> None:
    _input_delete(flow, actor=actor)
