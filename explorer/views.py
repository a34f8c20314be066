"""The explorer and the map: thin pages over ``explorer.selectors`` and ``explorer.maps``."""

from django.shortcuts import render

from ledger.calculations.cache import cached
from ledger.calculations.cuts import DIMENSIONS, Cut, CutError
from ledger.calculations.measures import measure_choices
from ledger.models import ServiceTheme
from ledger.pages.common import as_of
from ledger.selectors.illustrative import cut_has_illustrative_data
from ledger.templatetags.money import money

from .downloads import DOWNLOADS, TooLarge, explorer_download, map_download
from .maps import band_ranges, hexjson, spend_per_head_by_district, years_with_spend
from .measured import explorer_measured
from .query import DRILLDOWNS, MAX_DRILLDOWNS, MEASURES, ORDERS, TRANSFERS, ExplorerQuery
from .selectors import chart_data, explorer_choices, explorer_result


def explorer(request):
    """Choose drilldowns, measures and filters; see the table, a bar chart and a treemap; share
    the view by its URL; download it. Without JavaScript, the table alone."""
    query = ExplorerQuery.parse(request.GET)
    found = measured = None
    if not query.errors:
        try:
            found = explorer_result(query=query)
        except CutError as exc:
            query.errors.append(str(exc))
    if found is not None:
        measured = explorer_measured(found, query.show_as)
    download = request.GET.get("download", "")
    if found is not None and download in DOWNLOADS:
        try:
            return explorer_download(found, download, measured)
        except TooLarge as exc:
            query.errors.append(exc.message)
    share = request.build_absolute_uri(f"{request.path}?{query.as_query_string()}")
    context = {
        "query": query,
        "found": found,
        "measured": measured,
        "rows": _rows(found, measured) if found else [],
        "chart": chart_data(found, measured) if found else None,
        "share_url": share,
        "downloads": [
            (k, label, f"?{query.as_query_string(download=k)}") for k, label in DOWNLOADS.items()
        ],
        "measures": [(m, MEASURES[m]) for m in query.measures],
        "columns": len(query.drilldown) + len(query.measures) + (1 if measured else 0),
        "drilldown_options": [(d, DIMENSIONS[d].label) for d in DRILLDOWNS],
        "levels": (query.drilldown + [""] * MAX_DRILLDOWNS)[:MAX_DRILLDOWNS],
        "measure_options": MEASURES,
        "transfer_options": TRANSFERS,
        "order_options": ORDERS,
        "as_of": as_of(),
        **explorer_choices(),
        "show_as_options": measure_choices()["measures"],
        "deflator_years": measure_choices()["deflator_years"],
    }
    return render(request, "explorer/explorer.html", context, status=400 if query.errors else 200)


def _rows(found, measured) -> list:
    """The table's rows: member names, the chosen measures, and the converted amount (if any)."""
    rows = found.rows()  # the page's first rows; ``measured`` has every cell
    figures = measured.cells[: len(rows)] if measured else [None] * len(rows)
    return [(n, values, f) for (n, values), f in zip(rows, figures, strict=True)]


def spend_map(request):
    """Spend per head by local authority district for a year and theme: a hex map drawn in the
    browser from the table that is the page's content without JavaScript."""
    years = years_with_spend()
    asked = request.GET.get("year")
    year = next((y for y in years if y.code == asked), years[0] if years else None)
    themes = list(ServiceTheme.objects.all())
    theme = next((t for t in themes if t.code == request.GET.get("theme")), None)
    share_county = request.GET.get("county", "shared") != "own"
    districts, illustrative = [], False
    if year:  # the same for everyone: cached per rollup generation
        params = {"year": year.code, "theme": theme.code if theme else "", "share": share_county}
        cut = Cut({"year": [year.code], **({"theme": [theme.code]} if theme else {})})
        districts, illustrative = cached(
            "spend-map",
            params,
            lambda: (
                spend_per_head_by_district(year=year, theme=theme, share_county=share_county),
                cut_has_illustrative_data(cut=cut),
            ),
        )
    layout = hexjson()
    hexes = {
        d.code: {
            **layout["hexes"][d.code],
            "band": d.band,
            "figure": _figure(d),
        }
        for d in districts
    }
    if year and request.GET.get("download") in ("csv", "xlsx"):
        return map_download(districts, year, theme, request.GET["download"])
    with_data = [d for d in districts if d.per_head is not None]
    context = {
        "years": years,
        "year": year,
        "themes": themes,
        "theme": theme,
        "share_county": share_county,
        "illustrative": illustrative,
        "districts": sorted(districts, key=lambda d: d.name),
        "with_data": with_data,
        "bands": band_ranges(districts),
        "hexjson": {"layout": layout["layout"], "hexes": hexes},
        "as_of": as_of(),
    }
    return render(request, "explorer/map.html", context)


def _figure(district) -> str:
    """What a hex's tooltip says: its name and figure, or that it has none."""
    if district.per_head is None:
        return f"{district.name}: no data"
    return f"{district.name}: {money(district.per_head)} per head"
