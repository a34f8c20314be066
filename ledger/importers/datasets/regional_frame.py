"""The cells of a CRA / PESA table in our terms: exact integer pence, our codes, one row a year.

Every cell arrives as text (the workbook reader renders numbers with Excel's 15 significant
digits), so a workbook and its CSV export take the same path. Whole numbers, nearly every
figure of a real table, are converted by pandas in bulk; only decimals, markers and mistakes go
cell by cell through ``values.amount_pence``.
"""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal

import numpy as np
import pandas as pd

from ..errors import RowError, shorten
from ..layouts import MISSING_MARKERS, normalise
from ..values import MAX_PENCE, amount_pence

FRAME_COLUMNS = (
    "source_row",
    "source_column",
    "year",
    "pence",
    "department",
    "body_name",
    "segment_code",
    "segment_name",
    "cofog_division",
    "cofog",
    "function",
    "subfunction",
    "identifiable",
    "spend_kind",
    "control",
    "allocated_by",
    "region",
    "country",
)
# pandas' own string type for the text, so every frame (and an empty one) has the same types.
DTYPES = {
    name: {"source_row": "int64", "pence": "int64", "identifiable": "boolean"}.get(name, "str")
    for name in FRAME_COLUMNS
}
TEXT_FIELDS = (
    "department",
    "body_name",
    "segment_code",
    "segment_name",
    "function",
    "subfunction",
    "allocated_by",
    "region",
    "country",
)
# Excel holds 15 significant digits, so a longer number is a binary float printed in full:
# 176452.00000000003 is 176452 to Excel, and to us.
EXCEL_DIGITS = Context(prec=15, rounding=ROUND_HALF_EVEN)
_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\Z|-?\.\d+\Z")
# Up to 13 digits: exact in int64 and, times any unit, checkable against MAX_PENCE without
# overflowing. Longer figures take the slow path, which says what is wrong with them.
_WHOLE = r"-?\d{1,13}"

IDENTIFIABLE = {
    "id": True,
    "identifiable": True,
    "non id": False,
    "nonid": False,
    "non identifiable": False,
    "not identifiable": False,
}
SPEND_KINDS = {
    "cap": "capital",
    "capital": "capital",
    "cur": "revenue",
    "current": "revenue",
    "resource": "revenue",
    "revenue": "revenue",
}
CONTROLS = {
    "cg": "central",
    "central government": "central",
    "lg": "local",
    "local government": "local",
    "pc": "public_corporation",
    "public corporation": "public_corporation",
    "public corporations": "public_corporation",
    # The Bank of England is classed with the public corporations.
    "boe": "public_corporation",
    "bank of england": "public_corporation",
}
CODED = {
    "identifiable": (IDENTIFIABLE, "is neither ID (identifiable) nor non-ID"),
    "spend_kind": (SPEND_KINDS, "is neither CAP (capital) nor CUR (current)"),
    "control": (CONTROLS, "is none of CG, LG, PC and BOE (who controls the money)"),
}
REQUIRED_TEXT = {
    "department": "is empty: every figure needs a department",
    "region": "is empty: every figure needs a region",
}
_COFOG = re.compile(r"(\d{1,2})(?:\.([0-9A-Za-z]))?\.?(?:\s|\Z)")


def by_value(cells: pd.Series, function) -> pd.Series:
    """``function`` of each cell, called once per distinct value: a column of a CRA table
    holds a few dozen names over thousands of rows."""
    codes, uniques = pd.factorize(cells.to_numpy(dtype=object))
    results = np.empty(len(uniques), dtype=object)
    results[:] = [function(value) for value in uniques]
    return pd.Series(results.take(codes), dtype=object)


def cofog_code(text: str) -> str:
    """Our code for a published COFOG label: "10.2 Old age" → "10.2", "1.7 Public Sector Debt
    Interest" → "01.7", "4. Economic affairs" → "04", "EU transactions" (and "EU01 ...") → "EU".

    HM Treasury's own health sub-functions keep their letter ("7.A Medical services" → "07.A"):
    COFOG has no level-1 split of health in the CRA. Anything else is "" (not guessed).
    """
    text = text.strip()
    if text[:2].upper() == "EU":
        return "EU"
    found = _COFOG.match(text)
    if found is None:
        return ""
    division = found[1].zfill(2)
    return f"{division}.{found[2].upper()}" if found[2] else division


def cell_pence(text: str, factor: int) -> int:
    """Pence from one figure in the table's unit; ``ValueError`` says what is wrong with it."""
    if _NUMBER.match(text):
        text = format(EXCEL_DIGITS.plus(Decimal(text.replace(",", ""))), "f")
    return amount_pence(text, factor)


@dataclass
class Money:
    """One year column: pence per row, which rows carry a non-zero figure, and what did not."""

    pence: np.ndarray
    kept: np.ndarray
    not_available: int = 0
    zeros: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0


