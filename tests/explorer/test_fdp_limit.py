"""The explorer's Fiscal Data Package on a cut too large to build while the analyst waits: the
page offers a hint instead of a link, and the download refuses before aggregating anything.

The world has four package rows (place × organisation × theme × year × basis); the limit is
made small (``ledger.apis.exports.SYNC_LIMIT``) rather than building 20,000 rows.
"""

import re

import pytest

from ledger.calculations.cuts import Cut
from ledger.calculations.totals import aggregate
from ledger.services.fiscal_data_package import fiscal_data_package_cells

pytestmark = pytest.mark.django_db

HINT = "Narrow the view (a place, a year…) to download a Fiscal Data Package"


def _links(text: str) -> list[str]:
    """The downloads the page links to, by kind."""
    return re.findall(r'<a href="[^"]*download=\w+[^"]*" data-download="(\w+)"', text)


@pytest.fixture
def limit(monkeypatch):
    def set_limit(rows: int) -> None:
        monkeypatch.setattr("ledger.apis.exports.SYNC_LIMIT", rows)

    return set_limit


@pytest.fixture
def aggregated(monkeypatch):
    """Every aggregate the package's module runs (the request still completes: an exception
    raised inside it would leave the request half-finished for the next test)."""
    calls = []

    def recorded(**kwargs):
        calls.append(kwargs["drilldown"])
        return aggregate(**kwargs)

    monkeypatch.setattr("ledger.services.fiscal_data_package.aggregate", recorded)
    return calls


def test_a_view_too_large_offers_the_hint_not_the_link(client, world, limit, aggregated):
    limit(3)
    page = client.get("/explorer/?drilldown=theme_group")
    assert page.status_code == 200
    text = page.content.decode()
    assert _links(text) == ["csv", "xlsx"] and "download=fdp" not in text
    assert f"{HINT}: it holds up to 3 rows." in text
    assert aggregated == []


def test_a_narrow_view_offers_the_link(client, world, limit):
    limit(3)
    text = client.get("/explorer/?drilldown=theme_group&place=E07000026").content.decode()
    assert _links(text) == ["csv", "xlsx", "fdp"]
    assert HINT not in text


def test_the_download_refuses_a_too_large_cut_before_aggregating(client, world, limit, aggregated):
    limit(3)
    response = client.get("/explorer/?drilldown=theme_group&download=fdp")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "This view&#x27;s cut has more than 3 rows for a Fiscal Data Package" in text
    assert _links(text) == ["csv", "xlsx"] and HINT in text
    assert aggregated == []


def test_a_cut_of_exactly_the_limit_downloads(client, world, limit):
    limit(4)
    assert _links(client.get("/explorer/?drilldown=theme_group").content.decode())[-1] == "fdp"
    response = client.get("/explorer/?drilldown=theme_group&download=fdp")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"


@pytest.mark.parametrize(
    "cut",
    ["", "place:E10000006", "place:E07000026", "organisation:XCC", "year:2010-11|basis:direct"],
)
def test_the_count_is_the_aggregates_cells(world, cut):
    """Counted by the database, the same rows the package's aggregate would have."""
    five = ["place", "organisation", "theme", "year", "basis"]
    cells = len(aggregate(cut=Cut.parse(cut), drilldown=five).cells)
    assert fiscal_data_package_cells(cut=Cut.parse(cut)) == cells
    # With a limit it stops at "more than the limit".
    assert fiscal_data_package_cells(cut=Cut.parse(cut), limit=1) == min(cells, 2)


def test_the_count_is_one_query(world, django_assert_num_queries):
    cut = Cut.parse("")
    cut.q()  # resolves the cut's codes (none here) first
    with django_assert_num_queries(1):
        assert fiscal_data_package_cells(cut=cut, limit=3) == 4
