"""The explorer's measure toggle (``show_as``): real terms and per head equal what
``ledger.calculations.measures`` gives for the aggregate API's cash figures, per head only
where the row's place has a population, the deflator's vintage stated, and the choice kept in
the share link and the downloads."""

import io
import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook

from ledger.calculations.deflate import deflator_source
from ledger.calculations.measures import Measure
from ledger.templatetags.money import money
from tests.csv_downloads import csv_parts

from .table_text import table_rows

pytestmark = pytest.mark.django_db

NONE = "—"
YEAR = "2010-11"
PERSONS = {"E07000026": 1000}  # the world's populations for 2010-11 (Allerdale); Barrow none


def _api(client, query: str) -> dict:
    return client.get(f"/api/v1/aggregate/?pagesize=10000&{query}").json()


def _shown(figure: Decimal | None) -> str:
    return NONE if figure is None else money(figure)


def _page(client, query: str):
    response = client.get(f"/explorer/?{query}")
    assert response.status_code == 200
    return response, table_rows(response.content.decode(), "explorer-table")


def test_real_terms_per_head_by_place_is_the_measures_figure(client, world):
    response, table = _page(
        client, f"drilldown=place&year={YEAR}&show_as=real_per_head&base=2023-24"
    )
    measure = Measure("real_per_head", "2023-24")
    body = _api(client, f"drilldown=place&cut=year:{YEAR}")
    assert table["thead"][0][-1] == "Real terms per head (£ at 2023-24 prices)"
    expected = [
        [
            c["place"]["name"],
            money(Decimal(c["amount"])),
            _shown(
                measure.apply(
                    Decimal(c["amount"]), year=YEAR, persons=PERSONS.get(c["place"]["code"])
                )
            ),
        ]
        for c in body["cells"]
    ]
    assert table["tbody"] == expected
    by_name = {row[0]: row[-1] for row in table["tbody"]}
    # Allerdale: (£250.50 + £120.25) at 2023-24 prices (100 / 71.5) over 1,000 people.
    assert by_name["Allerdale"] == "£0.52"
    assert by_name["Barrow-in-Furness"] == NONE  # no population: no figure, never £0
    assert table["tfoot"] == [["Total", money(Decimal(body["summary"]["amount"])), NONE]]
    note = response.content.decode()
    assert deflator_source()["vintage"] in note.replace("&quot;", '"')
    assert "no population for that place and year" in note


def test_real_terms_by_year_add_up_and_the_cash_stays_the_apis(client, world):
    _, table = _page(client, "drilldown=year&drilldown=theme_group&show_as=real&base=2006-07")
    measure = Measure("real", "2006-07")
    body = _api(client, "drilldown=year|theme_group&order=amount:desc")
    assert [row[:-1] for row in table["tbody"]] == [
        [c["year"]["name"], c["theme_group"]["name"], money(Decimal(c["amount"]))]
        for c in body["cells"]
    ]
    figures = [
        measure.apply(Decimal(c["amount"]), year=c["year"]["code"], persons=None)
        for c in body["cells"]
    ]
    assert [row[-1] for row in table["tbody"]] == [money(f) for f in figures]
    # Real terms add up across years: the total is the sum of the rows' figures.
    assert table["tfoot"][0][-1] == money(sum(figures))
    assert table["tfoot"][0][-2] == money(Decimal(body["summary"]["amount"]))


def test_per_head_for_one_place_and_year_divides_by_its_population(client, world):
    _, table = _page(client, f"drilldown=theme&place=E07000026&year={YEAR}&show_as=per_head")
    body = _api(client, f"drilldown=theme&cut=place:E07000026|year:{YEAR}")
    cash = Measure("per_head", "2023-24")
    assert [row[-1] for row in table["tbody"]] == [
        money(cash.apply(Decimal(c["amount"]), year=YEAR, persons=1000)) for c in body["cells"]
    ]
    total = cash.apply(Decimal(body["summary"]["amount"]), year=YEAR, persons=1000)
    assert table["tfoot"][0][-1] == money(total) == "£0.37"


