"""The preview: read, map and validate a file into the staging table (a Celery task runs it).

Progress (rows done of about how many) is written to the job as chunks are staged, outside any
transaction, so the job page's progress bar moves while the file is read.
"""

import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from itertools import chain, islice

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from ledger.importers import ImportFileError, RowError, tables
from ledger.importers.blocks import Fixes, line_blocks, replacing
from ledger.importers.context import Tally
from ledger.importers.datasets.regional_header import sheet_info
from ledger.importers.layouts import LAYOUTS_BY_KEY, WIDE_EXTRA_ALIASES
from ledger.importers.lines import read_lines
from ledger.importers.mapping import (
    HEADER_SEARCH_ROWS,
    Header,
    Mapping,
    find_header,
    read_as_notes,
    recognise,
    units_factor,
)
from ledger.importers.staged import frames_of
from ledger.importers.tables import Row
from ledger.importers.wide import read_wide
from ledger.models import ColumnMapping, ImportJob, ImportJobStatus, WorkflowAction
from ledger.selectors.duplicates import file_held_message, returns_holding_file
from ledger.services.workflow import workflow_event_record
from totalplace.errors import error_text

from .context import context_for, service_lines
from .mappings import column_mappings_fitting, mapping_of
from .results import job_fail, job_finish
from .staging import stage_lines, staged_lines_delete

logger = logging.getLogger(__name__)
SAMPLE_ROWS = 3
RUN_LOCK = 0x494D50  # "IMP": advisory lock namespace for import job runs (with the job id)
UNFINISHED = (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING)
# What the user reads when the import itself failed (a bug, the database gone): never their file.
UNEXPECTED_FAILURE = (
    "The file could not be read because of an error on our side; it has been logged. "
    "Try again, or contact support with the job number."
)


def _sentence(problems: list[str]) -> str:
    text = "; ".join(problems)
    return text[:1].upper() + text[1:] + "."


def import_job_run(*, job_id: int) -> ImportJob:
    """Read, map and validate the job's file into the staging table (the preview).

    Idempotent: a finished job is left alone; a job interrupted mid-way (a worker lost) starts
    again from a clean staging table.
    """
    with _running(job_id):
        return _run(job_id)


