"""Financial years: "2006-07" runs from 1 April 2006 to 31 March 2007."""

import datetime as dt
import re

from ledger.models import FinancialYear

FIRST_YEAR, LAST_YEAR = 1995, 2035
_CODE = re.compile(r"^\s*(\d{4})\s*(?:[-/]\s*(\d{2}|\d{4}))?\s*$")


def financial_year_code(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def financial_year_start(code: str) -> int:
    """The calendar year a financial year starts in, from "2006-07", "2006/07" or "2006-2007"."""
    match = _CODE.match(code)
    if not match:
        raise ValueError(f"“{code}” is not a financial year (expected e.g. 2010-11)")
    start = int(match.group(1))
    if match.group(2) is not None and int(match.group(2)[-2:]) != (start + 1) % 100:
        raise ValueError(f"“{code}” is not a financial year: the years must be consecutive")
    return start


def financial_years_ensure(first: int = FIRST_YEAR, last: int = LAST_YEAR) -> int:
    """Create the financial years ``first``-``last`` that are missing; returns how many were new."""
    existing = set(FinancialYear.objects.values_list("code", flat=True))
    missing = [
        FinancialYear(
            code=financial_year_code(year),
            start_date=dt.date(year, 4, 1),
            end_date=dt.date(year + 1, 3, 31),
        )
        for year in range(first, last + 1)
        if financial_year_code(year) not in existing
    ]
    FinancialYear.objects.bulk_create(missing)
    return len(missing)


def financial_year_get(code: str) -> FinancialYear:
    """The financial year for a code in any accepted spelling; raises DoesNotExist if unknown."""
    return FinancialYear.objects.get(code=financial_year_code(financial_year_start(code)))
