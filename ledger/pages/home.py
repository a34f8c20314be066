"""The home page: places, searchable by name or code."""

from django.core.paginator import Paginator
from django.shortcuts import render

from ledger.models import PlaceKind
from ledger.selectors.places import place_list, places_with_data

PLACES_PER_PAGE = 50


def home(request):
    """Places, searchable by name or code, each saying whether spend is counted in it."""
    search = request.GET.get("q", "")
    kind = request.GET.get("kind", "")
    if kind not in PlaceKind.values:
        kind = ""
    with_data = request.GET.get("data") == "1"
    page = Paginator(
        place_list(search=search, kind=kind, with_data=with_data, within=True), PLACES_PER_PAGE
    ).get_page(request.GET.get("page"))
    counted = places_with_data(place_ids=[p.pk for p in page.object_list])
    for place in page.object_list:
        place.has_data = place.pk in counted
    return render(
        request,
        "ledger/home.html",
        {
            "page": page,
            "search": search,
            "kind": kind,
            "with_data": with_data,
            "kinds": PlaceKind.choices,
        },
    )
