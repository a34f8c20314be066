"""Workbooks built to hurt: decompression bombs, absurd sizes, entity bombs, lying dimensions.

Each is refused quickly with a clear error (and a row where there is one), or, for the lying
dimension, read in full; nothing is staged and the ledger is untouched.
"""

import io
import struct
import time
import zipfile

import pytest
from openpyxl import Workbook

from ledger.importers import tables
from ledger.models import ImportJobStatus, ImportStagedLine, SpendLine
from tests.ledger.import_helpers import preview

pytestmark = pytest.mark.django_db
SHEET = "xl/worksheets/sheet1.xml"
HEAD = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Date</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Supplier Name</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>Amount</t></is></c></row>'
)


def _row(number: int, amount: str = "10") -> str:
    return (
        f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>14/01/2011</t></is></c>'
        f'<c r="B{number}" t="inlineStr"><is><t>A Ltd</t></is></c>'
        f'<c r="C{number}" t="n"><v>{amount}</v></c></row>'
    )


def _base_parts() -> dict[str, bytes]:
    workbook = Workbook()
    workbook.active.append(["x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    archive = zipfile.ZipFile(buffer)
    return {name: archive.read(name) for name in archive.namelist()}


def workbook(sheet, *, prologue: str = "", dimension: str = "") -> bytes:
    """A valid workbook whose first sheet is ``sheet`` (text, or chunks of text streamed)."""
    parts = _base_parts()
    del parts[SHEET]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open(SHEET, "w", force_zip64=True) as out:
            out.write((prologue + HEAD).encode())
            if dimension:
                out.write(f'<dimension ref="{dimension}"/>'.encode())
            out.write(b"<sheetData>")
            for chunk in [sheet] if isinstance(sheet, str) else sheet:
                out.write(chunk.encode())
            out.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _refused(spend_return, content: bytes, *words: str, row=None):
    started = time.monotonic()
    job = preview(spend_return, content, name="bomb.xlsx")
    elapsed = time.monotonic() - started
    assert job.status == ImportJobStatus.FAILED, (job.status, job.errors)
    assert len(job.errors) == 1
    message = job.errors[0]["message"]
    for word in words:
        assert word in message, message
    assert job.errors[0]["row"] == row
    assert not ImportStagedLine.objects.exists() and not SpendLine.objects.exists()
    assert elapsed < 20, f"took {elapsed:.1f}s to refuse"
    return job


def test_a_sheet_that_unpacks_a_thousand_times_its_size_is_refused_unread(leeds_draft):
    # 64 MB of identical rows deflates to about 64 KB: no spreadsheet compresses like that.
    filler = "<row><c><v>0</v></c></row>" * 40_000
    content = workbook([HEADER_ROW, *[filler] * 64])
    assert len(content) < 200_000
    _refused(leeds_draft, content, "decompression bomb", SHEET)


def _sheet_entry(content: bytes) -> zipfile.ZipInfo:
    return zipfile.ZipFile(io.BytesIO(content)).getinfo(SHEET)


def test_a_workbook_declaring_gigabytes_unpacked_is_refused_unread(leeds_draft):
    content = bytearray(workbook(HEADER_ROW + _row(2)))
    # Claim in the central directory that the sheet unpacks to 4 GB, as a bomb's would.
    entry = content.find(b"PK\x01\x02")
    while content[entry + 46 : entry + 46 + len(SHEET)] != SHEET.encode():
        entry = content.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", content, entry + 24, 0xFFFFFFF0)
    assert _sheet_entry(bytes(content)).file_size == 0xFFFFFFF0
    _refused(leeds_draft, bytes(content), "unpacks to more than 2 GB")


def test_rows_beyond_excels_last_row_are_refused(leeds_draft):
    content = workbook(HEADER_ROW + _row(2) + _row(5_000_000))
    _refused(leeds_draft, content, "more than 1,048,576 rows", row=1_048_577)


def test_a_cell_beyond_excels_last_column_is_refused(leeds_draft):
    far = '<row r="3"><c r="ZZZ3" t="n"><v>1</v></c></row>'  # column 18,278
    content = workbook(HEADER_ROW + _row(2) + far)
    _refused(leeds_draft, content, "reaches column 18,278", "at most 16,384", row=3)


def test_rows_padded_out_to_the_last_column_hit_the_cell_budget(leeds_draft, monkeypatch):
    """Each row with one value in column XFD costs 16,384 cells: a cheap file, a costly read."""
    monkeypatch.setattr(tables, "XLSX_MAX_CELLS", 1_000_000)
    rows = (f'<row r="{n}"><c r="XFD{n}" t="n"><v>1</v></c></row>' for n in range(2, 200))
    content = workbook([HEADER_ROW, *rows])
    # Row 1 has 3 cells, rows 2-62 16,384 each (999,427 in all): row 63 goes over.
    _refused(leeds_draft, content, "more than 1,000,000 cells", row=63)


def test_an_entity_expansion_bomb_is_refused(leeds_draft):
    prologue = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lolololololololololol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        + "]>"
    )
    content = workbook(HEADER_ROW + _row(2).replace("A Ltd", "&lol9;"), prologue=prologue)
    _refused(leeds_draft, content, "not a readable Excel workbook")


def test_damaged_compressed_data_mid_sheet_is_a_clear_error(leeds_draft):
    rows = [HEADER_ROW, *(_row(n, str(n)) for n in range(2, 3000))]
    content = bytearray(workbook(rows, dimension="A1:C2999"))
    info = _sheet_entry(bytes(content))
    name_and_extra = struct.unpack_from("<HH", content, info.header_offset + 26)
    data = info.header_offset + 30 + sum(name_and_extra)
    middle = data + info.compress_size * 3 // 4
    content[middle : middle + 40] = b"\xff" * 40  # corrupt the deflate stream itself
    job = preview(leeds_draft, bytes(content), name="damaged.xlsx")
    assert job.status == ImportJobStatus.FAILED
    assert "damaged and cannot be read past this row" in job.errors[0]["message"]
    assert not ImportStagedLine.objects.exists()
    assert job.errors[0]["row"] is None or job.errors[0]["row"] > 1000


def test_a_dimension_smaller_than_the_data_loses_no_rows(leeds_draft):
    """Some exporters write <dimension ref="A1"/>: the cells, not the claim, decide."""
    rows = [HEADER_ROW, *(_row(n, str(n)) for n in range(2, 8))]
    job = preview(leeds_draft, workbook("".join(rows), dimension="A1"), name="short.xlsx")
    assert job.status == ImportJobStatus.READY, job.errors
    assert job.line_count == 6
    assert sorted(
        ImportStagedLine.objects.filter(job=job).values_list("source_row", flat=True)
    ) == list(range(2, 8))


def test_a_csv_row_wider_than_a_worksheet_is_refused(leeds_draft):
    content = b"Date,Supplier Name,Amount\r\n14/01/2011,A Ltd,10\r\n" + b"," * 20_000 + b"\r\n"
    job = preview(leeds_draft, content, name="wide.csv")
    assert job.status == ImportJobStatus.FAILED
    assert job.errors == [
        {
            "row": 3,
            "column": "",
            "value": "",
            "message": "This row reaches column 20,001; a worksheet has at most 16,384 columns.",
        }
    ]
