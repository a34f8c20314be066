"""Parsing a column of cells at once: amounts, and any value parsed once per distinct text.

The import reads a file in chunks of rows turned into Arrow columns of text
(``ledger.importers.lines``). Money stays exact: amounts are never read as floats. A plain
amount ("870.83", "1,234.56", "-12.5": nearly every cell of nearly every file) is checked by a
pattern over the whole column, then its digits become integer pence by integer arithmetic;
any other text goes through ``amount_pence``, the one parser that says what is wrong with it.
"""

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .values import MAX_PENCE, amount_pence

# "870.83", "-12.5", "1,234.56": the cells ``values.amount_pence`` reads by its fast pattern,
# in ASCII digits (any other digit goes to ``amount_pence`` itself). RE2, anchored.
_PLAIN = r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d\d?)?$"
_PARTS = r"^(?P<sign>-?)(?P<whole>\d+)(?:\.(?P<frac>\d\d?))?$"  # once the commas are out
_WHOLE_DIGITS = 18  # what a 64-bit integer holds for certain (leading zeros count)
# Below this, a sum of 64-bit integers cannot overflow (with room to spare).
_SAFE_TOTAL = 2**62
T = TypeVar("T")


def as_text(values) -> pa.Array:
    """A column of text as Arrow (a list or object array is converted once)."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    return pa.array(list(values), type=pa.string())


def _numbers(array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False)


def amounts_pence(texts) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Pence for each cell (0 where it is not an amount), and ``(index, why)`` for those.

    The plain cells, nearly all of them, are read by Arrow's kernels (a pattern, then the
    digits cast to 64-bit integers: integer arithmetic throughout, never a float); any other
    cell goes through ``amount_pence``, the one parser that says what is wrong with it.
    """
    stripped = pc.utf8_trim_whitespace(as_text(texts))
    n = len(stripped)
    pence = np.zeros(n, dtype=np.int64)
    plain = _numbers(pc.match_substring_regex(stripped, _PLAIN)).astype(bool)
    rows = np.flatnonzero(plain)
    if len(rows):
        cells = pc.replace_substring(stripped.filter(pa.array(plain)), ",", "")
        parts = pc.extract_regex(cells, _PARTS)
        whole, frac = parts.field("whole"), parts.field("frac")
        fits = _numbers(pc.utf8_length(whole)) <= _WHOLE_DIGITS
        whole = pc.if_else(pa.array(fits), whole, "0")
        values = _numbers(pc.cast(whole, pa.int64())) * 100
        values += _numbers(pc.cast(pc.utf8_rpad(frac, 2, "0"), pa.int64()))
        values = np.where(_numbers(pc.equal(parts.field("sign"), "-")), -values, values)
        fits &= np.abs(values) < MAX_PENCE
        pence[rows[fits]] = values[fits]
        plain[rows[~fits]] = False
    problems = []
    for index in np.flatnonzero(~plain).tolist():
        try:
            pence[index] = amount_pence(stripped[index].as_py())
        except ValueError as exc:
            problems.append((index, str(exc)))
    return pence, problems


def codes_of(values) -> tuple[np.ndarray, list]:
    """Each value's code (numbered in order of first appearance) and the distinct values."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        encoded = pc.dictionary_encode(as_text(values))
        return _numbers(encoded.indices).astype(np.int64), encoded.dictionary.to_pylist()
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return codes, list(uniques)


def by_value(values, parse: Callable[[str], T]) -> tuple[np.ndarray, list[T]]:
    """``parse`` once per distinct value: codes into the returned list, one per value.

    A month's file holds a few dozen dates and a handful of organisation codes; parsing
    each once and taking the results by code is what makes those columns cheap.
    """
    codes, uniques = codes_of(values)
    return codes, [parse(value) for value in uniques]


def row_keys(columns: list[Sequence[str]]) -> tuple[np.ndarray, list[tuple]]:
    """Rows with equal values in every column share a code (numbered in order of first
    appearance); returns the codes and each code's values, one tuple a code."""
    combined = None
    distinct = []
    for column in columns:
        codes, uniques = codes_of(column)
        distinct.append((codes, uniques))
        if combined is None:
            combined = codes.astype(np.int64)
        else:  # re-numbered at each step, so the product never grows past rows²
            combined = pd.factorize(combined * len(uniques) + codes)[0].astype(np.int64)
    assert combined is not None
    _, first = np.unique(combined, return_index=True)
    values = [[uniques[c] for c in codes[first].tolist()] for codes, uniques in distinct]
    return combined, list(zip(*values, strict=True))


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
