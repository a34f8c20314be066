"""Turning a long file's rows into ledger lines: the import's inner loop, a column at a time.

Rows arrive in blocks (``blocks``), so memory stays flat however long the file, and a block's
cells in Arrow columns of text; every check then runs over a whole column in Arrow's kernels:
white space trimmed, lengths and formulas, amounts by a pattern and integer arithmetic
(``columns``), dates, spend kinds, organisation and place codes, themes and redactions once per
distinct value. A cell becomes a Python string only when it is looked at: a problem, a
distinct value, a possible totals row. Problems are handed to the tally in file order
(``findings``), with the same row, column, value and words as the row-by-row reader had.
"""

import datetime as dt
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .blocks import Block
from .columns import amounts_pence, by_value
from .context import EXAMPLES_KEPT, Context, Tally, organisation_code
from .findings import AMOUNT, DATE, ORGANISATION, PLACE, SPEND_KIND, TEXT, WHOLE_ROW, Findings
from .line_frames import LineFrames
from .mapping import Header, Mapping
from .staged import STAGED_COLUMNS
from .totals import TOTAL_LABEL_ROOM, totals_row
from .values import is_formula, parse_date, parse_spend_kind

TEXT_FIELDS = {
    "description": 255,
    "expense_type": 255,
    "expense_area": 255,
    "service_label": 255,
    "expense_code": 64,
    "supplier_name": 255,
    "transaction_ref": 64,
}
FIELDS = (
    "amount",
    "transaction_date",
    "transaction_ref",
    "supplier_name",
    "service_label",
    "expense_area",
    "expense_type",
    "expense_code",
    "description",
    "spend_kind",
    "organisation_code",
    "place_code",
)
FORMULA_START = r"^[=+@-]"  # a cell that may be a formula (``values.is_formula`` decides)
DATES_KEPT = 100_000  # distinct date texts remembered: flat memory on endless bad dates


def read_lines(
    blocks: Iterable[Block], header: Header, mapping: Mapping, ctx: Context, tally: Tally
) -> Iterator[pa.Table | pd.DataFrame]:
    """Tables of staged lines (``STAGED_COLUMNS``), block by block; problems go to ``tally``.
    (Lines apportioned across places come as pandas frames: see ``LineFrames._apportioned``.)"""
    reader = LineReader(header, mapping, ctx, tally)
    for block in blocks:
        frame = reader.read(block)
        if frame is not None:
            yield frame


