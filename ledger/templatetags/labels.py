"""Stored codes as a person reads them: an import's status, a length of time, a ratio."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import template

from ledger.models import ImportJobStatus

register = template.Library()


@register.filter
def import_status_label(value: str) -> str:
    """``needs_mapping`` → "Needs a column mapping": the status's label (the code if unknown)."""
    try:
        return str(ImportJobStatus(value).label)
    except ValueError:
        return value


@register.filter
def duration_words(value: dt.timedelta | None) -> str:
    """``timedelta(minutes=15)`` → "15 minutes"; whole hours as hours ("1 hour")."""
    if not isinstance(value, dt.timedelta):
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


@register.filter
def times(value) -> str:
    """A ratio as a multiple, to two places: ``Decimal("1.2551")`` → "1.26×"; "–" for none
    (no costs to divide by)."""
    if value is None or value == "":
        return "–"
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}×"
