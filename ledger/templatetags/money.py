"""Formatting exact amounts for pages: "£7,100,000,000.00", credits as "−£123.45"."""

from decimal import Decimal

from django import template

from totalplace.money import pounds

register = template.Library()


@register.filter
def money(value, places: int = 2) -> str:
    if value is None or value == "":
        return "–"
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return pounds(amount, int(places))


@register.filter
def money_change(value) -> str:
    """A difference between two amounts: "+£1,200.00", "−£35.00", or "£0.00"."""
    text = money(value)
    return f"+{text}" if value and value > 0 else text
