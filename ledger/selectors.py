"""Reads for pages and the API. Views never query user-dependent data themselves."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet, Sum

from ledger.calculations.cuts import place_subtree_ids
from ledger.models import (
    ApiToken,
    ExportJob,
    Membership,
    Organisation,
    Place,
    Population,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
)


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


def approved_lines() -> QuerySet[SpendLine]:
    """Lines of approved returns: the only lines that count in any total."""
    return SpendLine.objects.filter(spend_return__status=SpendReturnStatus.APPROVED)


def place_totals_by_year(*, place: Place) -> list[dict]:
    """Approved spend in a place and the places below it, per financial year."""
    descendants = place_subtree_ids([place.pk])
    return list(
        approved_lines()
        .filter(place_id__in=descendants)
        .values("financial_year__code")
        .annotate(total=Sum("amount"))
        .order_by("financial_year__code")
    )


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
    from ledger.models import SpendRollup

    keys = SpendReturn.objects.filter(
        status=SpendReturnStatus.APPROVED, is_illustrative=True
    ).values_list("organisation_id", "financial_year_id")
    scope = Q(pk__in=[])
    for organisation_id, year_id in set(keys):
        scope |= Q(organisation_id=organisation_id, financial_year_id=year_id)
    return SpendRollup.objects.filter(scope, place_id__in=place_ids).exists()


def token_scope(user) -> set[int] | None:
    """The organisations a request authenticated by an API token may act for: the token's
    own, or none for a token made without one. ``None``: the request carries no token."""
    if not getattr(user, "acts_by_token", False):
        return None
    organisation_id = getattr(user, "token_organisation_id", None)
    return set() if organisation_id is None else {organisation_id}


def acting_organisation_ids(*, user, role: str | None = None) -> set[int] | None:
    """The organisations ``user`` acts for (in ``role``, if given); ``None`` means every one.

    Administrators (active superusers) act for every organisation. A request authenticated by
    an API token acts only for the token's organisation (``ledger.authentication`` marks the
    user with it), even if its user also belongs to others, and even for an administrator;
    a token made for no organisation acts for none.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    scope = token_scope(user)
    if user.is_superuser:
        return scope
    memberships = Membership.objects.filter(user=user)
    if role:
        memberships = memberships.filter(role=role)
    if scope is not None:
        memberships = memberships.filter(organisation_id__in=scope)
    return set(memberships.values_list("organisation_id", flat=True))


def user_organisations(*, user, role: str | None = None) -> QuerySet[Organisation]:
    """Organisations the user is a member of (in ``role``, if given), for the forms that pick
    one. Anonymous users act for none; an API token for its own organisation only."""
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    memberships = Membership.objects.filter(user=user)
    if role:
        memberships = memberships.filter(role=role)
    scope = token_scope(user)
    if scope is not None:
        memberships = memberships.filter(organisation_id__in=scope)
    return Organisation.objects.filter(pk__in=memberships.values("organisation_id")).order_by(
        "name"
    )


def user_api_tokens(*, user) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first."""
    return ApiToken.objects.filter(user=user).select_related("organisation").order_by("-created_at")


def spend_returns_visible(*, user) -> QuerySet[SpendReturn]:
    """Approved and superseded returns for everyone; every version of their own organisations'
    returns for members (finance officers and approvers) and administrators."""
    from ledger.return_selectors import visible_returns_q

    return (
        SpendReturn.objects.filter(visible_returns_q(user))
        .select_related("organisation", "financial_year", "place")
        .order_by("-id")
    )


def spend_lines_visible(*, user, spend_return_id: int | None = None) -> QuerySet[SpendLine]:
    """Approved lines; or, with ``spend_return_id``, the lines of that one return if ``user``
    may see it (a draft's only for its organisation's members), else none."""
    if spend_return_id is None:
        return approved_lines()
    returns = spend_returns_visible(user=user).filter(pk=spend_return_id)
    return SpendLine.objects.filter(spend_return__in=returns.values("pk"))


def export_jobs_visible(*, user) -> QuerySet[ExportJob]:
    """Export jobs ``user`` started (every one for an administrator); none for visitors."""
    if user is None or not user.is_authenticated:
        return ExportJob.objects.none()
    if user.is_active and user.is_superuser:
        return ExportJob.objects.all()
    return ExportJob.objects.filter(created_by=user)
