"""Recording what a preview found on its job: counts, totals, dropped rows, errors."""

from django.utils import timezone

from ledger.importers import RowError
from ledger.importers.context import Tally
from ledger.importers.mapping import Header
from ledger.models import ImportJob, ImportJobStatus
from ledger.models.fields import from_pence, to_pence
from totalplace.money import pounds
from totalplace.redact import without_paths

from .staging import staged_lines_delete

UNALLOCATED_GROUPS_SHOWN = 50


def job_fail(job: ImportJob, error: RowError) -> None:
    """The file as a whole could not be read: nothing is kept but the reason."""
    staged_lines_delete(job=job)
    job.status = ImportJobStatus.FAILED
    # A library's exception text may name where the file lies on the server: never kept.
    job.errors = [{**error.as_dict(), "message": without_paths(error.message)}]
    job.error_count = 1
    job.message = without_paths(str(error))
    job.staged_count = 0
    job.finished_at = timezone.now()
    job.save()


def job_finish(job: ImportJob, tally: Tally, header: Header) -> None:
    """Store the preview's figures; with any error, the staged lines are thrown away."""
    if job.control_total is not None and tally.total != to_pence(job.control_total):
        tally.error(
            None,
            "",
            str(job.control_total),
            f"The lines total {pounds(from_pence(tally.total))} but the declared control total is "
            f"{pounds(job.control_total)}.",
        )
    if tally.lines == 0 and tally.error_count == 0:
        tally.error(None, "", "", "The file has a header row but no spending lines under it.")
    if tally.outside_year:
        rows = ", ".join(str(r) for r in tally.outside_year_rows)
        tally.warnings.append(
            f"{tally.outside_year:,} line{'s are' if tally.outside_year != 1 else ' is'} dated "
            f"outside {job.financial_year} (rows {rows}{'…' if tally.outside_year > 20 else ''}); "
            "the return is kept on an accruals basis, so they are taken, and its approver sees "
            "how many."
        )
    for reason, count in tally.skipped_cells.items():
        tally.warnings.append(f"{count:,} cells were {reason}; they make no lines.")
    done = header.row + tally.rows
    job.rows_done = job.rows_total = done
    job.line_count = tally.lines
    job.staged_count = tally.staged
    job.line_total = from_pence(tally.total)
    job.credits_count = tally.credits
    job.dropped = dict(tally.dropped)
    job.dropped_count = sum(tally.dropped.values())
    job.file_format["dropped_examples"] = tally.dropped_examples
    job.file_total = from_pence(tally.file_total) if tally.file_total is not None else None
    job.unallocated_count = tally.unallocated_count
    job.unallocated_total = from_pence(tally.unallocated_total)
    groups = sorted(tally.unallocated.items(), key=lambda item: (-item[1][0], item[0]))
    job.unallocated = [
        {
            "service_label": key[0],
            "expense_area": key[1],
            "expense_type": key[2],
            "count": count,
            "total": str(from_pence(pence)),
        }
        for key, (count, pence) in groups[:UNALLOCATED_GROUPS_SHOWN]
    ]
    job.error_count = tally.error_count
    job.errors = [e.as_dict() for e in tally.errors]
    job.warnings = tally.warnings
    if tally.error_count:
        staged_lines_delete(job=job)
        job.staged_count = 0
        job.status = ImportJobStatus.INVALID
        job.message = (
            f"{tally.error_count:,} problem{'s' if tally.error_count != 1 else ''} to fix; "
            "nothing has been added to the return."
        )
    else:
        job.status = ImportJobStatus.READY
        job.message = ""
    job.finished_at = timezone.now()
    job.save()
