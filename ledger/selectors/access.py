"""Who acts for which organisation, and what a user may see.

Approved and superseded returns (and so their lines) are public: they are what the totals are
made of. Every other version is seen only by its organisation's members and administrators.
"""

from django.db.models import Q, QuerySet

from ledger.models import (
    ApiToken,
    ExportJob,
    Membership,
    Organisation,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
)
from totalplace.permissions import has_perm


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


def has_role(user, organisation, role: str) -> bool:
    """Whether ``user`` acts in ``role`` for ``organisation`` (administrators act for every
    organisation; an API token only for its own). The object rules are built on this."""
    organisation_id = getattr(organisation, "pk", organisation)
    acting = acting_organisation_ids(user=user, role=role)
    return acting is None or organisation_id in acting


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


def visible_returns_q(user) -> Q:
    """Which returns ``user`` may see: public ones, and every version of their organisations'."""
    public = Q(status__in=SpendReturnStatus.public())
    acting = acting_organisation_ids(user=user)
    if acting is None:
        return Q()
    return public | Q(organisation_id__in=acting) if acting else public


def approved_lines() -> QuerySet[SpendLine]:
    """Lines of approved returns: the only lines that count in any total."""
    return SpendLine.objects.filter(spend_return__status=SpendReturnStatus.APPROVED)


def spend_returns_visible(*, user) -> QuerySet[SpendReturn]:
    """Approved and superseded returns for everyone; every version of their own organisations'
    returns for members (finance officers and approvers) and administrators."""
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


def sees_trail(*, user, spend_return: SpendReturn) -> bool:
    """Whether ``user`` reads the whole trail of ``spend_return``, or its status changes only."""
    return has_perm(user, "ledger.view_spend_return_trail", spend_return)
