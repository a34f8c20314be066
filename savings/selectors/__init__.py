"""Reads for appraisal: the discount schedule, an initiative's inputs, stored results."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from ledger.models import Organisation
from pilots.models import EvidenceItem, Initiative, Pilot, Programme
from savings.calculations.appraisal import BenefitInput, CostInput
from savings.calculations.discount import RateBand, schedule_from_csv
from savings.models import Appraisal, Attribution, BenefitFlow, CostLine, DiscountRate, UnitCost

SAVINGS_DIR = Path(settings.BASE_DIR) / "fixtures" / "savings"
DISCOUNT_RATES_CSV = SAVINGS_DIR / "green_book_discount_rates.csv"
UNIT_COSTS_CSV = SAVINGS_DIR / "unit_costs.csv"
EVIDENCE_GRADES_CSV = SAVINGS_DIR / "evidence_grades.csv"


def discount_schedule() -> list[RateBand]:
    """The Green Book schedule as edited by admins, or the fixture's when none is loaded."""
    rows = list(DiscountRate.objects.order_by("from_year"))
    if not rows:
        return schedule_from_csv(DISCOUNT_RATES_CSV)
    return [RateBand(r.from_year, r.to_year, r.rate) for r in rows]


def cost_lines(*, initiative: Initiative) -> QuerySet[CostLine]:
    return initiative.costs.select_related("payer").order_by("year", "payer__name", "id")


def benefit_flows(
    *, initiative: Initiative, evidence: QuerySet[EvidenceItem] | None = None
) -> QuerySet[BenefitFlow]:
    """The initiative's benefits; with ``evidence`` (what the reader may see of it: pilots'
    ``Visible.evidence``), each with its own evidence among those."""
    flows = initiative.benefits.select_related(
        "beneficiary", "unit_cost__evidence_grade", "evidence_grade"
    )
    if evidence is not None:
        flows = flows.prefetch_related(Prefetch("evidence", queryset=evidence.order_by("title")))
    return flows.order_by("value_type", "beneficiary__name", "lag", "id")


def _optimism_bias(flow: BenefitFlow, *, at_grades: bool) -> Decimal:
    grade = flow.grade if at_grades else None
    return grade.optimism_bias_percent if grade is not None else flow.optimism_bias_percent


def initiative_inputs(
    *, initiative: Initiative, at_grades: bool = False
) -> tuple[list[CostInput], list[BenefitInput]]:
    """The initiative's costs and benefits as calculation inputs, keyed by organisation code.

    ``at_grades``: each benefit with an evidence grade (its own or its unit cost's) reduced by
    that grade's optimism bias instead of the figure entered; the others as entered.
    """
    costs = [
        CostInput(
            payer=line.payer.code,
            year=line.year,
            amount=line.amount,
            optimism_bias=line.optimism_bias_percent,
            kind=line.kind,
        )
        for line in cost_lines(initiative=initiative)
    ]
    benefits = [
        BenefitInput(
            beneficiary=flow.beneficiary.code if flow.beneficiary_id else None,
            value_type=flow.value_type,
            gross=flow.gross_per_year,
            lag=flow.lag,
            duration=flow.duration,
            drop_off=flow.drop_off_percent,
            deadweight=flow.deadweight_percent,
            attribution=flow.attribution_percent,
            optimism_bias=_optimism_bias(flow, at_grades=at_grades),
            cashable=flow.cashable_percent,
        )
        for flow in benefit_flows(initiative=initiative)
    ]
    return costs, benefits


def organisations_by_code(codes) -> dict[str, Organisation]:
    return {o.code: o for o in Organisation.objects.filter(code__in=set(codes) - {None})}


def unit_cost_list() -> QuerySet[UnitCost]:
    return UnitCost.objects.order_by("agency", "description")


def appraisal_for(*, initiative: Initiative) -> Appraisal | None:
    return Appraisal.objects.filter(initiative=initiative).first()


