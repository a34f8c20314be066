"""Reads for spend returns: lists and versions a user may see, a return's lines and figures,
what waits for whom, and a version against the approved one it would replace.

Approved and superseded returns are public (they are what the totals are made of); drafts,
submitted and sent-back versions are seen only by their organisation's members
(``ledger.selectors.access``).
"""

from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When, Window
from django.db.models.functions import Coalesce

from ledger.models import (
    FinancialYear,
    Membership,
    Organisation,
    Role,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
)
from ledger.selectors.access import user_organisations, visible_returns_q
from ledger.selectors.preparers import prepared_by_q
from ledger.selectors.return_figures import spend_return_figures, spend_returns_with_figures

WAITING_SHOWN = 10


def spend_return_list(
    *,
    user,
    organisation_id: int | None = None,
    own: bool = False,
    year: str = "",
    status: str = "",
) -> QuerySet[SpendReturn]:
    """Returns ``user`` may see, newest first; with ``own``, only their own organisations'.
    Their line counts and totals are the page's to add for the returns it shows
    (``ledger.selectors.return_figures``): annotated here, counting the list summed every line
    of the ledger."""
    returns = SpendReturn.objects.select_related("organisation", "financial_year", "place")
    returns = returns.filter(visible_returns_q(user))
    if organisation_id:
        returns = returns.filter(organisation_id=organisation_id)
    if own:
        returns = returns.filter(organisation__in=user_organisations(user=user))
    if year:
        returns = returns.filter(financial_year__code=year)
    if status:
        returns = returns.filter(status=status)
    return returns.order_by(
        "organisation__name", "-financial_year__start_date", "place__name", "-version"
    )


def spend_returns_of_organisation(
    *, organisation, year: str = "", status: str = ""
) -> QuerySet[SpendReturn]:
    """All versions of one organisation's returns (the API's view), with counts and totals."""
    returns = SpendReturn.objects.filter(organisation=organisation).select_related(
        "organisation", "financial_year", "place", "mapping"
    )
    if year:
        returns = returns.filter(financial_year__code=year)
    if status:
        returns = returns.filter(status=status)
    return returns.annotate(line_count=Count("lines"), line_total=Sum("lines__amount")).order_by(
        "-financial_year__start_date", "place__name", "-version", "-id"
    )


def spend_return_get(*, user, pk: int) -> SpendReturn:
    """One return ``user`` may see; raises ``SpendReturn.DoesNotExist`` otherwise."""
    returns = SpendReturn.objects.select_related(
        "organisation",
        "financial_year",
        "place",
        "mapping",
        "created_by",
        "submitted_by",
        "approved_by",
        "sent_back_by",
        "superseded_by",
    )
    return returns.filter(visible_returns_q(user)).get(pk=pk)


def spend_return_versions(*, spend_return: SpendReturn, user) -> list[SpendReturn]:
    """Every version of the same organisation, year and place that ``user`` may see, newest
    first, each with its ``line_count`` and ``line_total``."""
    same_place = Q(place=spend_return.place_id) if spend_return.place_id else Q(place__isnull=True)
    return spend_returns_with_figures(
        spend_return_list(user=user, organisation_id=spend_return.organisation_id)
        .filter(same_place, financial_year=spend_return.financial_year_id)
        .order_by("-version")
    )


def spend_return_lines(*, spend_return: SpendReturn, theme_code: str = "") -> QuerySet[SpendLine]:
    """A return's lines (of one theme), in file order."""
    lines = spend_return.lines.select_related("place", "theme").order_by("source_row", "id")
    if theme_code:
        themes = spend_return_figures(spend_return=spend_return)["themes"]
        if not any(t["theme__code"] == theme_code for t in themes):
            # None of its lines: the database would read every line of the return to find so.
            return lines.none()
        lines = lines.filter(theme__code=theme_code)
    return lines


def spend_return_summary(*, spend_return: SpendReturn) -> dict:
    """Line count, total, credits and the unallocated share of one return (cached once its
    lines are frozen: ``ledger.selectors.return_figures``)."""
    figures = spend_return_figures(spend_return=spend_return)
    return {k: v for k, v in figures.items() if k != "themes"}


def spend_return_themes(*, spend_return: SpendReturn) -> list[dict]:
    """Lines and total by theme, largest total first (cached as the summary is)."""
    return spend_return_figures(spend_return=spend_return)["themes"]


