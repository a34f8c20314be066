"""Costs, benefits, the unit-cost library, the discount schedule and stored results."""

from .grades import EvidenceGrade
from .inputs import BenefitFlow, CostKind, CostLine, ValueType
from .realisation import Saving, SavingStatus
from .reference import DiscountRate, UnitCost
from .results import Appraisal, Attribution, ScopeKind

__all__ = [
    "Appraisal",
    "Attribution",
    "BenefitFlow",
    "CostKind",
    "CostLine",
    "DiscountRate",
    "EvidenceGrade",
    "Saving",
    "SavingStatus",
    "ScopeKind",
    "UnitCost",
    "ValueType",
]
