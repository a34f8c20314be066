""" "Download this view": the explorer's cells as CSV or XLSX (the aggregate API's CSV columns),
or its cut as a Fiscal Data Package, each through the ledger's own export code."""

from django.http import HttpResponse

from ledger.apis import exports
from ledger.apis.aggregate import aggregate_rows
from ledger.calculations.cache import cached
from ledger.calculations.cuts import Cut
from ledger.exports import ExportAbout, csv_rows_response, xlsx_rows_response
from ledger.pages.common import as_of
from ledger.selectors.illustrative import cut_has_illustrative_data
from ledger.services.fiscal_data_package import (
    fiscal_data_package_build,
    fiscal_data_package_cells,
)

from .selectors import ExplorerResult

DOWNLOADS = {"csv": "CSV", "xlsx": "XLSX", "fdp": "Fiscal Data Package"}
FILENAME = "totalplace-explorer"


class TooLarge(Exception):
    """The cut has more rows than a package built while the analyst waits may hold."""

    @property
    def message(self) -> str:
        return (
            f"This view's cut has more than {fdp_limit():,} rows for a Fiscal Data Package: "
            "narrow it with a filter, or (analysts) queue it through the API's exports."
        )


def fdp_limit() -> int:
    """The API's limit (one name for it), read when asked so that a test may lower it."""
    return exports.SYNC_LIMIT


def fdp_too_large(cut: Cut) -> bool:
    """Whether the cut's package would have more rows than ``fdp_limit()``: one COUNT that
    stops past the limit, cached per rollup generation as the view's totals are, since the
    page asks it on every view (and the count is the same for everyone)."""
    limit = fdp_limit()
    rows = cached(
        "explorer-fdp-rows",
        {"cut": cut.as_text(), "limit": limit},
        lambda: fiscal_data_package_cells(cut=cut, limit=limit),
    )
    return rows > limit


def explorer_download(explorer: ExplorerResult, kind: str, measured=None) -> HttpResponse:
    """``measured`` (``explorer.measured.Measured``) adds the amounts in that measure as a last
    column (empty where there is no figure), and the deflator's note (its vintage)."""
    header, rows = aggregate_rows(explorer.result)
    notes = []
    if measured is not None:
        header = header + [measured.header]
        rows = [row + [figure] for row, figure in zip(rows, measured.cells, strict=True)]
        notes = [measured.measure.label, *measured.notes]
    about = ExportAbout(
        source="TotalPlace explorer (the aggregate API's totals for this view)",
        illustrative=cut_has_illustrative_data(cut=explorer.result.cut),
        as_of=as_of(),
        notes=tuple(notes),
    )
    if kind == "csv":
        return csv_rows_response(FILENAME, header, rows, about=about)
    if kind == "xlsx":
        amount = header.index("amount")
        money = {amount, len(header) - 1} if measured is not None else {amount}
        return xlsx_rows_response(FILENAME, "explorer", header, rows, money=money, about=about)
    cut = explorer.result.cut
    if fdp_too_large(cut):  # before the package's aggregate, which takes seconds on a big cut
        raise TooLarge
    response = HttpResponse(
        fiscal_data_package_build(cut=cut, title="TotalPlace spend: explorer view"),
        content_type="application/zip",
    )
    response["Content-Disposition"] = f'attachment; filename="{FILENAME}-fdp.zip"'
    return response


MAP_HEADER = [
    "gss_code",
    "district",
    "place_code",
    "amount",
    "county_wide_share",
    "persons",
    "persons_year",
    "per_head",
]


def map_download(districts, year, theme, kind: str, *, illustrative: bool) -> HttpResponse:
    """The map's table: a district with no figure has an empty cell (no data), never 0."""
    rows = [
        [
            d.code,
            d.name,
            d.place.code if d.place else None,
            d.amount,
            d.county_share,
            d.persons,
            d.persons_year or None,
            d.per_head,
        ]
        for d in districts
    ]
    name = f"totalplace-spend-per-head-{year.code}" + (f"-{theme.code}" if theme else "")
    about = ExportAbout(
        source=f"TotalPlace map: spend per head by district, {year.code}, "
        + (theme.name if theme else "all themes"),
        illustrative=illustrative,
        as_of=as_of(),
    )
    if kind == "xlsx":
        money = {MAP_HEADER.index(c) for c in ("amount", "county_wide_share", "per_head")}
        return xlsx_rows_response(
            name, "spend per head", MAP_HEADER, rows, money=money, about=about
        )
    return csv_rows_response(name, MAP_HEADER, rows, about=about)
