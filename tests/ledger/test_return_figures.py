"""A return's figures: the same as summing its lines, read from the cache once its lines are
frozen (no aggregate over SpendLine per view), and live while it is a draft."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger.models import ServiceTheme, SpendLine
from ledger.selectors.return_figures import spend_return_figures
from ledger.services.approval import spend_return_send_back, spend_return_submit
from ledger.services.lines import spend_lines_add
from tests.ledger.many_lines import place_with_lines

pytestmark = pytest.mark.django_db


def _summed(spend_return) -> dict:
    lines = SpendLine.objects.filter(spend_return=spend_return)
    totals = lines.aggregate(
        count=Count("id"), total=Sum("amount"), credits=Count("id", filter=Q(amount__lt=0))
    )
    unallocated = lines.filter(theme__code=ServiceTheme.UNALLOCATED_CODE).aggregate(
        count=Count("id"), total=Sum("amount")
    )
    return {
        "count": totals["count"],
        "total": totals["total"],
        "credits": totals["credits"],
        "unallocated_count": unallocated["count"],
        "unallocated_total": unallocated["total"],
        "themes": sorted(
            lines.values("theme__code", "theme__name").annotate(
                count=Count("id"), total=Sum("amount")
            ),
            key=lambda t: (-t["total"], t["theme__code"]),
        ),
    }


def _aggregates_lines(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if '"ledger_spendline"' in q["sql"] and ("SUM(" in q["sql"] or "COUNT(" in q["sql"])
    ]


def test_the_figures_are_the_lines_summed_to_the_penny():
    _, _, spend_return = place_with_lines(50)
    figures = spend_return_figures(spend_return=spend_return)
    assert figures == _summed(spend_return)
    assert figures["credits"] == 8 and figures["count"] == 50
    assert figures["total"] == sum((line.amount for line in spend_return.lines.all()), Decimal(0))


def test_an_approved_returns_page_reads_no_aggregate_of_its_lines(client):
    _, _, spend_return = place_with_lines(60)
    url = reverse("spend-return-detail", args=[spend_return.pk])
    client.get(url)  # the first view after approval computes them (once)
    with CaptureQueriesContext(connection) as again:
        page = client.get(url)
    assert _aggregates_lines(again.captured_queries) == []
    summary = page.context["summary"]
    assert (summary["count"], summary["total"]) == (60, _summed(spend_return)["total"])
    assert page.context["themes"] == _summed(spend_return)["themes"]
    assert [v.line_count for v in page.context["versions"]] == [60]
    # The returns list reads the cached figures too.
    with CaptureQueriesContext(connection) as listing:
        client.get(reverse("spend-return-list"))
    assert _aggregates_lines(listing.captured_queries) == []


def test_a_drafts_figures_follow_its_lines_and_a_resubmitted_version_is_counted_again():
    county, _, spend_return = place_with_lines(10, approve=False)
    assert spend_return_figures(spend_return=spend_return)["count"] == 10
    theme = ServiceTheme.objects.get(code="m-roads")
    spend_lines_add(
        spend_return=spend_return,
        lines=[SpendLine(place=county, theme=theme, amount=Decimal("1.00"))],
    )
    assert spend_return_figures(spend_return=spend_return)["count"] == 11
    submitted = spend_return_submit(spend_return=spend_return, actor=None)
    assert spend_return_figures(spend_return=submitted)["count"] == 11  # now cached
    returned = spend_return_send_back(spend_return=submitted, actor=None, reason="More")
    spend_lines_add(
        spend_return=returned,
        lines=[SpendLine(place=county, theme=theme, amount=Decimal("2.00"))],
    )
    again = spend_return_submit(spend_return=returned, actor=None)
    assert spend_return_figures(spend_return=again) == _summed(again)
    assert spend_return_figures(spend_return=again)["count"] == 12


def test_a_theme_with_no_lines_in_the_return_lists_none_without_reading_them(client):
    _, _, spend_return = place_with_lines(20)
    url = reverse("spend-return-detail", args=[spend_return.pk])
    client.get(url)
    ServiceTheme.objects.create(code="m-empty", name="M Empty")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"{url}?theme=m-empty")
    assert list(page.context["page"].object_list) == []
    assert not [q for q in queries.captured_queries if '"ledger_spendline"' in q["sql"]]