@contextmanager
def _running(job_id: int):
    """One run of a job at a time (PostgreSQL): a task redelivered while the first delivery is
    still reading (or while a killed worker's session lingers) waits for it, then finds the
    job finished. A session lock, because the preview commits chunk by chunk."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RUN_LOCK, job_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK, job_id])


def _run(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related(
        "spend_return", "organisation", "financial_year", "place", "mapping"
    ).get(pk=job_id)
    if job.status not in UNFINISHED:
        return job
    if job.started_at is not None:  # run before (a worker lost mid-way): its lines go first.
        # A job never run has none, and the delete reads the whole staging table (every
        # previewed job's lines: it has no index by job), a second a million lines.
        staged_lines_delete(job=job)
    job.status, job.started_at, job.finished_at = ImportJobStatus.RUNNING, timezone.now(), None
    job.rows_done = job.error_count = job.dropped_count = 0
    job.errors, job.warnings, job.message = [], [], ""
    job.save()
    try:
        _preview(job)
    except ImportFileError as exc:
        job_fail(job, exc.error)
    except ValidationError as exc:
        job_fail(job, RowError(None, "", "", error_text(exc)))
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job_fail(job, RowError(None, "", "", UNEXPECTED_FAILURE))
    workflow_event_record(
        action=WorkflowAction.IMPORT_PREVIEWED,
        import_job=job,
        default_actor=job.created_by,
        reason=job.message,
        detail={
            "file": job.filename,
            "outcome": job.status,
            "lines": job.line_count,
            "total": str(job.line_total),
            "errors": job.error_count,
        },
    )
    return job


def job_file_opener(job: ImportJob):
    """Opens the job's stored file, for the readers (which open it once per pass). The storage's
    own ``open``, bound to the name: the readers call no service back while they read."""
    return partial(default_storage.open, job.file.name, "rb")


def _preview(job: ImportJob) -> None:
    opener = job_file_opener(job)
    fmt = tables.inspect(opener)
    if fmt.sha256 != job.sha256:
        raise ImportFileError("The stored file is not the one uploaded (its SHA-256 differs).")
    job.file_format = fmt.describe()
    job.rows_total = fmt.rows_estimate
    # Besides the usual names: the real headers of the files the organisation saved mappings
    # for, and service-line names (a wide table's header may hold little else).
    known = [h for saved in job.organisation.column_mappings.all() for h in saved.signature]
    known += list(service_lines()) + list(WIDE_EXTRA_ALIASES)
    header, head, rest, sheet = _locate_header(opener, fmt, known)
    job.samples = [
        [c.strip()[:60] for c in cells[: len(header.headers)]]
        for number, cells in head
        if number > header.row and "".join(cells).strip()
    ][:SAMPLE_ROWS]
    if sheet:
        job.file_format["sheet"] = sheet
    job.headers = header.headers
    job.file_format["header_row"] = header.row
    mapping, saved = _choose_mapping(job, header)
    job.layout, job.mapping_used, job.mapping = mapping.layout, mapping.as_json(), saved
    job.save()
    problems = mapping.missing(header.headers)
    if problems:
        rest.close()
        job.status = ImportJobStatus.NEEDS_MAPPING
        job.message = _sentence(problems)
        job.warnings = read_as_notes(mapping)
        job.finished_at = timezone.now()
        job.save()
        return
    context = context_for(job=job, mapping=mapping)
    tally = Tally(max_errors=ImportJob.MAX_ERRORS_KEPT)
    tally.warnings.extend(read_as_notes(mapping))
    if mapping.is_wide and mapping.factor == 1:
        texts = [c for row in header.preamble for c in row] + header.headers
        if units_factor(texts) is None:
            tally.warnings.append(
                "The table does not say its unit (such as “£ thousand”), so its "
                "figures were taken as pounds. Change the unit on the mapping "
                "page if they are thousands."
            )
    if mapping.is_wide:
        rows = _corrected(job, header, chain(head, rest), tally)
        frames = frames_of(read_wide(rows, header, mapping, context, tally))
    else:
        fixes = _fixes(job, header, tally)
        blocks = line_blocks(opener, fmt, head=head, rest=rest, header=header, fixes=fixes)
        frames = read_lines(blocks, header, mapping, context, tally)

    def progress() -> None:
        done = header.row + tally.rows
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Only the progress bar reads it: not worth waiting for a disk flush per chunk
                # (about 20 ms each, a second per million lines). A crash loses at most the
                # last figure, and the job runs again from the start anyway.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            ImportJob.objects.filter(pk=job.pk).update(
                rows_done=done, rows_total=max(job.rows_total, done)
            )

    stage_lines(job=job, frames=frames, progress=progress)
    holders = returns_holding_file(sha256=job.sha256, spend_return=job.spend_return)
    if holders:
        tally.warnings.append(
            f"{file_held_message(holders)}. Confirming it here too needs an acknowledgement "
            "and a reason, which the approver will see."
        )
    job_finish(job, tally, header)


def _corrected(job: ImportJob, header: Header, rows: Iterator[Row], tally: Tally):
    """The rows with the cells corrected on the site in place of the file's text. A job
    without corrections gets its rows back untouched: no work per row."""
    fixes = _fixes(job, header, tally)
    return replacing(rows, fixes) if fixes else rows


def _fixes(job: ImportJob, header: Header, tally: Tally) -> Fixes:
    """The cells corrected on the site (``ImportCorrection``), to read in place of the file's
    text: row number → (column index, text)."""
    position = {h: i for i, h in enumerate(header.headers)}
    fixes: Fixes = defaultdict(list)
    for row, column, value in job.corrections.values_list("row", "column", "value"):
        if row <= header.row or column not in position:  # the header was found elsewhere
            tally.warnings.append(
                f"The correction of row {row}, column “{column}” was not used: the header "
                f"is now row {header.row}, with other columns. Correct the cell again."
            )
            continue
        fixes[row].append((position[column], value))
    return dict(fixes)


REGIONAL_TABLE = (
    "This is a regional database (HM Treasury's Country and Regional Analysis or PESA: "
    "departments' spend by function and region, several years), not one organisation's spend "
    "lines. Load it as a national dataset (Datasets → Load a dataset) instead."
)


def _locate_header(opener, fmt, known):
    """The header row, the rows read to find it and the rest; tries each worksheet."""
    first_error, fallback = None, None
    for sheet in fmt.sheets or [""]:
        rows = tables.iter_rows(opener, fmt, sheet)
        head = list(islice(rows, HEADER_SEARCH_ROWS))
        if sheet_info(sheet, head, None).usable:
            rows.close()
            raise ImportFileError(REGIONAL_TABLE)
        try:
            header = find_header(head, known=known)
        except ImportFileError as exc:
            rows.close()
            first_error = first_error or exc
            continue
        if header.recognised:
            if fallback:
                fallback[1].close()
            return header, head, rows, sheet
        if fallback is None:
            fallback = (header, rows, head, sheet)
        else:
            rows.close()
    if fallback:
        header, rows, head, sheet = fallback
        return header, head, rows, sheet
    raise first_error


def _choose_mapping(job: ImportJob, header: Header) -> tuple[Mapping, ColumnMapping | None]:
    """Which columns feed which field, and the saved mapping that said so (if one did).

    The user's choice (on the mapping page, or a saved mapping named at upload) comes first.
    Otherwise, among the saved mappings whose header signature fits the file: one the
    organisation prefers ("always use this for our files"), then a built-in layout (Leeds's,
    Craven's: kept up to date here, so a mapping saved from last month's file does not
    override it), then any other, and last the columns recognised by their names.
    """
    if job.requested_mapping:
        return Mapping.from_json(job.requested_mapping), None
    if job.mapping_id:
        return mapping_of(job.mapping), job.mapping
    fitting = column_mappings_fitting(organisation=job.organisation, headers=header.headers)
    preferred = [(saved, mapping) for saved, mapping in fitting if saved.preferred]
    if preferred:
        saved, mapping = preferred[0]
        return mapping, saved
    recognised = recognise(header, service_lines=service_lines())
    if recognised.layout in LAYOUTS_BY_KEY or not fitting:
        return recognised, None
    saved, mapping = fitting[0]
    return mapping, saved
