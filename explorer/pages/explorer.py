"""The explorer: a thin page over ``explorer.selectors``."""

from django.shortcuts import render

from explorer.downloads import DOWNLOADS, TooLarge, explorer_download, fdp_limit, fdp_too_large
from explorer.measured import explorer_measured
from explorer.query import DRILLDOWNS, MAX_DRILLDOWNS, MEASURES, ORDERS, TRANSFERS, ExplorerQuery
from explorer.selectors import chart_data, explorer_choices, explorer_result
from ledger.calculations.cuts import DIMENSIONS, CutError
from ledger.calculations.measures import measure_choices
from ledger.pages.common import as_of


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
    # A cut too large for a package gets a hint to narrow it, not a link into a refusal.
    fdp_refused = found is not None and fdp_too_large(found.result.cut)
    context = {
        "query": query,
        "found": found,
        "measured": measured,
        "rows": _rows(found, measured) if found else [],
        "chart": chart_data(found, measured) if found else None,
        "share_url": share,
        "downloads": [
            (
                k,
                label,
                None if k == "fdp" and fdp_refused else f"?{query.as_query_string(download=k)}",
            )
            for k, label in DOWNLOADS.items()
        ],
        "fdp_limit": fdp_limit() if fdp_refused else None,
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
