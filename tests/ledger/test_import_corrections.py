"""Cells corrected on the site: recorded with the file's text, read by the preview instead of
it (CSV, XLSX, wide tables), refused where they point at no data cell, undone."""

import io
from decimal import Decimal
from itertools import chain

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from ledger.importers.context import Tally
from ledger.importers.mapping import Header
from ledger.models import (
    FinancialYear,
    ImportCorrection,
    ImportJobStatus,
)
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.imports.corrections import import_job_correct
from ledger.services.imports.jobs import import_job_cancel
from ledger.services.imports.preview import _corrected, import_job_run
from ledger.services.returns import spend_return_create
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview
from tests.ledger.test_import_tables import LEEDS_RO_TABLE

pytestmark = pytest.mark.django_db

AMOUNT, DATE = "Amount", "Date"


def _bad_rows() -> list[list[str]]:
    """Rows 2-4 of a DCLG file: a good line, a bad amount (row 3), a bad date (row 4)."""
    return [
        dclg_row(amount="10.00", number=1),
        dclg_row(amount="1,2x4.00", number=2),
        dclg_row(amount="5.50", date="31/02/2011", number=3),
    ]


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


FIXES = [
    {"row": 3, "column": AMOUNT, "value": "1,234.00"},
    {"row": 4, "column": DATE, "value": "28/02/2011"},
]


def _cells(job) -> list[tuple]:
    return list(job.corrections.values_list("row", "column", "original", "value", "created_by"))


def test_corrected_cells_are_read_instead_of_the_files_and_confirmed(leeds_draft, officer):
    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, *_bad_rows()]), actor=officer)
    assert job.status == ImportJobStatus.INVALID
    assert [(e["row"], e["column"], e["value"]) for e in job.errors] == [
        (3, AMOUNT, "1,2x4.00"),
        (4, DATE, "31/02/2011"),
    ]
    sha256, content = job.sha256, job.file.open("rb").read()

    job = import_job_correct(job=job, corrections=FIXES, actor=officer)
    assert job.status == ImportJobStatus.QUEUED
    assert _cells(job) == [
        (3, AMOUNT, "1,2x4.00", "1,234.00", officer.pk),
        (4, DATE, "31/02/2011", "28/02/2011", officer.pk),
    ]
    job = import_job_run(job_id=job.pk)
    assert (job.status, job.error_count, job.line_count, job.line_total) == (
        ImportJobStatus.READY,
        0,
        3,
        Decimal("1249.50"),
    )
    import_job_confirm(job=job, actor=officer)
    lines = leeds_draft.lines.order_by("source_row")
    assert [(li.source_row, li.amount, str(li.transaction_date)) for li in lines] == [
        (2, Decimal("10.00"), "2011-01-14"),
        (3, Decimal("1234.00"), "2011-01-14"),
        (4, Decimal("5.50"), "2011-02-28"),
    ]
    # The file is as uploaded: the corrections live beside it, never in it.
    job.refresh_from_db()
    assert (job.sha256, job.file.open("rb").read()) == (sha256, content)


def test_xlsx_cells_are_corrected_too(leeds_draft, officer):
    job = preview(leeds_draft, _xlsx([DCLG_HEADER, *_bad_rows()]), "spend.xlsx", actor=officer)
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, AMOUNT), (4, DATE)]
    import_job_correct(job=job, corrections=FIXES, actor=officer)
    job = import_job_run(job_id=job.pk)
    assert (job.status, job.line_total) == (ImportJobStatus.READY, Decimal("1249.50"))
    assert _cells(job)[0][2] == "1,2x4.00"  # the cell's text as the workbook holds it


def test_a_wide_tables_cell_is_corrected(leeds, officer):
    spend_return = spend_return_create(
        organisation=leeds, financial_year=FinancialYear.objects.get(code="2009-10"), actor=None
    )
    table = [row[:] for row in LEEDS_RO_TABLE]
    table[4][1] = "99XX"
    job = preview(spend_return, csv_bytes(table), "ro.csv", actor=officer)
    assert [(e["row"], e["column"], e["value"]) for e in job.errors] == [(5, "ONS code", "99XX")]
    import_job_correct(
        job=job, corrections=[{"row": 5, "column": "ONS code", "value": "00DA"}], actor=officer
    )
    job = import_job_run(job_id=job.pk)
    assert (job.status, job.staged_count) == (ImportJobStatus.READY, 4)


def test_a_short_row_is_padded_to_reach_the_corrected_cell(leeds_draft, officer):
    short = dclg_row(number=2)[:5]  # stops before Amount: "no amount"
    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row(), short]), actor=officer)
    assert job.status == ImportJobStatus.INVALID
    import_job_correct(
        job=job, corrections=[{"row": 3, "column": AMOUNT, "value": "2.00"}], actor=officer
    )
    assert _cells(job) == [(3, AMOUNT, "", "2.00", officer.pk)]
    job = import_job_run(job_id=job.pk)
    assert (job.status, job.line_total) == (ImportJobStatus.READY, Decimal("872.83"))


