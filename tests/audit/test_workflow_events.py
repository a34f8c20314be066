"""Workflow events: every sign-off and import step, its actor and reason, on every database."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from ledger.models import SpendReturnStatus, WorkflowEvent
from ledger.services.approval import (
    spend_return_approve,
    spend_return_send_back,
    spend_return_submit,
)
from ledger.services.imports.confirm import import_job_confirm, import_job_confirm_failed
from ledger.services.imports.jobs import import_job_cancel, import_jobs_expire
from ledger.services.returns import spend_return_discard, spend_return_new_version
from tests.factories import SpendLineFactory
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview
from totalplace.audit_context import audit_context

pytestmark = pytest.mark.django_db


def _steps(**filters) -> list[tuple]:
    events = WorkflowEvent.objects.filter(**filters).order_by("id")
    return list(events.values_list("action", "actor_name", "reason", "detail"))


def test_sign_off_steps_are_recorded_with_actor_and_reason(leeds_draft, officer, approver):
    SpendLineFactory(spend_return=leeds_draft, amount=Decimal("10.00"))
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    spend_return_send_back(
        spend_return=leeds_draft, actor=approver, reason="  Row 4 is a duplicate. "
    )
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    spend_return_approve(spend_return=leeds_draft, actor=approver)
    v2 = spend_return_new_version(spend_return=leeds_draft, actor=officer)
    spend_return_submit(spend_return=v2, actor=officer)
    spend_return_approve(spend_return=v2, actor=approver)

    assert _steps(spend_return=leeds_draft) == [
        ("created", "officer", "", {"version": 1}),
        ("submitted", "officer", "", {"version": 1, "status_before": "draft"}),
        ("sent_back", "approver", "Row 4 is a duplicate.", {"version": 1}),
        ("submitted", "officer", "", {"version": 1, "status_before": "sent_back"}),
        ("approved", "approver", "", {"version": 1}),
        ("superseded", "approver", "", {"version": 1, "by_version": 2}),
    ]
    assert _steps(spend_return=v2) == [
        ("created", "officer", "", {"version": 2}),
        ("submitted", "officer", "", {"version": 2, "status_before": "draft"}),
        ("approved", "approver", "", {"version": 2}),
    ]
    assert set(WorkflowEvent.objects.values_list("organisation_id", flat=True)) == {
        leeds_draft.organisation_id
    }


def test_an_approval_and_its_event_commit_or_roll_back_together(leeds_draft, officer, approver):
    SpendLineFactory(spend_return=leeds_draft)
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    with pytest.raises(RuntimeError), transaction.atomic():
        spend_return_approve(spend_return=leeds_draft, actor=approver)
        raise RuntimeError("fails after the approval, before the commit")
    leeds_draft.refresh_from_db()
    assert leeds_draft.status == SpendReturnStatus.SUBMITTED
    assert not WorkflowEvent.objects.filter(action="approved").exists()
    # Approved for real, once: a second approval is refused and records nothing.
    spend_return_approve(spend_return=leeds_draft, actor=approver)
    with pytest.raises(ValidationError):
        spend_return_approve(spend_return=leeds_draft, actor=approver)
    assert WorkflowEvent.objects.filter(action="approved").count() == 1


def test_import_steps_are_recorded(leeds_draft, officer):
    rows = [DCLG_HEADER, dclg_row(amount="100.00"), dclg_row(amount="-0.50")]
    job = preview(leeds_draft, csv_bytes(rows), name="jan.csv", actor=officer)
    import_job_confirm(job=job, actor=officer)
    bad = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row(amount="ten")]), actor=officer)
    cancelled = preview(
        leeds_draft, csv_bytes([DCLG_HEADER, dclg_row(amount="1.00")]), actor=officer
    )
    import_job_cancel(job=cancelled, actor=officer)

    steps = _steps(import_job=job)
    assert [s[:2] for s in steps] == [
        ("import_uploaded", "officer"),
        ("import_previewed", "officer"),
        ("import_confirmed", "officer"),
    ]
    assert steps[0][3] == {
        "file": "jan.csv",
        "sha256": job.sha256,
        "bytes": job.size,
        "mode": "add",
    }
    assert steps[1][3] == {
        "file": "jan.csv",
        "outcome": "ready",
        "lines": 2,
        "total": "99.50",
        "errors": 0,
    }
    assert steps[2][3] == {
        "file": "jan.csv",
        "sha256": job.sha256,
        "lines": 2,
        "total": "99.50",
        "mode": "add",
        "lines_replaced": 0,
    }
    previewed_bad = WorkflowEvent.objects.get(import_job=bad, action="import_previewed")
    assert previewed_bad.detail["outcome"] == "invalid" and previewed_bad.reason
    assert [s[0] for s in _steps(import_job=cancelled)][-1] == "import_cancelled"
    assert WorkflowEvent.objects.filter(spend_return=leeds_draft, import_job=job).count() == 3


def test_refused_and_expired_imports_are_recorded_as_the_systems(leeds_draft, officer):
    import datetime as dt

    from ledger.models import ImportJob, ImportJobStatus

    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row()]), actor=officer)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.CONFIRMING)
    import_job_confirm_failed(job_id=job.pk, message="The previewed lines are gone.")
    refused = WorkflowEvent.objects.get(action="import_refused")
    assert (refused.actor_id, refused.reason) == (None, "The previewed lines are gone.")

    old = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row(amount="2.00")]), actor=officer)
    with audit_context(task="ledger.import_jobs_expire"):
        # Both: a refused confirmation leaves a preview waiting (with its errors) too.
        assert import_jobs_expire(older_than=dt.timedelta(seconds=-1)) == 2
    expired = WorkflowEvent.objects.get(import_job=old, action="import_cancelled")
    assert expired.actor_id is None and "not confirmed within" in expired.reason
    assert expired.context["task"] == "ledger.import_jobs_expire"


def test_a_discarded_draft_keeps_its_history(leeds_draft, officer):
    SpendLineFactory(spend_return=leeds_draft)
    pk = leeds_draft.pk
    spend_return_discard(spend_return=leeds_draft, actor=officer)
    assert _steps(spend_return_id=pk)[-1][:2] == ("discarded", "officer")
    assert _steps(spend_return_id=pk)[-1][3] == {"version": 1, "lines": 1}


@pytest.mark.services
def test_workflow_events_are_never_updated_or_deleted_on_postgresql(leeds_draft):
    from django.db import DatabaseError

    from tests.services import require_postgres

    require_postgres()
    event = WorkflowEvent.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        WorkflowEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        event.delete()
