"""Reads for signing returns off: what waits for whom, and what approving a version changes.

Both read only what the person may see: an approver's own organisations' submitted returns,
an officer's returned ones, and a version against the approved one it would replace.
"""

from django.db.models import Case, CharField, Count, Q, Sum, Value, When, Window
from django.db.models.functions import Coalesce

from audit.selectors import prepared_by_q
from ledger.models import Membership, Role, SpendLine, SpendReturn, SpendReturnStatus
from ledger.return_selectors import PUBLIC_STATUSES

WAITING_SHOWN = 10


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
        "sign_off": Q(organisation_id__in=roles[Role.APPROVER], status=SpendReturnStatus.SUBMITTED)
        & ~prepared_by_q(user_id=user.pk),
        "changes": Q(
            organisation_id__in=roles[Role.FINANCE_OFFICER], status=SpendReturnStatus.RETURNED
        ),
    }
    kinds = Case(
        *(When(q, then=Value(name)) for name, q in queries.items()),
        output_field=CharField(),
    )
    rows = (
        SpendReturn.objects.select_related(
            "organisation", "financial_year", "place", "submitted_by", "returned_by"
        )
        .filter(queries["sign_off"] | queries["changes"])
        .annotate(waiting=kinds, in_kind=Window(Count("id"), partition_by=[kinds]))
        .order_by("waiting", Coalesce("submitted_at", "returned_at"), "pk")
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
    if spend_return.status in PUBLIC_STATUSES:
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