class LineReader(LineFrames):
    """Reads blocks of one file's rows; remembers what carries from one block to the next."""

    def __init__(self, header: Header, mapping: Mapping, ctx: Context, tally: Tally):
        self.width = len(header.headers)
        position = {h: i for i, h in enumerate(header.headers)}
        self.col = {name: position[h] for name, h in mapping.fields.items() if h in position}
        self.label = {name: mapping.fields[name] for name in self.col}
        self.ctx, self.tally = ctx, tally
        self.section_total = 0  # lines since the last totals row, to recognise the next one
        self.dates: dict[str, dt.date | str] = {}
        self.themes: dict[tuple, int] = {}
        self.organisations: dict[str, int | None] = {}
        self.places: dict[str, int | None] = {}
        self.redactions: dict[str, bool] = {}

    def read(self, block: Block) -> pa.Table | pd.DataFrame | None:
        self._numbers = np.asarray(block.numbers, dtype=np.int64)
        self.tally.rows += len(block)
        found = Findings(block.numbers)
        alive = self._alive(block, found)
        amount_raw = block.column(self.col["amount"], _taking(alive, len(block)))
        # A totals row holds an amount and at most a short label ("Total"): cheap to rule out.
        room = block.lengths[alive] - _lengths(amount_raw)
        totals = {}
        for k in np.flatnonzero(room <= TOTAL_LABEL_ROOM).tolist():
            position = int(alive[k])
            kind = totals_row(amount_raw[k].as_py(), block.joined_at(position))
            if kind is not None:
                totals[position] = kind
        if totals:
            alive = alive[~np.isin(alive, list(totals))]
        frame, good, pence = self._lines(alive, block, found)
        self._settle_totals(totals, good, pence, block, found)
        found.hand_to(self.tally)
        return frame

    def _alive(self, block: Block, found: Findings) -> np.ndarray:
        """Drop empty rows and refuse values beyond the header; the positions of the rest."""
        blank = block.blank.copy()
        if len(self.tally.dropped_examples) < EXAMPLES_KEPT:
            for i in np.flatnonzero(blank).tolist():
                found.drop(i, "empty")
        else:  # only counted now (a sheet of a million empty rows costs no list of them)
            self.tally.dropped["empty"] += int(blank.sum())
        for i, (cells, value) in block.beyond.items():
            found.error(
                i,
                WHOLE_ROW,
                "",
                value,
                f"this row has {cells} cells but the header names {self.width} columns: "
                "a value is in a column without a header",
            )
            blank[i] = True
        return np.flatnonzero(~blank)

    def _lines(
        self, alive: np.ndarray, block: Block, found: Findings
    ) -> tuple[pa.Table | pd.DataFrame | None, np.ndarray, np.ndarray]:
        """Check the rows at ``alive``; the lines of the good ones, their positions, pence."""
        if not len(alive):
            return None, np.zeros(0, np.int64), np.zeros(0, np.int64)
        n = len(alive)
        empty = pa.nulls(n, pa.string()).fill_null("")
        at = _taking(alive, len(block))
        raw = {name: block.column(self.col[name], at) for name in FIELDS if name in self.col}
        text = {
            name: pc.utf8_trim_whitespace(raw[name]) if name in raw else empty
            for name in FIELDS
            if name != "amount"
        }
        bad = np.zeros(n, dtype=bool)

        def refuse(indexes, order: int, column: str, values, message) -> None:
            for k in indexes:
                found.error(alive[k], order, column, values[k].as_py(), message(k))
            bad[list(indexes)] = True

        pence, problems = amounts_pence(raw["amount"])
        for k, why in problems:
            amount = raw["amount"][k].as_py()
            found.error(alive[k], AMOUNT, self.label["amount"], amount, f"The amount {why}.")
            bad[k] = True
        self._check_texts(alive, raw, text, found, bad)
        days = self._check_dates(text["transaction_date"], alive, found, bad)
        kinds = self._check_kinds(text["spend_kind"], refuse)
        self._check_organisations(text["organisation_code"], refuse)
        places = self._check_places(text["place_code"], refuse)
        good = np.flatnonzero(~bad)
        if not len(good):
            return None, good, np.zeros(0, np.int64)
        frame = self._frame(alive, good, pence, text, days, kinds, places)
        return frame, alive[good], pence[good]

    def _check_texts(self, alive, raw, text, found: Findings, bad: np.ndarray) -> None:
        for order, (name, limit) in enumerate(TEXT_FIELDS.items(), start=TEXT):
            if name not in self.col:
                continue
            values = raw[name]
            # Quick tests first: nearly every column has no long text and no formula.
            suspect = _lengths(values) > limit
            suspect |= pc.match_substring_regex(values, FORMULA_START).to_numpy(
                zero_copy_only=False
            )
            for k in np.flatnonzero(suspect).tolist():
                value = text[name][k].as_py()
                if len(value) > limit:
                    message = f"is {len(value):,} characters long; at most {limit} fit."
                elif is_formula(value):
                    message = (
                        "is a spreadsheet formula; formulas are refused because they "
                        "run when the data is opened in a spreadsheet."
                    )
                else:
                    continue
                found.error(alive[k], order, self.label[name], value, message)
                bad[k] = True

    def _check_dates(self, texts: pa.Array, alive, found: Findings, bad) -> pa.Array:
        """The dates (null where blank); refuses those that are not dates or (unless the
        return is kept on an accruals basis) fall outside its year."""
        ctx = self.ctx
        refuse_outside = not ctx.accruals_basis
        outside = outside_year_message(ctx.year_start, ctx.year_end)
        codes, parsed = by_value(texts, self._date)
        label = self.label.get("transaction_date", "")
        days = [None] * len(parsed)
        problems = {}
        for code, day in enumerate(parsed):
            if isinstance(day, str):
                problems[code] = f"The date {day}."
            elif day is not None and refuse_outside and not ctx.year_start <= day <= ctx.year_end:
                problems[code] = outside
            else:
                days[code] = day
        if problems:
            for k in np.flatnonzero(np.isin(codes, list(problems))).tolist():
                found.error(alive[k], DATE, label, texts[k].as_py(), problems[codes[k]])
                bad[k] = True
        return pa.array(days, type=pa.date32()).take(pa.array(codes))

    def _date(self, text: str) -> dt.date | str | None:
        """The date, None when blank, or why it is not one."""
        if not text:
            return None
        day = self.dates.get(text)
        if day is None:
            try:
                day = parse_date(text)
            except ValueError as exc:
                day = str(exc)
            if len(self.dates) > DATES_KEPT:
                self.dates.clear()
            self.dates[text] = day
        return day

    def _check_kinds(self, texts: pa.Array, refuse) -> pa.Array:
        codes, parsed = by_value(texts, _spend_kind)
        wrong = [code for code, kind in enumerate(parsed) if kind.startswith("!")]
        if wrong:
            refuse(
                np.flatnonzero(np.isin(codes, wrong)).tolist(),
                SPEND_KIND,
                self.label["spend_kind"],
                texts,
                lambda k: f"The value {parsed[codes[k]][1:]}.",
            )
        return pa.array(parsed, type=pa.string()).take(pa.array(codes))

    def _check_organisations(self, texts: pa.Array, refuse) -> None:
        ctx, own = self.ctx, self.ctx.organisation_id
        codes, found = by_value(texts, self._organisation)
        messages = {}
        for code, (text, organisation_id) in enumerate(found):
            if not text:
                continue
            short = organisation_code(text)
            if organisation_id is None:
                messages[code] = f"“{short}” is not the code of any organisation we know."
            elif organisation_id != own:
                messages[code] = (
                    f"“{short}” is {ctx.organisation_name(organisation_id)}, not "
                    f"{ctx.organisation_name(own)}, whose return this is."
                )
        if messages:
            refuse(
                np.flatnonzero(np.isin(codes, list(messages))).tolist(),
                ORGANISATION,
                self.label["organisation_code"],
                texts,
                lambda k: messages[codes[k]],
            )

    def _organisation(self, text: str) -> tuple[str, int | None]:
        if text and text not in self.organisations:
            self.organisations[text] = self.ctx.organisation_by_code(organisation_code(text))
        return text, self.organisations.get(text)

    def _check_places(self, texts: pa.Array, refuse) -> pa.Array:
        """Each row's place: its own place code's, else the job's (apportioned: null)."""
        codes, found = by_value(texts, self._place)
        unknown = [code for code, (text, place) in enumerate(found) if text and place is None]
        if unknown:
            refuse(
                np.flatnonzero(np.isin(codes, unknown)).tolist(),
                PLACE,
                self.label["place_code"],
                texts,
                lambda k: "is not the GSS or ONS code of any place we know.",
            )
        own = self.ctx.place_id
        places = [p if t else own for t, p in found]
        return pa.array(places, type=pa.int64()).take(pa.array(codes))

    def _place(self, text: str) -> tuple[str, int | None]:
        if text and text not in self.places:
            self.places[text] = self.ctx.place_by_code(text)
        return text, self.places.get(text)


def _taking(positions: np.ndarray, n: int) -> pa.Array | None:
    """What to take of a column of ``n`` cells for ``positions`` (None: all of them)."""
    return None if len(positions) == n else pa.array(positions)


def _lengths(values: pa.Array) -> np.ndarray:
    """Each cell's length in characters (as Python counts them)."""
    return pc.utf8_length(values).to_numpy(zero_copy_only=False).astype(np.int64)


def _spend_kind(text: str) -> str:
    try:
        return parse_spend_kind(text)
    except ValueError as exc:
        return f"!{exc}"


def outside_year_message(start: dt.date, end: dt.date) -> str:
    """Why a line dated outside the return's financial year is refused (import and grid)."""
    return (
        f"The date is outside the return's financial year ({start:%-d %B %Y} to "
        f"{end:%-d %B %Y}): put the line in that year's return, or mark this return as kept "
        "on an accruals basis (with a reason) on its page."
    )


__all__ = ["STAGED_COLUMNS", "Context", "Tally", "read_lines", "organisation_code"]
