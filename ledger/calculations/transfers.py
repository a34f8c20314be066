"""Net of transfers: a place's total without the money its bodies pay one another.

A transfer (a line paid to a public body: ``ledger.models.transfers``) is *within* a place when
the receiving body serves it: its own area, or a place it serves, is the place, below it or
above it (a council's payment to its county's NHS body, or to a department serving England).
Such money is counted again in the receiver's own figures, so the net total leaves it out.
The transfer rollups hold it by the same keys as the rollups, so a net figure is the gross
one less one small query (``ledger.calculations.totals.aggregate_many(net=True)``).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import IntegerField, Sum, Value

from ledger.calculations.cuts import RETURNS_SOURCE, Cut, place_subtree_ids
from ledger.calculations.precedence import bodies_index, per_request, place_tree
from ledger.models import SpendRollup, SpendTransferRollup


def receivers_within(place_ids: list[int]) -> set[int]:
    """Bodies that serve any of these places (their area is one of them, below or above)."""
    key = ("receivers_within", frozenset(place_ids))
    return set(per_request(key, lambda: _receivers_within(place_ids)))


def _receivers_within(place_ids: list[int]) -> frozenset[int]:
    tree, bodies = place_tree(), bodies_index()
    around: set[int] = set()
    for place_id in place_ids:
        around |= tree.subtree(place_id) | set(tree.ancestors(place_id))
    inside = set()
    for organisation_id, home in bodies.home.items():
        served = bodies.served.get(organisation_id, [])
        if (home and home in around) or any(p in around for p in served):
            inside.add(organisation_id)
    return frozenset(inside)


@dataclass(frozen=True)
class Flows:
    """Who paid whom within a place in a year: ``rows`` (``organisation_id``, ``receiver_id``,
    ``amount``, ``lines``; largest first) and ``not_counted``, the receivers with no spending
    of their own loaded for the year, in any place. What those were paid is left out of a net
    total as counted again in theirs, but theirs is not loaded yet: until it is, that money is
    counted nowhere (the gross total counts it, in the payer's)."""

    rows: list[dict]
    not_counted: frozenset[int]

    @property
    def counted_nowhere(self) -> Decimal:
        return sum(
            (r["amount"] for r in self.rows if r["receiver_id"] in self.not_counted), Decimal(0)
        )


def transfers_within(place, year) -> Flows:
    """The payments of the bodies in ``place`` (and below) to bodies that serve it, in ``year``."""
    rows = list(
        SpendTransferRollup.objects.filter(
            place_id__in=place_subtree_ids([place.pk]),
            financial_year=year,
            receiver_id__in=receivers_within([place.pk]),
        )
        .values("organisation_id", "receiver_id")
        .annotate(amount=Sum("amount"), lines=Sum("line_count"))
        .order_by("-amount")
    )
    receivers = {r["receiver_id"] for r in rows}
    counted = (
        SpendRollup.objects.filter(organisation_id__in=receivers, financial_year=year)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    return Flows(rows, frozenset(receivers - set(counted)))


def transfer_rows(cut: Cut, group_fields: list[str]) -> list[dict]:
    """The transfers within the cut's places, grouped like the rollup rows, amounts negated:
    added to the gross rows they make the net ones. Line counts are left alone (0)."""
    sources = cut.filters.get("source")
    if sources and RETURNS_SOURCE not in sources:
        return []  # transfers are lines of spend returns only
    rows = SpendTransferRollup.objects.filter(cut.q(without=("source",)))
    places = cut.place_ids()
    if places is not None:
        rows = rows.filter(receiver_id__in=receivers_within(places))
    fields = [f for f in group_fields if f != "edition_id"]
    found = []
    for row in (
        rows.values(*fields)
        .annotate(amount=Sum("amount"), lines=Value(0, output_field=IntegerField()))
        .order_by()
    ):
        row["amount"] = -row["amount"]
        if "edition_id" in group_fields:
            row["edition_id"] = 0
        found.append(row)
    return found
