"""Exact apportionment: split an amount across parts so the parts sum to the whole, to the penny."""

from collections.abc import Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from ledger.models.fields import from_pence, to_pence

K = TypeVar("K", bound=Hashable)


def apportion(total: Decimal, weights: Mapping[K, int | Decimal]) -> dict[K, Decimal]:
    """Split ``total`` across the keys of ``weights`` in proportion to their weights.

    Largest remainder (Hamilton) on whole pence: every part gets the floor of its exact share,
    then the pence left over go one each to the parts with the largest fractional remainders,
    ties to the earlier key. The parts always sum exactly to ``total``; a negative total (a
    credit) is split as its absolute value and every part keeps the sign.
    """
    if not weights:
        raise ValueError("nothing to apportion across")
    if any(w < 0 for w in weights.values()):
        raise ValueError("apportionment weights cannot be negative")
    weight_total = sum(Fraction(w) for w in weights.values())
    if weight_total == 0:
        raise ValueError("apportionment weights sum to zero")

    pence = to_pence(total)
    sign, pence = (-1 if pence < 0 else 1), abs(pence)
    exact = {key: pence * Fraction(w) / weight_total for key, w in weights.items()}
    floors = {key: int(share) for key, share in exact.items()}  # int() floors a non-negative
    leftover = pence - sum(floors.values())
    order = list(weights)
    position = {key: i for i, key in enumerate(order)}
    by_remainder = sorted(order, key=lambda k: (floors[k] - exact[k], position[k]))
    for key in by_remainder[:leftover]:
        floors[key] += 1
    return {key: from_pence(sign * floors[key]) for key in order}
