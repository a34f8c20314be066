"""HM Treasury Green Book discounting with a declining schedule held as data.

DF_t = Π_{k=1..t} (1 + r_k)^-1, where r_k is the rate of the band year k falls in; year 0 is
undiscounted (DF_0 = 1). With 3.5% for years 0-30: DF_1..5 = 0.966184, 0.933511, 0.901943,
0.871442, 0.841973. Factors are exact fractions, so a long horizon loses nothing.
"""

import csv
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from .rounding import to_fraction

MAX_YEAR = 125


@dataclass(frozen=True)
class RateBand:
    from_year: int
    to_year: int
    rate: Decimal  # 0.035 for 3.5%


def schedule_from_csv(path: Path) -> list[RateBand]:
    """Bands from a CSV with columns from_year, to_year, rate (a fraction: 0.035)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            RateBand(int(row["from_year"]), int(row["to_year"]), Decimal(row["rate"]))
            for row in csv.DictReader(handle)
        ]


def check_schedule(bands: list[RateBand]) -> None:
    """Bands must start at year 0 and run on without gaps or overlaps."""
    expected = 0
    for band in sorted(bands, key=lambda b: b.from_year):
        if band.from_year != expected or band.to_year < band.from_year:
            raise ValueError(f"discount bands must be contiguous from year 0 (at year {expected})")
        if not Decimal(0) <= band.rate < Decimal(1):
            raise ValueError(f"discount rate {band.rate} is not between 0 and 1")
        expected = band.to_year + 1


def rate_for_year(bands: list[RateBand], year: int) -> Fraction:
    for band in bands:
        if band.from_year <= year <= band.to_year:
            return to_fraction(band.rate)
    raise ValueError(f"the discount schedule does not cover year {year}")


def discount_factors(bands: list[RateBand], horizon: int) -> list[Fraction]:
    """DF_0..DF_horizon as exact fractions."""
    check_schedule(bands)
    factors = [Fraction(1)]
    for year in range(1, horizon + 1):
        factors.append(factors[-1] / (1 + rate_for_year(bands, year)))
    return factors
