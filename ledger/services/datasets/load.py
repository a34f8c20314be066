"""Loading a previewed edition (a Celery job): every line in one transaction, or none.

The file is read again and must say exactly what its preview said (the money read, loaded and
excluded by reason); the figures are put in places (``placing``: a body's own area, or a
region's authorities by the driver), and the lines, the bodies not reported and the years the
edition covers are written together. A worker killed half-way leaves nothing (the transaction
rolls back) and the edition still loading, so the task runs again from the start.
"""

import logging
from collections import defaultdict

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ledger.importers.errors import ImportFileError
from ledger.models import (
    DatasetEdition,
    DatasetEditionStatus,
    DatasetEditionYear,
    DatasetFigure,
    DatasetLine,
    DatasetNotReported,
    FinancialYear,
    WorkflowAction,
)
from ledger.models.fields import from_pence, to_pence
from ledger.services.workflow import workflow_event_record
from totalplace.errors import error_text

from .pipeline import Reading, read_edition
from .placing import place_figures
from .resolve import Resolver
from .writer import figures_write, lines_write

logger = logging.getLogger(__name__)
Status = DatasetEditionStatus
CHANGED = (
    "The file or the reference data changed since the preview ({what}): it has been previewed "
    "again. Check the new preview, then load it."
)
FAILED = (
    "The lines could not be loaded because of an error on our side; it has been logged and "
    "nothing was loaded. Try again, or contact support with the edition's number."
)


def progress_key(edition_id: int) -> str:
    """Where a load's progress is kept while its transaction is open (the page polls it)."""
    return f"dataset-edition-load-{edition_id}"


def _changed(edition: DatasetEdition, reading: Reading) -> str:
    excluded = {reason: str(p) for reason, p in sorted(reading.excluded.items()) if p}
    if reading.needs or reading.error_count:
        return "it needs choices or has errors"
    if to_pence(edition.money_read) != reading.money_read:
        return "money read"
    if to_pence(edition.money_loaded) != reading.money_kept or excluded != edition.excluded:
        return "money to load or excluded"
    return ""


def dataset_edition_load(*, edition_id: int) -> DatasetEdition:
    """Write the edition's lines. Idempotent: only a loading edition is loaded."""
    edition = DatasetEdition.objects.select_related("dataset").get(pk=edition_id)
    if edition.status != Status.LOADING:
        return edition
    try:
        resolver = Resolver()
        reading = read_edition(edition, resolver=resolver)
        changed = _changed(edition, reading)
        if changed:
            return _preview_again(edition, CHANGED.format(what=changed))
        lines = place_figures(
            reading.figures,
            route=edition.dataset.route,
            resolver=resolver,
            driver=edition.choices.get("driver") or "population",
        )
        return _write(edition, reading, lines)
    except (ImportFileError, ValidationError) as exc:
        message = str(exc.error) if isinstance(exc, ImportFileError) else error_text(exc)
        return _refuse(edition, message)
    except Exception:
        logger.exception("dataset edition %s load failed", edition_id)
        return _refuse(edition, FAILED)


@transaction.atomic
def _write(edition: DatasetEdition, reading: Reading, lines) -> DatasetEdition:
    edition = DatasetEdition.objects.select_for_update().get(pk=edition.pk)
    if edition.status != Status.LOADING:
        return edition
    # A run after a lost worker starts from nothing (its transaction wrote nothing anyway).
    DatasetLine.objects.filter(edition=edition).delete()
    DatasetFigure.objects.filter(edition=edition).delete()
    edition.not_reported.all().delete()
    edition.year_set.all().delete()
    total = len(lines)
    key = progress_key(edition.pk)
    figure_ids = figures_write(reading.figures, edition_id=edition.pk)
    written = lines_write(
        lines,
        edition_id=edition.pk,
        figure_ids=figure_ids,
        progress=lambda done: cache.set(key, (done, total), 3600),
    )
    pence = int(lines["amount_pence"].sum()) if total else 0
    if written != total or pence != to_pence(edition.money_loaded):
        raise RuntimeError(f"edition {edition.pk}: wrote {written} lines, {pence}p")
    _not_reported(edition, reading)
    _years(edition, lines)
    edition.status, edition.loaded_at, edition.line_count = Status.LOADED, timezone.now(), total
    edition.message = ""
    edition.save(update_fields=["status", "loaded_at", "line_count", "message"])
    workflow_event_record(
        action=WorkflowAction.DATASET_LOADED,
        dataset_edition=edition,
        default_actor=edition.loaded_by,
        detail={"lines": total, "total": str(edition.money_loaded), "years": edition.years},
    )
    cache.delete(key)
    return edition


def _not_reported(edition: DatasetEdition, reading: Reading) -> None:
    years = dict(FinancialYear.objects.values_list("code", "pk"))
    seen = set()
    rows = []
    for entry in reading.not_reported:
        key = (entry["organisation_id"], entry["year"])
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            DatasetNotReported(
                edition=edition,
                organisation_id=entry["organisation_id"],
                financial_year_id=years[entry["year"]],
                source_row=entry["row"],
                cells=entry["cells"],
                complete=entry["complete"],
            )
        )
    DatasetNotReported.objects.bulk_create(rows, batch_size=1000)


def _years(edition: DatasetEdition, lines) -> None:
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    if len(lines):
        grouped = lines.groupby("financial_year_id")["amount_pence"].agg(["sum", "count"])
        for year_id, row in grouped.iterrows():
            totals[int(year_id)] = [int(row["sum"]), int(row["count"])]
    DatasetEditionYear.objects.bulk_create(
        DatasetEditionYear(
            edition=edition,
            financial_year_id=year_id,
            amount=from_pence(pence),
            line_count=count,
        )
        for year_id, (pence, count) in sorted(totals.items())
    )


def _preview_again(edition: DatasetEdition, message: str) -> DatasetEdition:
    from .editions import _queue

    with transaction.atomic():
        edition = DatasetEdition.objects.select_for_update().get(pk=edition.pk)
        if edition.status != Status.LOADING:
            return edition
        edition.status, edition.message = Status.QUEUED, message
        edition.save(update_fields=["status", "message"])
        _queue(edition)
    return edition


def _refuse(edition: DatasetEdition, message: str) -> DatasetEdition:
    with transaction.atomic():
        edition = DatasetEdition.objects.select_for_update().get(pk=edition.pk)
        if edition.status != Status.LOADING:
            return edition
        edition.status, edition.message = Status.INVALID, message
        edition.errors = [{"row": None, "column": "", "value": "", "message": message}]
        edition.error_count = 1
        edition.save(update_fields=["status", "message", "errors", "error_count"])
    cache.delete(progress_key(edition.pk))
    return edition
