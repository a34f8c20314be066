"""The map: a thin page over ``explorer.maps``."""

from django.shortcuts import render

from explorer.downloads import map_download
from explorer.maps import band_ranges, hexjson, spend_per_head_by_district, years_with_spend
from ledger.calculations.cache import cached
from ledger.calculations.cuts import Cut
from ledger.models import ServiceTheme
from ledger.pages.common import as_of
from ledger.selectors.illustrative import cut_has_illustrative_data
from ledger.templatetags.money import money


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
        kind = request.GET["download"]
        return map_download(districts, year, theme, kind, illustrative=illustrative)
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
    name = district.name
    if district.replaced_by:
        name = f"{name} (now {district.replaced_by.name})"
    if district.per_head is None:
        return f"{name}: no data"
    return f"{name}: {money(district.per_head)} per head"
