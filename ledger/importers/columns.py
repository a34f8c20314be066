"""Parsing a column of cells at once: amounts, and any value parsed once per distinct text.

The import reads a file in chunks of rows turned into columns (``ledger.importers.lines``).
Money stays exact: amounts are never read as floats. A plain amount ("870.83", "1,234.56",
"-12.5": nearly every cell of nearly every file) is checked by a pattern over the whole
column, then its digits become integer pence by integer arithmetic; any other text goes
through ``amount_pence``, the one parser that says what is wrong with it.
"""

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import pandas as pd

from .values import MAX_PENCE, amount_pence

# The longest plain amount: 15 digits (MAX_PENCE), 4 thousands separators, sign, point, pence.
_PLAIN_LONGEST = 23
_POWERS = 10 ** np.arange(19, dtype=np.int64)
ZERO, NINE, MINUS, COMMA, POINT = (ord(c) for c in "09-,.")
# Below this, a sum of 64-bit integers cannot overflow (with room to spare).
_SAFE_TOTAL = 2**62
T = TypeVar("T")


def amounts_pence(texts: np.ndarray) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Pence for each cell (0 where it is not an amount), and ``(index, why)`` for those."""
    stripped = list(map(str.strip, texts))
    lengths = np.fromiter(map(len, stripped), np.int64, len(stripped))
    short = np.flatnonzero(lengths <= _PLAIN_LONGEST)
    pence = np.zeros(len(stripped), dtype=np.int64)
    plain = np.zeros(len(stripped), dtype=bool)
    if len(short):
        cells = np.asarray([stripped[i] for i in short.tolist()], dtype=str)
        found, values = plain_pence(cells, lengths[short])
        plain[short] = found
        pence[short] = values
    problems = []
    for index in np.flatnonzero(~plain).tolist():
        try:
            pence[index] = amount_pence(stripped[index])
        except ValueError as exc:
            problems.append((index, str(exc)))
    return pence, problems


def plain_pence(cells: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which cells are plain amounts ("870.83", "-12.5", "1,234.56": ASCII digits, thousands
    separators that group properly, at most two decimals, below ``MAX_PENCE``), and their
    pence; the same cells ``values.amount_pence`` reads by its fast pattern, read at once.

    The cells' characters as a matrix of code points, one row a cell: every test and the
    digits' place values are whole-matrix operations, in integers throughout.
    """
    n = len(cells)
    width = max(cells.dtype.itemsize // 4, 1)
    chars = cells.view(np.uint32).reshape(n, width).astype(np.int64)
    at = np.arange(width)
    inside = at < lengths[:, None]
    digit = (chars >= ZERO) & (chars <= NINE)
    comma, point = chars == COMMA, chars == POINT
    start = (chars[:, 0] == MINUS).astype(np.int64)  # a leading minus
    points = point.sum(axis=1)
    end = np.where(points == 1, point.argmax(axis=1), lengths)  # where the whole pounds end
    decimals = np.where(points == 1, lengths - end - 1, 0)
    whole = inside & (at >= start[:, None]) & (at < end[:, None])
    pennies = inside & (at > end[:, None])
    ok = (
        np.where(whole, digit | comma, True).all(axis=1)
        & np.where(pennies, digit, True).all(axis=1)
        & (points <= 1)
        & ((points == 0) | (decimals >= 1) & (decimals <= 2))
        & (end > start)
    )
    # Separators, if any, at every fourth place from the end of the pounds, and not first.
    separators = comma & whole
    grouped = (separators == (whole & ((end[:, None] - at) % 4 == 0))).all(axis=1)
    ok &= ~separators.any(axis=1) | (grouped & ((end - start) % 4 != 0))
    pounds = digit & whole
    ok &= pounds.sum(axis=1) <= 15
    values = np.where(digit & inside, chars - ZERO, 0)
    place = np.cumsum(pounds[:, ::-1], axis=1)[:, ::-1] - 1  # digits to the right, in pounds
    total = (values * np.where(pounds, _POWERS[np.clip(place, 0, 18)], 0)).sum(axis=1) * 100
    rows = np.arange(n)
    tenths = values[rows, np.minimum(end + 1, width - 1)]
    hundredths = values[rows, np.minimum(end + 2, width - 1)]
    total += np.where(decimals >= 1, tenths * 10, 0) + np.where(decimals == 2, hundredths, 0)
    total = np.where(start == 1, -total, total)
    ok &= np.abs(total) < MAX_PENCE
    return ok, np.where(ok, total, 0)


def by_value(
    values: Sequence[str] | pd.Series, parse: Callable[[str], T]
) -> tuple[np.ndarray, list[T]]:
    """``parse`` once per distinct value: codes into the returned list, one per value.

    A month's file holds a few dozen dates and a handful of organisation codes; parsing
    each once and taking the results by code is what makes those columns cheap.
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return codes, [parse(value) for value in uniques]


def row_keys(columns: list[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Rows with equal values in every column share a code (numbered in order of first
    appearance); returns the codes and the first row of each code."""
    combined = None
    for column in columns:
        codes, uniques = pd.factorize(np.asarray(column, dtype=object))
        if combined is None:
            combined = codes.astype(np.int64)
        else:  # re-numbered at each step, so the product never grows past rows²
            combined = pd.factorize(combined * len(uniques) + codes)[0].astype(np.int64)
    assert combined is not None
    _, first = np.unique(combined, return_index=True)
    return combined, first


def _sums_fit(pence: np.ndarray) -> bool:
    """Whether any sum of these amounts fits in 64 bits (bounded in Python integers: exact,
    and no ``abs`` of the smallest int64, which overflows)."""
    largest = max(int(pence.max()), -int(pence.min()))
    return largest * len(pence) < _SAFE_TOTAL


def exact_sum(pence: np.ndarray) -> int:
    """The exact sum as a Python integer, whatever the amounts (64 bits could overflow)."""
    if not len(pence):
        return 0
    if _sums_fit(pence):
        return int(pence.sum())
    return sum(pence.tolist())


def exact_group_sums(pence: np.ndarray, codes: np.ndarray, groups: int) -> list[int]:
    """Exact sums of ``pence`` by ``codes`` (0 … groups - 1)."""
    if len(pence) and _sums_fit(pence):
        sums = np.zeros(groups, dtype=np.int64)
        np.add.at(sums, codes, pence)
        return sums.tolist()
    totals = [0] * groups
    for code, value in zip(codes.tolist(), pence.tolist(), strict=True):
        totals[code] += value
    return totals
