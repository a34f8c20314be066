"""Helpers shared by the analyst pages."""

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode

from ledger.exports import ExportAbout, table_response
from ledger.models import Place, Reconciliation, RollupRun, SpendRollup
from ledger.selectors.places import place_get, places_have_illustrative_data

EXPORT_FORMATS = ("csv", "xlsx")


def place_or_404(slug: str) -> Place:
    try:
        return place_get(slug=slug)
    except Place.DoesNotExist as exc:
        raise Http404("No such place") from exc


def lines_url(place: Place, **filters) -> str:
    """The drill-down to the lines behind a figure."""
    query = {k: v for k, v in filters.items() if v}
    url = reverse("place-lines", args=[place.slug])
    return f"{url}?{urlencode(query)}" if query else url


def export_about(request, *, illustrative: bool | None) -> ExportAbout:
    """A download's "About": the page it came from (without the download's own parameters),
    whether its figures are illustrative, and when the totals last changed."""
    query = request.GET.copy()
    for name in ("export", "table"):
        query.pop(name, None)
    page = request.build_absolute_uri(request.path)
    if query:
        page += "?" + query.urlencode()
    return ExportAbout(source=f"TotalPlace, {page}", illustrative=illustrative, as_of=as_of())


def export_or_none(request, tables: dict, filename: str, *, illustrative: bool | None = None):
    """The requested table as CSV/XLSX when the URL asks for one (``?export=csv&table=id``).
    ``illustrative``: whether the page's figures are (None: the page does not say)."""
    export_format = request.GET.get("export")
    if export_format not in EXPORT_FORMATS:
        return None
    table = tables.get(request.GET.get("table", ""))
    if table is None:
        raise Http404("No such table on this page")
    about = export_about(request, illustrative=illustrative)
    return table_response(table, export_format, f"{filename}-{table.id}", about=about)


def as_of():
    """When the totals last changed (the latest refresh or rebuild)."""
    run = RollupRun.objects.order_by("-finished_at").first()
    return run.finished_at if run else None


def reconciliation_status(place_ids: list[int]) -> dict:
    """Lines against rollups for the organisation-years that spend in these places."""
    keys = SpendRollup.objects.filter(place_id__in=place_ids).values("organisation_id")
    checks = list(
        Reconciliation.objects.filter(organisation_id__in=keys).select_related(
            "organisation", "financial_year"
        )
    )
    residuals = [c for c in checks if not c.matches]
    return {
        "checked": len(checks),
        "residuals": residuals,
        "as_of": min((c.as_of for c in checks), default=None),
        "ok": bool(checks) and not residuals,
    }


def demo_context(place_ids: list[int]) -> dict:
    return {
        "illustrative": places_have_illustrative_data(place_ids=place_ids),
        "demo_label": settings.TOTALPLACE_DEMO_LABEL,
    }
