from .events import (
    BenefitFlowEvent,
    ColumnMappingEvent,
    CostLineEvent,
    EvidenceItemEvent,
    InitiativeEvent,
    OrganisationEvent,
    PilotEvent,
    PlaceBudgetSubmissionEvent,
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
    PlaceSuccessorEvent,
)
from .workflow import WorkflowAction, WorkflowEvent

__all__ = [
    "BenefitFlowEvent",
    "ColumnMappingEvent",
    "CostLineEvent",
    "EvidenceItemEvent",
    "InitiativeEvent",
    "LineChangeSummary",
    "OrganisationEvent",
    "OrganisationPlaceEvent",
    "PilotDeepDiveEvent",
    "PilotEvent",
    "PilotPlaceEvent",
    "PilotServiceThemeEvent",
    "PlaceBudgetSubmissionEvent",
    "PlaceBudgetSubmissionEvidenceEvent",
    "PlaceBudgetSubmissionInitiativeEvent",
    "PlaceSuccessorEvent",
    "SpendLineEvent",
    "SpendReturnEvent",
    "ThemeRuleEvent",
    "WorkflowAction",
    "WorkflowEvent",
]
