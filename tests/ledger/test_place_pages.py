"""Analyst pages on the small ledger: drill-down, compare, exports, escaping, caching."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ledger.calculations.deflate import deflator_series, real_terms
from ledger.exports import safe_cell
from ledger.models import SpendLine
from tests.csv_downloads import csv_table

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Plain", "Plain"),
        (Decimal("-2.50"), Decimal("-2.50")),
        (7, 7),
        (None, ""),
    ],
)
def test_spreadsheet_cells_are_escaped_but_numbers_stay_numbers(value, expected):
    assert safe_cell(value) == expected


def test_exports_escape_formulas_in_csv_and_xlsx(client, mini):
    mini["pct"].name = "=cmd|' /C calc'!A0"
    mini["pct"].save()
    url = reverse("place-detail", args=["testshire"])
    response = client.get(url, {"export": "csv", "table": "by-organisation"})
    rows = csv_table(response)
    assert rows == [
        ["Organisation", "Amount", "Share %", "Lines", "Months covered"],
        ["Testshire County Council", "1100.01", "96.5", "2", "months not known"],
        ["'=cmd|' /C calc'!A0", "40.00", "3.5", "2", "months not known"],
        ["Total", "1140.01", "100.0", "4", "months not known"],
    ]
    response = client.get(url, {"export": "xlsx", "table": "by-organisation"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[2][0] == "'=cmd|' /C calc'!A0"
    assert values[3][1] == 1140.01  # a number cell, not text
    assert client.get(url, {"export": "csv", "table": "nope"}).status_code == 404


def test_place_page_links_every_figure_to_its_lines(client, mini):
    response = client.get(reverse("place-detail", args=["testshire"]))
    body = response.content.decode()
    assert "£1,140.01" in body
    sector = response.context["tables"]["by-sector"].rows[1]
    assert sector.cells["name"] == "NHS"
    lines = client.get(sector.links["amount"])
    assert lines.context["summary"].amount == Decimal("40.00")
    assert [line.amount for line in lines.context["page"].object_list] == [
        Decimal("50.00"),
        Decimal("-10.00"),
    ]
    line = lines.context["page"].object_list[1]
    detail = client.get(reverse("line-detail", args=[line.pk])).content.decode()
    assert "Testshire PCT" in detail and "Source row" in detail and ">3<" in detail
    assert "Apportioned by population" in detail


def test_district_page_shows_its_apportioned_share(client, mini):
    table = client.get(reverse("place-detail", args=["north-testshire"])).context["tables"][
        "area-wide-share"
    ]
    # County-level £1,000.00 (council) and £50.00 (PCT) split 600:400 by population.
    assert [(r.cells["organisation"], r.cells["amount"]) for r in table.rows] == [
        ("Testshire County Council", Decimal("600.00")),
        ("Testshire PCT", Decimal("30.00")),
        ("Share of area-wide spend", Decimal("630.00")),
        ("Total place (North Testshire spend plus its share)", Decimal("730.01")),
    ]
    assert "Apportioned by population: 600 of 1,000 people" in table.note


def test_compare_places_in_cash_per_head_and_real_terms(client, mini):
    url = reverse("compare")
    cash = client.get(url, {"place": ["testshire", "North Testshire"]}).context["table"]
    assert [c.label for c in cash.columns] == ["Financial year", "Testshire", "North Testshire"]
    assert list(cash.rows[0].values(cash.columns)) == [
        "2010-11",
        Decimal("1140.01"),
        Decimal("100.01"),
    ]
    per_head = client.get(
        url, {"place": ["testshire", "north-testshire"], "measure": "per_head"}
    ).context["table"]
    assert per_head.rows[0].values(per_head.columns)[1:] == [Decimal("1.14"), Decimal("0.17")]
    real = client.get(url, {"place": ["testshire"], "measure": "real", "base": "2006-07"}).context[
        "table"
    ]
    series = deflator_series()
    expected = (Decimal("1140.01") * series["2006-07"] / series["2010-11"]).quantize(
        Decimal("0.01")
    )
    assert (
        real.rows[0].values(real.columns)[1]
        == expected
        == real_terms(Decimal("1140.01"), year="2010-11", base_year="2006-07")
    )
    many = client.get(url, {"place": ["testshire"] * 9}).context
    assert len(many["inputs"]) == 6
    missing = client.get(url, {"place": ["Atlantis"]})
    assert "No place matches “Atlantis”" in missing.content.decode()


def test_totals_cache_follows_the_rollups(client, mini, django_capture_on_commit_callbacks):
    from ledger.services.approval import spend_return_approve, spend_return_submit
    from ledger.services.lines import spend_lines_add
    from ledger.services.returns import spend_return_create

    url = "/api/v1/places/E98000001/totals/"
    assert client.get(url).json()["years"][0]["amount"] == "1140.01"
    new = spend_return_create(organisation=mini["pct"], financial_year=mini["year"], actor=None)
    spend_lines_add(
        spend_return=new,
        lines=[SpendLine(place=mini["county"], theme=mini["roads"], amount=Decimal("1.00"))],
    )
    spend_return_submit(spend_return=new, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        spend_return_approve(spend_return=new, actor=None)
    # The PCT's £40.00 (two lines) is superseded by its £1.00.
    assert client.get(url).json()["years"][0]["amount"] == "1101.01"
