"""What the explorer shows: the aggregate API's totals (``ledger.calculations.totals``) for a
view, the choices its form offers, and the chart series drawn from those same cells."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from ledger.calculations.cache import cached
from ledger.calculations.totals import Aggregate, aggregate
from ledger.models import Basis, Classification, FinancialYear, Sector, ServiceTheme, SpendRollup
from ledger.selectors.illustrative import cut_has_illustrative_data
from ledger.selectors.places import place_list, place_names

from .query import MEASURES, ExplorerQuery

MAX_TABLE_ROWS = 500  # the page; every download has every cell
MAX_BARS = 20
MAX_TREEMAP_CELLS = 300


@dataclass
class ExplorerResult:
    query: ExplorerQuery
    result: Aggregate
    illustrative: bool

    @property
    def cells(self):
        return self.result.cells[:MAX_TABLE_ROWS]

    def rows(self) -> list[tuple[list[str], list]]:
        """The page's rows: each cell's member names and its chosen measures."""
        drilldown, measures = self.query.drilldown, self.query.measures
        return [
            ([c.members[d].name for d in drilldown], [(m, getattr(c, m)) for m in measures])
            for c in self.cells
        ]

    def totals(self) -> list[tuple[str, object]]:
        return [(m, getattr(self.result, m)) for m in self.query.measures]

    @property
    def truncated(self) -> bool:
        return len(self.result.cells) > MAX_TABLE_ROWS


def place_filter_code(text: str) -> str:
    """A place filter as the cut reads it: a code or slug as given, else the first place whose
    name matches (“Cumbria” → E10000006), else the text (the cut then says it is unknown)."""
    from ledger.models import Place

    if Place.objects.by_code(text).exists() or Place.objects.filter(slug=text.lower()).exists():
        return text
    found = place_list(search=text).first()
    return found.code if found else text


def explorer_result(*, query: ExplorerQuery) -> ExplorerResult:
    """The view's totals (raises ``CutError`` for a filter that names nothing)."""
    if "place" in query.filters:
        query.filters["place"] = place_filter_code(query.filters["place"])
    cut = query.cut()
    order = query.aggregate_order()

    def compute():
        result = aggregate(cut=cut, drilldown=query.drilldown, order=order, net=query.net)
        return result, cut_has_illustrative_data(cut=cut)

    # Totals are the same for everyone: cached per rollup generation, as the API's are.
    params = {"cut": cut.as_text(), "drilldown": query.drilldown, "order": order, "net": query.net}
    result, illustrative = cached("explorer", params, compute)
    return ExplorerResult(query, result, illustrative)


def chart_data(explorer: ExplorerResult, measured=None) -> dict:
    """The bar chart (the first drilldown's totals, largest first) and the treemap (each cell
    by its members, credits left out: an area cannot be negative). Exact decimal strings.
    With ``measured`` (``explorer.measured.Measured``), the amounts in that measure; a group
    or cell without a figure is left out."""
    query, result = explorer.query, explorer.result
    measure = query.measure
    converted = measured is not None and measure == "amount"
    label = measured.measure.label if converted else MEASURES[measure]
    if not query.drilldown:
        return {"measure": measure, "label": label, "bars": [], "tree": [], "groups": []}
    first = query.drilldown[0]
    if converted:
        every = measured.groups(result.cells, first)
        totals = {m: v for m, v in every.items() if v is not None}
        figures = measured.cells
    else:
        totals: dict = defaultdict(Decimal)
        for cell in result.cells:
            totals[cell.members[first]] += getattr(cell, measure)
        every, figures = totals, [getattr(cell, measure) for cell in result.cells]
    bars = sorted(totals.items(), key=lambda item: -item[1])[:MAX_BARS]
    if query.order == "groups":  # the largest, shown in their own order (years in turn)
        bars.sort(key=lambda item: item[0])
    tree = [
        {
            **{f"g{i}": cell.members[d].name for i, d in enumerate(query.drilldown)},
            "value": str(figure),
        }
        for cell, figure in zip(result.cells, figures, strict=True)
        if figure is not None and figure > 0
    ][:MAX_TREEMAP_CELLS]
    return {
        "measure": measure,
        "label": label,
        "bars": [{"label": m.name, "value": str(v)} for m, v in bars],
        "tree": tree,
        "groups": [f"g{i}" for i in range(len(query.drilldown))],
        "bars_cut": len(totals) > MAX_BARS,
        "bars_missing": len(totals) < len(every),
        "tree_cut": len(tree) == MAX_TREEMAP_CELLS or any(f is None or f <= 0 for f in figures),
    }


def explorer_choices() -> dict:
    """The form's options: every sector, theme, COFOG class, basis, and the years with spend."""
    year_ids = SpendRollup.objects.values("financial_year_id").distinct().order_by()
    themes = list(ServiceTheme.objects.select_related("parent"))
    return {
        "sectors": Sector.choices,
        "bases": Basis.choices,
        "years": list(
            FinancialYear.objects.filter(pk__in=year_ids)
            .order_by("-start_date")
            .values_list("code", flat=True)
        ),
        "themes": [(t.code, f"— {t.name}" if t.parent_id else t.name) for t in _in_tree(themes)],
        "cofog": list(Classification.objects.filter(Q(scheme="cofog")).values_list("code", "name")),
        "place_names": place_names(),
    }


def _in_tree(themes: list[ServiceTheme]) -> list[ServiceTheme]:
    """Top-level themes, each followed by its sub-themes."""
    children = defaultdict(list)
    for theme in themes:
        children[theme.parent_id].append(theme)
    ordered = []
    for top in children[None]:
        ordered.append(top)
        ordered += children[top.pk]
    return ordered
