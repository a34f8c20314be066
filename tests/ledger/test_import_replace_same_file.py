"""The same file again into the draft that holds it, replacing every line: allowed, because
the old lines go as the new ones come in (an officer correcting a choice made on import).
Every other repeat of a file is still refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Sum
from rest_framework.test import APIClient

from ledger.models import ImportJobStatus, ImportMode, SpendLine
from ledger.services.access import api_token_create
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.returns import spend_return_create, spend_return_new_version
from tests.factories import PlaceFactory
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview

pytestmark = pytest.mark.django_db

CONTENT = csv_bytes(
    [DCLG_HEADER, *(dclg_row(amount=a, number=n) for n, a in enumerate(("10.00", "-2.50"), 1))]
)


def _refusal(spend_return) -> str:
    return (
        f"This file has already been imported into {spend_return} (draft, spend return "
        f"{spend_return.pk}); the same file is never imported twice."
    )


def _lines(spend_return) -> dict:
    return SpendLine.objects.filter(spend_return=spend_return).aggregate(
        count=Count("id"), total=Sum("amount")
    )


def test_the_same_file_replaces_the_lines_of_the_draft_holding_it(leeds_draft, officer):
    first = import_job_confirm(job=preview(leeds_draft, CONTENT, actor=officer), actor=officer)
    assert _lines(leeds_draft) == {"count": 2, "total": Decimal("7.50")}
    # The officer chose the wrong place: the same bytes again, spent in another place.
    elsewhere = PlaceFactory()
    again = preview(leeds_draft, CONTENT, actor=officer, mode=ImportMode.REPLACE, place=elsewhere)
    assert again.status == ImportJobStatus.READY
    again = import_job_confirm(job=again, actor=officer)
    assert again.status == ImportJobStatus.CONFIRMED
    assert _lines(leeds_draft) == {"count": 2, "total": Decimal("7.50")}  # once, not twice
    lines = SpendLine.objects.filter(spend_return=leeds_draft)
    assert set(lines.values_list("import_job_id", "place_id")) == {(again.pk, elsewhere.pk)}
    first.refresh_from_db()
    assert first.status == ImportJobStatus.REPLACED
    leeds_draft.refresh_from_db()
    assert leeds_draft.source_sha256 == again.sha256


def test_the_same_file_added_to_the_draft_holding_it_is_still_refused(leeds_draft, officer):
    import_job_confirm(job=preview(leeds_draft, CONTENT, actor=officer), actor=officer)
    with pytest.raises(ValidationError) as refused:
        preview(leeds_draft, CONTENT, actor=officer, mode=ImportMode.ADD)
    assert refused.value.messages == [_refusal(leeds_draft)]
    assert _lines(leeds_draft)["count"] == 2


def test_two_previews_replacing_with_the_same_file_are_both_confirmed_once(leeds_draft, officer):
    # Both uploaded before either is confirmed: the second replaces the first's lines.
    one, two = (
        preview(leeds_draft, CONTENT, actor=officer, mode=ImportMode.REPLACE) for _ in range(2)
    )
    import_job_confirm(job=one, actor=officer)
    import_job_confirm(job=two, actor=officer)
    assert _lines(leeds_draft) == {"count": 2, "total": Decimal("7.50")}


def test_an_add_preview_of_the_same_file_is_refused_after_a_replace_is_confirmed(
    leeds_draft, officer
):
    adding = preview(leeds_draft, CONTENT, actor=officer)
    replacing = preview(leeds_draft, CONTENT, actor=officer, mode=ImportMode.REPLACE)
    import_job_confirm(job=replacing, actor=officer)
    with pytest.raises(ValidationError, match="already been imported into"):
        import_job_confirm(job=adding, actor=officer)
    assert _lines(leeds_draft)["count"] == 2


def test_the_same_file_is_still_refused_in_another_return_of_the_organisation(
    leeds_draft, officer, leeds
):
    import_job_confirm(job=preview(leeds_draft, CONTENT, actor=officer), actor=officer)
    year = leeds_draft.financial_year
    another_place = spend_return_create(
        organisation=leeds, financial_year=year, actor=officer, place=PlaceFactory()
    )
    next_version = spend_return_create(organisation=leeds, financial_year=year, actor=officer)
    for other in (another_place, next_version):
        for mode in ImportMode:
            with pytest.raises(ValidationError) as refused:
                preview(other, CONTENT, actor=officer, mode=mode)
            assert refused.value.messages == [_refusal(leeds_draft)]
    assert SpendLine.objects.count() == 2


def test_a_replace_into_a_new_version_is_refused_while_the_old_one_holds_the_file(
    leeds_draft, officer, approver
):
    # The new version starts from v1's lines, but v1 keeps them and the file: only a draft
    # holding the file alone may take it again.
    import_job_confirm(job=preview(leeds_draft, CONTENT, actor=officer), actor=officer)
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    spend_return_approve(spend_return=leeds_draft, actor=approver, reason="January only.")
    v2 = spend_return_new_version(spend_return=leeds_draft, actor=officer)
    with pytest.raises(ValidationError) as refused:
        preview(v2, CONTENT, actor=officer, mode=ImportMode.REPLACE)
    assert refused.value.messages == [
        f"This file has already been imported into {leeds_draft} (approved, spend return "
        f"{leeds_draft.pk}); the same file is never imported twice."
    ]


def test_the_api_takes_the_same_file_again_only_to_replace_the_draft(
    officer, leeds, leeds_draft, django_capture_on_commit_callbacks
):
    _, key = api_token_create(user=officer, organisation=leeds, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = f"/api/v1/organisation/spend-returns/{leeds_draft.pk}/imports/"

    def upload(mode: str):
        body = {"file": SimpleUploadedFile("a.csv", CONTENT), "mode": mode}
        with django_capture_on_commit_callbacks(execute=True):
            return api.post(url, body, format="multipart")

    job_id = upload("add").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"/api/v1/organisation/imports/{job_id}/confirm/")
    assert _lines(leeds_draft)["count"] == 2
    added = upload("add")
    assert (added.status_code, added.json()["error"]["message"]) == (
        400,
        _refusal(leeds_draft),
    )
    replaced = upload("replace")
    assert replaced.status_code == 202
    assert replaced.json()["mode"] == "replace"
