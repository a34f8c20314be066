"""Who corrected which cell of an import, and who undid it: provable from the trail alone."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import ImportCorrectionEvent
from ledger.models import ImportCorrection
from ledger.services.access import api_token_create
from tests.audit.helpers import context_of
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, preview
from tests.ledger.test_import_corrections import _bad_rows
from tests.services import require_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def test_a_correction_and_its_undoing_are_recorded_with_the_officer(
    client, leeds_draft, leeds, officer, django_capture_on_commit_callbacks
):
    require_postgres()
    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, *_bad_rows()]), actor=officer)
    client.force_login(officer)
    url = reverse("import-job-corrections", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"cell-3-5": "1,234.00", "shown-3-5": "1,2x4.00"})
    correction = ImportCorrection.objects.get()
    _, key = api_token_create(user=officer, organisation=leeds, name="books")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            f"/api/v1/organisation/imports/{job.pk}/corrections/",
            {"corrections": [{"row": 3, "column": "Amount", "remove": True}]},
            format="json",
        )
    assert not ImportCorrection.objects.exists()
    events = list(ImportCorrectionEvent.objects.filter(pgh_obj_id=correction.pk).order_by("pgh_id"))
    assert [
        (e.pgh_label, e.job_id, e.row, e.column, e.original, e.value, e.created_by_id)
        for e in events
    ] == [
        ("insert", job.pk, 3, "Amount", "1,2x4.00", "1,234.00", officer.pk),
        ("delete", job.pk, 3, "Amount", "1,2x4.00", "1,234.00", officer.pk),
    ]
    inserted, deleted = (context_of(e) for e in events)
    assert (inserted["user"], inserted["url"], inserted["method"]) == (officer.pk, url, "POST")
    assert deleted["user"] == officer.pk and deleted["api_token"].startswith(key[:8])
