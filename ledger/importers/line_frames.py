"""The good rows of a chunk as staged lines: themes, redactions, apportionment and the tally.

The lines are an Arrow table (``STAGED_COLUMNS`` but those of ``STAGED_DEFAULTS``: every line
is direct) that the staging writes as ``COPY``'s CSV without a Python value per cell; lines
apportioned across places, a Python loop anyway, are a pandas frame as the other readers' are.

Part of the line reader (``lines.LineReader``): what it does once a chunk's rows are checked.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .columns import codes_of, exact_group_sums, exact_sum, row_keys
from .context import EXAMPLES_KEPT, Context, Tally
from .staged import staged_frame
from .totals import totals_row_settle
from .values import is_redacted

REDACTIONS_KEPT = 100_000  # distinct suppliers remembered: flat memory on endless suppliers


class LineFrames:
    ctx: Context
    tally: Tally
    label: dict[str, str]
    section_total: int
    themes: dict[tuple, int]
    redactions: dict[str, bool]
    _numbers: np.ndarray  # the chunk's row numbers, by position

    def _frame(self, alive, good, pence, text, days, kinds, places) -> pa.Table | pd.DataFrame:
        """The staged lines of the good rows (``good`` indexes ``alive``), counted."""
        ctx, tally = self.ctx, self.tally
        pence = pence[good]
        if len(good) == len(alive):  # every row good, as in most chunks: nothing to take
            texts = text
        else:
            at = pa.array(good)
            texts = {name: values.take(at) for name, values in text.items()}
            days, places, kinds = days.take(at), places.take(at), kinds.take(at)
        themes = self._themes(texts, pence)
        if ctx.accruals_basis:  # otherwise a line outside the year was refused
            start, end = pa.scalar(ctx.year_start), pa.scalar(ctx.year_end)
            inside = pc.and_(pc.greater_equal(days, start), pc.less_equal(days, end))
            outside = np.flatnonzero(_flags(pc.invert(inside)))  # a null (blank) is not
            tally.outside_year += len(outside)
            room = EXAMPLES_KEPT - len(tally.outside_year_rows)
            rows = self._numbers[alive[good[outside[:room]]]]
            tally.outside_year_rows += rows.tolist()
        tally.lines += len(good)
        tally.total += exact_sum(pence)
        tally.credits += int((pence < 0).sum())
        suppliers = texts["supplier_name"]
        codes, names = codes_of(suppliers)
        known = list(map(self.redactions.get, names))  # most suppliers are seen already
        redacted = np.asarray(
            [
                self._redacted(name) if r is None else r
                for name, r in zip(names, known, strict=True)
            ],
            dtype=bool,
        )
        n = len(good)
        frame = pa.table(
            {
                "job_id": np.full(n, ctx.job_id, dtype=np.int64),
                "source_row": self._numbers[alive[good]],
                "place_id": places,
                "theme_id": themes,
                "amount_pence": pence,
                "spend_kind": kinds,
                "description": texts["description"],
                "expense_type": texts["expense_type"],
                "expense_area": texts["expense_area"],
                "service_label": texts["service_label"],
                "expense_code": texts["expense_code"],
                "supplier_name": suppliers,
                "supplier_redacted": redacted[codes],
                "transaction_date": days,
                "transaction_ref": texts["transaction_ref"],
            }
        )
        if ctx.split is not None:
            split_rows = _flags(pc.equal(texts["place_code"], ""))
            frame = self._apportioned(_as_frame(frame), split_rows)
        tally.staged += len(frame)
        return frame

    def _themes(self, texts: dict, pence: np.ndarray) -> np.ndarray:
        """Each line's theme (by its labels and codes); counts the lines no rule matched."""
        ctx = self.ctx
        blank = _repeated("", len(pence))
        key_columns = [
            texts["service_label"],
            texts["expense_area"],
            texts["expense_code"],
            texts["expense_type"],
            texts["description"] if ctx.theme_uses_description else blank,
        ]
        codes, keys = row_keys(key_columns)
        found = []
        for key in keys:
            theme_id = self.themes.get(key)
            if theme_id is None:
                theme_id = self.themes[key] = ctx.theme_for(*key)
            found.append(theme_id)
        themes = np.asarray(found, dtype=np.int64)[codes]
        unallocated = [i for i, theme in enumerate(found) if theme == ctx.unallocated_theme_id]
        if unallocated:
            # Grouped by what a rule would match: the service label and expense area, or the
            # expense type when a file has neither; groups in the order the file first has them.
            groups: dict[tuple, int] = {}
            group_of = np.zeros(len(keys), dtype=np.int64)
            for i in unallocated:
                label, area, _, kind, _ = keys[i]
                group = (label, area, "") if label or area else ("", "", kind)
                group_of[i] = groups.setdefault(group, len(groups))
            rows = np.flatnonzero(themes == ctx.unallocated_theme_id)
            members = group_of[codes[rows]]
            counts = np.bincount(members, minlength=len(groups)).tolist()
            sums = exact_group_sums(pence[rows], members, len(groups))
            for group, index in groups.items():
                self.tally.unallocate(group, sums[index], counts[index])
        return themes

    def _redacted(self, supplier: str) -> bool:
        redacted = self.redactions.get(supplier)
        if redacted is None:
            if len(self.redactions) > REDACTIONS_KEPT:
                self.redactions.clear()
            redacted = self.redactions[supplier] = is_redacted(supplier)
        return redacted

    def _apportioned(self, frame: pd.DataFrame, split_rows: np.ndarray) -> pd.DataFrame:
        """Lines without a place of their own, split across the places by the driver."""
        if not split_rows.any():
            return frame
        ctx = self.ctx
        shares = [
            ctx.split(pence) if split else [(place, pence)]
            for split, place, pence in zip(
                split_rows.tolist(),
                frame["place_id"].tolist(),
                frame["amount_pence"].tolist(),
                strict=True,
            )
        ]
        counts = np.fromiter(map(len, shares), np.int64, len(shares))
        frame = frame.loc[frame.index.repeat(counts)].reset_index(drop=True)
        split_lines = np.repeat(split_rows, counts)
        frame["place_id"] = pd.Series([p for row in shares for p, _ in row], dtype=object)
        frame["amount_pence"] = np.fromiter(
            (a for row in shares for _, a in row), np.int64, int(counts.sum())
        )
        frame["basis"] = np.where(split_lines, "apportioned", "direct").astype(object)
        frame["driver"] = np.where(split_lines, ctx.driver, "").astype(object)
        frame["driver_source"] = np.where(split_lines, ctx.driver_source, "").astype(object)
        return frame

    def _settle_totals(self, totals: dict, good: np.ndarray, pence: np.ndarray, block, found):
        """Settle the chunk's totals rows, in order, against the lines above each."""
        tally = self.tally
        if totals:
            before = np.concatenate([[0], np.cumsum(pence.astype(object))])
            done = 0  # lines counted into section totals so far
            for position in sorted(totals):
                upto = int(np.searchsorted(good, position))
                self.section_total += before[upto] - before[done]
                done = upto
                matched = totals_row_settle(
                    totals[position],
                    position=position,
                    number=int(self._numbers[position]),
                    cells=block.row(position),
                    section_total=self.section_total,
                    found=found,
                    warnings=tally.warnings,
                    amount_label=self.label["amount"],
                )
                if matched is not None:
                    tally.file_total = matched
                self.section_total = 0
            pence = pence[done:]
        self.section_total += exact_sum(pence)


def _flags(values) -> np.ndarray:
    """A boolean Arrow column as numpy (null counts as false)."""
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False).astype(bool)


def _repeated(text: str, n: int) -> pa.Array:
    return pa.nulls(n, pa.string()).fill_null(text)


def _as_frame(table: pa.Table) -> pd.DataFrame:
    """The lines as ``staged_frame`` makes them (Python values, integers as 64 bits)."""
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_integer(column.type) and not column.null_count:
            columns[name] = column.to_numpy()
        else:
            columns[name] = np.asarray(column.to_pylist() + [None], dtype=object)[:-1]
    return staged_frame(**columns)
