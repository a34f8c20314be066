"""Reading a wide table's body rows: amounts, not-reported cells, dropped rows and checks.

See ``ledger.importers.datasets.wide`` for the interface.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from totalplace.money import pounds

from ..errors import ImportFileError, RowError, shorten
from ..layouts import MISSING_MARKERS, normalise
from ..tables import Row
from ..values import MAX_PENCE, amount_pence
from .catalogue import GRAND_TOTAL, MEASURES, TOTAL
from .wide_columns import UNKNOWN, WideColumn
from .wide_header import WideHeader

VALUE, MISSING, NOT_AVAILABLE, ERROR = "value", "missing", "not available", "error"
EXAMPLES_KEPT = 20
# Money by where it sits: the chosen measure's details (what a load takes), unknown columns
# (the caller excludes them with a reason), details of the other measure or below it, totals.
IN_MEASURE, IN_UNKNOWN, OUTSIDE = "measure", "unknown", "outside measure"
NATIONAL_CODES = frozenset({"E92000001", "K02000001", "K03000001", "K04000001"})
NATIONAL_NAMES = frozenset({"england", "england total", "total england", "all england"})


@dataclass(frozen=True)
class WideCell:
    column: WideColumn
    text: str
    pence: int | None  # None when missing, not available or in error
    status: str = VALUE  # "value", "missing" ("..."), "not available" (words), "error"
    problem: str = ""  # for an error: what is wrong with the text

    @property
    def is_unknown(self) -> bool:
        return self.column.role == UNKNOWN


@dataclass
class WideRow:
    """One body (authority) row: its codes and the cells of the chosen measure."""

    row: int
    code: str  # DLUHC E-code ("E3831"), or ""
    alt_code: str  # ONS / GSS code ("E07000223"), or ""
    name: str
    body_class: str
    subclass: str
    notes: str
    cells: list[WideCell]  # the measure's detail columns, then unknown columns with text
    totals: list[WideCell]  # the table's own total and grand total cells
    not_reported: bool  # no figure in any of the measure's cells: never £0
    missing_cells: int  # measure cells marked not reported ("...", "x", blank)
    unavailable_cells: int  # measure cells in words ("Category discontinued")
    errors: int = 0

    @property
    def pence(self) -> int:
        """The row's money in the measure (detail cells only, unknown columns apart)."""
        return sum(c.pence for c in self.cells if c.pence is not None and not c.is_unknown)


