"""Readable values for history pages: names for ids, labels for choices, pounds for pence."""

import json
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import timezone

from ledger.calculations.coverage import months_label
from ledger.models import MoneyField
from ledger.models.fields import MonthMaskField
from totalplace.money import pounds

MAX_TEXT = 200
EMPTY = "–"


def tracked_fields(event_model) -> list[models.Field]:
    """The tracked model's fields that its history table keeps, in the tracked model's order."""
    kept = {f.name for f in event_model._meta.fields if not f.name.startswith("pgh_")}
    return [f for f in event_model.pgh_tracked_model._meta.fields if f.name in kept]


def _truncate(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


class Names:
    """Resolves foreign-key ids to names, one query per related model for a whole page."""

    def __init__(self):
        self.wanted: dict[type, set] = defaultdict(set)
        self.found: dict[type, dict] = {}

    def want(self, field: models.Field, value) -> None:
        if field.is_relation and value is not None:
            self.wanted[field.related_model].add(value)

    def resolve(self) -> None:
        for model, ids in self.wanted.items():
            self.found[model] = {
                obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)
            }

    def name(self, field: models.Field, value) -> str:
        found = self.found.get(field.related_model, {})
        return found.get(value, f"#{value} (deleted)")


def display(field: models.Field, value, names: Names) -> str:
    """One field's value as a person reads it."""
    if value is None or value == "":
        return EMPTY
    if field.is_relation:
        return names.name(field, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, MoneyField):
        return pounds(Decimal(value))
    if isinstance(field, MonthMaskField):
        return months_label(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%-d %b %Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%-d %b %Y")
    if isinstance(field, models.JSONField):
        return _truncate(json.dumps(value, ensure_ascii=False, sort_keys=True))
    if isinstance(field, models.FileField):
        return str(value).rsplit("/", 1)[-1]
    return _truncate(str(value))


def raw_value(event, field: models.Field):
    return getattr(event, field.attname)
