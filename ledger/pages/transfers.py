"""Transfers between public bodies: the flows on a place's page, and the officer's matches."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ledger.calculations.transfers import transfers_within
from ledger.models import (
    Organisation,
    Role,
    SupplierMatch,
    SupplierMatchStatus,
)
from ledger.selectors.access import acting_organisation_ids
from ledger.services.transfers import supplier_match_decide
from ledger.tables import Column, Table
from totalplace.money import pounds

MONEY = "money"


def transfer_flows(place, year) -> tuple[Table, dict, Decimal]:
    """What the place's bodies paid bodies that serve it: a table, the Sankey's data, and how
    much of it went to bodies with no spending of their own loaded for the year (netted out,
    so counted nowhere yet)."""
    flows = transfers_within(place, year)
    rows = flows.rows
    names = dict(
        Organisation.objects.filter(
            pk__in={r["organisation_id"] for r in rows} | {r["receiver_id"] for r in rows}
        ).values_list("pk", "name")
    )
    note = (
        "Counted once: in the receiver's own spending. The net total leaves these payments "
        "out of the payer's; the gross total counts both."
    )
    not_counted, uncounted = flows.not_counted, flows.counted_nowhere
    if not_counted:
        note += (
            f" {pounds(uncounted)} went to bodies with no spending of their own loaded for "
            f"{year.code}: the net total counts it nowhere until theirs is loaded."
        )
    table = Table(
        "transfers",
        f"Payments between public bodies in {place.name}, {year.code}",
        [
            Column("payer", "Paid by"),
            Column("receiver", "Paid to"),
            Column("amount", "Amount", MONEY),
            Column("lines", "Lines", "count"),
            Column("receiver_spending", f"Receiver's own spending, {year.code}"),
        ],
        note=note,
    )
    for row in rows:
        table.add(
            payer=names[row["organisation_id"]],
            receiver=names[row["receiver_id"]],
            amount=row["amount"],
            lines=row["lines"],
            receiver_spending=("not loaded" if row["receiver_id"] in not_counted else "counted"),
        )
    # Sankey nodes are keyed apart for payers and receivers: a body can be both.
    sankey = {
        "labels": {
            **{f"p{r['organisation_id']}": names[r["organisation_id"]] for r in rows},
            **{f"r{r['receiver_id']}": names[r["receiver_id"]] for r in rows},
        },
        "flows": [
            {
                "from": f"p{r['organisation_id']}",
                "to": f"r{r['receiver_id']}",
                "flow": str(r["amount"]),
            }
            for r in rows
            if r["amount"] > 0
        ],
    }
    return table, sankey, uncounted


def _visible_matches(user):
    """Matches of the organisations the user is a finance officer of (all, for admins)."""
    acting = acting_organisation_ids(user=user, role=Role.FINANCE_OFFICER)
    matches = SupplierMatch.objects.select_related("payer", "receiver", "decided_by")
    return matches if acting is None else matches.filter(payer_id__in=acting)


@login_required
def supplier_match_list(request):
    """The public bodies the officer's organisations pay, as matched: confirm or reject."""
    matches = _visible_matches(request.user)
    status = request.GET.get("status", "")
    if status in SupplierMatchStatus.values:
        matches = matches.filter(status=status)
    return render(
        request,
        "ledger/transfers/matches.html",
        {
            "matches": matches.order_by("status", "payer__name", "supplier_name")[:500],
            "status": status,
            "statuses": SupplierMatchStatus.choices,
        },
    )


@require_POST
@login_required
def supplier_match_decide_view(request, pk: int):
    """Confirm or reject one match (finance officers of the paying body)."""
    match = get_object_or_404(_visible_matches(request.user), pk=pk)
    status = request.POST.get("status", "")
    if status not in (SupplierMatchStatus.CONFIRMED, SupplierMatchStatus.REJECTED):
        return HttpResponseBadRequest("Choose confirmed or rejected.")
    supplier_match_decide(match=match, status=status, actor=request.user)
    return redirect("supplier-match-list")
