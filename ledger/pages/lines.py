"""Drill-down: from a figure to the lines behind it, and from a line to its source."""

from decimal import Decimal

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from ledger.calculations.cuts import RETURNS_SOURCE, Cut, CutError, place_subtree_ids
from ledger.calculations.totals import aggregate
from ledger.exports import csv_rows_response, xlsx_rows_response
from ledger.line_rows import LINE_HEADER
from ledger.line_rows import line_values as _line_values
from ledger.models import Basis, Organisation, Sector, ServiceTheme
from ledger.selectors.access import approved_lines
from ledger.selectors.datasets import counted_dataset_lines
from ledger.selectors.imports import spend_line_corrections
from totalplace.permissions import has_perm

from .common import demo_context, export_about, lines_url, place_or_404
from .dataset_lines import DATASET_LINE_HEADER, dataset_line_values
from .keyset import keyset_page, old_page_redirect
from .keyset_sorted import SORTS, sorted_keyset_page
from .line_search import SEARCH_LIMIT, LineSearch

LINES_PER_PAGE = 50
EXPORT_LIMIT = 100_000  # bigger cuts: the API's cursor-paginated lines or a data package
FILTERS = ("year", "theme", "organisation", "sector", "basis", "source")


def _default_source(sources) -> str:
    """Approved returns when the place has lines of them, else the first edition counted."""
    codes = [cell.members["source"].code for cell in sources]
    return RETURNS_SOURCE if RETURNS_SOURCE in codes or not codes else codes[0]


def _source_tabs(place, filters: dict, sources, chosen: str) -> list[dict]:
    return [
        {
            "code": member.code,
            "name": member.name,
            "amount": cell.amount,
            "lines": cell.lines,
            "url": lines_url(place, **{**filters, "source": member.code}),
            "current": member.code == chosen,
        }
        for cell in sources
        for member in [cell.members["source"]]
    ]


def _download(request, place, lines, dataset: bool):
    # Line-level downloads are the analysts' (the tables of totals are everyone's).
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_perm(request.user, "ledger.download_lines"):
        raise PermissionDenied("Downloading lines is for analysts: ask an administrator.")
    header, values = (
        (DATASET_LINE_HEADER, dataset_line_values) if dataset else (LINE_HEADER, _line_values)
    )
    rows = (values(line) for line in lines[:EXPORT_LIMIT].iterator(chunk_size=2000))
    name = f"{place.slug}-lines"
    illustrative = demo_context(place_subtree_ids([place.pk]))["illustrative"]
    about = export_about(request, illustrative=illustrative)
    if request.GET.get("export") == "xlsx":
        amount = header.index("Amount")
        return xlsx_rows_response(name, "lines", header, rows, money={amount}, about=about)
    return csv_rows_response(name, header, rows, about=about)


def place_lines(request, slug: str):
    """The lines behind a figure, filtered and paged by id (``after``/``before``: a deep page
    costs what the first does), from one source at a time: approved
    spend returns, or a dataset edition's lines that the count of the place uses (``source``;
    by default returns where the place has any, else the first edition)."""
    place = place_or_404(slug)
    if (bookmark := old_page_redirect(request)) is not None:
        return bookmark
    filters = {k: request.GET.get(k, "").strip() for k in FILTERS}
    base = Cut(
        {"place": [place.code], **{k: [v] for k, v in filters.items() if v and k != "source"}}
    )
    try:
        sources = aggregate(cut=base, drilldown=["source"], order=["source"]).cells
        source = filters["source"] or _default_source(sources)
        cut = base.with_filter("source", source)
        # The paginator's count is the rollups' for the same cut: what is listed is counted.
        summary = aggregate(cut=cut)
        search = LineSearch.from_query(request.GET)
        sort = SORTS.get(request.GET.get("sort", ""), SORTS[""])
        # Searching and sorting read every line of the cut: offered where that stays quick.
        refused = source == RETURNS_SOURCE and (search.narrows or sort.kind != "id")
        refused = refused and summary.lines > SEARCH_LIMIT
        if refused:
            search, sort = LineSearch(errors=search.errors), SORTS[""]
        if source == RETURNS_SOURCE:
            lines = (
                approved_lines()
                .filter(base.q())
                .select_related("place", "organisation", "theme", "financial_year", "spend_return")
                .order_by("id")
            )
            if search.narrows:
                lines = search.apply(lines)
                summary = search.summary(lines)
        else:
            lines = counted_dataset_lines(cut=cut)
        # The lines are gross; the place page's total is net of what its bodies paid bodies
        # that serve it. Said here, so that the figure a user followed adds up.
        netted = Decimal(0)
        if source == RETURNS_SOURCE and not search.narrows:
            netted = summary.amount - aggregate(cut=cut, net=True).amount
    except CutError as exc:
        raise Http404(str(exc)) from exc
    if request.GET.get("export") in ("csv", "xlsx"):
        return _download(request, place, lines, dataset=source != RETURNS_SOURCE)
    if source == RETURNS_SOURCE and sort.kind != "id":
        page = sorted_keyset_page(lines, request=request, per_page=LINES_PER_PAGE, sort=sort)
    else:
        page = keyset_page(lines, request=request, per_page=LINES_PER_PAGE)
    context = {
        "place": place,
        "page": page,
        "summary": summary,
        "netted": netted,
        "net_amount": summary.amount - netted,
        "filters": filters,
        "search": search,
        "sort_label": sort.label,
        "sorts": SORTS,
        "sort": next(k for k, v in SORTS.items() if v == sort),
        "search_refused": refused,
        "search_limit": SEARCH_LIMIT,
        "source": source,
        "is_dataset": source != RETURNS_SOURCE,
        "sources": _source_tabs(place, filters, sources, source),
        "too_many_to_export": summary.lines > EXPORT_LIMIT,
        "can_download": has_perm(request.user, "ledger.download_lines"),
        "export_limit": EXPORT_LIMIT,
        "choices": {
            "years": _years_for(place),
            "themes": ServiceTheme.objects.order_by("sort_order", "name"),
            "organisations": _organisations_for(place),
            "sectors": Sector.choices,
            "bases": Basis.choices,
        },
        **demo_context([place.pk]),
    }
    return render(request, "ledger/place_lines.html", context)


def _years_for(place):
    from ledger.calculations.places import subtree_totals

    return [r.year for r in subtree_totals([place])]


def _organisations_for(place):
    from ledger.calculations.cuts import place_subtree_ids
    from ledger.models import SpendRollup

    ids = SpendRollup.objects.filter(place_id__in=place_subtree_ids([place.pk])).values(
        "organisation_id"
    )
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def line_detail(request, pk: int):
    """One line and where it came from: its spend return, file and row."""
    line = get_object_or_404(
        approved_lines().select_related(
            "place", "organisation", "theme__parent", "financial_year", "spend_return"
        ),
        pk=pk,
    )
    return render(
        request,
        "ledger/line_detail.html",
        {
            "line": line,
            "spend_return": line.spend_return,
            "corrections": spend_line_corrections(line=line),
            # The file itself only for the organisation's people (it may hold what was never
            # published); everyone else sees its name and SHA-256.
            "can_download_file": bool(line.import_job_id)
            and has_perm(request.user, "ledger.download_import_file", line.spend_return),
            **demo_context([line.place_id]),
        },
    )
