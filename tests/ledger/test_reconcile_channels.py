"""Every figure reconciles to the penny with the sum of lines: pages, API, CSV, XLSX, FDP."""

import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook

from ledger.calculations.cuts import place_subtree_ids
from ledger.models import Place, Sector
from ledger.selectors.access import approved_lines
from tests.csv_downloads import csv_table

# The demo is loaded once for the whole module (tests/conftest.py): its tests all use it.
pytestmark = pytest.mark.django_db
CUMBRIA = [
    "cumbria",
    "allerdale",
    "barrow-in-furness",
    "carlisle",
    "copeland",
    "eden",
    "south-lakeland",
]
YEARS = ["2006-07", "2010-11"]


def lines_total(place, year, **filters):
    return approved_lines().filter(
        place_id__in=place_subtree_ids([place.pk]), financial_year__code=year, **filters
    ).aggregate(t=Sum("amount"))["t"] or Decimal("0.00")


def page_tables(client, slug, year, transfers="gross"):
    """The place page counts net of transfers by default; the lines' sum is the gross figure."""
    return client.get(
        reverse("place-detail", args=[slug]), {"year": year, "transfers": transfers}
    ).context["tables"]


def export_rows(client, slug, year, table, fmt):
    response = client.get(
        reverse("place-detail", args=[slug]),
        {"year": year, "export": fmt, "table": table, "transfers": "gross"},
    )
    if fmt == "csv":
        return csv_table(response)
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def assert_every_channel_reconciles(client, place, year) -> Decimal:
    """Pages, page exports (CSV, XLSX), the API (totals, aggregate JSON and CSV) and the Fiscal
    Data Package all agree, to the penny, with the sum of the approved lines."""
    slug = place.slug
    expected = lines_total(place, year)
    assert expected != 0
    # Pages: the headline, every breakdown's total row, and the by-year row.
    tables = page_tables(client, slug, year)
    for name in ("by-sector", "by-organisation", "by-theme-group"):
        total_row = tables[name].rows[-1]
        assert total_row.cells["amount"] == expected
        assert tables[name].column_total("amount") == expected
    by_year = {r.cells["year"]: r.cells["amount"] for r in tables["by-year"].rows}
    assert by_year[year] == expected
    # Sector by sector, the page agrees with the lines.
    for row in tables["by-sector"].rows[:-1]:
        sector = next(v for v, label in Sector.choices if label == row.cells["name"])
        assert row.cells["amount"] == lines_total(place, year, organisation__sector=sector)
    # API: place totals and the aggregate.
    body = client.get(
        f"/api/v1/places/{place.code}/totals/", {"year": year, "transfers": "gross"}
    ).json()
    assert body["transfers"] == "gross"
    api_year = next(r for r in body["years"] if r["year"] == year)
    assert Decimal(api_year["amount"]) == expected
    assert sum(Decimal(r["amount"]) for r in body["by_theme"]) == expected
    agg = client.get(
        "/api/v1/aggregate/",
        {"cut": f"place:{place.code}|year:{year}", "drilldown": "organisation|cofog"},
    ).json()
    assert Decimal(agg["summary"]["amount"]) == expected
    assert sum(Decimal(c["amount"]) for c in agg["cells"]) == expected
    agg_csv = client.get(
        "/api/v1/aggregate/",
        {"cut": f"place:{place.code}|year:{year}", "drilldown": "theme", "format": "csv"},
    )
    rows = list(csv.DictReader(io.StringIO(agg_csv.content.decode())))
    assert sum(Decimal(r["amount"]) for r in rows) == expected
    # CSV and XLSX exports of the page tables.
    for fmt in ("csv", "xlsx"):
        rows = export_rows(client, slug, year, "by-organisation", fmt)
        assert rows[0] == ["Organisation", "Amount", "Share %", "Lines", "Months covered"]
        assert Decimal(str(rows[-1][1])) == expected
        assert sum(Decimal(str(r[1])) for r in rows[1:-1]) == expected
    # Fiscal Data Package.
    package = client.get("/api/v1/fiscal-data-package/", {"cut": f"place:{place.code}|year:{year}"})
    with zipfile.ZipFile(io.BytesIO(package.content)) as zf:
        data = list(csv.DictReader(io.StringIO(zf.read("data/spend.csv").decode())))
    assert sum(Decimal(r["amount"]) for r in data) == expected
    return expected


