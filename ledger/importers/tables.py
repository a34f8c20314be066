"""Rows out of a file, whatever it is: CSV in any of our encodings and delimiters, or XLSX.

Every row comes out as ``(row_number, [cell text, ...])`` with row numbers as a spreadsheet
shows them (1 is the first record). Both readers stream: memory does not grow with the file.
"""

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from .encoding import CHUNK, scan
from .errors import ImportFileError
from .values import decimal_text

Opener = Callable[[], BinaryIO]
Row = tuple[int, list[str]]

DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
SNIFF_BYTES = 64 * 1024
# An .xlsx whose parts unpack to more than this is refused before openpyxl loads anything:
# read-only mode streams the cells, but it keeps the shared strings in memory.
XLSX_MAX_UNPACKED = 2 * 1024**3
XLSX_MAX_SHARED_STRINGS = 256 * 1024**2
# Real sheets deflate 10-20 to 1 (row numbers and values vary); a part over 10 MB unpacked that
# packed a hundred times smaller is a decompression bomb, whatever its directory claims.
XLSX_MAX_RATIO = 100
XLSX_RATIO_CHECKED_FROM = 10 * 1024**2
# Excel's own limits, and a budget for rows × the width up to each row's last cell: a tiny file
# whose rows each hold one value in column XFD would otherwise cost 16,384 cells a row. A full
# legitimate workbook (a million rows of 20-odd columns) stays well inside it.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_COLUMNS = 16_384
XLSX_MAX_CELLS = 100_000_000


@dataclass
class SourceFormat:
    kind: str  # "csv" or "xlsx"
    sha256: str
    size: int
    rows_estimate: int = 0
    encoding: str = ""
    delimiter: str = ""
    sheets: list[str] = field(default_factory=list)

    def describe(self) -> dict:
        if self.kind == "xlsx":
            return {"kind": "xlsx", "sheets": self.sheets}
        return {
            "kind": "csv",
            "encoding": self.encoding,
            "delimiter": DELIMITER_NAMES.get(self.delimiter, self.delimiter),
        }

    @classmethod
    def described(cls, description: dict, *, sha256: str, size: int) -> "SourceFormat":
        """The format ``describe()`` recorded: to read a file again without scanning it."""
        by_name = {name: delimiter for delimiter, name in DELIMITER_NAMES.items()}
        delimiter = description.get("delimiter", "")
        return cls(
            kind=description["kind"],
            sha256=sha256,
            size=size,
            encoding=description.get("encoding", ""),
            delimiter=by_name.get(delimiter, delimiter),
            sheets=list(description.get("sheets", [])),
        )


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def inspect(opener: Opener) -> SourceFormat:
    """What kind of file this is, its SHA-256, encoding and delimiter (one streaming pass)."""
    with closing(opener()) as handle:
        head = handle.read(8)
        handle.seek(0)
        if head.startswith(b"PK\x03\x04"):
            return _inspect_xlsx(handle)
        _refuse_other_binaries(head, handle)
        found = scan(_chunks(handle))
        handle.seek(0)
        sample = handle.read(SNIFF_BYTES)
    text = sample.decode(found.encoding, errors="replace")
    _refuse_markup(text)
    return SourceFormat(
        kind="csv",
        sha256=found.sha256,
        size=found.size,
        rows_estimate=found.newlines + 1,
        encoding=found.encoding,
        delimiter=sniff_delimiter(text),
    )


def _refuse_other_binaries(head: bytes, handle: BinaryIO) -> None:
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "This is an Excel 97-2003 workbook (.xls), which cannot be read. "
            "Save it as an Excel workbook (.xlsx) or as CSV and upload that."
        )
    if head.startswith(b"%PDF"):
        raise ImportFileError("This is a PDF document, not a spreadsheet. Upload CSV or .xlsx.")


def _refuse_markup(text: str) -> None:
    start = text.lstrip("\ufeff \t\r\n")[:200].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml", "<table")):
        raise ImportFileError(
            "The file is a web page or XML, not CSV: it was probably saved from a browser. "
            "Download the CSV file itself and upload that."
        )


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the sample's lines into the most consistent, widest rows."""
    lines = text.splitlines()[:-1] or text.splitlines()  # the last line may be cut short
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        try:
            rows = [r for r in csv.reader(lines[:200], delimiter=delimiter) if any(r)]
        except csv.Error:
            continue
        widths = [len(r) for r in rows]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        score = widths.count(common) * common
        if score > best_score:
            best, best_score = delimiter, score
    return best


def iter_csv(opener: Opener, fmt: SourceFormat) -> Iterator[Row]:
    with closing(opener()) as raw:
        text = io.TextIOWrapper(raw, encoding=fmt.encoding, newline="")
        reader = csv.reader(text, delimiter=fmt.delimiter, strict=True)
        number = 0
        try:
            # One try around the loop, not one per row: this runs a million times a file.
            for number, cells in enumerate(reader, start=1):  # noqa: B007 - used below
                if len(cells) > XLSX_MAX_COLUMNS:
                    _check_size(number, len(cells), 0)
                yield number, cells
        except csv.Error as exc:
            raise ImportFileError(_csv_problem(exc), row=number + 1) from exc
        except UnicodeDecodeError as exc:  # the scan checked the encoding; the file changed?
            raise ImportFileError(
                f"The file is not valid {fmt.encoding} text here ({exc.reason}).", row=number + 1
            ) from exc


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        limit = csv.field_size_limit()
        return f"A cell is longer than {limit:,} characters; this is not a spending line."
    if "unexpected end of data" in text:
        return "A quoted cell is never closed: the file ends inside quotation marks."
    return f"The CSV is malformed here ({text}); check the quotation marks in this row."


def _inspect_xlsx(handle: BinaryIO) -> SourceFormat:
    import hashlib

    digest, size = hashlib.sha256(), 0
    for chunk in _chunks(handle):
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
                _check_size(number, len(values), cells)
                yield number, [_cell_text(v) for v in values]
                position.row = number + 1


def _check_size(number: int, width: int, cells: int) -> None:
    if number > XLSX_MAX_ROWS:
        raise ImportFileError(
            f"The worksheet has more than {XLSX_MAX_ROWS:,} rows, more than Excel allows.",
            row=number,
        )
    if width > XLSX_MAX_COLUMNS:
        raise ImportFileError(
            f"This row reaches column {width:,}; a worksheet has at most "
            f"{XLSX_MAX_COLUMNS:,} columns.",
            row=number,
        )
    if cells > XLSX_MAX_CELLS:
        raise ImportFileError(
            f"The worksheet holds more than {XLSX_MAX_CELLS:,} cells (counting every row out to "
            "its last filled column): save the data as CSV, without the far columns.",
            row=number,
        )


def iter_rows(opener: Opener, fmt: SourceFormat, sheet: str = "") -> Iterator[Row]:
    if fmt.kind == "xlsx":
        return iter_xlsx(opener, sheet or fmt.sheets[0])
    return iter_csv(opener, fmt)
