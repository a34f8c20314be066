"""Links to a line's supplier page (never for a redacted or unnamed supplier)."""

from django import template
from django.urls import reverse

from ledger.calculations.suppliers import supplier_slug
from ledger.services.transfers import supplier_key

register = template.Library()


@register.filter
def supplier_url(line) -> str:
    if line.supplier_redacted:
        return ""
    key = supplier_key(line.supplier_name)
    return reverse("supplier-detail", args=[supplier_slug(key)]) if key else ""