def test_without_a_year_or_place_the_page_says_what_is_needed(client, world):
    response, table = _page(client, "drilldown=theme&show_as=real_per_head")
    assert {row[-1] for row in table["tbody"]} == {NONE}
    text = response.content.decode()
    assert "needs a financial year: group by year or choose one" in text
    assert "Per head needs a place: group by place or choose one" in text
    assert response.context["chart"]["bars"] == []  # nothing to draw, rather than zeros


def test_the_charts_draw_the_converted_figures(client, world):
    response, table = _page(client, f"drilldown=place&drilldown=theme&year={YEAR}&show_as=per_head")
    chart = response.context["chart"]
    measure = Measure("per_head", "2023-24")
    allerdale = _api(client, f"cut=place:E07000026|year:{YEAR}")["summary"]["amount"]
    # Only Allerdale has a population: its bar is its whole spend per head; the rest are left out.
    assert chart["bars"] == [
        {
            "label": "Allerdale",
            "value": str(measure.apply(Decimal(allerdale), year=YEAR, persons=1000)),
        }
    ]
    assert chart["bars_missing"] and chart["label"] == "Cash per head"
    assert [c["value"] for c in chart["tree"]] == [
        row[-1].replace("£", "") for row in table["tbody"] if row[-1] != NONE
    ]
    assert "Bar chart of Cash per head" in response.content.decode()
    assert (
        json.loads(
            response.content.decode()
            .split('id="explorer-data" type="application/json">')[1]
            .split("</script>")[0]
        )["measure"]
        == "amount"
    )  # drawn as money


def test_the_share_link_and_downloads_keep_the_measure(client, world):
    query = f"drilldown=place&year={YEAR}&show_as=real_per_head&base=2022-23"
    first = client.get(f"/explorer/?{query}")
    share = first.context["share_url"]
    assert "show_as=real_per_head&base=2022-23" in share
    again = client.get(urlsplit(share).path + "?" + urlsplit(share).query)
    assert again.context["query"].show_as == Measure("real_per_head", "2022-23")
    measure = Measure("real_per_head", "2022-23")
    body = _api(client, f"drilldown=place&cut=year:{YEAR}")
    expected = [
        measure.apply(Decimal(c["amount"]), year=YEAR, persons=PERSONS.get(c["place"]["code"]))
        for c in body["cells"]
    ]
    download = next(url for key, _, url in first.context["downloads"] if key == "csv")
    response = client.get(f"/explorer/{download}")
    about, rows = csv_parts(response)
    assert rows[0][-1] == "real_per_head_at_2022-23_prices"
    assert "Real terms per head (£ at 2022-23 prices)" in about["Note"].split("\n")
    assert deflator_source()["vintage"] in about["Note"]
    assert [r[-1] for r in rows[1:]] == ["" if e is None else str(e) for e in expected]
    xlsx = client.get(f"/explorer/?{query}&download=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book.worksheets[0]
    values = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == [None if e is None else float(e) for e in expected]
    about = [row[1] for row in book["About"].iter_rows(values_only=True)]
    assert "Real terms per head (£ at 2022-23 prices)" in about
    assert any(deflator_source()["vintage"] in str(v) for v in about)


def test_cash_adds_no_column_and_an_unknown_measure_is_cash(client, world):
    for query in ("drilldown=place", "drilldown=place&show_as=nonsense"):
        response, table = _page(client, query)
        assert table["thead"] == [["Place", "Amount"]]
        assert response.context["measured"] is None
        assert "show_as" not in response.context["share_url"]


def test_a_year_without_a_deflator_has_no_real_terms_figure(client, world, monkeypatch):
    from ledger.calculations import deflate

    series = {y: v for y, v in deflate.deflator_series().items() if y != YEAR}
    monkeypatch.setattr("explorer.measured.deflator_series", lambda: series)
    monkeypatch.setattr("ledger.calculations.measures.deflator_series", lambda: series)
    response, table = _page(client, "drilldown=year&show_as=real")
    assert table["tbody"][0][-1] == NONE and table["tfoot"][0][-1] == NONE
    assert "no deflator for that year" in response.content.decode()
