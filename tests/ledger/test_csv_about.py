"""CSV downloads for people begin with what they are (source, illustrative or not, as of,
licence: none for illustrative figures), a ``# label,value`` block ended by an empty line; the
table after it is untouched."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from ledger.exports import NO_LICENCE, OPEN_LICENCE, ExportAbout, csv_rows_response
from ledger.models import SpendReturn
from tests.csv_downloads import csv_parts, csv_text

pytestmark = pytest.mark.django_db


def test_a_place_table_csv_says_its_source_as_of_and_licence(client, mini):
    url = reverse("place-detail", args=["testshire"])
    query = {"export": "csv", "table": "by-organisation", "year": "2010-11"}
    response = client.get(url, query)
    about, rows = csv_parts(response)
    assert about["Source"] == "TotalPlace, http://testserver/places/testshire/?year=2010-11"
    assert (about["Illustrative"], about["Licence"]) == ("No", OPEN_LICENCE)
    assert dt.datetime.fromisoformat(about["As of"]).tzinfo is not None
    assert rows[0] == ["Organisation", "Amount", "Share %", "Lines", "Months covered"]
    assert rows[-1][0] == "Total"  # nothing after the table: its rows count right
    # Invented figures: flagged, and under no licence.
    SpendReturn.objects.filter(pk=mini["council_return"].pk).update(is_illustrative=True)
    about = csv_parts(client.get(url, query))[0]
    assert about["Illustrative"].startswith("Yes: Illustrative demo data")
    assert about["Licence"] == NO_LICENCE


def test_the_block_is_lines_a_reader_can_skip(client, mini):
    """Each line starts with ``#`` (pandas' ``comment="#"``), holds a label and one value even
    when the value has commas or line breaks, and an empty line ends it."""
    when = timezone.make_aware(dt.datetime(2011, 1, 14, 9, 30))
    about = ExportAbout(
        source="Testshire, roads\nand =SUM(A1)", illustrative=False, as_of=when, notes=("a, b",)
    )
    text = csv_text(csv_rows_response("t", ["Name", "Amount"], [["x", 1]], about=about))
    block, table = text.split("\r\n\r\n")
    assert all(line.startswith("# ") for line in block.split("\r\n"))
    assert list(csv.reader(io.StringIO(block))) == [
        ["# Source", "Testshire, roads and =SUM(A1)"],
        ["# Illustrative", "No"],
        ["# As of", "2011-01-14T09:30:00+00:00"],
        ["# Licence", OPEN_LICENCE],
        ["# Produced by", "TotalPlace"],
        ["# Note", "a, b"],
    ]
    assert table == "Name,Amount\r\nx,1\r\n"
    # A value that starts like a formula is shown as text, as any cell is.
    dangerous = ExportAbout(source="=HYPERLINK(1)", illustrative=None)
    assert csv_parts(csv_rows_response("t", ["a"], [], about=dangerous))[0]["Source"] == (
        "'=HYPERLINK(1)"
    )


def test_a_returns_lines_say_whether_they_are_illustrative(client, mini):
    from django.contrib.auth.models import Group

    from ledger.permissions import ANALYSTS_GROUP
    from tests.factories import UserFactory

    analyst = UserFactory(username="csv-about-analyst")
    analyst.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    client.force_login(analyst)
    spend_return = mini["council_return"]
    SpendReturn.objects.filter(pk=spend_return.pk).update(is_illustrative=True)
    response = client.get(reverse("spend-return-lines-download", args=[spend_return.pk]))
    about, rows = csv_parts(response)
    assert about["Source"].startswith(f"TotalPlace, the lines of spend return {spend_return}")
    assert about["Licence"] == NO_LICENCE and about["Illustrative"].startswith("Yes")
    spend_return.refresh_from_db()
    frozen = spend_return.approved_at or spend_return.submitted_at
    assert dt.datetime.fromisoformat(about["As of"]) == frozen.replace(microsecond=0)
    assert rows[0][0] == "Line id" and len(rows) == 1 + spend_return.lines.count()
