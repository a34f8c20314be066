"""Organisation pages: spend by year, theme and place to the penny, returns and their months,
transfers to and from other public bodies, and the measure toggle."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.calculations.cuts import Cut
from ledger.calculations.deflate import deflator_series
from ledger.calculations.measures import Measure
from ledger.calculations.totals import aggregate

pytestmark = pytest.mark.django_db


def _rows(table):
    return [row.values(table.columns) for row in table.rows]


def test_organisation_spend_reconciles_to_the_penny(client, suppliers):
    response = client.get(reverse("organisation-detail", args=["tcc"]))
    assert response.status_code == 200
    tables = response.context["tables"]
    # The council: £1,100.01 in 2010-11; £375.75 in 2011-12 (of which £30.00 paid the PCT).
    assert _rows(tables["by-year"]) == [
        ["2010-11", Decimal("1100.01"), Decimal("0.00"), 2, "months not known"],
        ["2011-12", Decimal("375.75"), Decimal("30.00"), 6, "part year (3 of 12 months)"],
        ["Total", Decimal("1475.76"), Decimal("30.00"), 8, None],
    ]
    # The same totals the place pages and the API read (one calculations module).
    whole = aggregate(cut=Cut({"organisation": ["TCC"]}))
    assert whole.amount == Decimal("1475.76") == tables["by-year"].rows[-1].cells["amount"]
    themes = tables["by-theme"]
    assert [c.label for c in themes.columns] == ["Theme", "2010-11", "2011-12", "Total"]
    assert _rows(themes) == [
        ["T Education", Decimal("1000.00"), Decimal("125.25"), Decimal("1125.25")],
        ["T Roads", Decimal("100.01"), Decimal("250.50"), Decimal("350.51")],
        ["Total", Decimal("1100.01"), Decimal("375.75"), Decimal("1475.76")],
    ]
    assert themes.column_total("total") == Decimal("1475.76")
    places = tables["by-place"]
    assert "2011-12" in places.caption
    assert _rows(places) == [
        ["Testshire", Decimal("317.59"), Decimal("0.32"), 4],
        ["North Testshire", Decimal("58.16"), Decimal("0.10"), 2],
        ["Total", Decimal("375.75"), None, 6],
    ]
    body = response.content.decode()
    assert "£1,475.76" in body and "part year (3 of 12 months)" in body


def test_returns_and_their_months(client, suppliers):
    tables = client.get(reverse("organisation-detail", args=["TCC"])).context["tables"]
    rows = _rows(tables["returns"])
    assert [(r[0], r[4], r[5]) for r in rows] == [
        ("2011-12", "Apr–Jun", "part year (3 of 12 months)"),
        ("2010-11", "months not known", "no"),
    ]
    link = tables["returns"].rows[0].links["title"]
    assert link == reverse("spend-return-detail", args=[suppliers["council_return2"].pk])


def test_payments_to_and_from_public_bodies(client, suppliers):
    council = client.get(reverse("organisation-detail", args=["TCC"])).context["tables"]
    assert _rows(council["paid"]) == [
        ["2011-12", "Testshire PCT", Decimal("30.00"), 1],
        ["Total", None, Decimal("30.00"), 1],
    ]
    assert "received" not in council
    pct = client.get(reverse("organisation-detail", args=["TPCT"]))
    received = pct.context["tables"]["received"]
    assert _rows(received)[0] == ["2011-12", "Testshire County Council", Decimal("30.00"), 1]
    assert received.rows[0].links["body"] == reverse("organisation-detail", args=["TCC"])


def test_real_terms_and_per_head_toggle(client, suppliers):
    url = reverse("organisation-detail", args=["TCC"])
    real = client.get(url, {"measure": "real", "base": "2006-07"}).context
    series = deflator_series()
    expected = (Decimal("375.75") * series["2006-07"] / series["2011-12"]).quantize(Decimal("0.01"))
    years = real["tables"]["by-year"]
    assert years.columns[2].label == "Real terms (£ at 2006-07 prices)"
    assert years.rows[1].cells["measured"] == expected
    assert "vintage" in years.note and "gdp_deflator.csv" in years.note
    assert real["tables"]["by-theme"].rows[-1].cells["y2011-12"] == expected
    per_head = client.get(url, {"measure": "per_head"}).context["tables"]["by-year"]
    # The county's people (its districts': 610 + 390) in 2011-12; 600 + 400 in 2010-11.
    assert [r.cells.get("measured") for r in per_head.rows[:2]] == [
        Decimal("1.10"),
        Decimal("0.38"),
    ]
    assert Measure("real_per_head", "2023-24").apply(
        Decimal("1000.00"), year="2023-24", persons=3
    ) == Decimal("333.33")
    assert Measure("real", "2023-24").apply(Decimal("1"), year="1066-67", persons=None) is None


def test_organisation_list_and_unknown_code(client, suppliers):
    listed = client.get(reverse("organisation-list"), {"q": "testshire"})
    names = [o.name for o in listed.context["page"].object_list]
    assert names == ["Testshire County Council", "Testshire PCT"]
    assert client.get(reverse("organisation-detail", args=["NOPE"])).status_code == 404
    export = client.get(
        reverse("organisation-detail", args=["TCC"]), {"export": "csv", "table": "by-theme"}
    )
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "T Roads,100.01,250.50,350.51" in text


def test_place_page_offers_the_same_measures(client, suppliers):
    url = reverse("place-detail", args=["testshire"])
    context = client.get(url, {"year": "2011-12", "measure": "real_per_head"}).context
    years = context["tables"]["by-year"]
    measure = Measure("real_per_head", "2023-24")
    assert [r.cells["measured"] for r in years.rows] == [
        measure.apply(r.cells["amount"], year=r.cells["year"], persons=r.cells["persons"])
        for r in years.rows
    ]
    assert years.rows[1].cells["measured"] is not None and "vintage" in years.note
    assert "Real terms per head" in context["tables"]["comparison"].columns[-1].label
    cash = client.get(url).context["tables"]["by-year"]
    assert "measured" not in [c.key for c in cash.columns]


def test_gross_and_net_links_keep_the_measure(client, suppliers):
    url = reverse("place-detail", args=["testshire"])
    body = client.get(url, {"measure": "real", "base": "2010-11"}).content.decode()
    assert 'href="?measure=real&amp;base=2010-11&amp;year=2011-12&amp;transfers=gross"' in body
