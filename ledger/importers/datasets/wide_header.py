"""The header of a wide table under its headings, and what each of its columns is.

DLUHC tables put title and note rows, then up to three heading rows (asset codes, section
headings, line numbers), above the real header; any of these may have been deleted by hand.
The header is the row naming the body columns (E-code, ONS code, local authority) and service
lines; the heading rows are the contiguous rows just above it with text over the service
columns. See ``ledger.importers.datasets.wide`` for the interface.
"""

import re
from dataclasses import dataclass, field

from ..errors import ImportFileError
from ..layouts import KNOWN_OTHER_HEADERS, MISSING_MARKERS, dedupe, normalise
from ..mapping import units_factor
from ..tables import Row
from .catalogue import REVENUE_LINES, TOTAL, Catalogue
from .wide_columns import BODY_BY_NAME, IGNORED, UNKNOWN, WideColumn, arrange

HEADER_SEARCH_ROWS = 40
LEVEL_ROWS_MAX = 6
_LINE_NUMBER = re.compile(r"\d{1,4}\Z")
_ASSET_CODE = re.compile(r"[a-z][a-z0-9_]*\Z")
_E_CODE = re.compile(r"E\d{4}\Z")  # DLUHC's codes: E3831
_GSS_CODE = re.compile(r"[EWSNK]\d{8}\Z")  # ONS / GSS codes: E07000223
_FIGURE = re.compile(r"[-(]?[\d,]+(?:\.\d+)?\)?\Z")


@dataclass
class WideHeader:
    row: int  # file row number of the header
    levels: dict[str, int]  # "asset" / "section" / "line" → file row number
    preamble: list[str]  # texts above the header (titles, notes), heading rows' labels
    unit_factor: int | None  # 1000 for "£ thousand"; None when the table does not say
    unit_text: str  # the text that said so
    columns: list[WideColumn]
    notes: list[str] = field(default_factory=list)  # doubts about the headings

    def body(self, role: str) -> WideColumn | None:
        return next((c for c in self.columns if c.role == role), None)

    @property
    def known(self) -> int:
        """How many columns are known service lines."""
        return sum(1 for c in self.columns if c.service is not None)


def find_wide_header(
    rows: list[Row], *, header_row: int | None = None, catalogue: Catalogue = REVENUE_LINES
) -> WideHeader:
    """The header of a wide table among its first rows (or ``header_row``), its heading levels,
    unit and columns. Raises ``ImportFileError`` unless at least 3 columns are known lines."""
    if header_row is None:
        index = _header_index(rows[:HEADER_SEARCH_ROWS], catalogue)
    else:
        index = next((i for i, (n, _) in enumerate(rows) if n == header_row), None)
        if index is None:
            raise ImportFileError(f"The table has no row {header_row} to take as its header.")
    number, cells = rows[index]
    figures = sum(1 for c in cells if c.strip() and _is_figure(c))
    if figures > _filled(cells) / 2:
        raise ImportFileError(
            f"Row {number} is not the header of a wide table: it holds figures, not the names "
            "of columns. Choose the row that names the columns.",
            row=number,
        )
    body = _body_roles(cells)
    levels = _levels(rows, index, body)
    width = max(len(cells), *(len(c) for _, c, _ in levels.values())) if levels else len(cells)
    names = dedupe([*cells, *[""] * (width - len(cells))])
    preamble = _preamble(rows, index, levels, body)
    samples = [cells for _, cells in rows[index + 1 : index + 1 + HEADER_SEARCH_ROWS]]
    columns, notes = _columns(names, body, levels, catalogue, samples)
    factor, unit = None, ""
    for text in [*preamble, *names]:
        if (found := units_factor([text])) is not None:
            factor, unit = found, text
            break
    header = WideHeader(
        row=number,
        levels={kind: row for kind, (row, _, _) in levels.items()},
        preamble=preamble,
        unit_factor=factor,
        unit_text=unit,
        columns=columns,
        notes=notes,
    )
    if header.known < 3:
        raise ImportFileError(
            f"Row {number} is not the header of a wide table: only {header.known} of its columns "
            "are service lines we know (by line number, asset code or name); at least 3 are "
            "needed. Choose the row that names the columns.",
            row=number,
        )
    return header


def _body_roles(cells: list[str]) -> dict[int, str]:
    roles: dict[int, str] = {}
    for index, cell in enumerate(cells):
        role = BODY_BY_NAME.get(normalise(cell))
        if role and role not in roles.values():
            roles[index] = role
    return roles


def _header_index(rows: list[Row], catalogue: Catalogue) -> int:
    """The row naming the body columns and most service lines (section headings can name a
    dozen lines too, but never the code column)."""
    best: tuple[tuple[bool, int], int] | None = None
    for index, (_, cells) in enumerate(rows):
        roles = set(_body_roles(cells).values())
        lines = {e.line for c in cells if c.strip() and (e := catalogue.named(c)) is not None}
        has_code = bool(roles & {"code", "alt_code"})
        if not (len(lines) >= 3 or (has_code and len(roles) >= 2)):
            continue
        key = (has_code, len(roles) + len(lines))
        if best is None or key > best[0]:
            best = (key, index)
    if best is None:
        raise ImportFileError(
            "No header row found: no row among the first names an authority code column "
            "(E-code, ONS code) or at least 3 service lines. Choose the header row."
        )
    return _fuller_row_below(rows, best[1])


