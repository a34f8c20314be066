"""Programmes, pilots and parallel places, their leads, initiatives, evidence and submissions."""

from .evidence import EvidenceItem, EvidenceKind
from .initiative import BaselineBasis, Initiative, InitiativeStatus
from .programme import Pilot, PilotKind, PilotLead, PilotStatus, Programme
from .submission import PlaceBudgetSubmission, SubmissionSaving

__all__ = [
    "BaselineBasis",
    "EvidenceItem",
    "EvidenceKind",
    "Initiative",
    "InitiativeStatus",
    "Pilot",
    "PilotKind",
    "PilotLead",
    "PilotStatus",
    "PlaceBudgetSubmission",
    "Programme",
    "SubmissionSaving",
]
