"""The two real council files import, unedited, through the command and the import page."""

import hashlib
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse

from ledger.models import ImportJob, ImportJobStatus, SpendLine, SpendReturn, SpendReturnStatus
from tests.ledger.import_helpers import CRAVEN_FILE, LEEDS_FILE

pytestmark = pytest.mark.django_db

# The published files' SHA-256: the samples are byte-for-byte copies (no one "fixed" them).
CRAVEN_SHA256 = "0fa4d0c3a0d4a141b821b060c7864803d5b033c30f6e4a94956a5efb4d873dd6"
LEEDS_SHA256 = "d182bb4a1bc9fc18a55aaf40d0290a0c107f8702293ccc222f3c200098f62a2b"


def _figures(spend_return: SpendReturn) -> dict:
    lines = SpendLine.objects.filter(spend_return=spend_return)
    return {
        **lines.aggregate(count=Count("id"), total=Sum("amount")),
        "credits": lines.filter(amount__lt=0).count(),
        "redacted": lines.filter(supplier_redacted=True).count(),
        "first_row": lines.order_by("id").first().source_row,
        "last_row": lines.order_by("id").last().source_row,
    }


def test_the_samples_are_the_published_bytes():
    assert hashlib.sha256(CRAVEN_FILE.read_bytes()).hexdigest() == CRAVEN_SHA256
    assert hashlib.sha256(LEEDS_FILE.read_bytes()).hexdigest() == LEEDS_SHA256


def test_craven_through_the_command(craven, capsys):
    call_command(
        "import_spend", str(CRAVEN_FILE), "--organisation", "E07000163", "--year", "2016-17"
    )
    out = capsys.readouterr().out
    spend_return = SpendReturn.objects.get(organisation=craven, financial_year__code="2016-17")
    assert _figures(spend_return) == {
        "count": 171,
        "total": Decimal("726583.94"),
        "credits": 0,
        "redacted": 6,  # "*****************************"
        "first_row": 2,
        "last_row": 172,
    }
    assert spend_return.source_sha256 == CRAVEN_SHA256
    assert spend_return.status == SpendReturnStatus.DRAFT
    assert "Lines: 171   total £726,583.94   credits 0" in out
    assert "Dropped rows: 1 (1 totals)" in out and "row 173: totals 726,583.94" in out
    assert "Read as CSV, cp1252, comma-separated; header on row 1." in out
    assert "Layout: craven_2017" in out
    # The duplicate "Account Code" / "Cost Centre Code" headers: the second of each is the label.
    line = SpendLine.objects.get(spend_return=spend_return, source_row=2)
    assert (line.expense_code, line.expense_type, line.expense_area, line.amount) == (
        "2280",
        "Miscellaneous",
        "Development Control",
        Decimal("1000.00"),
    )
    assert line.theme.code == "planning-planning" and line.place.gss_code == "E07000163"
    neville = SpendLine.objects.get(spend_return=spend_return, supplier_name__startswith="Neville")
    assert neville.supplier_name == "Neville´s Kitchen"  # the Windows-1252 byte 0xB4


def test_leeds_through_the_command(leeds, capsys):
    call_command("import_spend", str(LEEDS_FILE), "--organisation", "00DA", "--year", "2010-11")
    out = capsys.readouterr().out
    spend_return = SpendReturn.objects.get(organisation=leeds, financial_year__code="2010-11")
    assert _figures(spend_return) == {
        "count": 8837,
        "total": Decimal("65483945.63"),
        "credits": 123,
        "redacted": 703,  # as SOURCES.md counts them
        "first_row": 2,
        "last_row": 8838,
    }
    assert spend_return.source_sha256 == LEEDS_SHA256
    assert "Lines: 8,837   total £65,483,945.63   credits 123" in out
    assert "Layout: leeds_2011" in out and "Dropped rows" not in out
    dash = SpendLine.objects.get(spend_return=spend_return, expense_type__contains="Concert")
    assert dash.expense_type == "Teaching Equipment – Concert Band"  # the byte 0x96
    capital = SpendLine.objects.filter(spend_return=spend_return, spend_kind="capital").count()
    assert capital == 702
    unallocated = SpendLine.objects.filter(spend_return=spend_return, theme__code="unallocated")
    job = ImportJob.objects.get(spend_return=spend_return)
    assert job.unallocated_count == unallocated.count() > 0
    assert job.unallocated_total == unallocated.aggregate(t=Sum("amount"))["t"]


@pytest.mark.parametrize(
    ("path", "code", "year", "lines", "total", "credits"),
    [
        (CRAVEN_FILE, "E07000163", "2016-17", 171, Decimal("726583.94"), 0),
        (LEEDS_FILE, "00DA", "2010-11", 8837, Decimal("65483945.63"), 123),
    ],
    ids=["craven", "leeds"],
)
def test_both_files_through_the_import_page(
    client,
    officer,
    reference_data,
    django_capture_on_commit_callbacks,
    path,
    code,
    year,
    lines,
    total,
    credits,
):
    from ledger.models import Organisation

    organisation = Organisation.objects.by_code(code).get()
    client.force_login(officer)
    created = client.post(
        reverse("spend-return-create"),
        {"organisation": organisation.pk, "financial_year": year},
    )
    spend_return = SpendReturn.objects.get(organisation=organisation)
    assert created.url == reverse("spend-return-detail", args=[spend_return.pk])
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post(
            reverse("spend-return-import", args=[spend_return.pk]),
            {"file": handle, "mode": "add", "where": "home", "driver": "population"},
        )
    job = ImportJob.objects.get(spend_return=spend_return)
    assert response.url == reverse("import-job-detail", args=[job.pk])
    assert (job.status, job.line_count, job.line_total, job.credits_count) == (
        ImportJobStatus.READY,
        lines,
        total,
        credits,
    )
    assert not SpendLine.objects.filter(spend_return=spend_return).exists()  # not yet
    page = client.get(response.url).content.decode()
    assert f"Confirm: add {lines:,} lines".replace(",", "") in page.replace(",", "")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-job-confirm", args=[job.pk]))
    figures = SpendLine.objects.filter(spend_return=spend_return).aggregate(
        count=Count("id"), total=Sum("amount")
    )
    assert figures == {"count": lines, "total": total}
    detail = client.get(reverse("spend-return-detail", args=[spend_return.pk])).content.decode()
    assert f"£{total:,}" in detail
