"""A corpus of broken files: each gets a clear error (row, column, value) and writes nothing."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from ledger.models import ImportJob, ImportJobStatus, ImportStagedLine, SpendLine
from ledger.services.imports.confirm import import_job_confirm
from tests.ledger.import_helpers import DCLG_HEADER, MALFORMED, dclg_row, preview

pytestmark = pytest.mark.django_db

ERROR = (ImportJobStatus.FAILED, ImportJobStatus.INVALID, ImportJobStatus.NEEDS_MAPPING)


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip_of_text() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "Not a workbook")
        archive.writestr("data/spend.csv", "Date,Amount\n14/01/2011,10.00\n")
    return buffer.getvalue()


def _huge_cell() -> bytes:
    rows = [",".join(DCLG_HEADER), ",".join(dclg_row()), ",".join(dclg_row(supplier="Y" * 200_000))]
    return ("\r\n".join(rows) + "\r\n").encode()


GENERATED = {
    "binary.csv": lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01",
    "pdf_document.csv": lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "old_excel.xls": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,
    "zip_not_xlsx.xlsx": _zip_of_text,
    "truncated.xlsx": lambda: _xlsx([DCLG_HEADER, dclg_row()])[:300],
    "empty_workbook.xlsx": lambda: _xlsx([]),
    "xlsx_formula_amount.xlsx": lambda: _xlsx(
        [["Date", "Supplier Name", "Amount"], ["14/01/2011", "A Ltd", "=B2*2"]]
    ),
    "huge_cell.csv": _huge_cell,
}

# file → (row, column, value, words of the message); None where not applicable.
EXPECTED = {
    "zero_bytes.csv": (None, "", "", "empty (0 bytes)"),
    "blank_lines_only.csv": (None, "", "", "no rows with any data"),
    "commas_only.csv": (None, "", "", "no rows with any data"),
    "header_only.csv": (None, "", "", "header row but no spending lines"),
    "no_header.csv": (1, "", "00DA, Leeds City Council", "No header row found"),
    "missing_amount_column.csv": (None, "", "", "holds the amount"),
    "text_in_amount.csv": (3, "Amount", "TBC", "not an amount of money"),
    "empty_amount.csv": (3, "Amount", "", "every line needs an amount"),
    "unknown_organisation.csv": (3, "Body", "99ZZ", "not the code of any organisation"),
    "wrong_organisation.csv": (3, "Body", "00BN", "Manchester City Council, not Leeds"),
    "formula_amount.csv": (3, "Amount", "=SUM(F2:F2)", "spreadsheet formula"),
    "formula_supplier.csv": (3, "Supplier Name", '=HYPERLINK("http', "spreadsheet formula"),
    "bad_date.csv": (3, "Date", "31/02/2011", "not a date"),
    "fraction_of_penny.csv": (3, "Amount", "12.345", "fractions of a penny"),
    "amount_too_large.csv": (3, "Amount", "99999999999999999", "too large"),
    "extra_cells.csv": (3, "", "surprise", "a value is in a column without a header"),
    "unterminated_quote.csv": (3, "", "", "never closed"),
    "totals_mismatch.csv": (4, "Amount", "999.99", "not the total of the rows above"),
    "html_page.csv": (None, "", "", "web page"),
    "long_supplier.csv": (3, "Supplier Name", "XXXX", "at most 255"),
    "bad_capital_revenue.csv": (3, "Capital or revenue", "X", "neither capital nor revenue"),
    "unknown_place.csv": (3, "Place code", "E99999999", "not the GSS or ONS code"),
    "mixed_encoding.csv": (None, "", "", "mixes two text encodings"),
    "utf16_without_bom.csv": (None, "", "", "UTF-16 text without a byte-order mark"),
    "binary.csv": (None, "", "", "binary data"),
    "pdf_document.csv": (None, "", "", "PDF document"),
    "old_excel.xls": (None, "", "", "Excel 97-2003"),
    "zip_not_xlsx.xlsx": (None, "", "", "zip archive, not an Excel workbook (it holds readme"),
    "truncated.xlsx": (None, "", "", "damaged"),
    "empty_workbook.xlsx": (None, "", "", "no rows with any data"),
    "xlsx_formula_amount.xlsx": (2, "Amount", "=B2*2", "spreadsheet formula"),
    "huge_cell.csv": (3, "", "", "longer than 131,072 characters"),
}


def _content(name: str) -> bytes:
    return GENERATED[name]() if name in GENERATED else (MALFORMED / name).read_bytes()


def test_the_corpus_is_complete():
    on_disk = {p.name for p in MALFORMED.iterdir()}
    assert on_disk | set(GENERATED) == set(EXPECTED)
    assert len(EXPECTED) >= 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_gets_a_clear_error_and_writes_nothing(name, leeds_draft):
    row, column, value, words = EXPECTED[name]
    content = _content(name)
    try:
        job = preview(leeds_draft, content, name)
    except ValidationError as exc:  # refused at upload, before any job exists
        assert words in " ".join(exc.messages)
        assert not ImportJob.objects.exists()
    else:
        assert job.status in ERROR, (job.status, job.errors)
        if job.status == ImportJobStatus.NEEDS_MAPPING:
            assert words in job.message
        else:
            first = job.errors[0]
            assert first["row"] == row
            assert first["column"] == column
            assert first["value"].startswith(value)
            assert words in first["message"], first
            assert job.error_count >= 1
        assert not ImportStagedLine.objects.filter(job=job).exists()
        with pytest.raises(ValidationError):
            import_job_confirm(job=job, actor=None)
        job.refresh_from_db()
        assert job.status in ERROR
    assert not SpendLine.objects.exists()
    leeds_draft.refresh_from_db()
    assert (leeds_draft.source_sha256, leeds_draft.source_filename) == ("", "")


def test_errors_are_all_counted_but_only_the_first_ones_kept(leeds_draft):
    rows = [DCLG_HEADER] + [dclg_row(amount="n/a", number=n) for n in range(1, 801)]
    from tests.ledger.import_helpers import csv_bytes

    job = preview(leeds_draft, csv_bytes(rows))
    assert job.status == ImportJobStatus.INVALID
    assert job.error_count == 800
    assert len(job.errors) == ImportJob.MAX_ERRORS_KEPT
    assert [e["row"] for e in job.errors[:3]] == [2, 3, 4]
    assert not ImportStagedLine.objects.exists()