def _fuller_row_below(rows: list[Row], index: int) -> int:
    """Section headings name services too (sparsely), and sit above the header: a row of
    text just below that fills as many columns is the header (line numbers are skipped)."""
    found = index
    filled = _filled(rows[index][1])
    for position in range(index + 1, min(len(rows), index + 1 + LEVEL_ROWS_MAX // 2)):
        cells = rows[position][1]
        words = [c for c in cells if c.strip() and not _is_figure(c)]
        if _filled(cells) >= filled and len(words) >= 0.8 * _filled(cells):
            found = position
    return found


def _filled(cells: list[str]) -> int:
    return sum(1 for c in cells if c.strip())


def _is_figure(text: str) -> bool:
    text = text.strip()
    return text.lower() in MISSING_MARKERS or bool(_FIGURE.match(text))


def _levels(rows: list[Row], index: int, body: dict[int, str]) -> dict[str, tuple]:
    """The heading rows just above the header: kind → (row number, cells, position)."""
    levels: dict[str, tuple] = {}
    for position in range(index - 1, max(-1, index - 1 - LEVEL_ROWS_MAX), -1):
        number, cells = rows[position]
        filled = [c.strip() for i, c in enumerate(cells) if i not in body and c.strip()]
        if len(filled) < 2:
            break
        if len(filled) >= 3 and _share(filled, _LINE_NUMBER.match) >= 0.8:
            kind = "line"
        elif len(filled) >= 3 and _share(filled, _ASSET_CODE.match) >= 0.8:
            kind = "asset"
        else:
            kind = "section"
        if kind in levels:
            break
        levels[kind] = (number, cells, position)
    return levels


def _share(cells: list[str], test) -> float:
    return sum(1 for c in cells if test(c)) / len(cells)


def _preamble(rows: list[Row], index: int, levels: dict, body: dict[int, str]) -> list[str]:
    level_positions = {position for _, _, position in levels.values()}
    texts = []
    for position, (_, cells) in enumerate(rows[:index]):
        for i, cell in enumerate(cells):
            if cell.strip() and (position not in level_positions or i in body):
                texts.append(" ".join(cell.split()))
    return texts


def _level_cell(levels: dict, kind: str, index: int) -> str:
    if kind not in levels:
        return ""
    cells = levels[kind][1]
    return " ".join(cells[index].split()) if index < len(cells) else ""


def _columns(
    names: list[str],
    body: dict[int, str],
    levels: dict,
    catalogue: Catalogue,
    samples: list[list[str]],
) -> tuple[list[WideColumn], list[str]]:
    columns, notes, section = [], [], ""
    for index, name in enumerate(names):
        if index in body:
            columns.append(WideColumn(index, name, body[index], recognised_by="header"))
            continue
        section = _level_cell(levels, "section", index) or section
        column = _recognise(index, name, levels, catalogue, notes)
        column.section = section
        columns.append(column)
    _codes_by_values(columns, samples)
    arrange(columns, catalogue, has_sections="section" in levels, samples=samples, notes=notes)
    return columns, notes


def _codes_by_values(columns: list[WideColumn], samples: list[list[str]]) -> None:
    """Body codes under a heading we do not know ("Ref"): told by their values."""
    for role, pattern in (("code", _E_CODE), ("alt_code", _GSS_CODE)):
        if any(c.role == role for c in columns):
            continue
        for column in columns:
            if column.role not in (UNKNOWN, IGNORED):
                continue
            values = [r[column.index].strip() for r in samples if column.index < len(r)]
            values = [v for v in values if v]
            if len(values) >= 2 and _share(values, pattern.match) >= 0.6:  # footnotes too
                column.role, column.recognised_by = role, "values"
                break


def _recognise(
    index: int, name: str, levels: dict, catalogue: Catalogue, notes: list[str]
) -> WideColumn:
    line_text = _level_cell(levels, "line", index)
    line = int(line_text) if _LINE_NUMBER.match(line_text) else None
    asset = _level_cell(levels, "asset", index)
    named = catalogue.named(name)
    entry, how = None, ""
    if line is not None and line in catalogue.by_line:
        entry, how = catalogue.by_line[line], "line"
        if named is not None and named is not entry:
            notes.append(
                f"Column “{name}” has line number {line} ({entry.name}) but its name is that "
                f"of line {named.line}: read as line {line}."
            )
    elif asset.lower() in catalogue.by_asset:
        entry, how = catalogue.by_asset[asset.lower()], "asset"
    elif name.lower() in catalogue.by_asset:  # tables headed by asset codes alone
        entry, how = catalogue.by_asset[name.lower()], "asset"
    elif named is not None:
        entry, how = named, ("name" if normalise(name) in catalogue.by_name else "TOTAL form")
        if line is not None:
            notes.append(
                f"Column “{name}” has line number {line}, which we do not know; read as line "
                f"{named.line} ({named.name}) by its name."
            )
    if entry is not None:
        return WideColumn(
            index,
            name,
            entry.role,
            line=entry.line,
            code=asset or entry.asset,
            group=entry.group,
            service=entry,
            recognised_by=how,
            measures=entry.measures,
        )
    key = normalise(name)
    if key in KNOWN_OTHER_HEADERS or key in BODY_BY_NAME:
        return WideColumn(index, name, IGNORED, recognised_by="header")
    role = TOTAL if key == "total" or key.startswith("total ") else UNKNOWN
    return WideColumn(index, name, role, line=line, code=asset, recognised_by="")
