"""Rounding exact values to whole pence so that the parts of every table add up to its total."""

import math
from collections.abc import Hashable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import TypeVar

from totalplace.money import PENCE_PER_POUND, largest_remainder, round_pence

K = TypeVar("K", bound=Hashable)


def to_fraction(value: Decimal | int | str | Fraction) -> Fraction:
    """An exact fraction from a Decimal (or int/str); refuses floats, which are not exact."""
    if isinstance(value, float):
        raise TypeError("money and rates must be Decimal, never float")
    return Fraction(value) if not isinstance(value, str) else Fraction(Decimal(value))


def to_decimal(value: Fraction, places: int) -> Decimal:
    """An exact fraction as a Decimal with ``places`` decimal places (halves to even)."""
    quantum = Decimal(1).scaleb(-places)
    scaled = value * 10**places
    floor = math.floor(scaled)
    remainder = scaled - floor
    if remainder > Fraction(1, 2) or (remainder == Fraction(1, 2) and floor % 2 == 1):
        floor += 1
    return (Decimal(floor) * quantum).quantize(quantum, rounding=ROUND_HALF_EVEN)


def round_parts(exact: Mapping[K, Fraction]) -> dict[K, int]:
    """Round each part to whole pence so that the parts sum to the rounded exact total.

    Largest remainder (``totalplace.money.largest_remainder``, ties to the earlier key), with
    the keys handed over in their sorted order: a tie goes to the smaller key, so the result
    depends only on the values, never on the order the parts were given in.
    """
    if not exact:
        return {}
    total = round_pence(sum(exact.values(), Fraction(0)))
    keys = sorted(exact, key=_sort_key)
    return largest_remainder({key: exact[key] * PENCE_PER_POUND for key in keys}, total)


def split_pence(total: int, weights: Mapping[K, Fraction]) -> dict[K, int]:
    """Split ``total`` whole pence across ``weights`` (all ≥ 0, some > 0), exactly."""
    weight_total = sum(weights.values(), Fraction(0))
    if weight_total <= 0:
        raise ValueError("weights must sum to more than zero")
    shares = {
        key: Fraction(total, PENCE_PER_POUND) * w / weight_total for key, w in weights.items()
    }
    return round_parts(shares)


def _sort_key(key) -> tuple:
    # Keys are organisation codes, year numbers or tuples of them; None (no payer) sorts first.
    return (key is not None, str(key) if not isinstance(key, int) else f"{key:012d}")
