"""XLSX downloads say where they come from: an "About" sheet (source, illustrative or not, as
of, licence: none for illustrative figures); their amounts are numbers in pounds, their dates
dates."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ledger.exports import CURRENCY_FORMAT, NO_LICENCE, OPEN_LICENCE, ExportAbout
from ledger.exports import xlsx_rows_response as xlsx
from ledger.models import SpendReturn

pytestmark = pytest.mark.django_db


def _about(response) -> dict:
    book = load_workbook(io.BytesIO(response.content))
    return dict(book["About"].iter_rows(values_only=True))


def test_amounts_are_pounds_and_dates_are_dates():
    when = timezone.make_aware(dt.datetime(2011, 1, 14, 9, 30))
    response = xlsx(
        "t",
        "t",
        ["Amount", "Date", "At", "Text"],
        [[Decimal("-2.50"), dt.date(2011, 1, 14), when, "=1+1"]],
        money={0},
        about=ExportAbout(source="a test", illustrative=False, as_of=when),
    )
    sheet = load_workbook(io.BytesIO(response.content))["t"]
    amount, date, at, text = next(sheet.iter_rows(min_row=2))
    assert (amount.value, amount.number_format) == (-2.5, CURRENCY_FORMAT)
    assert amount.data_type == "n"
    assert date.is_date and date.value == dt.datetime(2011, 1, 14)
    assert at.is_date and at.value == dt.datetime(2011, 1, 14, 9, 30)  # London time
    assert text.value == "'=1+1"


def test_a_place_table_says_its_source_and_licence(client, mini):
    url = reverse("place-detail", args=["testshire"])
    response = client.get(url, {"export": "xlsx", "table": "by-organisation", "year": "2010-11"})
    book = load_workbook(io.BytesIO(response.content))
    amounts = [row[1] for row in book.worksheets[0].iter_rows(min_row=2)]
    assert {cell.number_format for cell in amounts} == {CURRENCY_FORMAT}
    about = _about(response)
    assert about["Source"] == "TotalPlace, http://testserver/places/testshire/?year=2010-11"
    assert (about["Illustrative"], about["Licence"]) == ("No", OPEN_LICENCE)
    assert isinstance(about["As of"], dt.datetime)
    # Invented figures: flagged, and under no licence.
    SpendReturn.objects.filter(pk=mini["council_return"].pk).update(is_illustrative=True)
    about = _about(client.get(url, {"export": "xlsx", "table": "by-organisation"}))
    assert about["Illustrative"].startswith("Yes") and about["Licence"] == NO_LICENCE
