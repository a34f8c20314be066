"""The home page: places, searchable by name or code."""

from django.core.paginator import Paginator
from django.shortcuts import render

from ledger.models import PlaceKind
from ledger.selectors.places import place_list

PLACES_PER_PAGE = 50


def home(request):
    """Places, searchable by name or code."""
    search = request.GET.get("q", "")
    kind = request.GET.get("kind", "")
    if kind not in PlaceKind.values:
        kind = ""
    page = Paginator(place_list(search=search, kind=kind), PLACES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ledger/home.html",
        {"page": page, "search": search, "kind": kind, "kinds": PlaceKind.choices},
    )
