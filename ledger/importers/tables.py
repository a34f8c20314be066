"""Rows out of a file, whatever it is: CSV in any of our encodings and delimiters, or XLSX.

Every row comes out as ``(row_number, [cell text, ...])`` with row numbers as a spreadsheet
shows them (1 is the first record). Both readers stream: memory does not grow with the file.
The CSV reader is here; the workbook reader, with its defences, is ``ledger.importers.xlsx``.
"""

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import BinaryIO

from .encoding import CHUNK, scan
from .errors import ImportFileError

Opener = Callable[[], BinaryIO]
Row = tuple[int, list[str]]

DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
SNIFF_BYTES = 64 * 1024
# Excel's own limits, and a budget for rows × the width up to each row's last cell: a tiny file
# whose rows each hold one value in column XFD would otherwise cost 16,384 cells a row. A full
# legitimate workbook (a million rows of 20-odd columns) stays well inside it.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_COLUMNS = 16_384
# A CSV cell longer than this is refused: no spending line has one (Python's own default).
# The csv module's limit is process-wide and libraries change it (frictionless raises it when
# imported), so the reader sets ours each time rather than trusting whatever is set.
CSV_CELL_LIMIT = 131_072
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


def read_chunks(handle: BinaryIO) -> Iterator[bytes]:
    """The file in blocks, to hash it without holding it."""
    while chunk := handle.read(CHUNK):
        yield chunk


def inspect(opener: Opener) -> SourceFormat:
    """What kind of file this is, its SHA-256, encoding and delimiter (one streaming pass)."""
    with closing(opener()) as handle:
        head = handle.read(8)
        handle.seek(0)
        if head.startswith(b"PK\x03\x04"):
            from .xlsx import inspect_xlsx  # here: xlsx builds on this module

            return inspect_xlsx(handle)
        _refuse_other_binaries(head, handle)
        found = scan(read_chunks(handle))
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
        csv.field_size_limit(CSV_CELL_LIMIT)
        reader = csv.reader(text, delimiter=fmt.delimiter, strict=True)
        number = 0
        try:
            # One try around the loop, not one per row: this runs a million times a file.
            for number, cells in enumerate(reader, start=1):  # noqa: B007 - used below
                if len(cells) > XLSX_MAX_COLUMNS:
                    check_size(number, len(cells), 0)
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
        return f"A cell is longer than {CSV_CELL_LIMIT:,} characters; this is not a spending line."
    if "unexpected end of data" in text:
        return "A quoted cell is never closed: the file ends inside quotation marks."
    return f"The CSV is malformed here ({text}); check the quotation marks in this row."


def check_size(number: int, width: int, cells: int) -> None:
    """Excel's limits, for a CSV's rows as for a workbook's: a row too wide is refused."""
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
        from .xlsx import iter_xlsx

        return iter_xlsx(opener, sheet or fmt.sheets[0])
    return iter_csv(opener, fmt)
