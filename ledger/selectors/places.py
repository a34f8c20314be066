"""Reads for places: finding one, its populations, and whether illustrative (demo) figures feed
its totals. The places above or below one: ``ledger.calculations.precedence.place_tree``."""

from django.db.models import Case, Q, QuerySet, Value, When

from ledger.calculations.cuts import place_subtree_ids
from ledger.models import Place, Population, SpendReturn, SpendReturnStatus, SpendRollup


def _counted_here_or_within() -> Q:
    """Places with spend counted in them or in places within them (a county's districts, a
    region's counties' districts): the rollups' places, read through their index."""
    counted = SpendRollup.objects.values("place_id")
    return Q(pk__in=counted) | Q(children__in=counted) | Q(children__children__in=counted)


def place_list(
    *, search: str = "", kind: str = "", with_data: bool = False, within: bool = False
) -> QuerySet[Place]:
    """Places by name or by any of their codes (GSS, ONS/SNAC, former GSS), parents joined.
    ``within``: a search for a county or region finds the places within it too, after the
    places that match it themselves. ``with_data``: only places with spend counted in or
    within them."""
    places = Place.objects.select_related("parent")
    if kind:
        places = places.filter(kind=kind)
    if with_data:
        places = places.filter(pk__in=Place.objects.filter(_counted_here_or_within()).values("pk"))
    search = search.strip()
    if not search:
        return places.order_by("name")
    code = search.upper()
    named = (
        Q(name__icontains=search)
        | Q(official_name__icontains=search)
        | Q(gss_code=code)
        | Q(snac_code=code)
    )
    itself = named | Q(aliases__code=code)
    if not within:
        return places.filter(itself).distinct().order_by("name")
    inside = Q(parent__name__icontains=search) | Q(parent__gss_code=code)
    matched = Place.objects.filter(itself | inside).values("pk")
    # The annotation reads no alias (a join that would repeat rows): an alias match ranks first.
    first = Case(When(named, then=Value(0)), When(inside, then=Value(1)), default=Value(0))
    return places.filter(pk__in=matched).annotate(within=first).order_by("within", "name")


def places_with_data(*, place_ids: list[int]) -> set[int]:
    """Which of these places have spend counted in them or within them (for a list's badge)."""
    return set(
        Place.objects.filter(pk__in=place_ids)
        .filter(_counted_here_or_within())
        .values_list("pk", flat=True)
    )


def place_names() -> list[str]:
    """Every place's name, for suggestions in place pickers (a few hundred short strings)."""
    return list(Place.objects.order_by("name").values_list("name", flat=True).distinct())


def place_get(*, slug: str) -> Place:
    return Place.objects.select_related("parent").get(slug=slug)


def place_populations(*, place: Place) -> QuerySet[Population]:
    return place.populations.select_related("financial_year").order_by("financial_year__start_date")


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
