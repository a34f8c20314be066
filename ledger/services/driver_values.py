"""Loading apportionment drivers other than population from CSV: held as data, by place and year.

Columns: ``driver`` (a short name: "claimants", "pupils", "patients"), ``place`` (a GSS, ONS or
alias code), ``year`` ("2017-18"), ``value``, ``source``, and optionally ``illustrative``
("true"). Re-running updates values in place; nothing is duplicated. A top-down edition uses a
driver when its ``driver`` choice names it (``ledger.services.datasets.drivers``).
"""

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from ledger.models import DriverValue, FinancialYear, Place

from .loading import LoadResult, upsert
from .years import financial_year_get

REQUIRED = ("driver", "place", "year", "value", "source")


@transaction.atomic
def driver_values_load(*, path: Path) -> LoadResult:
    """Every row of the CSV at ``path``, or none (a bad row is refused with its row number)."""
    result = LoadResult()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ValidationError(f"The driver file needs the columns {', '.join(missing)}.")
        for number, row in enumerate(reader, start=2):
            result.count(*_load_row(number, row)[1:])
    return result


def _load_row(number: int, row: dict[str, str]):
    where = f"Row {number}"
    place = Place.objects.by_code(row["place"]).first()
    if place is None:
        raise ValidationError(f"{where}: “{row['place']}” is not a place we know.")
    try:
        year = financial_year_get(row["year"])
    except (ValueError, FinancialYear.DoesNotExist) as exc:
        raise ValidationError(f"{where}: “{row['year']}” is not a financial year.") from exc
    try:
        value = Decimal(row["value"].replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValidationError(f"{where}: “{row['value']}” is not a number.") from exc
    if value < 0:
        raise ValidationError(f"{where}: a driver cannot be negative ({value}).")
    return upsert(
        DriverValue,
        {"driver": slugify(row["driver"])[:40], "place": place, "financial_year": year},
        {
            "value": value,
            "source": row["source"].strip()[:200],
            "is_illustrative": row.get("illustrative", "").strip().lower() == "true",
        },
    )
