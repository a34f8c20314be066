"""Exact money in the database.

Amounts are stored as integer pence (``BIGINT``) and read back as ``Decimal`` pounds. Integer
storage is exact on every backend: SQLite keeps non-integral decimals as REAL and sums them in
floating point, which would break "reconciles to the penny" on the embedded default.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core import exceptions
from django.db import models

PENNY = Decimal("0.01")


def to_pence(value: Decimal | int | str) -> int:
    """Pounds to whole pence; refuses fractions of a penny rather than rounding them away."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    pence = amount.scaleb(2)
    if pence != pence.to_integral_value():
        raise ValueError(f"{value} has fractions of a penny")
    return int(pence)


def from_pence(pence: int | Decimal) -> Decimal:
    return Decimal(pence).scaleb(-2).quantize(PENNY)


class MoneyField(models.BigIntegerField):
    """A pounds-and-pence amount: ``Decimal`` in Python, integer pence in the database."""

    description = "Amount in pounds, stored as integer pence"

    def from_db_value(self, value, expression, connection):
        return None if value is None else from_pence(value)

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value)).quantize(PENNY)
        except (InvalidOperation, ValueError) as exc:
            raise exceptions.ValidationError(f"“{value}” is not an amount of money.") from exc

    def get_prep_value(self, value):
        if value is None or hasattr(value, "resolve_expression"):
            return value
        try:
            return to_pence(value)
        except (InvalidOperation, ValueError) as exc:
            raise exceptions.ValidationError(str(exc)) from exc

    def formfield(self, **kwargs):
        defaults = {"form_class": forms.DecimalField, "max_digits": 17, "decimal_places": 2}
        defaults.update(kwargs)
        # BigIntegerField.formfield would impose integer bounds; go straight to Field.formfield.
        return models.Field.formfield(self, **defaults)


class MonthMaskField(models.PositiveSmallIntegerField):
    """The months of a year, a 12-bit mask (``ledger.calculations.coverage``): a number in the
    database, shown as "Apr–Jun, Jan" wherever a field is displayed generically (history)."""

    description = "Months of a year, as a 12-bit mask"
