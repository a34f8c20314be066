"""An unknown layout's date and amount columns, guessed from their values for the user to check."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.importers.mapping import guess_by_values
from ledger.models import ImportJobStatus
from tests.ledger.import_helpers import csv_bytes, preview

HEADERS = ["Paid on", "Who", "How much", "Cost centre", "Code"]
SAMPLES = [
    ["14/01/2011", "A Ltd", "100.00", "Libraries", "205"],
    ["15-Jan-2011", "B Ltd", "1,250.50", "Highways", "310"],
    ["", "C Ltd", "(12.00)", "Parks", "205"],
]


def test_dates_and_amounts_are_told_by_their_values():
    assert guess_by_values(HEADERS, SAMPLES, {}) == {
        "transaction_date": "Paid on",
        "amount": "How much",  # not "Code": whole numbers may be codes as well as pounds
    }


def test_a_field_already_mapped_or_a_column_already_used_is_not_guessed():
    assert guess_by_values(HEADERS, SAMPLES, {"amount": "How much"}) == {
        "transaction_date": "Paid on"
    }
    # The only money column is taken (by another field): no amount is guessed.
    assert guess_by_values(HEADERS, SAMPLES, {"description": "How much"}) == {
        "transaction_date": "Paid on"
    }


def test_no_guess_when_two_columns_fit_or_a_value_does_not():
    two = [row + [row[2]] for row in SAMPLES]
    assert "amount" not in guess_by_values(HEADERS + ["Gross"], two, {})
    bad = [*SAMPLES, ["31/02/2011", "D Ltd", "TBC", "Parks", "1"]]
    assert guess_by_values(HEADERS, bad, {}) == {}
    assert guess_by_values(HEADERS, [], {}) == {}


@pytest.mark.django_db
def test_the_mapping_page_offers_the_guesses_and_they_import(
    client, officer, leeds_draft, django_capture_on_commit_callbacks
):
    job = preview(leeds_draft, csv_bytes([HEADERS, *SAMPLES]))
    assert job.status == ImportJobStatus.NEEDS_MAPPING  # a guess is never used unseen
    client.force_login(officer)
    url = reverse("import-job-mapping", args=[job.pk])
    page = client.get(url).content.decode()
    assert '<option value="How much" selected>' in page
    assert '<option value="Paid on" selected>' in page
    assert page.count("Guessed from the column&#x27;s first values: check it.") == 2
    form = {"field_amount": "How much", "field_transaction_date": "Paid on"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form)
    job.refresh_from_db()
    assert (job.status, job.line_count, job.line_total) == (
        ImportJobStatus.READY,
        3,
        Decimal("1338.50"),
    )