def attribution_for(*, subject) -> Attribution | None:
    """The stored where-savings-land result for an initiative, pilot, place or programme."""
    field = {Initiative: "initiative", Pilot: "pilot", Programme: "programme"}.get(
        type(subject), "place"
    )
    return Attribution.objects.filter(**{field: subject}).first()


@dataclass(frozen=True)
class MatrixTable:
    """A stored payer × beneficiary matrix as a table: a row per payer (``cells`` hold the
    present value as stored text, None where nothing flows, in ``beneficiaries`` order) with
    its total, then each beneficiary's total and the grand total, exactly."""

    beneficiaries: list[str]
    rows: list[dict]
    column_totals: list[Decimal]
    total: Decimal


def matrix_table(*, attribution: Attribution) -> MatrixTable:
    """The matrix of a where-savings-land result laid out payer by beneficiary."""
    matrix = attribution.matrix
    payers = sorted({(c["payer"] or "", c["payer_name"]) for c in matrix})
    beneficiaries = sorted({(c["beneficiary"], c["beneficiary_name"]) for c in matrix})
    cells = {(c["payer"] or "", c["beneficiary"]): c["present_value"] for c in matrix}
    zero = Decimal("0")
    rows = [
        {
            "payer": name,
            "cells": [cells.get((code, b)) for b, _ in beneficiaries],
            "total": sum(
                (Decimal(cells[(code, b)]) for b, _ in beneficiaries if (code, b) in cells), zero
            ),
        }
        for code, name in payers
    ]
    column_totals = [
        sum((Decimal(cells[(p, code)]) for p, _ in payers if (p, code) in cells), zero)
        for code, _ in beneficiaries
    ]
    return MatrixTable(
        beneficiaries=[name for _, name in beneficiaries],
        rows=rows,
        column_totals=column_totals,
        total=sum(column_totals, zero),
    )


def positions_cashable(*, attribution: Attribution) -> Decimal:
    """The net positions' "of which cashable" summed exactly, for the table's total row (the
    stored result keeps each organisation's, rounded to the penny, and no total of them)."""
    return sum((Decimal(p["cashable"]) for p in attribution.positions), Decimal("0"))


def pilot_savings_totals(*, pilot: Pilot) -> dict[str, Decimal]:
    """Totals of the pilot's published initiatives' appraisals (the "proposed savings")."""
    from django.db.models import Sum

    from pilots.models import InitiativeStatus

    return Appraisal.objects.filter(
        initiative__pilot=pilot, initiative__status=InitiativeStatus.PUBLISHED
    ).aggregate(
        pv_costs=Sum("pv_costs"),
        pv_fiscal=Sum("pv_fiscal"),
        pv_cashable=Sum("pv_cashable"),
        pv_benefits=Sum("pv_benefits"),
        npv=Sum("npv"),
        net_budget_impact=Sum("net_budget_impact"),
    )


def cost_lines_visible(*, user) -> QuerySet[CostLine]:
    """Costs of the initiatives ``user`` may see (drafts only for their pilot's leads)."""
    from pilots.selectors.access import visible_initiatives

    return CostLine.objects.filter(initiative__in=visible_initiatives(user=user))


def benefit_flows_visible(*, user) -> QuerySet[BenefitFlow]:
    """Benefits of the initiatives ``user`` may see."""
    from pilots.selectors.access import visible_initiatives

    return BenefitFlow.objects.filter(initiative__in=visible_initiatives(user=user))


def appraisals_visible(*, user) -> QuerySet[Appraisal]:
    """Appraisals of the initiatives ``user`` may see."""
    from pilots.selectors.access import visible_initiatives

    return Appraisal.objects.filter(initiative__in=visible_initiatives(user=user))


def attributions_visible(*, user) -> QuerySet[Attribution]:
    """Where-savings-land results: every pilot, place and programme sum, and those of the
    initiatives ``user`` may see."""
    from django.db.models import Q

    from pilots.selectors.access import visible_initiatives

    return Attribution.objects.filter(
        Q(initiative__isnull=True) | Q(initiative__in=visible_initiatives(user=user))
    )
