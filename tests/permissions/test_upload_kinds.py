"""Every spend-file and dataset upload path takes CSV or Excel .xlsx only, by name and by
content, with one message, and writes nothing otherwise: the upload page and API, the dataset
upload page, and the services behind them."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from ledger.models import DatasetEdition, ImportJob
from ledger.services.imports.jobs import import_job_create

from .test_upload_limits import _files
from .world import EDITOR, OFFICER, TOKEN

pytestmark = pytest.mark.django_db

PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
CSV = b"Amount,Supplier\n1.00,A Supplier\n"


def _xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Amount", "Supplier"])
    workbook.active.append(["1.00", "A Supplier"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# name, content, words of the refusal
REFUSED = [
    ("spend.html", PAGE, "web page"),
    ("spend.csv", PAGE, "web page"),
    ("spend.html", CSV, "“spend.html” is not named .csv or .xlsx"),
    ("spend.txt", CSV, "is not named .csv or .xlsx"),
    ("spend.csv", b"Amount\x00,Supplier\n\x001.00,A\n", "binary data"),
    ("spend.xlsx", b"PK\x03\x04" + b"\x00" * 40, "damaged"),
    ("spend.html", _xlsx(), "is not named .csv or .xlsx"),
]


def _state():
    return ImportJob.objects.count(), DatasetEdition.objects.count(), sorted(_files())


def _upload(name, content):
    return SimpleUploadedFile(name, content, content_type="text/html")


@pytest.mark.parametrize(("name", "content", "words"), REFUSED)
def test_the_import_page_takes_only_csv_and_xlsx(world, name, content, words):
    before = _state()
    form = {"file": _upload(name, content), "mode": "add", "where": "home", "driver": "population"}
    response = world.client(OFFICER).post(f"/spend-returns/{world.a_draft.pk}/import/", form)
    assert response.status_code == 200
    page = response.content.decode()
    assert words in page and "Upload the CSV (.csv) or Excel workbook (.xlsx) file itself." in page
    assert _state() == before


@pytest.mark.parametrize(("name", "content", "words"), REFUSED)
def test_the_import_api_takes_only_csv_and_xlsx(world, name, content, words):
    before = _state()
    response = world.client(TOKEN, api=True).post(
        f"/api/v1/organisation/spend-returns/{world.a_draft.pk}/imports/",
        {"file": _upload(name, content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["file"][0].count(words) == 1
    assert _state() == before


@pytest.mark.parametrize(("name", "content", "words"), REFUSED[:3])
def test_the_dataset_upload_page_takes_only_csv_and_xlsx(world, name, content, words):
    before = _state()
    form = {"dataset": "matrix-cra", "edition": "CRA 2012", "file": _upload(name, content)}
    response = world.client(EDITOR).post("/datasets/new/", form)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(("name", "content", "words"), REFUSED[:3])
def test_the_services_refuse_too_even_without_a_form(world, name, content, words):
    before = _state()
    with pytest.raises(ValidationError, match=words):
        import_job_create(
            spend_return=world.a_draft, file=ContentFile(content, name=name), actor=None
        )
    assert _state() == before


@pytest.mark.parametrize("name", ["spend.csv", "spend.xlsx"])
def test_csv_and_xlsx_go_through(world, name):
    content = _xlsx() if name.endswith(".xlsx") else CSV
    form = {"file": _upload(name, content), "mode": "add", "where": "home", "driver": "population"}
    response = world.client(OFFICER).post(f"/spend-returns/{world.a_draft.pk}/import/", form)
    assert response.status_code == 302
    job = ImportJob.objects.latest("pk")
    assert job.filename == name  # shown as uploaded, stored under a random name
    extension = name.split(".")[1]
    assert re.fullmatch(
        rf"spend-returns/imports/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.{extension}", job.file.name
    )
