"""A return's lines as CSV: every line, in file order, exact to the penny, spreadsheet-safe."""

import pytest
from django.urls import reverse

from ledger.services.imports.confirm import import_job_confirm
from tests.csv_downloads import csv_table
from tests.ledger.import_helpers import DCLG_HEADER, confirmed, csv_bytes, dclg_row, preview

pytestmark = pytest.mark.django_db


def _download(client, spend_return) -> list[list[str]]:
    response = client.get(reverse("spend-return-lines-download", args=[spend_return.pk]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "leeds-city-council-2010-11-v1-lines.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # so Excel reads £ and accents right
    return csv_table(text)


def test_an_officer_downloads_every_line_of_their_draft(client, officer, leeds_draft):
    rows = [
        dclg_row(amount="1,000.10", number=1),
        dclg_row(amount="(25.00)", supplier="Café Ltd", number=2),
        dclg_row(amount="0.01", number=3),
    ]
    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, *rows]), name="jan.csv")
    assert job.error_count == 0, job.errors
    import_job_confirm(job=job, actor=None)
    client.force_login(officer)
    header, *lines = _download(client, leeds_draft)
    amount, supplier, row = (header.index(n) for n in ("Amount", "Supplier", "Source row"))
    assert [(line[amount], line[row]) for line in lines] == [
        ("1000.10", "2"),
        ("-25.00", "3"),
        ("0.01", "4"),
    ]
    assert lines[1][supplier] == "Café Ltd"
    assert {line[header.index("Source file")] for line in lines} == {"jan.csv"}
    # And the file's own classification and reference, to reconcile against a council ledger.
    assert header[-5:] == [
        "Service label",
        "Expense area",
        "Expense type",
        "Expense code (or SeRCOP code)",
        "Transaction reference",
    ]
    assert lines[0][-4:] == ["Libraries", "Supplies and Services", "205", "1101-1"]


def test_the_return_page_links_to_the_download_only_when_there_are_lines(
    client, officer, leeds_draft
):
    client.force_login(officer)
    url = reverse("spend-return-lines-download", args=[leeds_draft.pk])
    page = client.get(reverse("spend-return-detail", args=[leeds_draft.pk])).content.decode()
    assert url not in page
    confirmed(leeds_draft, [dclg_row()])
    page = client.get(reverse("spend-return-detail", args=[leeds_draft.pk])).content.decode()
    assert f'href="{url}">Download all 1 line (CSV)' in page
