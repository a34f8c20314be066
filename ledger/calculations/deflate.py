"""Real terms: cash amounts restated at a base year's prices with the GDP deflator (data)."""

import csv
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings

DEFLATOR_PATH = Path(settings.BASE_DIR) / "fixtures" / "reference" / "gdp_deflator.csv"
DEFLATOR_NOTE = (
    "Real terms use an approximate GDP deflator series held in fixtures/reference/gdp_deflator.csv"
)


@lru_cache(maxsize=1)
def deflator_series() -> dict[str, Decimal]:
    """Financial year code → GDP deflator index."""
    with DEFLATOR_PATH.open(encoding="utf-8", newline="") as handle:
        return {row["financial_year"]: Decimal(row["index"]) for row in csv.DictReader(handle)}


def real_terms(amount: Decimal, *, year: str, base_year: str) -> Decimal | None:
    """``amount`` spent in ``year`` at ``base_year`` prices, to the penny; None if either year
    has no deflator."""
    series = deflator_series()
    if year not in series or base_year not in series:
        return None
    return (amount * series[base_year] / series[year]).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
