"""Measures: a cash figure as shown when figures are compared across years or places.

One place for the conversion every page (place, compare, organisation, explorer) offers: cash,
cash per head, real terms (at a base year's prices, with the GDP deflator held as data in
``fixtures/reference``) and real terms per head. Pages read the choice from the query string
(``?measure=real_per_head&base=2023-24``) with ``Measure.from_query`` and convert each figure
with ``Measure.apply``; the label and note say what the numbers are, including the deflator's
vintage. Money stays Decimal throughout, rounded to the penny once, at the end.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ledger.calculations.deflate import deflator_note, deflator_series

MEASURES = {
    "cash": "Cash",
    "per_head": "Cash per head",
    "real": "Real terms",
    "real_per_head": "Real terms per head",
}
PENNY = Decimal("0.01")


@dataclass(frozen=True)
class Measure:
    key: str = "cash"
    base_year: str = ""  # the prices real terms are at (a deflator year); "" for cash

    @classmethod
    def from_query(cls, query) -> "Measure":
        """The measure a page's ``measure`` and ``base`` parameters ask for; unknown values
        fall back to cash and to the deflator's latest year."""
        key = query.get("measure", "cash")
        key = key if key in MEASURES else "cash"
        series = deflator_series()
        base = query.get("base", "")
        return cls(key, base if base in series else list(series)[-1])

    @property
    def real(self) -> bool:
        return self.key.startswith("real")

    @property
    def per_head(self) -> bool:
        return self.key.endswith("per_head")

    @property
    def label(self) -> str:
        """ "Real terms per head (£ at 2023-24 prices)"."""
        suffix = f" (£ at {self.base_year} prices)" if self.real else ""
        return MEASURES[self.key] + suffix

    @property
    def note(self) -> str:
        """The deflator, its source and vintage, for a real-terms table; else ""."""
        return deflator_note() if self.real else ""

    def apply(self, amount: Decimal | None, *, year: str, persons: int | None) -> Decimal | None:
        """``amount`` (spent in financial year ``year``) in this measure, to the penny; None
        when there is no deflator for the year or no population to divide by."""
        if amount is None:
            return None
        if self.real:
            series = deflator_series()
            if year not in series or self.base_year not in series:
                return None
            amount = amount * series[self.base_year] / series[year]
        if self.per_head:
            if not persons:
                return None
            amount = amount / persons
        return amount.quantize(PENNY, rounding=ROUND_HALF_UP)

    def query(self) -> dict[str, str]:
        """The query parameters that choose this measure (for links that keep it)."""
        return {"measure": self.key, "base": self.base_year} if self.key != "cash" else {}


def measure_choices() -> dict:
    """For a page's toggle: the measures and the deflator's years (the base year's options)."""
    return {"measures": MEASURES, "deflator_years": list(deflator_series())}
