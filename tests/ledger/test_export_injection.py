"""Formula injection in every export: text that a spreadsheet would run is escaped (OWASP "CSV
injection"), numbers, including negative ones, stay numbers.

The small ledger's names are made hostile, one formula-like start each: =, +, -, @, tab, CR.
"""

import csv
import io
import zipfile

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from ledger.models import SpendLine
from ledger.permissions import ANALYSTS_GROUP
from tests.csv_downloads import csv_table
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HOSTILE = {
    "council": '=HYPERLINK("http://evil","x")',
    "pct": "+cmd|' /C calc'!A0",
    "county": "@SUM(1+1)*cmd|' /C calc'!A0",
    "north": "-2+3+cmd|' /C calc'!A0",
    "education": "\t=1+1",
    "roads": "\r=1+1",
}


@pytest.fixture
def hostile(mini):
    for key, name in HOSTILE.items():
        mini[key].name = name
        mini[key].save()
    line = SpendLine.objects.get(amount="-10.00")
    line.supplier_name, line.description = "=1+1", "@A1"
    line.save()
    return mini


def escaped(name: str) -> str:
    return "'" + name


def _csv(text: str) -> list[list[str]]:
    """A bare table (the API's CSV, a data package's)."""
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def test_place_lines_csv_and_xlsx_escape_text_and_keep_amounts_as_numbers(client, hostile):
    # Line-level downloads are an analyst's right; anonymous visitors are sent to log in.
    analyst = UserFactory(username="export-analyst")
    analyst.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    client.force_login(analyst)
    url = "/places/south-testshire/lines/"
    rows = csv_table(client.get(url, {"export": "csv"}))
    header, line = rows[0], rows[1]
    assert line[header.index("Supplier")] == "'=1+1"
    assert line[header.index("Description")] == "'@A1"
    assert line[header.index("Organisation")] == escaped(HOSTILE["pct"])
    assert line[header.index("Amount")] == "-10.00"  # a credit, not a formula
    sheet = load_workbook(io.BytesIO(client.get(url, {"export": "xlsx"}).content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][header.index("Supplier")] == "'=1+1"
    assert values[1][header.index("Amount")] == -10  # a number cell
    assert not any(
        cell.data_type == "f" for row in sheet.iter_rows() for cell in row
    )  # no formula cells at all


def test_aggregate_csv_escapes_names_and_keeps_amounts(client, hostile):
    response = client.get(
        "/api/v1/aggregate/", {"drilldown": "organisation|theme", "format": "csv"}
    )
    rows = _csv(response.content.decode())
    assert rows[0] == [
        "organisation_code",
        "organisation_name",
        "theme_code",
        "theme_name",
        "amount",
        "lines",
    ]
    names = {(r[1], r[3]): r[4] for r in rows[1:]}
    assert names == {
        (escaped(HOSTILE["council"]), escaped(HOSTILE["education"])): "1000.00",
        (escaped(HOSTILE["council"]), escaped(HOSTILE["roads"])): "100.01",
        (escaped(HOSTILE["pct"]), escaped(HOSTILE["roads"])): "50.00",
        (escaped(HOSTILE["pct"]), escaped(HOSTILE["education"])): "-10.00",
    }


def test_aggregate_csv_error_rows_are_escaped_too(client, mini):
    response = client.get("/api/v1/aggregate/", {"cut": "=cmd:1", "format": "csv"})
    rows = _csv(response.content.decode())
    assert response.status_code == 400
    assert rows[0] == ["status", "code", "message"]
    assert not rows[1][2].startswith(("=", "+", "-", "@"))


def test_fiscal_data_package_csv_escapes_names_and_keeps_bare_numbers(client, hostile):
    response = client.get("/api/v1/fiscal-data-package/", {"cut": "place:E98000001"})
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        rows = _csv(package.read("data/spend.csv").decode())
    header = rows[0]
    by_place = {}
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        by_place.setdefault(record["place_name"], []).append(record)
        for name, value in record.items():
            if name != "amount":
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (name, value)
    assert set(by_place) == {
        escaped(HOSTILE["county"]),
        escaped(HOSTILE["north"]),
        "South Testshire",
    }
    south = by_place["South Testshire"][0]
    assert (south["organisation_name"], south["theme_name"], south["amount"]) == (
        escaped(HOSTILE["pct"]),
        escaped(HOSTILE["education"]),
        "-10.00",  # bare number: the descriptor says so and the validator checks it
    )
