"""Suppliers: one payee however it is spelt, top suppliers that add up to the totals, the
lines page's search, range and sorted keyset pages; redacted names never shown or matched."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse

from ledger.calculations.suppliers import supplier_key_from_slug, supplier_key_sql, supplier_slug
from ledger.models import SpendLine
from ledger.pages.keyset_sorted import SORTS, sorted_keyset_page
from ledger.selectors.access import approved_lines
from ledger.selectors.suppliers import top_suppliers
from ledger.services.transfers import supplier_key

pytestmark = pytest.mark.django_db

NAMES = [
    "Acme Ltd",
    "ACME LIMITED",
    "acme ltd.",
    "Acme & Co",
    "  Leeds Teaching Hospitals NHS Trust Ltd. ",
    "LTD",
    "Smith's Plumbing PLC Ltd",
    "O'Neill -- Roofing (2010) Limited",
    "ltd acme",
    "Café Nero",
    "",
]


def test_the_database_key_is_the_transfer_matchings_key(mini):
    line = SpendLine.objects.first()
    for name in NAMES:
        SpendLine.objects.filter(pk=line.pk).update(supplier_name=name)
        found = SpendLine.objects.annotate(k=supplier_key_sql()).get(pk=line.pk).k
        assert found == supplier_key(name), name
    SpendLine.objects.filter(pk=line.pk).update(supplier_redacted=True)
    assert SpendLine.objects.annotate(k=supplier_key_sql()).get(pk=line.pk).k == ""
    assert supplier_key_from_slug(supplier_slug("ACME AND CO")) == "ACME AND CO"
    assert supplier_key_from_slug("") is None and supplier_key_from_slug("a--b") is None


def test_top_suppliers_add_up_to_the_organisations_total(client, suppliers):
    top = top_suppliers(organisation=suppliers["council"], year=suppliers["year2"])
    assert [(s.key, s.amount, s.lines) for s in top.suppliers] == [
        ("ACME", Decimal("250.50"), 2),
        ("ACME AND CO", Decimal("75.25"), 1),
        ("TESTSHIRE PCT", Decimal("30.00"), 1),
    ]
    assert (top.redacted.name, top.redacted.amount, top.redacted.lines) == (
        "Redacted",
        Decimal("20.00"),
        2,
    )
    total = sum((s.amount for s in top.suppliers), top.redacted.amount)
    page = reverse("organisation-detail", args=["TCC"])
    years = client.get(page).context["tables"]["by-year"]
    assert total == years.rows[1].cells["amount"] == Decimal("375.75")
    place = top_suppliers(place=suppliers["county"], year=suppliers["year2"])
    assert place.suppliers[0].amount == Decimal("270.49")  # the council's and the PCT's Acme


def test_supplier_page_across_councils(client, suppliers):
    response = client.get(reverse("supplier-detail", args=["acme"]))
    assert response.status_code == 200
    payers = response.context["payers"]
    assert [r.values(payers.columns) for r in payers.rows] == [
        ["2011-12", "Testshire County Council", Decimal("250.50"), 2],
        ["2011-12", "Testshire PCT", Decimal("19.99"), 1],
        ["Total", None, Decimal("270.49"), 3],
    ]
    profile = response.context["profile"]
    assert profile.spellings == ["ACME LIMITED", "Acme Ltd", "acme ltd."]
    assert profile.first_date == dt.date(2011, 4, 15)
    assert len(response.context["page"].object_list) == 3
    assert client.get("/suppliers/acme-ltd/").url == reverse("supplier-detail", args=["acme"])
    assert client.get("/suppliers/nobody/").status_code == 404
    assert client.get("/suppliers/jane-secret-person/").status_code == 404
    found = client.get(reverse("supplier-list"), {"q": "acme"}).context["table"]
    assert [r.cells["supplier"] for r in found.rows] == ["ACME LIMITED", "Acme & Co"]
    assert client.get(reverse("supplier-list"), {"q": "jane"}).context["table"].rows == []


def test_redacted_names_never_show(client, suppliers):
    pages = [
        reverse("organisation-detail", args=["TCC"]) + "?year=2011-12",
        reverse("place-detail", args=["testshire"]) + "?year=2011-12",
        reverse("place-lines", args=["testshire"]) + "?year=2011-12",
        reverse("place-lines", args=["testshire"]) + "?sort=supplier",
        reverse("place-lines", args=["testshire"]) + "?q=jane",
        reverse("supplier-list") + "?q=secret",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "Secret" not in body and "Jane" not in body, url
    top = client.get(pages[1]).context["tables"]["top-suppliers"]
    assert top.rows[-1].cells == {"supplier": "Redacted", "amount": Decimal("20.00"), "lines": 2}
    assert "supplier" not in top.rows[-1].links


def test_lines_page_search_range_and_columns(client, suppliers):
    url = reverse("place-lines", args=["testshire"])
    acme = client.get(url, {"q": "acme"}).context
    assert sorted(line.supplier_name for line in acme["page"]) == [
        "ACME LIMITED",
        "Acme & Co",
        "Acme Ltd",
        "acme ltd.",
    ]
    assert (acme["summary"].amount, acme["summary"].lines) == (Decimal("345.74"), 4)
    assert client.get(url, {"q": "jane"}).context["summary"].lines == 0
    assert client.get(url, {"q": "care"}).context["summary"].lines == 2  # the expense type
    ranged = client.get(url, {"min": "50", "max": "£100.01"}).context
    assert sorted(line.amount for line in ranged["page"]) == [
        Decimal("50.00"),
        Decimal("50.50"),
        Decimal("75.25"),
        Decimal("100.01"),
    ]
    bad = client.get(url, {"min": "lots"})
    assert "is not an amount of money" in bad.content.decode()
    body = client.get(url, {"year": "2011-12"}).content.decode()
    for header in ("Supplier", "Expense type", "Date", "Amount"):
        assert '<th scope="col"' in body and header in body
    assert reverse("supplier-detail", args=["acme"]) in body


@pytest.mark.parametrize("sort", ["amount", "-amount", "date", "-date", "supplier"])
def test_sorted_keyset_pages_walk_every_line_once_both_ways(suppliers, sort):
    lines = approved_lines()
    spec = SORTS[sort]

    def key(line):
        if spec.kind == "amount":
            value = line.amount
        elif spec.kind == "date":
            value = line.transaction_date or (dt.date.min if spec.descending else dt.date.max)
        else:
            value = "" if line.supplier_redacted else supplier_key(line.supplier_name)
        return (value, line.pk)

    expected = sorted(lines, key=key, reverse=spec.descending)
    factory = RequestFactory()
    seen, pages, params = [], [], {}
    while True:
        page = sorted_keyset_page(lines, request=factory.get("/", params), per_page=3, sort=spec)
        seen += [line.pk for line in page]
        pages.append(page)
        if not page.has_next:
            break
        params = {"after": page.after}
    assert seen == [line.pk for line in expected]
    back = sorted_keyset_page(
        lines, request=factory.get("/", {"before": pages[-1].before}), per_page=3, sort=spec
    )
    assert [line.pk for line in back] == [line.pk for line in pages[-2]]
    garbage = sorted_keyset_page(
        lines, request=factory.get("/", {"after": "x~y"}), per_page=3, sort=spec
    )
    assert [line.pk for line in garbage] == seen[:3]


def test_search_sort_and_ranking_refused_past_their_limits(client, suppliers, monkeypatch):
    from ledger.pages import lines, organisations, place

    url = reverse("place-lines", args=["testshire"])
    monkeypatch.setattr(lines, "SEARCH_LIMIT", 3)
    refused = client.get(url, {"sort": "-amount", "q": "acme"})
    assert refused.context["search_refused"] and refused.context["sort"] == ""
    assert refused.context["summary"].lines == 11  # every line, by line number
    ids = [line.pk for line in refused.context["page"]]
    assert ids == sorted(ids)
    assert "Searching and sorting are offered for up to 3 lines" in refused.content.decode()
    allowed = client.get(url, {"sort": "-amount", "year": "2011-12", "organisation": "TPCT"})
    assert not allowed.context["search_refused"]
    for module in (organisations, place):
        monkeypatch.setattr(module, "RANKED_LINES_LIMIT", 2)
    page = client.get(reverse("organisation-detail", args=["TCC"])).context["tables"]
    assert page["top-suppliers"].rows == [] and "6 lines" in page["top-suppliers"].note
