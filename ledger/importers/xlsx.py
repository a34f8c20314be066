"""Rows out of an Excel workbook (.xlsx), streamed, with its bombs and damage refused.

openpyxl reads in read-only mode, so memory does not grow with the sheet; what a hostile or
damaged workbook can do to it (decompression bombs, far columns, broken XML) becomes one clear
``ImportFileError`` at the row it was reading.
"""

import datetime as dt
import hashlib
import zipfile
from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal
from typing import BinaryIO

from .errors import ImportFileError
from .tables import Opener, Row, SourceFormat, check_size, read_chunks
from .values import decimal_text

# An .xlsx whose parts unpack to more than this is refused before openpyxl loads anything:
# read-only mode streams the cells, but it keeps the shared strings in memory.
XLSX_MAX_UNPACKED = 2 * 1024**3
XLSX_MAX_SHARED_STRINGS = 256 * 1024**2
# Real sheets deflate 10-20 to 1 (row numbers and values vary); a part over 10 MB unpacked that
# packed a hundred times smaller is a decompression bomb, whatever its directory claims.
XLSX_MAX_RATIO = 100
XLSX_RATIO_CHECKED_FROM = 10 * 1024**2


def inspect_xlsx(handle: BinaryIO) -> SourceFormat:
    digest, size = hashlib.sha256(), 0
    for chunk in read_chunks(handle):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
        names = archive.namelist()
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(
            f"The file looks like an .xlsx workbook but is damaged ({exc})."
        ) from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        listed = ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
        raise ImportFileError(
            "The file is a zip archive, not an Excel workbook"
            + (f" (it holds {listed})" if names else " (it is empty)")
            + ". Upload the .xlsx or CSV file itself."
        )
    _refuse_bombs(infos)
    with _open_workbook(handle) as workbook, _reading(0):
        sheets = list(workbook.sheetnames)
        rows = max((workbook[name].max_row or 0) for name in sheets) if sheets else 0
    if not sheets:
        raise ImportFileError("The workbook has no worksheets.")
    return SourceFormat(
        kind="xlsx", sha256=digest.hexdigest(), size=size, rows_estimate=rows, sheets=sheets
    )


def _refuse_bombs(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse, from the zip directory alone, a workbook that would unpack to far too much.

    The directory's sizes can lie, but Python's zipfile never inflates an entry past its
    declared size (it stops, and the CRC check fails), so the declared sizes are a bound.
    """
    if sum(i.file_size for i in infos) > XLSX_MAX_UNPACKED or any(
        i.filename == "xl/sharedStrings.xml" and i.file_size > XLSX_MAX_SHARED_STRINGS
        for i in infos
    ):
        raise ImportFileError(
            "The workbook unpacks to more than 2 GB; save it as CSV and upload that instead."
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > XLSX_RATIO_CHECKED_FROM and ratio > XLSX_MAX_RATIO:
            raise ImportFileError(
                f"The workbook's part “{info.filename}” unpacks to {ratio:,.0f} times its packed "
                f"size ({info.file_size / 1024**2:,.0f} MB from {info.compress_size:,} bytes). "
                "No spreadsheet compresses like that, so it is refused as a decompression bomb. "
                "Save the data as CSV and upload that."
            )


class _reading:
    """Turns whatever breaks while streaming a sheet (damaged deflate data, bad XML, an entity
    bomb refused by the XML parser) into one clear error at the row it was reading."""

    def __init__(self, row: int):
        self.row = row

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        if exc is None or isinstance(exc, ImportFileError | GeneratorExit):
            return False
        if not isinstance(exc, Exception):
            return False
        raise ImportFileError(
            f"The workbook is damaged and cannot be read past this row ({type(exc).__name__}: "
            f"{str(exc)[:200]}). Open it in Excel and save it again, or save it as CSV.",
            row=self.row or None,
        ) from exc


class _open_workbook:
    """openpyxl in read-only streaming mode, with its many failure modes as one clear error."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.workbook = None

    def __enter__(self):
        from openpyxl import load_workbook

        self.handle.seek(0)
        try:
            self.workbook = load_workbook(self.handle, read_only=True, data_only=False)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises anything from KeyError to lxml
            raise ImportFileError(
                f"The file is not a readable Excel workbook ({type(exc).__name__}: {exc}). "
                "Open it in Excel and save it again as .xlsx, or as CSV."
            ) from exc
        return self.workbook

    def __exit__(self, *exc_info):
        if self.workbook is not None:
            self.workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return decimal_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def iter_xlsx(opener: Opener, sheet: str) -> Iterator[Row]:
    with closing(opener()) as handle, _open_workbook(handle) as workbook:
        worksheet = workbook[sheet]
        # Trust the cells, not the sheet's declared <dimension>: exporters that write a wrong
        # one ("A1") would otherwise lose every row and column beyond it, silently.
        worksheet.reset_dimensions()
        cells = 0
        position = _reading(1)
        with position:
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                position.row = number
                cells += len(values)
                check_size(number, len(values), cells)
                yield number, [_cell_text(v) for v in values]
                position.row = number + 1