@pytest.mark.parametrize("slug", ["cumbria", "eden", "copeland"])
def test_every_channel_reconciles_with_the_lines(client, cumbria_totals, slug):
    place = Place.objects.get(slug=slug)
    for year in YEARS:
        assert assert_every_channel_reconciles(client, place, year) > 0


def test_lines_page_total_reconciles_for_every_filter(client, cumbria_totals):
    place = Place.objects.get(slug="cumbria")
    for params, filters in [
        ({"year": "2008-09"}, {"financial_year__code": "2008-09"}),
        (
            {"year": "2008-09", "sector": "nhs"},
            {"financial_year__code": "2008-09", "organisation__sector": "nhs"},
        ),
        (
            {"year": "2008-09", "basis": "apportioned"},
            {"financial_year__code": "2008-09", "basis": "apportioned"},
        ),
        ({"theme": "education"}, {"theme__parent__code": "education"}),
    ]:
        response = client.get(reverse("place-lines", args=["cumbria"]), params)
        expected = (
            approved_lines()
            .filter(place_id__in=place_subtree_ids([place.pk]), **filters)
            .aggregate(t=Sum("amount"))["t"]
        )
        assert response.context["summary"].amount == expected
        assert (
            response.context["summary"].lines
            == approved_lines()
            .filter(place_id__in=place_subtree_ids([place.pk]), **filters)
            .count()
        )


def test_district_shares_of_county_wide_spend_add_up_exactly(client, cumbria_totals):
    county = Place.objects.get(slug="cumbria")
    year = "2009-10"
    county_level = (
        approved_lines()
        .filter(place=county, financial_year__code=year)
        .aggregate(t=Sum("amount"))["t"]
    )
    shares = Decimal(0)
    for slug in CUMBRIA[1:]:
        table = page_tables(client, slug, year)["area-wide-share"]
        assert all(r.cells["basis"] == "Apportioned by population" for r in table.rows[:-2])
        shares += table.rows[-2].cells["amount"]
    assert shares == county_level


def test_fiscal_data_package_is_valid(client, cumbria_totals, tmp_path):
    """Validated offline: frictionless checks the package, its Table Schema and every CSV row;
    the Fiscal Data Package JSON Schema (as shipped by datapackage-py) checks the model."""
    frictionless = pytest.importorskip("frictionless")
    jsonschema = pytest.importorskip("jsonschema")
    response = client.get("/api/v1/fiscal-data-package/", {"cut": "place:E10000006"})
    assert response["Content-Type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert descriptor["profile"] == "fiscal-data-package"
    assert descriptor["countryCode"] == "GB"
    assert descriptor["model"]["measures"] == {
        "amount": {
            "source": "amount",
            "currency": "GBP",
            "factor": 1,
            "direction": "expenditure",
            "phase": "executed",
        }
    }
    assert set(descriptor["model"]["dimensions"]) >= {"place", "organisation", "theme", "year"}
    assert descriptor["fiscalPeriod"] == {"start": "2006-04-01", "end": "2018-03-31"}

    # frictionless would fetch the FDP profile from the web; validate the data package and its
    # data against the tabular profile it extends (offline), then the fiscal model below.
    tabular = {**descriptor, "profile": "tabular-data-package"}
    (tmp_path / "tabular.json").write_text(json.dumps(tabular))
    report = frictionless.validate(str(tmp_path / "tabular.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] > 500

    from importlib.resources import files

    schema = json.loads(
        files("datapackage").joinpath("profiles/fiscal-data-package.json").read_text()
    )
    # The published schema pins "tabular-data-package" in its tabular half while the spec
    # asks for "fiscal-data-package": accept the spec's value there, check everything else.
    schema["allOf"][0]["properties"]["profile"]["enum"].append("fiscal-data-package")
    jsonschema.validate(descriptor, schema)
    broken = json.loads(json.dumps(descriptor))
    del broken["model"]["measures"]["amount"]["currency"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
