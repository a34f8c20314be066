from .events import (
    BenefitFlowEvent,
    ColumnMappingEvent,
    CostLineEvent,
    EvidenceItemEvent,
    InitiativeEvent,
    PilotEvent,
    SpendLineEvent,
    SpendReturnEvent,
    ThemeRuleEvent,
)
from .lines import LineChangeSummary
from .workflow import WorkflowAction, WorkflowEvent

__all__ = [
    "BenefitFlowEvent",
    "ColumnMappingEvent",
    "CostLineEvent",
    "EvidenceItemEvent",
    "InitiativeEvent",
    "LineChangeSummary",
    "PilotEvent",
    "SpendLineEvent",
    "SpendReturnEvent",
    "ThemeRuleEvent",
    "WorkflowAction",
    "WorkflowEvent",
]
