"""HM Treasury's Country and Regional Analysis (CRA / PESA) databases, as published.

One row per department × segment × COFOG × capital/current × CG/LG/PC × region, one column per
financial year, usually in £ thousand, on a data sheet after a metadata sheet. The reader
chooses the data sheet (never the metadata in front of it), finds the header under any title
rows, reads the unit, and unpivots the years into a long pandas frame of exact integer pence
(``regional_header`` finds, ``regional_frame`` converts). It reads: it stores nothing and
touches no database.

Workbooks are streamed by ``ledger.importers.xlsx`` (openpyxl in read-only mode, with its
bomb, damage and size defences); the caller runs ``tables.inspect`` first, which refuses bombs
and gives the sheet names. CSV exports of the same table are read with ``pandas.read_csv``.
"""

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice

import numpy as np
import pandas as pd

from ..errors import ImportFileError, RowError
from ..layouts import dedupe
from ..tables import Opener, Row, SourceFormat, iter_csv
from ..xlsx import iter_xlsx
from .regional_frame import FRAME_COLUMNS, by_value, empty_frame, money_totals, tabulate
from .regional_header import (
    FIELDS,
    SCAN_ROWS,
    SheetInfo,
    choose_sheet,
    find_unit,
    sheet_info,
    year_code,
)

__all__ = ["FIELDS", "FRAME_COLUMNS", "RegionalTable", "SheetInfo", "read_regional", "year_code"]


@dataclass
class RegionalTable:
    """A CRA / PESA table read: where it was, what was understood, and the long frame.

    ``frame`` has ``FRAME_COLUMNS``: one row per source row and year with a non-zero figure,
    ``pence`` exact int64. With no unit found or given, ``unit_factor`` is None and the frame
    is empty: the caller must ask for the unit and read again with ``unit_factor``.
    """

    sheet: str
    sheets: list[SheetInfo]
    header_row: int
    columns: dict[str, str]
    years: dict[str, str]
    ignored: list[str]
    unit_factor: int | None
    unit_found: int | None  # what the file says, even where the caller chose otherwise
    unit_text: str  # the words the unit was read from, and where
    frame: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    not_available: int = 0
    zero_count: int = 0
    rows_read: int = 0

    @property
    def values_count(self) -> int:
        return len(self.frame)

    @property
    def needs_unit(self) -> bool:
        return self.unit_factor is None

    def summary(self) -> dict:
        """Money by region × year, department × year and year, in pence (Python ints)."""
        by_region: dict[str, dict[str, int]] = {}
        for (region, year), pence in money_totals(self.frame, ["region", "year"]).items():
            by_region.setdefault(region, {})[year] = pence
        by_department: dict[str, dict[str, int]] = {}
        for (department, year), pence in money_totals(self.frame, ["department", "year"]).items():
            by_department.setdefault(department, {})[year] = pence
        by_year = money_totals(self.frame, ["year"])
        return {
            "years": sorted(set(self.years.values())),
            "by_region": by_region,
            "by_department": by_department,
            "by_year": by_year,
            "total": sum(by_year.values()),
        }


