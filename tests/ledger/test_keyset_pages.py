"""Lines a page at a time by cursor: every line once, in id order, whatever the depth; the
same queries for a deep page as for the first, and no OFFSET; old ?page=N bookmarks."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger.pages.keyset import MAX_OFFSET_PAGE
from tests.ledger.many_lines import place_with_lines

pytestmark = pytest.mark.django_db

LINES = 130  # three pages of 50


@pytest.fixture
def many():
    return place_with_lines(LINES)


def _ids(response) -> list[int]:
    assert response.status_code == 200
    return [line.pk for line in response.context["page"].object_list]


def _link(url: str, response, rel: str) -> str | None:
    """The page's link with ``rel`` (a query string: on ``url``'s path), or None."""
    found = re.search(rf'href="([^"]+)" rel="{rel}"', response.content.decode())
    return url.split("?")[0] + found.group(1).replace("&amp;", "&") if found else None


def _walk(client, url: str) -> list[int]:
    """Every id, following the "next" links from the first page."""
    ids, page = [], client.get(url)
    while True:
        ids += _ids(page)
        if not (following := _link(url, page, "next")):
            return ids
        page = client.get(following)


def _no_deep_offset(queries) -> None:
    for query in queries:
        assert not re.search(r"\bOFFSET\s+\d", query["sql"]), query["sql"]


def test_the_return_page_lists_every_line_once_in_id_order_by_cursor(client, many):
    _, _, spend_return = many
    every = sorted(spend_return.lines.values_list("pk", flat=True))
    url = reverse("spend-return-detail", args=[spend_return.pk])
    assert _walk(client, url) == every
    # The last page's "previous" is the page before it; its "first page" link the first.
    last = client.get(f"{url}?after={every[99]}")
    body = last.content.decode()
    assert _ids(last) == every[100:]
    assert 'rel="next"' not in body and 'aria-label="Pages of lines"' in body
    previous = _link(url, last, "prev")
    assert "#lines-heading" in previous
    assert _ids(client.get(previous)) == every[50:100]
    assert _ids(client.get(f"{url}?before={every[50]}")) == every[:50]


def test_a_deep_page_costs_the_queries_of_the_first_and_reads_no_offset(client, many):
    _, _, spend_return = many
    every = sorted(spend_return.lines.values_list("pk", flat=True))
    url = reverse("spend-return-detail", args=[spend_return.pk])
    client.get(url)  # the return's figures are cached by the first view
    with CaptureQueriesContext(connection) as first:
        assert _ids(client.get(url)) == every[:50]
    with CaptureQueriesContext(connection) as deep:
        assert _ids(client.get(f"{url}?after={every[-2]}")) == every[-1:]
    assert len(deep.captured_queries) == len(first.captured_queries)
    _no_deep_offset(deep.captured_queries)
    lines_query = [q["sql"] for q in deep.captured_queries if "ledger_spendline" in q["sql"]]
    assert len(lines_query) == 1 and f'"ledger_spendline"."id" > {every[-2]}' in lines_query[0]


def test_the_themes_filter_pages_by_cursor_too(client, many):
    _, _, spend_return = many
    url = reverse("spend-return-detail", args=[spend_return.pk])
    roads = sorted(spend_return.lines.filter(theme__code="m-roads").values_list("pk", flat=True))
    assert _walk(client, f"{url}?theme=m-roads") == roads


def test_old_page_bookmarks_work_near_the_start_and_go_to_the_first_page_beyond(client, many):
    _, _, spend_return = many
    every = sorted(spend_return.lines.values_list("pk", flat=True))
    url = reverse("spend-return-detail", args=[spend_return.pk])
    second = client.get(f"{url}?page=2&theme=")
    assert _ids(second) == every[50:100]
    assert f"after={every[99]}" in second.content.decode()  # and on by cursor from there
    deep = client.get(f"{url}?page={MAX_OFFSET_PAGE + 1}&theme=m-roads")
    assert deep.status_code == 302
    assert deep["Location"] == f"{url}?theme=m-roads#lines-heading"
    assert client.get(f"{url}?page=last").status_code == 302


def test_the_place_lines_page_walks_every_line_with_the_same_queries_at_any_depth(
    client, many, django_assert_num_queries
):
    county, district, spend_return = many
    every = sorted(spend_return.lines.values_list("pk", flat=True))
    url = reverse("place-lines", args=[county.slug])
    assert _walk(client, url) == every  # the county holds its district's lines too
    north = sorted(spend_return.lines.filter(place=district).values_list("pk", flat=True))
    assert _walk(client, reverse("place-lines", args=[district.slug])) == north
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with django_assert_num_queries(len(first.captured_queries)) as deep:
        assert _ids(client.get(f"{url}?after={every[-3]}")) == every[-2:]
    _no_deep_offset(deep.captured_queries)
    assert client.get(f"{url}?page=500").status_code == 302


def test_the_line_grid_of_a_draft_pages_by_cursor_too(client):
    from ledger.models import Role
    from ledger.services.access import membership_grant
    from tests.factories import UserFactory

    _, _, draft = place_with_lines(30, approve=False)
    officer = UserFactory()
    membership_grant(user=officer, organisation=draft.organisation, role=Role.FINANCE_OFFICER)
    client.force_login(officer)
    url = reverse("spend-return-lines", args=[draft.pk])
    every = sorted(draft.lines.values_list("pk", flat=True))
    first = client.get(url)
    assert "25 of the 30 lines, then new lines" in first.content.decode()
    assert [form.instance.pk for form in first.context["formset"].forms[:25]] == every[:25]
    second = client.get(_link(url, first, "next"))
    assert [line.pk for line in second.context["page"].object_list] == every[25:]
    assert client.get(f"{url}?page=99").status_code == 302