def column_pence(
    texts: pd.Series, *, rows: np.ndarray, header: str, factor: int, max_errors: int
) -> Money:
    """A year column in pence: whole numbers in bulk, everything else one by one."""
    stripped = texts.str.strip()
    missing = stripped.str.lower().isin(MISSING_MARKERS).to_numpy(dtype=bool)
    whole = stripped.str.fullmatch(_WHOLE).to_numpy(dtype=bool, na_value=False) & ~missing
    pence = np.zeros(len(stripped), dtype=np.int64)
    done = np.zeros(len(stripped), dtype=bool)
    scale = factor * 100
    at = np.flatnonzero(whole)
    numbers = stripped.iloc[at].astype("int64").to_numpy()
    fits = np.abs(numbers) < -(-MAX_PENCE // scale)
    pence[at[fits]] = numbers[fits] * scale
    done[at[fits]] = True
    money = Money(pence=pence, kept=done, not_available=int(missing.sum()))
    cells = stripped.to_numpy(dtype=object)
    for i in np.flatnonzero(~missing & ~done):
        try:
            pence[i] = cell_pence(cells[i], factor)
        except ValueError as exc:
            money.error_count += 1
            if len(money.errors) < max_errors:
                money.errors.append(
                    RowError(int(rows[i]), header, shorten(cells[i]), str(exc).strip())
                )
        else:
            done[i] = True
    zero = done & (pence == 0)
    money.zeros = int(zero.sum())
    money.kept = done & ~zero
    return money


@dataclass
class Tabulated:
    frame: pd.DataFrame
    errors: list[RowError]
    error_count: int
    not_available: int
    zeros: int


def _cell_errors(mask, *, rows, texts: pd.Series, header: str, message: str, limit: int):
    at = np.flatnonzero(mask)
    cells = texts.to_numpy(dtype=object)
    found = [RowError(int(rows[i]), header, shorten(cells[i]), message) for i in at[:limit]]
    return found, len(at)


def tabulate(
    *,
    rows: np.ndarray,
    fields: dict[str, tuple[str, pd.Series]],
    years: list[tuple[str, str, pd.Series]],
    factor: int,
    max_errors: int,
) -> Tabulated:
    """The long frame (``FRAME_COLUMNS``): one row per source row and year with a figure.

    ``fields`` maps our field to (header, cells); ``years`` lists (header, year code, cells).
    A row whose department, region or codes cannot be read keeps none of its figures: its
    errors say why, so nothing it carries is counted as read.
    """
    n = len(rows)
    monies = [
        column_pence(cells, rows=rows, header=header, factor=factor, max_errors=max_errors)
        for header, _, cells in years
    ]
    carries = np.logical_or.reduce([m.kept for m in monies]) if monies else np.zeros(n, bool)
    blank = pd.Series([""] * n, dtype=object)
    wide = {"source_row": rows}
    for name in TEXT_FIELDS:
        wide[name] = by_value(fields[name][1], str.strip) if name in fields else blank
    problems = [m.errors for m in monies]
    error_count = sum(m.error_count for m in monies)
    bad = np.zeros(n, dtype=bool)

    def refuse(mask: np.ndarray, name: str, message: str) -> None:
        nonlocal error_count
        header, cells = fields[name]
        found, count = _cell_errors(
            mask, rows=rows, texts=cells, header=header, message=message, limit=max_errors
        )
        problems.append(found)
        error_count += count
        bad[mask] = True

    for name, message in REQUIRED_TEXT.items():
        if name in fields:
            refuse(carries & (wide[name] == "").to_numpy(dtype=bool), name, message)
    for name, (table, message) in CODED.items():
        if name not in fields:  # not published: unknown, not guessed
            wide[name] = (
                pd.Series([pd.NA] * n, dtype="boolean") if name == "identifiable" else blank
            )
            continue
        wide[name] = by_value(fields[name][1], lambda v, table=table: table.get(normalise(v)))
        refuse(carries & wide[name].isna().to_numpy(dtype=bool), name, message)
    if "identifiable" in fields:
        wide["identifiable"] = wide["identifiable"].astype("boolean")
    _cofog_columns(wide, fields, n)
    keep = ~bad
    for (header, _, _), money in zip(years, monies, strict=True):
        wide[header] = pd.arrays.IntegerArray(money.pence, ~(money.kept & keep))
    codes = {header: code for header, code, _ in years}
    long = pd.DataFrame(wide).melt(
        id_vars=[c for c in FRAME_COLUMNS if c in wide],
        value_vars=list(codes),
        var_name="source_column",
        value_name="pence",
    )
    long = long[long["pence"].notna()]
    long = long.assign(pence=long["pence"].astype("int64"), year=long["source_column"].map(codes))
    long = long.sort_values("source_row", kind="stable", ignore_index=True)
    errors = sorted((e for found in problems for e in found), key=lambda e: e.row or 0)
    return Tabulated(
        frame=long[list(FRAME_COLUMNS)].astype(DTYPES),
        errors=errors[:max_errors],
        error_count=error_count,
        not_available=sum(m.not_available for m in monies),
        zeros=sum(m.zeros for m in monies),
    )


def _cofog_columns(wide: dict, fields: dict, n: int) -> None:
    """Both COFOG levels as our codes; the division from the group where only that is given."""
    codes = {}
    for name in ("cofog_division", "cofog"):
        if name in fields:
            codes[name] = by_value(fields[name][1], cofog_code)
    if "cofog_division" not in codes and "cofog" in codes:
        codes["cofog_division"] = codes["cofog"].str.split(".").str[0]
    for name in ("cofog_division", "cofog"):
        wide[name] = codes.get(name, pd.Series([""] * n, dtype=object))


def empty_frame() -> pd.DataFrame:
    """The frame's columns and types, with no rows (nothing read yet: no unit)."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in DTYPES.items()})


def money_totals(frame: pd.DataFrame, keys: list[str]) -> dict:
    """Pence by ``keys`` as Python ints ({key: pence}, or {(key, ...): pence})."""
    pence = frame["pence"]
    # int64 sums are exact until they could overflow; past that, Python ints (slower, exact).
    if len(pence) and int(pence.abs().max()) * len(pence) >= 2**63:
        pence = pence.astype(object)
    sums = pence.groupby([frame[k] for k in keys], sort=True).sum()
    return {key: int(value) for key, value in sums.items()}
