"""Every upload path refuses a file over MAX_UPLOAD_BYTES with a clear message and writes
nothing: the spend-file upload page and API, the evidence form and API, the dataset upload page;
and a request far over the limit is refused before its body is read."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.models import DatasetEdition, ImportJob
from pilots.models import EvidenceItem
from totalplace.uploads import REQUEST_OVERHEAD_BYTES

from .world import EDITOR, LEAD, OFFICER, TOKEN

pytestmark = pytest.mark.django_db

LIMIT = 2048
TOO_BIG = (  # 2,049 bytes
    "The file is 2.0 KB; files can be at most 2.0 KB. Nothing was saved. "
    "Split a bigger file (for example by month) and upload the parts."
)


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.MAX_UPLOAD_BYTES = LIMIT


def _csv(size: int) -> SimpleUploadedFile:
    header = b"Amount,Supplier\n"
    row = b"1.00,Supplier\n"
    body = header + row * ((size - len(header)) // len(row) + 1)
    return SimpleUploadedFile("spend.csv", body[:size], content_type="text/csv")


def _files(path="") -> list[str]:
    directories, files = default_storage.listdir(path)
    found = [f"{path}/{name}" for name in files]
    for directory in directories:
        found += _files(f"{path}/{directory}".lstrip("/"))
    return found


def _state():
    return (
        ImportJob.objects.count(),
        EvidenceItem.objects.count(),
        sorted(_files()),
        DatasetEdition.objects.count(),
    )


def _import_form(size):
    return {"file": _csv(size), "mode": "add", "where": "home", "driver": "population"}


def test_the_import_page_refuses_a_file_over_the_limit(world):
    before = _state()
    response = world.client(OFFICER).post(
        f"/spend-returns/{world.a_draft.pk}/import/", _import_form(LIMIT + 1)
    )
    assert response.status_code == 200
    assert TOO_BIG in response.content.decode()
    assert _state() == before
    # A file within the limit goes through (the limit is the setting, nothing else).
    response = world.client(OFFICER).post(
        f"/spend-returns/{world.a_draft.pk}/import/", _import_form(LIMIT)
    )
    assert response.status_code == 302 and ImportJob.objects.count() == before[0] + 1


def _dataset_form(size):
    return {"dataset": "matrix-cra", "edition": "CRA 2012", "file": _csv(size)}


def test_the_dataset_upload_page_refuses_a_file_over_the_limit(world):
    before = _state()
    response = world.client(EDITOR).post("/datasets/new/", _dataset_form(LIMIT + 1))
    assert response.status_code == 200
    assert TOO_BIG in response.content.decode()
    assert _state() == before
    response = world.client(EDITOR).post("/datasets/new/", _dataset_form(LIMIT))
    assert response.status_code == 302 and DatasetEdition.objects.count() == before[3] + 1


def test_the_import_api_refuses_a_file_over_the_limit(world):
    before = _state()
    response = world.client(TOKEN, api=True).post(
        f"/api/v1/organisation/spend-returns/{world.a_draft.pk}/imports/",
        {"file": _csv(LIMIT + 1)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "file: " + TOO_BIG,
            "details": {"file": [TOO_BIG]},
        }
    }
    assert _state() == before


def test_the_evidence_form_refuses_a_file_over_the_limit(world):
    before = _state()
    upload = SimpleUploadedFile("report.pdf", b"%" * (LIMIT + 1), content_type="application/pdf")
    response = world.client(LEAD).post(
        "/pilots/matrix-alpha/evidence/new/",
        {"kind": "document", "title": "Too big", "file": upload, "is_published": "on"},
    )
    assert response.status_code == 200
    assert TOO_BIG in response.content.decode()
    assert _state() == before


def test_the_evidence_api_refuses_a_file_over_the_limit(world):
    before = _state()
    upload = SimpleUploadedFile("report.pdf", b"%" * (LIMIT + 1), content_type="application/pdf")
    response = world.client(LEAD, api=True).post(
        "/api/v1/evidence/",
        {"pilot": "matrix-alpha", "kind": "document", "title": "Too big", "file": upload},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"file": [TOO_BIG]}
    assert _state() == before


def test_the_services_refuse_too_even_without_a_form(world):
    """Commands and scripts call the services directly: they check the size themselves."""
    from django.core.exceptions import ValidationError

    from ledger.services.imports.jobs import import_job_create
    from pilots.services.evidence import evidence_create

    before = _state()
    with pytest.raises(ValidationError, match="files can be at most"):
        import_job_create(spend_return=world.a_draft, file=_csv(LIMIT + 1), actor=None)
    with pytest.raises(ValidationError, match="files can be at most"):
        evidence_create(
            pilot=world.alpha, actor=None, kind="document", title="Big", file=_csv(LIMIT + 1)
        )
    assert _state() == before


@pytest.mark.parametrize(
    "role, path, api",
    [
        (OFFICER, "/spend-returns/{draft}/import/", False),
        (TOKEN, "/api/v1/organisation/spend-returns/{draft}/imports/", True),
        (LEAD, "/pilots/matrix-alpha/evidence/new/", False),
        (LEAD, "/api/v1/evidence/", True),
        (EDITOR, "/datasets/new/", False),
    ],
)
def test_a_request_far_over_the_limit_is_refused_unread(world, role, path, api):
    before = _state()
    client = world.client(role, api=api)
    size = LIMIT + REQUEST_OVERHEAD_BYTES + 1
    upload = SimpleUploadedFile("huge.csv", b"1" * size, content_type="text/csv")
    path = path.format(draft=world.a_draft.pk)
    if api:
        response = client.post(path, {"file": upload}, format="multipart")
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "too_large"
    else:
        response = client.post(path, {"file": upload})
        assert response.status_code == 413
        assert "files can be at most" in response.content.decode()
    assert _state() == before
