"""A dataset edition's lines (filtered, paged by id) and one figure as published, with every
share of it; the CSV of dataset lines the place drill-down shares."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from ledger.calculations.cuts import Cut, CutError
from ledger.exports import csv_rows_response
from ledger.line_rows import COUNTED_LINE_HEADER, counted_line_values
from ledger.models import Basis, DatasetFigure, DatasetLine
from ledger.selectors.datasets import (
    ZERO,
    dataset_edition_filter_choices,
    dataset_edition_lines,
    dataset_edition_year_totals,
    dataset_figure_get,
    dataset_figure_lines,
    dataset_lines_total,
)
from totalplace.permissions import has_perm

from .common import export_about
from .dataset_editions import edition_of

LINES_PER_PAGE = 50
EXPORT_LIMIT = 100_000  # as the place lines page: bigger cuts through the API's cursor pages
FILTERS = ("place", "organisation", "year", "theme", "basis")
DATASET_LINE_HEADER = COUNTED_LINE_HEADER + [
    "Dataset",
    "Edition",
    "Figure id",
    "Figure amount",
    "Source row",
    "Source column",
    "Source code",
    "Source label",
    "Region as published",
    "Body as published",
    "Driver",
    "Driver year",
    "Driver source",
]


def dataset_line_values(line: DatasetLine) -> list:
    figure, edition = line.figure, line.edition
    return counted_line_values(line) + [
        edition.dataset.title,
        edition.edition,
        figure.pk,
        figure.amount,
        figure.source_row,
        figure.source_column,
        figure.source_code,
        figure.source_label,
        figure.source_place,
        figure.body_name,
        figure.driver,
        figure.driver_year,
        figure.driver_source,
    ]


def lines_download(request, lines, name: str, *, illustrative: bool):
    """Dataset lines as CSV, for analysts (line-level downloads are theirs)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_perm(request.user, "ledger.download_lines"):
        raise PermissionDenied("Downloading lines is for analysts: ask an administrator.")
    rows = (dataset_line_values(line) for line in lines[:EXPORT_LIMIT].iterator(chunk_size=2000))
    about = export_about(request, illustrative=illustrative)
    return csv_rows_response(name, DATASET_LINE_HEADER, rows, about=about)


def _after(request) -> int:
    value = request.GET.get("after", "")
    return int(value) if value.isdigit() else 0


def dataset_edition_lines_view(request, pk: int):
    """The edition's lines, by place (and the places below), body, year, theme and basis;
    paged by id (``after``), so a deep page costs what the first does."""
    edition = edition_of(request, pk)
    filters = {k: request.GET.get(k, "").strip() for k in FILTERS}
    problem = ""
    try:
        cut = Cut({k: [v] for k, v in filters.items() if v})
        cut.q()
    except CutError as exc:
        cut, problem = None, f"{str(exc)[:1].upper()}{str(exc)[1:]}: showing no lines."
    lines = dataset_edition_lines(edition=edition, cut=cut) if cut else DatasetLine.objects.none()
    if request.GET.get("export") == "csv":
        name = f"dataset-edition-{edition.pk}-lines"
        return lines_download(request, lines, name, illustrative=edition.is_illustrative)
    after = _after(request)
    shown = list(lines.filter(id__gt=after)[: LINES_PER_PAGE + 1])
    narrowed = any(filters[k] for k in ("place", "organisation", "theme", "basis"))
    if not cut:
        total = (ZERO, 0)
    elif narrowed:
        total = dataset_lines_total(lines=lines)
    else:  # as recorded when it was loaded: no scan of a whole national edition
        total = dataset_edition_year_totals(edition=edition, year=filters["year"])
    return render(
        request,
        "ledger/datasets/lines.html",
        {
            "edition": edition,
            "dataset": edition.dataset,
            "lines": shown[:LINES_PER_PAGE],
            "next_after": shown[LINES_PER_PAGE - 1].pk if len(shown) > LINES_PER_PAGE else None,
            "after": after,
            "filters": filters,
            "has_filters": any(filters.values()),
            "problem": problem,
            "amount": total[0],
            "count": total[1],
            "can_download": has_perm(request.user, "ledger.download_lines"),
            "too_many_to_export": total[1] > EXPORT_LIMIT,
            "export_limit": EXPORT_LIMIT,
            "choices": {
                **dataset_edition_filter_choices(edition=edition),
                "bases": Basis.choices,
            },
        },
    )


def dataset_figure_detail(request, pk: int):
    """One figure as the file publishes it, and every line it became (its shares add up to
    it, to the penny)."""
    try:
        figure = dataset_figure_get(user=request.user, pk=pk)
    except DatasetFigure.DoesNotExist as exc:
        raise Http404("No such figure") from exc
    lines = list(dataset_figure_lines(figure=figure))
    shares_total = sum((line.amount for line in lines), ZERO)
    return render(
        request,
        "ledger/datasets/figure.html",
        {
            "figure": figure,
            "edition": figure.edition,
            "dataset": figure.edition.dataset,
            "lines": lines,
            "shares_total": shares_total,
            "adds_up": shares_total == figure.amount,
        },
    )
