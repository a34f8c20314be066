"""Narrowing the lines page beyond the cut: words in the supplier, description or expense type,
and an amount range. Read from the query string; a bad amount is ignored and said so."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Q, QuerySet, Sum

from ledger.calculations.totals import ZERO

MAX_WORDS = 5
# Search, amount ranges and sorts other than by line number read every line of the filtered
# set: offered up to this many lines (pages_bench, 2M lines, loaded machine: sorting a
# county's 1M lines by amount took 3.7 s a page, searching them 3.3 s); narrower filters first.
SEARCH_LIMIT = 100_000


@dataclass
class LineSummary:
    """What the page heads its list with: the lines' amount and number (as ``Aggregate``)."""

    amount: Decimal
    lines: int


def _amount(text: str) -> Decimal | None:
    text = text.strip().replace(",", "").replace("£", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() else None


@dataclass
class LineSearch:
    text: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query) -> "LineSearch":
        search = cls(text=query.get("q", "").strip()[:200])
        for name, attribute, label in (("min", "minimum", "From"), ("max", "maximum", "To")):
            raw = query.get(name, "").strip()
            value = _amount(raw)
            if raw and value is None:
                search.errors.append(f"{label} “{raw}” is not an amount of money: ignored.")
            setattr(search, attribute, value)
        return search

    @property
    def narrows(self) -> bool:
        return bool(self.text) or self.minimum is not None or self.maximum is not None

    def apply(self, lines: QuerySet) -> QuerySet:
        """Lines with every word in their (unredacted) supplier, description or expense type,
        and an amount within the range. A redacted supplier's name is never searched."""
        for word in self.text.split()[:MAX_WORDS]:
            lines = lines.filter(
                Q(supplier_name__icontains=word, supplier_redacted=False)
                | Q(description__icontains=word)
                | Q(expense_type__icontains=word)
            )
        if self.minimum is not None:
            lines = lines.filter(amount__gte=self.minimum)
        if self.maximum is not None:
            lines = lines.filter(amount__lte=self.maximum)
        return lines

    def summary(self, lines: QuerySet) -> LineSummary:
        found = lines.order_by().aggregate(amount=Sum("amount"), lines=Count("id"))
        return LineSummary(found["amount"] or ZERO, found["lines"])
