"""Hostile request bodies: too deep, too big, too many fields, uploads over the size limit.

Each is refused with a clear message in the API's one error shape (or a page saying so), and
nothing is written.
"""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from ledger.models import ImportJob, SpendReturn
from ledger.services.access import api_token_create
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row
from totalplace.parsers import LimitedJSONParser, RequestTooLarge, json_depth

pytestmark = pytest.mark.django_db
RETURNS = "/api/v1/organisation/spend-returns/"


@pytest.fixture
def api(officer, leeds) -> APIClient:
    _, key = api_token_create(user=officer, organisation=leeds, name="limits")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _error(response, status: int, code: str) -> str:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    return body["error"]["message"]


def test_json_nested_a_hundred_thousand_deep_is_a_400_not_a_crash(api):
    response = api.post(RETURNS, _nested(100_000), content_type="application/json")
    assert "nested more than 32 levels" in _error(response, 400, "parse_error")
    assert not SpendReturn.objects.exists()


def test_json_just_over_the_depth_limit_is_refused_and_at_the_limit_accepted(api):
    deep = {"financial_year": "2010-11", "notes": "x"}
    for _ in range(31):
        deep = {"financial_year": "2010-11", "extra": deep}
    assert json_depth(deep) == 32
    assert api.post(RETURNS, deep, format="json").status_code == 201
    response = api.post(RETURNS, {"financial_year": "2010-11", "extra": deep}, format="json")
    assert "nested more than 32" in _error(response, 400, "parse_error")
    assert SpendReturn.objects.count() == 1


def test_an_oversized_json_body_is_a_413(api, settings):
    settings.API_MAX_JSON_BYTES = 10_000
    body = json.dumps({"financial_year": "2010-11", "notes": "x" * 10_000})
    message = _error(api.post(RETURNS, body, content_type="application/json"), 413, "too_large")
    assert message == "The JSON body is larger than 10,000 bytes, the most this API accepts."
    assert not SpendReturn.objects.exists()


def test_a_body_without_a_declared_length_is_still_cut_off_at_the_limit(rf, settings):
    """Chunked bodies carry no Content-Length: the parser counts what it reads."""
    settings.API_MAX_JSON_BYTES = 100
    request = rf.post("/", data=b"", content_type="application/json")
    request.META.pop("CONTENT_LENGTH", None)
    stream = io.BytesIO(b'{"a": "' + b"x" * 10_000_000 + b'"}')
    with pytest.raises(RequestTooLarge):
        LimitedJSONParser().parse(stream, parser_context={"request": request})
    assert stream.tell() == 101  # it read one byte past the limit, not ten megabytes


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"\xff\xfe{", "JSON parse error"),
        (b'{"financial_year": NaN}', "JSON parse error"),
        (b'{"financial_year": "2010-11"', "JSON parse error"),
    ],
)
def test_undecodable_json_is_a_400(api, body, words):
    response = api.post(RETURNS, body, content_type="application/json")
    assert words in _error(response, 400, "parse_error")


def test_an_oversized_form_body_is_a_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = "financial_year=2010-11&notes=" + "x" * 2000
    response = api.post(RETURNS, body, content_type="application/x-www-form-urlencoded")
    assert _error(response, 413, "too_large") == (
        "The form is larger than 1,000 bytes, the most this API accepts."
    )


def test_too_many_form_fields_is_a_400(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=1" for i in range(50))
    response = api.post(RETURNS, body, content_type="application/x-www-form-urlencoded")
    assert "too many form fields" in _error(response, 400, "parse_error")


def test_multipart_fields_over_djangos_memory_limit_are_a_413(api, leeds_draft, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(
        f"{RETURNS}{leeds_draft.pk}/imports/",
        {
            "file": SimpleUploadedFile("a.csv", csv_bytes([DCLG_HEADER, dclg_row()])),
            "mapping": "m" * 5000,
        },
        format="multipart",
    )
    _error(response, 413, "too_large")
    assert not ImportJob.objects.exists()


# --- uploads over MAX_UPLOAD_BYTES ------------------------------------------------------------
def _big_csv(size: int) -> bytes:
    row = ",".join(dclg_row()).encode() + b"\r\n"
    header = ",".join(DCLG_HEADER).encode() + b"\r\n"
    return header + row * (size // len(row) + 1)


def test_an_api_import_over_the_limit_is_a_413_before_it_is_read(api, leeds_draft, settings):
    settings.MAX_UPLOAD_BYTES = 100_000  # the middleware allows 1 MB of form around the file
    content = _big_csv(1_200_000)
    response = api.post(
        f"{RETURNS}{leeds_draft.pk}/imports/",
        {"file": SimpleUploadedFile("big.csv", content, "text/csv")},
        format="multipart",
    )
    assert _error(response, 413, "too_large") == (
        "The upload is 1.1 MB; files can be at most 97.7 KB. Nothing was saved. "
        "Split a bigger file (for example by month) and upload the parts."
    )
    assert not ImportJob.objects.exists()


def test_a_file_just_over_the_limit_is_refused_by_the_import_with_its_size(
    api, leeds_draft, settings
):
    settings.MAX_UPLOAD_BYTES = 2 * 1024**2
    content = _big_csv(2 * 1024**2 + 10)
    response = api.post(
        f"{RETURNS}{leeds_draft.pk}/imports/",
        {"file": SimpleUploadedFile("big.csv", content, "text/csv")},
        format="multipart",
    )
    message = _error(response, 400, "invalid")
    assert message == (
        "file: The file is 2.0 MB; files can be at most 2.0 MB. Nothing was saved. "
        "Split a bigger file (for example by month) and upload the parts."
    )
    assert not ImportJob.objects.exists()


def test_the_import_page_says_the_file_is_too_large(client, officer, leeds_draft, settings):
    settings.MAX_UPLOAD_BYTES = 100_000
    client.force_login(officer)
    response = client.post(
        f"/spend-returns/{leeds_draft.pk}/import/",
        {"file": SimpleUploadedFile("big.csv", _big_csv(1_200_000)), "mode": "add"},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "<h1>File too large</h1>" in page
    assert "files can be at most 97.7 KB" in page
    assert "Nothing was saved." in page
    assert not ImportJob.objects.exists()
