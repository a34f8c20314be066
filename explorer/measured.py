"""The explorer's figures in the measure the analyst picks (``?show_as=real_per_head&base=…``):
cash, cash per head, real terms or real terms per head, converted by ``Measure.apply`` as the
place, compare and organisation pages convert theirs.

A figure needs its financial year for real terms and its place and year for per head: each
comes from the row's own members (grouped by year or place) or from the view's filter. Per
head divides by that place's population for that year (``populations``, as the organisation
page does); with none, the figure is missing (None), never £0.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ledger.calculations.deflate import deflator_series
from ledger.calculations.measures import Measure
from ledger.calculations.places import populations
from ledger.models import FinancialYear, Place

from .selectors import ExplorerResult


@dataclass
class Measured:
    measure: Measure
    cells: list[Decimal | None]  # one per cell of the result, in its order
    total: Decimal | None
    notes: list[str] = field(default_factory=list)
    context: "_Context | None" = field(default=None, repr=False)

    @property
    def header(self) -> str:
        """The downloads' column: ``real_per_head_at_2023-24_prices``."""
        key = self.measure.key
        return f"{key}_at_{self.measure.base_year}_prices" if self.measure.real else key

    def groups(self, cells: list, dimension: str) -> dict:
        """``cells`` (the result's, in order) grouped by one drilldown (the bar chart's bars)
        in the measure: member → figure, or None where it cannot be had."""
        amounts: dict = defaultdict(Decimal)
        figures: dict = defaultdict(list)
        for cell, figure in zip(cells, self.cells, strict=True):
            amounts[cell.members[dimension]] += cell.amount
            figures[cell.members[dimension]].append(figure)
        return {
            member: self.context.group(amount, {dimension: member}, figures[member])
            for member, amount in amounts.items()
        }


class _Context:
    """Each figure's year code and (place id, year id) for its population."""

    def __init__(self, explorer: ExplorerResult, measure: Measure):
        query, cells = explorer.query, explorer.result.cells
        self.measure = measure
        self.years = dict(FinancialYear.objects.values_list("code", "pk"))
        code = query.filters.get("place", "")
        self.place = None
        if code:  # as the cut read it: a code or a slug (``place_filter_code``)
            found = Place.objects.by_code(code).first()
            self.place = found or Place.objects.filter(slug=code.lower()).first()
        self.year = query.filters.get("year", "")
        self.persons = {}
        if measure.per_head:
            ids = {c.members["place"].id for c in cells if "place" in c.members}
            ids |= {self.place.pk} if self.place else set()
            self.persons = populations(list(Place.objects.filter(pk__in=ids)))

    def apply(self, amount: Decimal, members: dict) -> Decimal | None:
        """``amount`` in the measure, when its members and the filters fix what it needs."""
        year = members["year"].code if "year" in members else self.year
        if not year:
            return None
        place_id = members["place"].id if "place" in members else getattr(self.place, "pk", None)
        persons = self.persons.get((place_id, self.years.get(year)))
        return self.measure.apply(amount, year=year, persons=persons)

    def group(self, amount: Decimal, members: dict, figures: list[Decimal | None]):
        """A group of cells (a bar, the total): converted as one when its members fix a year
        (and place); else, in real terms, the sum of its cells' figures (real terms add up
        across years, per head does not)."""
        figure = self.apply(amount, members)
        if figure is not None or self.measure.per_head or None in figures or not figures:
            return figure
        return sum(figures, Decimal("0.00"))


def explorer_measured(explorer: ExplorerResult, measure: Measure) -> Measured | None:
    """The view's figures in ``measure``; None for cash (the table's own amounts)."""
    if measure.key == "cash":
        return None
    context = _Context(explorer, measure)
    cells = [context.apply(c.amount, c.members) for c in explorer.result.cells]
    total = context.group(explorer.result.amount, {}, cells)
    return Measured(measure, cells, total, _notes(explorer, context, cells), context)


def _notes(explorer: ExplorerResult, context: _Context, cells: list) -> list[str]:
    """What the table says about its converted column: why a figure is missing, the deflator."""
    query, measure, notes = explorer.query, context.measure, []
    if "year" not in query.drilldown and not context.year:
        notes.append(f"{measure.label} needs a financial year: group by year or choose one.")
    if measure.per_head and "place" not in query.drilldown and not context.place:
        notes.append("Per head needs a place: group by place or choose one.")
    elif measure.per_head and None in cells:
        notes.append(
            "“—”: no population for that place and year, so no per-head figure (never £0)."
        )
    years = {c.members["year"].code for c in explorer.result.cells if "year" in c.members}
    if measure.real and (years | {context.year}) - {""} - set(deflator_series()):
        notes.append("“—”: no deflator for that year, so no real-terms figure.")
    return notes + ([measure.note] if measure.note else [])
