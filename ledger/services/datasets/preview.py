"""An edition's preview (a Celery job): what the file holds, before anything is written.

It records the header and columns recognised, the unit, the measure, the years, the money read
and where every pound goes (loaded, or excluded by reason), the bodies and places the reference
data does not know (with their money, each waiting for a choice), the bodies reported as "..."
and every error with its row, column and value.
"""

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from ledger.importers.errors import ImportFileError
from ledger.models import DatasetEdition, DatasetEditionStatus, WorkflowAction
from ledger.models.fields import from_pence
from ledger.services.workflow import workflow_event_record
from totalplace.errors import error_text

from .pipeline import Reading, read_edition
from .resolve import Resolver

logger = logging.getLogger(__name__)
Status = DatasetEditionStatus
UNEXPECTED_FAILURE = (
    "The file could not be read because of an error on our side; it has been logged. "
    "Try again, or contact support with the edition's number."
)
NEEDS = {
    "unit": "the unit its figures are in (the table does not say, e.g. “£ thousand”)",
    "year": "the financial year the table is for",
    "bodies": "what to do with the bodies the reference data does not know (add or exclude)",
    "places": "what to do with the places the reference data does not know",
}


def _error(row, column, value, message) -> dict:
    return {"row": row, "column": column, "value": value, "message": message}


def _record(edition: DatasetEdition, reading: Reading) -> None:
    edition.file_format = reading.file_format
    edition.header, edition.columns = reading.header, reading.columns
    edition.unit_factor = reading.unit_factor or 1
    edition.measure = reading.measure
    edition.years = reading.years
    edition.rows_total = edition.rows_done = reading.rows
    edition.money_read = from_pence(reading.money_read)
    edition.money_loaded = from_pence(reading.money_kept)
    edition.excluded = {reason: str(p) for reason, p in sorted(reading.excluded.items()) if p}
    edition.unknown_bodies, edition.unmapped_places = (
        reading.unknown_bodies,
        reading.unmapped_places,
    )
    edition.not_reported_count = sum(1 for n in reading.not_reported if n["complete"])
    edition.values_count = len(reading.figures)
    edition.errors = [e.as_dict() for e in reading.errors[: DatasetEdition.MAX_ERRORS_KEPT]]
    edition.error_count = reading.error_count
    edition.warnings = reading.warnings[:200]
    if not reading.balances():  # a guard against our own mistakes: never load unaccounted money
        raise RuntimeError(f"edition {edition.pk}: money read does not equal kept + excluded")
    if reading.error_count:
        edition.status, edition.message = Status.INVALID, ""
    elif reading.needs:
        edition.status = Status.NEEDS_CHOICES
        edition.message = "Choose " + "; ".join(NEEDS[n] for n in reading.needs) + "."
    else:
        edition.status, edition.message = Status.READY, ""


def dataset_edition_preview(*, edition_id: int) -> DatasetEdition:
    """Read the edition's file and record what it holds. Idempotent: only a queued edition
    is read (a redelivered task finds it previewed)."""
    edition = DatasetEdition.objects.select_related("dataset").get(pk=edition_id)
    if edition.status != Status.QUEUED:
        return edition
    edition.status, edition.started_at, edition.finished_at = Status.RUNNING, timezone.now(), None
    edition.save(update_fields=["status", "started_at", "finished_at"])
    try:
        _record(edition, read_edition(edition, resolver=Resolver()))
    except ImportFileError as exc:
        _fail(edition, exc.error.as_dict())
    except ValidationError as exc:
        _fail(edition, _error(None, "", "", error_text(exc)))
    except Exception:
        logger.exception("dataset edition %s preview failed", edition.pk)
        _fail(edition, _error(None, "", "", UNEXPECTED_FAILURE))
    edition.finished_at = timezone.now()
    edition.save()
    workflow_event_record(
        action=WorkflowAction.DATASET_PREVIEWED,
        dataset_edition=edition,
        default_actor=edition.created_by,
        reason=edition.message,
        detail={
            "file": edition.filename,
            "outcome": edition.status,
            "read": str(edition.money_read),
            "to_load": str(edition.money_loaded),
            "errors": edition.error_count,
        },
    )
    return edition


def _fail(edition: DatasetEdition, error: dict) -> None:
    edition.status = Status.FAILED
    edition.message = error["message"]
    edition.errors, edition.error_count = [error], 1
