"""Where a CRA / PESA table is: its sheet, its header row, its year columns and its unit.

Publishers move things about between editions (titles over the header, "2013/14" or
"Outturn 2013-14", the unit on the data sheet or in a metadata sheet before it), so each is
found by what it says rather than where it is, and every sheet is described for the page that
lets a person choose.
"""

import re
from dataclasses import asdict, dataclass, field

from ..errors import ImportFileError, shorten
from ..layouts import dedupe, normalise
from ..mapping import HEADER_SEARCH_ROWS, units_factor
from ..tables import Row

# What publishers call each column, compared normalised ("CG, LG, PC, BOE" is "cg lg pc boe").
FIELDS: dict[str, tuple[str, ...]] = {
    "department": ("Department Name", "Department"),
    "body_name": ("Organisation Name", "Organisation"),
    "segment_code": ("CRA Segment Code", "Segment Code"),
    "segment_name": ("CRA Segment Name", "Segment Name"),
    "cofog_division": ("COFOG Level 0", "COFOG division"),
    "function": ("HMT Function",),
    "cofog": ("COFOG Level 1", "COFOG group"),
    "subfunction": ("HMT Subfunction", "HMT Sub-function"),
    "identifiable": ("ID/non-ID", "Identifiable"),
    "spend_kind": ("CAP or CUR", "Capital or current"),
    "control": ("CG, LG, PC, BOE", "CG, LG, PC"),
    "allocated_by": ("Allocated by HMT or DEPT",),
    "region": ("NUTS Region", "NUTS 1 Region", "Region"),
    "country": ("Country",),
}
ALIASES = {normalise(alias): name for name, aliases in FIELDS.items() for alias in aliases}
REQUIRED = ("department", "region")
# Rows read from each sheet to find its header (the first 30) and a unit stated in its notes.
SCAN_ROWS = 200
# A financial year however it is written, once normalised: "2013-14", "2013/14", "2013–14",
# "2013-2014", "2013 to 2014", 201314. The year after must follow the first.
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d) ?(?:to )?((?:19|20)\d\d|\d\d)(?!\d)")
# Words a year's header may carry besides the year: "2013-14 outturn", "Outturn 2013-14",
# "2017-18 plans", "2013-14 (£ thousand)". Anything else ("2013-14 real terms") is another
# measure, so the column is listed as ignored rather than added to the years.
_YEAR_WORDS = frozenset(
    (
        *("outturn", "outturns", "actual", "actuals", "provisional", "forecast", "budget"),
        *("plan", "plans", "planned", "estimate", "estimates", "estimated"),
        *("fy", "financial", "year", "thousand", "thousands", "million", "millions"),
        *("000", "000s", "m", "k", "gbp"),
    )
)


def year_code(header: str) -> str | None:
    """Our code ("2013-14") for a header naming one financial year, else None."""
    text = normalise(header)
    found = _YEAR.search(text)
    if found is None:
        return None
    first, second = int(found[1]), found[2]
    if int(second) != (first + 1 if len(second) == 4 else (first + 1) % 100):
        return None
    rest = (text[: found.start()] + " " + text[found.end() :]).split()
    if any(word not in _YEAR_WORDS for word in rest):
        return None
    return f"{first}-{(first + 1) % 100:02d}"


@dataclass
class SheetInfo:
    """What one sheet holds, so a page can offer the choice of sheet."""

    name: str
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # our field → header
    years: dict[str, str] = field(default_factory=dict)  # header → year code
    note: str = ""

    @property
    def usable(self) -> bool:
        codes = list(self.years.values())
        return (
            bool(codes)
            and len(set(codes)) == len(codes)  # two columns for one year would count it twice
            and all(name in self.columns for name in REQUIRED)
        )

    def as_dict(self) -> dict:
        return asdict(self) | {"usable": self.usable}


def sheet_info(name: str, rows: list[Row], header_row: int | None) -> SheetInfo:
    """The header row (the one naming the most CRA columns) and what it names."""
    if header_row is not None:
        candidates = [(n, cells) for n, cells in rows if n == header_row]
        if not candidates:
            return SheetInfo(name, note=f"row {header_row} is not in the first {SCAN_ROWS} rows")
    else:
        candidates = rows[:HEADER_SEARCH_ROWS]
    best: SheetInfo | None = None
    for number, cells in candidates:
        info = SheetInfo(name, header_row=number)
        for header in dedupe(cells):
            field_name = ALIASES.get(normalise(header))
            if field_name and field_name not in info.columns:
                info.columns[field_name] = header
            elif field_name is None and (code := year_code(header)):
                info.years[header] = code
        rank = (info.usable, len(info.columns) + bool(info.years))
        if best is None or rank > (best.usable, len(best.columns) + bool(best.years)):
            best = info
    if best is None or (header_row is None and len(best.columns) < 2):
        where = f"row {header_row}" if header_row is not None else "the first 30 rows"
        return SheetInfo(name, note=f"no CRA header in {where} (a notes or metadata sheet?)")
    best.note = _describe(best)
    return best


def _describe(info: SheetInfo) -> str:
    missing = [FIELDS[name][0] for name in REQUIRED if name not in info.columns]
    if not info.years:
        missing.append("a column for each year (2013-14 ...)")
    if missing:
        return f"row {info.header_row} has some CRA columns but no {' or '.join(missing)}"
    codes = list(info.years.values())
    if repeated := next((code for code in codes if codes.count(code) > 1), None):
        both = ", ".join(f"“{h}”" for h, c in info.years.items() if c == repeated)
        return f"two columns give figures for {repeated} ({both}): keep one of them"
    codes.sort()
    return (
        f"header on row {info.header_row}: {len(info.columns)} known columns, "
        f"{len(codes)} years {codes[0]} to {codes[-1]}"
    )


def choose_sheet(sheets: list[SheetInfo], sheet: str) -> SheetInfo:
    """The sheet asked for, else the first that holds a CRA table; refused if it holds none."""
    if sheet:
        info = next((s for s in sheets if s.name == sheet), None)
        if info is None:
            listed = ", ".join(f"“{s.name}”" for s in sheets)
            raise ImportFileError(f"The workbook has no sheet “{sheet}” (it has {listed}).")
        if not info.usable:
            raise ImportFileError(f"The sheet “{sheet}” is not a CRA table: {info.note}.")
        return info
    for info in sheets:
        if info.usable:
            return info
    said = "; ".join(f"“{s.name}”: {s.note}" if s.name else s.note for s in sheets)
    raise ImportFileError(
        "No sheet has a CRA header naming the department, the region and the years "
        f"({said}). Choose the header row, or check that this is a CRA or PESA database."
    )


def find_unit(chosen: SheetInfo, heads: dict[str, list[Row]]) -> tuple[int | None, str]:
    """The unit the data sheet's titles and headers state, else another sheet's notes."""
    places = [(chosen.name, [r for r in heads[chosen.name] if r[0] <= chosen.header_row])]
    places += [(name, rows) for name, rows in heads.items() if name != chosen.name]
    for name, rows in places:
        for number, cells in rows:
            for cell in cells:
                if cell and (factor := units_factor([cell])):
                    where = f"{name}, row {number}" if name else f"row {number}"
                    return factor, f"“{shorten(cell.strip())}” ({where})"
    return None, ""
