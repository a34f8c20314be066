"""With DEBUG on, Django logs every query through a debug cursor; imports still go in by COPY."""

import pytest
from django.db import connection
from django.test import override_settings

from ledger.models import ImportJobStatus, ImportStagedLine, SpendLine
from ledger.services.imports import staging
from ledger.services.imports.confirm import import_job_confirm
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview
from tests.services import require_postgres

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_an_import_goes_in_by_copy_with_debug_on(leeds_draft, monkeypatch):
    require_postgres()
    copied = []
    stage = staging._stage_by_copy
    monkeypatch.setattr(staging, "_stage_by_copy", lambda *a: copied.append(1) or stage(*a))
    assert connection.queries_logged  # the debug cursor wraps every cursor
    job = preview(
        leeds_draft, csv_bytes([DCLG_HEADER, dclg_row(), dclg_row(amount="2.50", number=2)])
    )
    assert job.status == ImportJobStatus.READY, (job.status, job.errors, job.message)
    assert copied, "the lines did not go in by COPY"
    assert ImportStagedLine.objects.filter(job=job).count() == 2
    import_job_confirm(job=job, actor=None)
    assert SpendLine.objects.filter(spend_return=leeds_draft).count() == 2