def test_a_job_without_corrections_reads_its_rows_untouched(leeds_draft, officer):
    """The preview's loop runs a million times a file: no corrections, no wrapper around it."""
    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row()]), actor=officer)
    header = Header(1, DCLG_HEADER, [], True)
    rows = chain([(2, dclg_row())])
    assert _corrected(job, header, rows, Tally(max_errors=1)) is rows
    ImportCorrection.objects.create(job=job, row=2, column=AMOUNT, original="870.83", value="1")
    corrected = _corrected(job, header, iter([(2, dclg_row())]), Tally(max_errors=1))
    assert list(corrected) == [(2, dclg_row(amount="1"))]
    # A header found elsewhere on a later run (another saved mapping's names): said, not guessed.
    tally = Tally(max_errors=1)
    rows = iter([(2, dclg_row())])
    assert _corrected(job, Header(2, DCLG_HEADER, [], True), rows, tally) is rows
    assert tally.warnings == [
        "The correction of row 2, column “Amount” was not used: the header is now row 2, with "
        "other columns. Correct the cell again."
    ]


def test_correcting_again_replaces_and_the_files_own_text_undoes(leeds_draft, officer):
    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, *_bad_rows()]), actor=officer)
    import_job_correct(job=job, corrections=FIXES[:1], actor=officer)
    job = import_job_run(job_id=job.pk)
    first = job.corrections.get()
    import_job_correct(
        job=job, corrections=[{"row": 3, "column": AMOUNT, "value": "1,235.00"}], actor=officer
    )
    assert _cells(job) == [(3, AMOUNT, "1,2x4.00", "1,235.00", officer.pk)]
    assert job.corrections.get().pk != first.pk  # a new correction: who and when are its own
    job = import_job_run(job_id=job.pk)
    # The same value again changes nothing, and does not read the file again.
    job = import_job_correct(
        job=job, corrections=[{"row": 3, "column": AMOUNT, "value": "1,235.00"}], actor=officer
    )
    assert job.status == ImportJobStatus.INVALID  # row 4's date is still wrong
    # The file's own text (give or take spaces) takes the correction away, as does "remove".
    import_job_correct(
        job=job, corrections=[{"row": 3, "column": AMOUNT, "value": " 1,2x4.00"}], actor=officer
    )
    assert _cells(job) == []
    job = import_job_run(job_id=job.pk)
    assert [e["row"] for e in job.errors] == [3, 4]
    import_job_correct(job=job, corrections=FIXES, actor=officer)
    job = import_job_run(job_id=job.pk)
    assert job.status == ImportJobStatus.READY
    import_job_correct(
        job=job, corrections=[{"row": 4, "column": DATE, "remove": True}], actor=officer
    )
    job = import_job_run(job_id=job.pk)
    assert (job.status, [e["row"] for e in job.errors]) == (ImportJobStatus.INVALID, [4])


def _refusal(job, actor, corrections) -> str:
    with pytest.raises(ValidationError) as caught:
        import_job_correct(job=job, corrections=corrections, actor=actor)
    return " ".join(caught.value.messages)


def test_cells_that_are_not_data_cells_are_refused_naming_them(leeds_draft, officer):
    preamble = ["Leeds City Council spend over £500, January 2011"]
    job = preview(leeds_draft, csv_bytes([preamble, DCLG_HEADER, *_bad_rows()]), actor=officer)
    assert job.file_format["header_row"] == 2
    cases = {
        "The file has no column “Amount (GBP)” (row 4).": {"row": 4, "column": "Amount (GBP)"},
        "Row 2 is not a data row: the header is row 2, and only rows under it can be corrected.": {
            "row": 2,
            "column": AMOUNT,
        },
        "Row 1 is not a data row: the header is row 2, and only rows under it can be corrected.": {
            "row": 1,
            "column": AMOUNT,
        },
        "“3” is not a row number of the file.": {"row": "3", "column": AMOUNT},
        "Row 9 is not in the file: its last row is 5.": {"row": 9, "column": AMOUNT},
        "No corrections were given.": None,
    }
    for message, correction in cases.items():
        given = [] if correction is None else [{**correction, "value": "1.00"}]
        assert _refusal(job, officer, given) == message
    twice = [{"row": 4, "column": AMOUNT, "value": "1"}, {"row": 4, "column": AMOUNT, "value": "2"}]
    given_twice = "The correction of row 4, column “Amount” is given twice."
    assert _refusal(job, officer, twice) == given_twice
    assert not ImportCorrection.objects.exists()


def test_only_officers_correct_and_only_before_confirmation(leeds_draft, officer, approver):
    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, *_bad_rows()]), actor=officer)
    with pytest.raises(PermissionDenied):
        import_job_correct(job=job, corrections=FIXES, actor=approver)
    import_job_correct(job=job, corrections=FIXES, actor=officer)
    job = import_job_run(job_id=job.pk)
    import_job_confirm(job=job, actor=officer)
    assert _refusal(job, officer, FIXES[:1]) == "This import is confirmed."
    other = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row(number=9)]), actor=officer)
    import_job_cancel(job=other, actor=officer)
    assert _refusal(other, officer, FIXES[:1]) == "This import is cancelled."
    assert ImportCorrection.objects.count() == 2
