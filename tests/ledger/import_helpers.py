"""Helpers for import tests: files as uploads, a preview run in-process, small CSVs."""

import csv
import io
from pathlib import Path

from django.core.files.base import ContentFile

from ledger.services.imports.jobs import import_job_create
from ledger.services.imports.preview import import_job_run

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLES = ROOT / "fixtures" / "samples"
MALFORMED = ROOT / "tests" / "fixtures" / "malformed"
CRAVEN_FILE = SAMPLES / "craven_dc_payments_over_500_2017-03.csv"
LEEDS_FILE = SAMPLES / "leeds_spend_over_500_2011-01_raw.csv"
DCLG_HEADER = [
    "Body",
    "Body Name",
    "Date",
    "Transaction Number",
    "Invoice Number",
    "Amount",
    "Supplier Name",
    "Supplier ID",
    "VAT Registration Number",
    "Expense Area",
    "Expense Type",
    "Expense Code",
]


def spend_file(content: bytes | Path, name: str | None = None) -> ContentFile:
    if isinstance(content, Path):
        name, content = name or content.name, content.read_bytes()
    return ContentFile(content, name=name or "upload.csv")


def preview(spend_return, content: bytes | Path, name: str | None = None, actor=None, **options):
    """Import a file and run the preview in-process (what the Celery task does); returns the job."""
    job = import_job_create(
        spend_return=spend_return,
        file=spend_file(content, name),
        actor=actor,
        start=False,
        **options,
    )
    return import_job_run(job_id=job.pk)


def confirmed(spend_return, rows: list[list[str]]):
    """DCLG-layout ``rows`` imported into ``spend_return`` and confirmed; returns the job."""
    from ledger.services.imports.confirm import import_job_confirm

    job = preview(spend_return, csv_bytes([DCLG_HEADER, *rows]))
    return import_job_confirm(job=job, actor=None)


def csv_bytes(
    rows: list[list[str]], encoding: str = "utf-8", newline: str = "\r\n", delimiter: str = ","
) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def dclg_row(
    amount="870.83",
    date="14/01/2011",
    supplier="A Supplier Ltd",
    area="Libraries",
    body="00DA",
    number=1,
) -> list[str]:
    return [
        body,
        "Leeds City Council",
        date,
        f"1101-{number}",
        f"INV{number}",
        amount,
        supplier,
        "S1",
        "GB1",
        area,
        "Supplies and Services",
        "205",
    ]
