"""Correcting cells of an import's file on the site, instead of editing and uploading it again.

The file stays as published (its SHA-256 unchanged). Each correction records the cell's text
in the file, what replaces it, who and when (the audit trail keeps every change), and the
preview runs again, reading the corrected text in place of the file's (``preview._corrected``).
"""

from collections import defaultdict

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from ledger.importers import ImportFileError, tables
from ledger.models import ImportCorrection, ImportJob, WorkflowAction
from ledger.services.workflow import workflow_event_record

from .jobs import import_job_preview_again, require_officer, require_previewed
from .preview import job_file_opener

MAX_VALUE = 1_000  # characters: more than any field keeps (the longest holds 255)
Cell = tuple[int, str]  # (file row, column header)


@transaction.atomic
def import_job_correct(
    *, job: ImportJob, corrections: list[dict], actor: AbstractBaseUser | None
) -> ImportJob:
    """Record corrected cells of the job's file and preview it again with them.

    Each correction is ``{"row", "column", "value"}``: ``row`` is the file's row number (a
    data row, under the header row) and ``column`` one of the job's headers. Correcting a
    cell again replaces its value; ``"remove": true``, or the file's own text as the value,
    takes a correction away. When nothing changes, the preview is not run again.
    """
    job = ImportJob.objects.select_for_update().select_related("spend_return").get(pk=job.pk)
    require_officer(actor, job.spend_return)
    require_previewed(job)
    if not job.headers:
        raise ValidationError("This file's header row has not been read, so no cell can be found.")
    wanted = _wanted(job, corrections)
    current = {(c.row, c.column): c for c in job.corrections.filter(row__in={r for r, _ in wanted})}
    originals = _originals(job, {cell for cell, value in wanted.items() if value is not None})
    gone, added = [], []
    for cell, value in wanted.items():
        existing = current.get(cell)
        if value is None or value.strip() == originals[cell].strip():
            if existing:
                gone.append(existing.pk)
        elif existing is None or existing.value != value:
            if existing:
                gone.append(existing.pk)
            added.append(
                ImportCorrection(
                    job=job,
                    row=cell[0],
                    column=cell[1],
                    original=originals[cell],
                    value=value,
                    created_by=actor,
                )
            )
    if not gone and not added:
        return job
    # A replaced correction is deleted and made again: its row says who made the value now.
    ImportCorrection.objects.filter(pk__in=gone).delete()
    ImportCorrection.objects.bulk_create(added)
    # In the return's own history too: whoever signs it off sees that cells were changed here.
    replaced = {(c.row, c.column) for c in added} & set(current)
    workflow_event_record(
        action=WorkflowAction.IMPORT_CORRECTED,
        actor=actor,
        import_job=job,
        detail={
            "file": job.filename,
            "corrected": len(added),
            "undone": len(gone) - len(replaced),
            "cells": [f"row {row}, {column}" for row, column in sorted(wanted)][:20],
        },
    )
    import_job_preview_again(job=job)
    return job


def _where(row, column) -> str:
    return f"row {row}, column “{column}”"


def _wanted(job: ImportJob, corrections: list[dict]) -> dict[Cell, str | None]:
    """Each cell's new text (``None``: remove its correction); every problem in one message."""
    header_row = job.file_format.get("header_row", 0)
    headers = set(job.headers)
    wanted: dict[Cell, str | None] = {}
    problems = []
    if not corrections:
        problems.append("No corrections were given.")
    for item in corrections:
        row, column = item.get("row"), item.get("column", "")
        value = None if item.get("remove") else str(item.get("value", ""))
        if not isinstance(row, int) or isinstance(row, bool) or row < 1:
            problems.append(f"“{row}” is not a row number of the file.")
        elif row <= header_row:
            problems.append(
                f"Row {row} is not a data row: the header is row {header_row}, and only "
                "rows under it can be corrected."
            )
        elif column not in headers:
            problems.append(f"The file has no column “{column}” (row {row}).")
        elif (row, column) in wanted:
            problems.append(f"The correction of {_where(row, column)} is given twice.")
        elif value is not None and len(value) > MAX_VALUE:
            problems.append(
                f"The value for {_where(row, column)} is over {MAX_VALUE:,} characters."
            )
        else:
            wanted[(row, column)] = value
    if problems:
        raise ValidationError(problems)
    return wanted


def _originals(job: ImportJob, cells: set[Cell]) -> dict[Cell, str]:
    """The text of ``cells`` in the stored file: read up to the last of their rows, once."""
    if not cells:
        return {}
    if "kind" not in job.file_format:
        raise ValidationError("This file has not been read yet, so its cells cannot be found.")
    position = {header: i for i, header in enumerate(job.headers)}
    by_row = defaultdict(list)
    for row, column in cells:
        by_row[row].append(column)
    last, number, found = max(by_row), 0, {}
    fmt = tables.SourceFormat.described(job.file_format, sha256=job.sha256, size=job.size)
    rows = tables.iter_rows(job_file_opener(job), fmt, job.file_format.get("sheet", ""))
    try:
        for number, values in rows:  # noqa: B007 - the last row read is used below
            for column in by_row.get(number, ()):
                index = position[column]
                found[(number, column)] = values[index] if index < len(values) else ""
            if number >= last:
                break
    except ImportFileError as exc:
        raise ValidationError(f"The file could not be read again: {exc.error}") from exc
    except FileNotFoundError as exc:
        raise ValidationError("The uploaded file is no longer stored: upload it again.") from exc
    finally:
        rows.close()
    beyond = sorted(row for row in by_row if row > number)
    if beyond:
        raise ValidationError(
            f"Row {beyond[0]} is not in the file: its last row is {number}."
            if number
            else "The file has no rows."
        )
    return found
