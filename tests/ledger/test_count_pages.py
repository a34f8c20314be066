"""The count of a place on its pages: sources, basis, coverage, not reported, reconciliation."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from ledger.calculations.cuts import place_subtree_ids
from ledger.models import DatasetLine, FinancialYear, Organisation, Place, SpendRollup
from ledger.selectors.count import count_reconciliation, count_sources
from tests.ledger.dataset_helpers import (
    approved_return,
    cra_workbook,
    editor,
    load_and_approve,
    new_edition,
    wide_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editors(reference_data):
    return editor("loader"), editor("checker")


@pytest.fixture
def counted(editors):
    """HM Treasury's figures for the North West, and DWP's own return for Cumbria."""
    loader, checker = editors
    edition = load_and_approve(
        new_edition(content=cra_workbook(), filename="cra.xlsx", actor=loader, fmt="regional"),
        loader=loader,
        approver=checker,
    )
    dwp = Organisation.objects.get(code="DWP")
    approved_return(dwp, "2017-18", {"E07000028": Decimal("500.00")}, place="E10000006")
    from ledger.services.rollups import rollup_rebuild

    rollup_rebuild()
    return edition


def test_the_place_page_says_where_each_bodys_figures_come_from(client, counted):
    page = client.get("/places/cumbria/?year=2017-18").content.decode()
    assert "The count of Cumbria, 2017-18" in page
    assert "Estimated: top-down, apportioned from national figures" in page
    assert "Returned: the bodies&#x27; own figures" in page
    cumbria, year = (
        Place.objects.get(gss_code="E10000006"),
        FinancialYear.objects.get(code="2017-18"),
    )
    sources = {
        u.organisation.code: (u.source, u.basis, u.amount)
        for u in count_sources(place=cumbria, year=year)
    }
    assert sources["DWP"] == ("Approved spend return", "returned", Decimal("500.00"))
    assert sources["LG-ENG"][:2] == ("A regional dataset, 2023-24", "estimated")
    # Every figure on the count's tables adds up to the headline total.
    subtree = place_subtree_ids([cumbria.pk])
    total = SpendRollup.objects.filter(place_id__in=subtree, financial_year=year).aggregate(
        t=Sum("amount")
    )["t"]
    assert sum(u.amount for u in count_sources(place=cumbria, year=year)) == total


def test_the_reconciliation_compares_top_down_with_bottom_up(client, counted):
    cumbria, year = (
        Place.objects.get(gss_code="E10000006"),
        FinancialYear.objects.get(code="2017-18"),
    )
    rows = count_reconciliation(place=cumbria, year=year)
    dwp = [r for r in rows if r.label == "Department for Work and Pensions"]
    top_down = DatasetLine.objects.filter(
        edition=counted,
        organisation__code="DWP",
        financial_year=year,
        place_id__in=place_subtree_ids([cumbria.pk]),
    ).aggregate(t=Sum("amount"))["t"]
    assert sum(r.top_down for r in dwp) == top_down  # even though the count uses the return
    assert sum(r.bottom_up for r in dwp) == Decimal("500.00")
    page = client.get("/places/cumbria/reconciliation/?year=2017-18&by=sector").content.decode()
    assert "Top-down against bottom-up in Cumbria, 2017-18" in page
    assert "Central government" in page
    csv = client.get(
        "/places/cumbria/reconciliation/?year=2017-18&export=csv&table=count-reconciliation"
    )
    assert csv.status_code == 200 and b"Top-down" in b"".join(csv.streaming_content)


def test_a_body_not_reported_is_never_shown_as_nothing(client, editors):
    loader, checker = editors
    load_and_approve(
        new_edition(content=wide_bytes(), filename="ra.csv", actor=loader),
        loader=loader,
        approver=checker,
    )
    page = client.get("/places/woking/").content.decode()
    assert "not reported" in page and "Woking Borough Council" in page
    body = client.get("/api/v1/places/E07000217/totals/").json()
    assert [
        (n["year"], n["organisation"]["code"], n["complete"]) for n in body["not_reported"]
    ] == [("2023-24", "E07000217", True)]
    page = client.get("/compare/?place=woking&place=adur").content.decode()
    assert "Woking Borough Council</strong> is not reported for 2023-24" in page

    # A place with figures for the year says beside its total that a body is not reported
    # (the South East: Adur has figures, Woking none), and its count lists it.
    south_east = Place.objects.get(gss_code="E12000008")
    page = client.get(f"/places/{south_east.slug}/?year=2023-24").content.decode()
    assert 'id="incomplete-total"' in page and "Woking Borough Council not reported" in page
    assert 'id="not-reported"' in page
    assert "<strong>Woking Borough Council</strong>: not reported in" in page
    page = client.get("/places/adur/?year=2023-24").content.decode()
    assert 'id="incomplete-total"' not in page and 'id="not-reported"' not in page
