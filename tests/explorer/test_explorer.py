"""The explorer page: the same figures as the aggregate API for the same view, a share link
that reproduces the view, and downloads through the ledger's export code."""

import csv
import io
import json
import zipfile
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from openpyxl import load_workbook

from ledger.templatetags.money import money
from tests.csv_downloads import csv_about, csv_table

from .table_text import table_rows

pytestmark = pytest.mark.django_db

# Views as the page's query string, and the same view as the API's.
VIEWS = [
    ("drilldown=theme_group&drilldown=year", "drilldown=theme_group|year"),
    ("drilldown=place&drilldown=organisation", "drilldown=place|organisation"),
    ("drilldown=theme&place=Cumbria", "drilldown=theme&cut=place:E10000006"),
    (
        "drilldown=organisation&place=E07000026&theme=highways-transport",
        "drilldown=organisation&cut=place:E07000026|theme:highways-transport",
    ),
    ("drilldown=cofog&drilldown=sector", "drilldown=cofog|sector"),
    (
        "drilldown=basis&year=2010-11&transfers=net",
        "drilldown=basis&cut=year:2010-11&transfers=net",
    ),
    ("drilldown=", ""),
    (
        "drilldown=year&drilldown=theme_group&order=groups",
        "drilldown=year|theme_group&order=year|theme_group",
    ),
    ("drilldown=organisation&measure=lines", "drilldown=organisation&order=lines:desc"),
]


def _api_rows(client, api_query: str, measures: list[str]) -> tuple[list[list[str]], list[str]]:
    """The API's cells as the page shows them: member names, then each measure chosen."""
    body = client.get(f"/api/v1/aggregate/?pagesize=10000&{api_query}").json()

    def shown(figures: dict) -> list[str]:
        return [
            money(Decimal(figures["amount"])) if m == "amount" else f"{figures['lines']:,}"
            for m in measures
        ]

    rows = [[cell[d]["name"] for d in body["drilldown"]] + shown(cell) for cell in body["cells"]]
    return rows, shown(body["summary"])


@pytest.mark.parametrize(("page_query", "api_query"), VIEWS)
def test_the_explorers_figures_are_the_aggregate_apis(client, world, page_query, api_query):
    response = client.get(f"/explorer/?{page_query}")
    assert response.status_code == 200
    table = table_rows(response.content.decode(), "explorer-table")
    measures = QueryDict(page_query).getlist("measure") or ["amount"]
    expected, total = _api_rows(client, api_query, measures)
    assert table["tbody"] == expected
    assert table["tfoot"] == [["Total", *total]]
    assert expected or "drilldown=&" in page_query + "&"
    # The page's link to the API asks the API for this very view.
    assert f'href="/api/v1/aggregate/?{response.context["query"].api_query()}"' in (
        response.content.decode().replace("&amp;", "&")
    )


def test_both_measures_and_the_lines_agree_too(client, world):
    response = client.get("/explorer/?drilldown=place&measure=amount&measure=lines")
    body = client.get("/api/v1/aggregate/?drilldown=place").json()
    table = table_rows(response.content.decode(), "explorer-table")
    assert table["thead"] == [["Place", "Amount", "Lines"]]
    assert table["tbody"] == [
        [c["place"]["name"], money(Decimal(c["amount"])), str(c["lines"])] for c in body["cells"]
    ]
    assert table["tfoot"] == [["Total", "£1,445.75", "5"]]


def test_the_share_link_carries_the_whole_view(client, world):
    first = client.get(
        "/explorer/?drilldown=organisation&drilldown=theme&place=cumbria"
        "&measure=lines&transfers=net"
    )
    share = first.context["share_url"]
    assert "drilldown=organisation&drilldown=theme&measure=lines&place=cumbria" in share
    again = client.get(urlsplit(share).path + "?" + urlsplit(share).query)
    assert table_rows(again.content.decode(), "explorer-table") == table_rows(
        first.content.decode(), "explorer-table"
    )
    assert again.context["query"] == first.context["query"]


