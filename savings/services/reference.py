"""Loading and changing appraisal reference data; changes queue the recomputes they affect."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from ledger.services.loading import LoadResult, upsert
from savings.calculations.discount import check_schedule, schedule_from_csv
from savings.models import BenefitFlow, DiscountRate, EvidenceGrade, UnitCost
from savings.selectors import (
    DISCOUNT_RATES_CSV,
    EVIDENCE_GRADES_CSV,
    UNIT_COSTS_CSV,
    discount_schedule,
)

from .recompute import appraisal_request


@transaction.atomic
def unit_costs_load(*, path: Path = UNIT_COSTS_CSV) -> LoadResult:
    """The unit-cost library from CSV (code, description, unit, agency, value, price_year,
    source, is_illustrative). Idempotent; rows edited since by admins are updated to the file."""
    result = LoadResult()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            unit_cost, created, changed = upsert(
                UnitCost,
                {"code": row["code"]},
                {
                    "description": row["description"],
                    "unit": row["unit"],
                    "agency": row["agency"],
                    "value": Decimal(row["value"]),
                    "price_year": row["price_year"],
                    "source": row["source"],
                    "is_illustrative": row["is_illustrative"].strip().lower() == "true",
                },
            )
            result.count(created, changed)
            if changed and not created:
                unit_cost_changed(unit_cost=unit_cost)
    return result


@transaction.atomic
def discount_rates_load(*, path: Path = DISCOUNT_RATES_CSV) -> LoadResult:
    """The Green Book schedule from CSV, if none is loaded yet (admins' edits are kept)."""
    result = LoadResult()
    if DiscountRate.objects.exists():
        result.unchanged = DiscountRate.objects.count()
        return result
    bands = schedule_from_csv(path)
    check_schedule(bands)
    sources = {}
    with path.open(encoding="utf-8", newline="") as handle:
        sources = {int(r["from_year"]): r["source"] for r in csv.DictReader(handle)}
    for band in bands:
        DiscountRate.objects.create(
            from_year=band.from_year,
            to_year=band.to_year,
            rate=band.rate,
            source=sources[band.from_year],
        )
        result.created += 1
    return result


@transaction.atomic
def evidence_grades_load(*, path: Path = EVIDENCE_GRADES_CSV) -> LoadResult:
    """The evidence grades from CSV, if none is loaded yet (admins' edits are kept).

    Migration 0004 loads the same file on a new database; this puts them back where a database
    was emptied since (a test's flush), before the demo's benefits are graded."""
    result = LoadResult()
    if EvidenceGrade.objects.exists():
        result.unchanged = EvidenceGrade.objects.count()
        return result
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            EvidenceGrade.objects.create(
                code=row["code"],
                rank=int(row["rank"]),
                name=row["name"],
                description=row["description"],
                optimism_bias_percent=Decimal(row["optimism_bias_percent"]),
                source=row["source"],
            )
            result.created += 1
    return result


def unit_cost_changed(*, unit_cost: UnitCost) -> int:
    """Queue a recompute of every initiative valuing outcomes at this unit cost."""
    flows = BenefitFlow.objects.filter(unit_cost=unit_cost).select_related("initiative")
    initiatives = {flow.initiative_id: flow.initiative for flow in flows}
    for initiative in initiatives.values():
        appraisal_request(initiative=initiative)
    return len(initiatives)


def discount_schedule_changed() -> None:
    """Check the edited schedule still covers years 0 onwards, then recompute everything."""
    from savings.tasks import recompute_all

    check_schedule(discount_schedule())
    recompute_all.delay_on_commit()


def evidence_grades_changed() -> None:
    """An admin changed the grade table: every appraisal's NPV at the grades may move."""
    from savings.tasks import recompute_all

    recompute_all.delay_on_commit()