@dataclass(frozen=True)
class WideWarning:
    """A total that is not the sum of its parts (amounts in pence)."""

    row: int
    column: str
    value: int
    parts: int
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class WideSummary:
    """What reading found: counts, money by where it sits, problems."""

    max_kept: int = 500
    measure: str = ""
    factor: int = 0
    rows: int = 0  # rows below the header
    bodies: int = 0  # body rows yielded
    not_reported: int = 0
    not_reported_rows: list[dict] = field(default_factory=list)
    partly_reported: int = 0  # rows with some measure cells not reported
    missing_cells: int = 0
    dropped: Counter = field(default_factory=Counter)  # reason → rows
    dropped_examples: list[dict] = field(default_factory=list)
    warnings: list[WideWarning] = field(default_factory=list)
    warning_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    money: Counter = field(default_factory=Counter)  # "measure", "unknown", ... → pence
    unknown_money: Counter = field(default_factory=Counter)  # unknown column header → pence
    not_available: Counter = field(default_factory=Counter)  # cell text → cells

    def error(self, row: int, column: str, value: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < self.max_kept:
            self.errors.append(RowError(row, column, shorten(value.strip()), message))

    def drop(self, row: int, reason: str, cells: list[str]) -> None:
        self.dropped[reason] += 1
        if len(self.dropped_examples) < EXAMPLES_KEPT:
            shown = shorten(", ".join(c.strip() for c in cells if c.strip()))
            self.dropped_examples.append({"row": row, "reason": reason, "values": shown})

    def warn(self, warning: WideWarning) -> None:
        self.warning_count += 1
        if len(self.warnings) < self.max_kept:
            self.warnings.append(warning)


def read_wide_rows(
    rows: Iterator[Row], header: WideHeader, *, measure: str, factor: int, summary: WideSummary
) -> Iterator[WideRow]:
    """Each body row below the header, with the cells of ``measure`` ("tse" or "nce") in pence;
    ``factor`` turns the table's figures into pounds (1000 for £ thousand). ``summary`` collects
    what else was found: dropped rows, not-reported bodies, money by column role, problems."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}")
    if header.body("code") is None and header.body("alt_code") is None:
        raise ImportFileError(
            "The table has no column of body codes (E-code, ONS code), so its rows cannot be "
            "told apart. Choose the header row that names that column.",
            row=header.row,
        )
    summary.measure, summary.factor = measure, factor
    numeric = [c for c in header.columns if c.is_numeric]
    totals = [c for c in numeric if c.role in (TOTAL, GRAND_TOTAL)]
    body = {role: header.body(role) for role in ("code", "alt_code", "name")}
    body |= {role: header.body(role) for role in ("body_class", "subclass", "notes")}
    width = len(header.columns)
    seen: dict[str, int] = {}
    for number, raw in rows:
        if number <= header.row:
            continue
        summary.rows += 1
        cells = [*raw, *[""] * (width - len(raw))]
        fields = {role: (cells[c.index].strip() if c else "") for role, c in body.items()}
        reason = _drop_reason(cells, fields, numeric)
        if reason:
            summary.drop(number, reason, cells)
            continue
        key = fields["code"].upper() or fields["alt_code"].upper()
        if key in seen:
            column = body["code"] if fields["code"] else body["alt_code"]
            summary.error(number, column.header, key, f"The body is already on row {seen[key]}.")
            continue
        seen[key] = number
        parsed = {c.index: _cell(c, cells[c.index], factor) for c in numeric}
        yield _body_row(number, fields, parsed, numeric, totals, measure, summary)


def _body_row(
    number: int,
    fields: dict[str, str],
    parsed: dict[int, WideCell],
    numeric: list[WideColumn],
    totals: list[WideColumn],
    measure: str,
    summary: WideSummary,
) -> WideRow:
    errors = 0
    for column in numeric:
        cell = parsed[column.index]
        if cell.status == ERROR:
            errors += 1
            summary.error(number, column.header, cell.text, f"The figure {cell.problem}.")
        elif cell.status == NOT_AVAILABLE:
            summary.not_available[cell.text] += 1
        elif cell.status == VALUE:
            summary.money[_where(column, measure)] += cell.pence
            if column.role == UNKNOWN:
                summary.unknown_money[column.header] += cell.pence
    measured = [parsed[c.index] for c in numeric if c.role != UNKNOWN and c.yields(measure)]
    unknown = [parsed[c.index] for c in numeric if c.role == UNKNOWN and c.yields(measure)]
    missing = sum(1 for c in measured if c.status == MISSING)
    unavailable = sum(1 for c in measured if c.status == NOT_AVAILABLE)
    not_reported = bool(measured) and missing + unavailable == len(measured)
    summary.bodies += 1
    if not_reported:
        summary.not_reported += 1
        if len(summary.not_reported_rows) < summary.max_kept:
            summary.not_reported_rows.append(
                {
                    "row": number,
                    "code": fields["code"] or fields["alt_code"],
                    "name": fields["name"],
                }
            )
    elif missing:
        summary.partly_reported += 1
        summary.missing_cells += missing
    _check_totals(number, parsed, totals, summary)
    return WideRow(
        row=number,
        code=fields["code"],
        alt_code=fields["alt_code"],
        name=fields["name"],
        body_class=fields["body_class"],
        subclass=fields["subclass"],
        notes=fields["notes"],
        cells=measured + [c for c in unknown if c.text],
        totals=[parsed[c.index] for c in totals],
        not_reported=not_reported,
        missing_cells=missing,
        unavailable_cells=unavailable,
        errors=errors,
    )


def _where(column: WideColumn, measure: str) -> str:
    if column.role in (TOTAL, GRAND_TOTAL):
        return column.role
    if not column.yields(measure):
        return OUTSIDE
    return IN_UNKNOWN if column.role == UNKNOWN else IN_MEASURE


def _cell(column: WideColumn, text: str, factor: int) -> WideCell:
    text = text.strip()
    if text.lower() in MISSING_MARKERS:
        return WideCell(column, text, None, MISSING)
    if not any(ch.isdigit() for ch in text) and any(ch.isalpha() for ch in text):
        return WideCell(column, text, None, NOT_AVAILABLE)
    try:
        # Most cells are whole numbers: pounds first, then the unit, saves a Decimal a cell.
        pence = amount_pence(text) * factor
        if abs(pence) < MAX_PENCE:
            return WideCell(column, text, pence)
    except ValueError:
        pass
    try:
        return WideCell(column, text, amount_pence(text, factor))
    except ValueError as exc:
        return WideCell(column, text, None, ERROR, str(exc))


def _drop_reason(cells: list[str], fields: dict[str, str], numeric: list[WideColumn]) -> str:
    """Why a row is not a body's: blank, a total without a code, a note, England's total."""
    filled = sum(1 for c in cells if c.strip())
    if not filled:
        return "empty row"
    if filled == 1 and not any(c.strip() for c in (cells[c.index] for c in numeric)):
        return "note or footnote"  # "Source: ..." in the code column, and nothing else
    if not fields["code"] and not fields["alt_code"]:
        if any(any(ch.isdigit() for ch in cells[c.index]) for c in numeric):
            return "totals row without a body code"
        return "note or footnote"
    codes = {fields["code"].upper(), fields["alt_code"].upper()}
    if codes & NATIONAL_CODES or normalise(fields["name"]) in NATIONAL_NAMES:
        return "national total"
    return ""


def _check_totals(
    number: int, parsed: dict[int, WideCell], totals: list[WideColumn], summary: WideSummary
) -> None:
    """Each total must be the sum of its parts (words and "..." count as nothing)."""
    for column in totals:
        total = parsed[column.index].pence
        parts = [parsed[i].pence for i in column.parts]
        if total is None or all(p is None for p in parts):
            continue
        added = sum(p for p in parts if p is not None)
        if added != total:
            summary.warn(
                WideWarning(
                    row=number,
                    column=column.header,
                    value=total,
                    parts=added,
                    message=(
                        f"{column.header} is {pounds(Decimal(total) / 100, pence_if_any=True)} "
                        f"but its {len(parts)} parts add up to "
                        f"{pounds(Decimal(added) / 100, pence_if_any=True)}."
                    ),
                )
            )