def read_regional(
    opener: Opener,
    fmt: SourceFormat,
    *,
    sheet: str = "",
    header_row: int | None = None,
    unit_factor: int | None = None,
    max_errors: int = 500,
) -> RegionalTable:
    """Read a CRA / PESA table (xlsx or CSV) into a long frame of exact pence by year.

    ``fmt`` comes from ``tables.inspect(opener)``. ``sheet`` defaults to the first sheet whose
    header (found in its first 30 rows, or on ``header_row``) names the department, the region
    and at least one year; ``unit_factor`` (1,000 for £ thousand) defaults to the unit the
    sheet's titles or another sheet's notes state. Unreadable figures and rows become
    ``RowError``s (the first ``max_errors`` kept, all counted); nothing is guessed.
    """
    if unit_factor is not None and unit_factor < 1:
        raise ValueError("unit_factor must be a positive whole number (1,000 for £ thousand)")
    heads = _heads(opener, fmt)
    sheets = [sheet_info(name, rows, header_row) for name, rows in heads.items()]
    chosen = choose_sheet(sheets, sheet if fmt.kind == "xlsx" else "")
    found, unit_text = find_unit(chosen, heads)
    factor = unit_factor or found
    head = heads[chosen.name]
    headers = _header_cells(head, chosen.header_row)
    known = set(chosen.columns.values()) | set(chosen.years)
    named = dedupe(headers)
    table = RegionalTable(
        sheet=chosen.name,
        sheets=sheets,
        header_row=chosen.header_row,
        columns=chosen.columns,
        years=chosen.years,
        ignored=[n for n, h in zip(named, headers, strict=True) if h.strip() and n not in known],
        unit_factor=factor,
        unit_found=found,
        unit_text=unit_text,
        frame=empty_frame(),
    )
    if factor is None:
        return table
    rows, columns = _body(opener, fmt, chosen, width=len(headers))
    names = dedupe(headers + [""] * (len(columns) - len(headers)))
    position = {name: index for index, name in enumerate(names)}
    # Columns without a name are worth mentioning only if they hold something.
    table.ignored += [
        name
        for index, name in enumerate(names)
        if name not in known
        and not (index < len(headers) and headers[index].strip())
        and _has_data(columns[index])
    ]
    result = tabulate(
        rows=rows,
        fields={name: (h, columns[position[h]]) for name, h in chosen.columns.items()},
        years=[(h, code, columns[position[h]]) for h, code in chosen.years.items()],
        factor=factor,
        max_errors=max_errors,
    )
    table.frame = result.frame
    table.errors, table.error_count = result.errors, result.error_count
    table.not_available, table.zero_count = result.not_available, result.zeros
    table.rows_read = len(rows)
    return table


def _heads(opener: Opener, fmt: SourceFormat) -> dict[str, list[Row]]:
    """The first rows of every sheet (a CSV is one sheet named "")."""
    if fmt.kind != "xlsx":
        return {"": _first_rows(iter_csv(opener, fmt))}
    return {name: _first_rows(iter_xlsx(opener, name)) for name in fmt.sheets}


def _first_rows(rows: Iterator[Row]) -> list[Row]:
    with closing(rows):  # stops the reader (and closes the file) after SCAN_ROWS
        return list(islice(rows, SCAN_ROWS))


def _header_cells(head: list[Row], header_row: int) -> list[str]:
    return next(cells for number, cells in head if number == header_row)


def _body(opener: Opener, fmt: SourceFormat, info: SheetInfo, *, width: int):
    """Row numbers and columns (text) of the rows under the header that hold anything."""
    if fmt.kind == "xlsx":
        numbers, kept = [], []
        for number, cells in iter_xlsx(opener, info.name):
            if number > info.header_row and "".join(cells).strip():
                numbers.append(number)
                kept.append(cells)
        width = max([width, *map(len, kept)])
        padded = [cells + [""] * (width - len(cells)) for cells in kept]
        columns = [pd.Series(c, dtype=object) for c in zip(*padded, strict=True)]
        if not kept:
            columns = [pd.Series([], dtype=object) for _ in range(width)]
        return np.array(numbers, dtype=np.int64), columns
    frame = _read_csv(opener, fmt, info, width=width)
    columns = [frame[c].astype(object) for c in frame.columns]
    filled = np.logical_or.reduce([(by_value(c, str.strip) != "").to_numpy() for c in columns])
    numbers = np.arange(len(frame), dtype=np.int64) + info.header_row + 1
    return numbers[filled], [c[filled].reset_index(drop=True) for c in columns]


def _read_csv(opener: Opener, fmt: SourceFormat, info: SheetInfo, *, width: int):
    with closing(opener()) as handle:
        try:
            frame = pd.read_csv(
                handle,
                sep=fmt.delimiter,
                encoding=fmt.encoding,
                header=None,
                names=list(range(width)),
                skiprows=info.header_row,  # records, so quoted line breaks above count once
                skip_blank_lines=False,  # keeps the row numbers a spreadsheet shows
                dtype=str,
                keep_default_na=False,
                na_filter=False,
            )
        except pd.errors.ParserError as exc:
            raise ImportFileError(
                f"A row under the header has more cells than the header names ({exc}). "
                "Name every column in the header row, or remove the extra cells."
            ) from exc
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"The file is not valid {fmt.encoding} text ({exc}).") from exc
    return frame.fillna("")


def _has_data(cells: pd.Series) -> bool:
    return bool((cells.str.strip() != "").any())
