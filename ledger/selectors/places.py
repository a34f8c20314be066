"""Reads for places: finding one, its populations, the places above it, and whether
illustrative (demo) figures feed its totals."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from ledger.calculations.cuts import place_subtree_ids
from ledger.models import Place, Population, SpendReturn, SpendReturnStatus, SpendRollup


def place_list(*, search: str = "", kind: str = "") -> QuerySet[Place]:
    """Places by name or by any of their codes (GSS, ONS/SNAC, former GSS), parents joined."""
    places = Place.objects.select_related("parent")
    if kind:
        places = places.filter(kind=kind)
    search = search.strip()
    if search:
        code = search.upper()
        places = places.filter(
            Q(name__icontains=search)
            | Q(official_name__icontains=search)
            | Q(gss_code=code)
            | Q(snac_code=code)
            | Q(aliases__code=code)
        ).distinct()
    return places.order_by("name")


def place_names() -> list[str]:
    """Every place's name, for suggestions in place pickers (a few hundred short strings)."""
    return list(Place.objects.order_by("name").values_list("name", flat=True).distinct())


def place_get(*, slug: str) -> Place:
    return Place.objects.select_related("parent").get(slug=slug)


def place_populations(*, place: Place) -> QuerySet[Population]:
    return place.populations.select_related("financial_year").order_by("financial_year__start_date")


def place_ancestor_ids(*, place_ids: Iterable[int]) -> set[int]:
    """The places and every place above them (a district, its county and its region)."""
    ids, frontier = set(place_ids), set(place_ids)
    while frontier:
        parents = Place.objects.filter(pk__in=frontier, parent__isnull=False)
        frontier = set(parents.values_list("parent_id", flat=True)) - ids
        ids |= frontier
    return ids


def place_has_illustrative_data(*, place: Place) -> bool:
    return SpendReturn.objects.filter(
        status=SpendReturnStatus.APPROVED,
        is_illustrative=True,
        lines__place_id__in=place_subtree_ids([place.pk]),
    ).exists()


def places_have_illustrative_data(*, place_ids: list[int]) -> bool:
    """Whether illustrative (demo) returns feed any total shown for these places.

    Read from the rollups of the illustrative returns' organisation-years, not from the lines,
    so it stays fast on a large ledger.
    """
    keys = SpendReturn.objects.filter(
        status=SpendReturnStatus.APPROVED, is_illustrative=True
    ).values_list("organisation_id", "financial_year_id")
    scope = Q(pk__in=[])
    for organisation_id, year_id in set(keys):
        scope |= Q(organisation_id=organisation_id, financial_year_id=year_id)
    return SpendRollup.objects.filter(scope, place_id__in=place_ids).exists()
