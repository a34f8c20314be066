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
from .links import (
    OrganisationPlaceEvent,
    PilotDeepDiveEvent,
    PilotPlaceEvent,
    PilotServiceThemeEvent,
    PlaceBudgetSubmissionEvidenceEvent,
    PlaceBudgetSubmissionInitiativeEvent,
)
from .workflow import WorkflowAction, WorkflowEvent

__all__ = [
    "BenefitFlowEvent",
    "ColumnMappingEvent",
    "CostLineEvent",
    "EvidenceItemEvent",
    "InitiativeEvent",
    "LineChangeSummary",
    "OrganisationPlaceEvent",
    "PilotDeepDiveEvent",
    "PilotEvent",
    "PilotPlaceEvent",
    "PilotServiceThemeEvent",
    "PlaceBudgetSubmissionEvidenceEvent",
    "PlaceBudgetSubmissionInitiativeEvent",
    "SpendLineEvent",
    "SpendReturnEvent",
    "ThemeRuleEvent",
    "WorkflowAction",
    "WorkflowEvent",
]
