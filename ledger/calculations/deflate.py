"""Real terms: cash amounts restated at a base year's prices with the GDP deflator (data)."""

import csv
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings

DEFLATOR_PATH = Path(settings.BASE_DIR) / "fixtures" / "reference" / "gdp_deflator.csv"
# Where the series comes from and which release it is (its vintage), held as data beside it.
DEFLATOR_SOURCE_PATH = DEFLATOR_PATH.with_name("gdp_deflator_source.csv")


@lru_cache(maxsize=1)
def deflator_series() -> dict[str, Decimal]:
    """Financial year code → GDP deflator index."""
    with DEFLATOR_PATH.open(encoding="utf-8", newline="") as handle:
        return {row["financial_year"]: Decimal(row["index"]) for row in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def deflator_source() -> dict[str, str]:
    """The series' title, publisher, base, vintage, licence and file (``field,value`` rows)."""
    with DEFLATOR_SOURCE_PATH.open(encoding="utf-8", newline="") as handle:
        return {row["field"]: row["value"] for row in csv.DictReader(handle)}


def deflator_note() -> str:
    """What every real-terms figure is labelled with: the series, its source and vintage."""
    source = deflator_source()
    return (
        f"Real terms: {source['title']} ({source['base']}), {source['publisher']}; "
        f"vintage: {source['vintage']} ({source['file']})."
    )


def real_terms(amount: Decimal, *, year: str, base_year: str) -> Decimal | None:
    """``amount`` spent in ``year`` at ``base_year`` prices, to the penny; None if either year
    has no deflator."""
    series = deflator_series()
    if year not in series or base_year not in series:
        return None
    return (amount * series[base_year] / series[year]).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
