"""Keyset pages of lines in another order than id: by amount, date or supplier, either way.

The cursor is the last row's sort value and id ("1250.00~8812"): the next page is the rows
after it in (value, id) order, so a deep page costs what the first does, as with the id
pages (``ledger.pages.keyset``). Dates are sorted with undated lines last (either way): the
sort key replaces a missing date with one past every other. A cursor that does not parse
starts again from the first page.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import DateField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from ledger.calculations.suppliers import supplier_key_sql

from .keyset import KeysetPage

SORT_KEY = "sort_key"
SEPARATOR = "~"


@dataclass(frozen=True)
class Sort:
    label: str
    kind: str  # amount | date | text
    descending: bool


SORTS = {
    "": Sort("Line number", "id", False),
    "amount": Sort("Amount, smallest first", "amount", False),
    "-amount": Sort("Amount, largest first", "amount", True),
    "date": Sort("Date, earliest first", "date", False),
    "-date": Sort("Date, latest first", "date", True),
    "supplier": Sort("Supplier, A to Z", "text", False),
}


def _keyed(lines: QuerySet, sort: Sort) -> QuerySet:
    if sort.kind == "amount":
        return lines.annotate(**{SORT_KEY: F("amount")})
    if sort.kind == "date":
        last = dt.date.min if sort.descending else dt.date.max
        return lines.annotate(
            **{SORT_KEY: Coalesce("transaction_date", Value(last, output_field=DateField()))}
        )
    # Redacted lines sort as "" (first), whatever name they hold: their place in the order
    # must not hint at it.
    return lines.annotate(**{SORT_KEY: supplier_key_sql()})


def _parse(text: str, sort: Sort):
    value, _, pk = text.rpartition(SEPARATOR)
    if not pk.isdigit() or len(pk) > 18:
        return None
    try:
        if sort.kind == "amount":
            parsed = Decimal(value)
            if not parsed.is_finite():
                return None
        elif sort.kind == "date":
            parsed = dt.date.fromisoformat(value)
        else:
            parsed = value
    except (InvalidOperation, ValueError):
        return None
    return parsed, int(pk)


def _cursor(row) -> str:
    value = getattr(row, SORT_KEY)
    return f"{value.isoformat() if isinstance(value, dt.date) else value}{SEPARATOR}{row.pk}"


def _beyond(value, pk: int, forward: bool) -> Q:
    """Rows after (value, pk) in ascending (value, id) order, or before it."""
    if forward:
        return Q(**{f"{SORT_KEY}__gt": value}) | Q(**{SORT_KEY: value, "id__gt": pk})
    return Q(**{f"{SORT_KEY}__lt": value}) | Q(**{SORT_KEY: value, "id__lt": pk})


def sorted_keyset_page(lines: QuerySet, *, request, per_page: int, sort: Sort) -> KeysetPage:
    """One page of ``lines`` in ``sort`` order from ``?after=`` / ``?before=``: one query."""
    keyed = _keyed(lines, sort)
    up = [SORT_KEY, "id"]
    down = [f"-{SORT_KEY}", "-id"]
    ahead, behind = (down, up) if sort.descending else (up, down)
    before = _parse(request.GET.get("before", ""), sort)
    after = _parse(request.GET.get("after", ""), sort)
    if before is not None and after is None:
        forward = sort.descending  # "before" in a descending order is greater
        rows = list(keyed.filter(_beyond(*before, forward)).order_by(*behind)[: per_page + 1])
        earlier = len(rows) > per_page
        rows = rows[:per_page][::-1]
        if rows:
            return KeysetPage(rows, _cursor(rows[-1]), _cursor(rows[0]) if earlier else None)
    if after is not None:
        keyed = keyed.filter(_beyond(*after, not sort.descending))
    rows = list(keyed.order_by(*ahead)[: per_page + 1])
    shown = rows[:per_page]
    return KeysetPage(
        shown,
        _cursor(shown[-1]) if len(rows) > per_page else None,
        _cursor(shown[0]) if shown and after is not None else None,
    )