def test_the_csv_download_is_the_apis_csv(client, world):
    response = client.get("/explorer/?drilldown=theme&drilldown=place&download=csv")
    assert response["Content-Disposition"] == 'attachment; filename="totalplace-explorer.csv"'
    page = csv_table(response)
    api = client.get("/api/v1/aggregate/?drilldown=theme|place&format=csv")
    # The API's CSV is the bare table (its about block comes as headers).
    assert page == list(csv.reader(io.StringIO(api.content.decode())))
    assert page[0] == ["theme_code", "theme_name", "place_code", "place_name", "amount", "lines"]


def test_the_xlsx_download_has_numbers_in_pounds(client, world):
    response = client.get("/explorer/?drilldown=organisation&download=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("organisation_code", "organisation_name", "amount", "lines")
    assert rows[1:] == [
        ("XCC", "X County Council", 1250.5, 2),
        ("XAL", "X Allerdale Council", 120.25, 1),
        ("XBA", "X Barrow Council", 75, 2),
    ]
    amounts = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert {cell.number_format for cell in amounts} == {'"£"#,##0.00;-"£"#,##0.00'}
    assert all(cell.data_type == "n" for cell in amounts)


def _package(client, query: str) -> tuple[dict, list[list[str]]]:
    response = client.get(f"/explorer/?{query}&download=fdp")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    rows = list(csv.reader(io.StringIO(archive.read("data/spend.csv").decode())))
    return json.loads(archive.read("datapackage.json")), rows


def test_the_fiscal_data_package_claims_no_licence_for_illustrative_figures(client, world):
    descriptor, rows = _package(client, "drilldown=theme&place=E07000026")
    assert "licenses" not in descriptor  # Allerdale's council's return is illustrative
    assert descriptor["description"].startswith("Illustrative demo data")
    assert sum(Decimal(r[-1]) for r in rows[1:]) == Decimal("370.75")
    descriptor, rows = _package(client, "drilldown=theme&place=E07000027")
    assert [licence["name"] for licence in descriptor["licenses"]] == ["OGL-UK-3.0"]
    assert sum(Decimal(r[-1]) for r in rows[1:]) == Decimal("75.00")


def test_illustrative_figures_carry_the_banner(client, world):
    assert b"banner-illustrative" in client.get("/explorer/?place=E07000026").content
    assert b"banner-illustrative" not in client.get("/explorer/?place=E07000027").content


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("drilldown=colour", "There is no drilldown “colour”."),
        ("place=Atlantis", "no place “Atlantis”"),
        ("year=1066-67", "no financial year “1066-67”"),
        ("sector=pirates", "no sector “pirates”"),
    ],
)
def test_a_view_that_names_nothing_says_so(client, world, query, message):
    response = client.get(f"/explorer/?{query}&download=csv")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


def test_the_page_is_a_table_without_javascript(client, world):
    html = client.get("/explorer/?drilldown=theme_group").content.decode()
    assert '<table class="data-table" id="explorer-table">' in html
    assert "<caption>Amount by Theme group</caption>" in html
    # Every control has a label; the charts are drawn over data the page already holds.
    for control in ("drilldown-1", "drilldown-2", "drilldown-3", "f-place", "f-year", "f-theme"):
        assert f'<label for="{control}">' in html
    assert 'id="explorer-data"' in html


def test_the_csv_download_says_what_it_is_and_the_apis_headers_say_the_same(client, world):
    from ledger.exports import NO_LICENCE

    response = client.get("/explorer/?drilldown=theme&download=csv")
    about = csv_about(response)
    assert about["Source"] == "TotalPlace explorer (the aggregate API's totals for this view)"
    # The explorer's world is illustrative: flagged, and no licence claimed.
    assert about["Illustrative"].startswith("Yes") and about["Licence"] == NO_LICENCE
    assert about["As of"]
    # The API's CSV is for programs: a bare table, the same facts in its headers.
    api = client.get("/api/v1/aggregate/?drilldown=theme&format=csv")
    assert api.content.decode().startswith("theme_code,theme_name,amount,lines")
    assert api["X-TotalPlace-Illustrative"] == "true"
    assert api["X-TotalPlace-Licence"] == NO_LICENCE
    assert api["X-TotalPlace-As-Of"] == about["As of"]
    assert api["X-TotalPlace-Source"].startswith("TotalPlace aggregate API, http://testserver/")
    assert "Link" not in api  # a licence link only for published figures