def spend_return_organisations(*, user) -> QuerySet[Organisation]:
    """Organisations with a return ``user`` may see, by name (for the list's filter)."""
    returns = SpendReturn.objects.filter(visible_returns_q(user))
    return Organisation.objects.filter(pk__in=returns.values("organisation_id")).order_by("name")


def spend_return_years(*, user) -> QuerySet[FinancialYear]:
    """Financial years of the returns ``user`` may see, newest first (for the list's filter)."""
    returns = SpendReturn.objects.filter(visible_returns_q(user))
    return FinancialYear.objects.filter(pk__in=returns.values("financial_year_id")).order_by(
        "-start_date"
    )


def spend_returns_waiting(*, user) -> dict[str, dict]:
    """What waits for ``user``: returns to sign off (an approver's, never a version they
    prepared) and returns sent back for changes (a finance officer's), oldest first, each
    with how many there are in all. Administrators are left out: they act for everyone and
    this would list every organisation's work. Two queries, however much waits."""
    if not user.is_authenticated or user.is_superuser:
        return {}
    roles: dict[str, set[int]] = {Role.APPROVER: set(), Role.FINANCE_OFFICER: set()}
    for organisation_id, role in Membership.objects.filter(user=user).values_list(
        "organisation_id", "role"
    ):
        roles.setdefault(role, set()).add(organisation_id)
    if not any(roles.values()):
        return {}
    queries = {
        "approve": Q(organisation_id__in=roles[Role.APPROVER], status=SpendReturnStatus.SUBMITTED)
        & ~prepared_by_q(user_id=user.pk),
        "changes": Q(
            organisation_id__in=roles[Role.FINANCE_OFFICER], status=SpendReturnStatus.SENT_BACK
        ),
    }
    kinds = Case(
        *(When(q, then=Value(name)) for name, q in queries.items()),
        output_field=CharField(),
    )
    rows = (
        SpendReturn.objects.select_related(
            "organisation", "financial_year", "place", "submitted_by", "sent_back_by"
        )
        .filter(queries["approve"] | queries["changes"])
        .annotate(waiting=kinds, in_kind=Window(Count("id"), partition_by=[kinds]))
        .order_by("waiting", Coalesce("submitted_at", "sent_back_at"), "pk")
    )
    found: dict[str, dict] = {}
    for spend_return in rows:
        part = found.setdefault(
            spend_return.waiting, {"count": spend_return.in_kind, "returns": []}
        )
        if len(part["returns"]) < WAITING_SHOWN:
            part["returns"].append(spend_return)
    return found


def spend_return_against_approved(*, spend_return: SpendReturn) -> dict | None:
    """How this unapproved version differs, theme by theme, from the approved version its
    approval would replace: what an approver signs off. ``None`` when there is none."""
    if spend_return.status in SpendReturnStatus.public():
        return None
    approved = (
        SpendReturn.objects.filter(
            organisation_id=spend_return.organisation_id,
            financial_year_id=spend_return.financial_year_id,
            place_id=spend_return.place_id,
            status=SpendReturnStatus.APPROVED,
        )
        .exclude(pk=spend_return.pk)
        .first()
    )
    if approved is None:
        return None
    sides = {spend_return.pk: "this", approved.pk: "approved"}
    rows = (
        SpendLine.objects.filter(spend_return_id__in=sides)
        .values("spend_return_id", "theme__code", "theme__name")
        .annotate(count=Count("id"), total=Sum("amount"))
    )
    themes: dict[str, dict] = {}
    for row in rows:
        theme = themes.setdefault(
            row["theme__code"],
            {
                "code": row["theme__code"],
                "name": row["theme__name"],
                "this_count": 0,
                "this_total": 0,
                "approved_count": 0,
                "approved_total": 0,
            },
        )
        side = sides[row["spend_return_id"]]
        theme[f"{side}_count"], theme[f"{side}_total"] = row["count"], row["total"]
    for theme in themes.values():
        theme["change"] = theme["this_total"] - theme["approved_total"]
    changed = [t for t in themes.values() if t["change"] or t["this_count"] != t["approved_count"]]
    changed.sort(key=lambda t: (-abs(t["change"]), t["name"]))
    return {
        "approved": approved,
        "changed": changed,
        "unchanged": len(themes) - len(changed),
        "this_total": sum(t["this_total"] for t in themes.values()),
        "approved_total": sum(t["approved_total"] for t in themes.values()),
        "change": sum(t["change"] for t in themes.values()),
    }
