"""Money written once for every app: how an amount reads, and splitting pence exactly.

Amounts are ``Decimal`` pounds (or integer pence), never float.
"""

import math
from collections.abc import Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
PENCE_PER_POUND = 100


def pounds(amount: Decimal, places: int = 2, *, pence_if_any: bool = False) -> str:
    """An amount as people read it: "£7,100,000.00"; a credit as "−£123.45" (a true minus
    sign, which screen readers say). ``places`` decimal places, halves to even;
    ``pence_if_any``: whole pounds without ".00" (published tables are in whole pounds)."""
    if pence_if_any and amount == amount.to_integral_value():
        places = 0
    quantum = Decimal(1).scaleb(-places)
    text = f"{abs(amount).quantize(quantum):,}"
    return f"−£{text}" if amount < 0 else f"£{text}"


def round_pence(pounds: Fraction) -> int:
    """Pounds to the nearest penny, halves to even (the same rule everywhere)."""
    pence = pounds * PENCE_PER_POUND
    floor = math.floor(pence)
    remainder = pence - floor
    if remainder > Fraction(1, 2) or (remainder == Fraction(1, 2) and floor % 2 == 1):
        return floor + 1
    return floor


def pence_to_decimal(pence: int) -> Decimal:
    return (Decimal(pence) / PENCE_PER_POUND).quantize(Decimal("0.01"))


def largest_remainder(exact: Mapping[K, Fraction], total: int) -> dict[K, int]:
    """Whole units (pence) for exact shares, summing to ``total`` (Hamilton's method).

    Every key gets the floor of its exact share; the units still missing go one each to the
    keys with the largest fractional remainders. **Ties go to the key given earlier.** We keep
    the order as given, rather than sorting the keys, because keys need not be orderable (model
    rows, theme members), because the vectorised ``ledger.calculations.apportion`` must give
    the same answer and it works by position, and because the caller knows which order is
    canonical: savings hands its organisation codes over sorted, so its tables never depend on
    the order the rows were read in.

    ``total`` must lie between the sum of the floors and that sum plus the number of keys (the
    case for any rounding of the exact sum).
    """
    floors = {key: math.floor(share) for key, share in exact.items()}
    leftover = total - sum(floors.values())
    if not 0 <= leftover <= len(floors):
        raise ValueError("the total is not a rounding of the parts' sum")
    position = {key: i for i, key in enumerate(exact)}
    by_remainder = sorted(exact, key=lambda k: (floors[k] - exact[k], position[k]))
    for key in by_remainder[:leftover]:
        floors[key] += 1
    return floors
