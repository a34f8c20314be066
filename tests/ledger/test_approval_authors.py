"""Separation of duties: whoever prepared a version never approves it.

Preparing is creating the version, entering, changing or deleting its lines (on the grid, as
the audit trail records), uploading, correcting or confirming an import into it, applying theme
rules to it, or submitting it. Reading it is not.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ledger.models import Role, ServiceTheme, SpendReturnStatus
from ledger.selectors.preparers import spend_return_author_ids
from ledger.selectors.returns import spend_returns_waiting
from ledger.services.access import membership_grant
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.imports.confirm import import_job_confirm
from tests.factories import SpendLineFactory, UserFactory
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview
from tests.services import require_postgres

pytestmark = pytest.mark.django_db
# One month's file: a part year on the approver's check-list, signed off with a reason.
ONE_MONTH = "January's file; the rest of the year follows."


@pytest.fixture
def dual(leeds):
    """A finance officer of Leeds who is also one of its approvers."""
    user = UserFactory(username="dual-role")
    for role in (Role.FINANCE_OFFICER, Role.APPROVER):
        membership_grant(user=user, organisation=leeds, role=role)
    return user


def _body(response) -> str:
    return response.content.decode()


def _grid(client, spend_return, row: dict, *, line=None) -> None:
    """One row of the line grid, posted as the page does: a new line, or ``line`` changed."""
    data = {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1" if line else "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **{f"lines-0-{k}": v for k, v in row.items()},
    }
    if line:
        data["lines-0-id"] = line.pk
    response = client.post(reverse("spend-return-lines", args=[spend_return.pk]), data)
    assert response.status_code == 302, _body(response)[:2000]


def _row(spend_return, amount: str) -> dict:
    return {
        "place": spend_return.organisation.home_place.pk,
        "theme": ServiceTheme.objects.get(code="cultural-libraries").pk,
        "amount": amount,
        "spend_kind": "revenue",
        "supplier_name": "Books Ltd",
        "transaction_date": "2010-06-01",
        "description": "Books",
    }


def _refused(client, spend_return, user) -> None:
    """``user`` cannot approve: the service refuses, the page says why, the button is gone."""
    with pytest.raises(PermissionDenied, match="You prepared this version"):
        spend_return_approve(spend_return=spend_return, actor=user)
    client.force_login(user)
    detail = _body(client.get(reverse("spend-return-detail", args=[spend_return.pk])))
    assert "You prepared this version" in detail
    assert f'action="/spend-returns/{spend_return.pk}/approve/"' not in detail
    assert "Return for changes" in detail  # sending it back is still theirs to do
    response = client.post(reverse("spend-return-approve", args=[spend_return.pk]), follow=True)
    assert "You prepared this version" in _body(response)
    spend_return.refresh_from_db()
    assert spend_return.status == SpendReturnStatus.SUBMITTED


@pytest.mark.services
@pytest.mark.parametrize("change", ["entered", "changed"])
def test_an_approver_who_entered_or_changed_a_line_cannot_approve(
    client, leeds_draft, officer, dual, approver, change
):
    require_postgres()  # the trail of line changes is recorded by PostgreSQL's triggers
    SpendLineFactory(spend_return=leeds_draft, amount=Decimal("10.00"))  # by the system
    client.force_login(dual)
    if change == "entered":
        _grid(client, leeds_draft, _row(leeds_draft, "5.00"))
    else:
        _grid(client, leeds_draft, _row(leeds_draft, "12.00"), line=leeds_draft.lines.get())
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    assert spend_return_author_ids(spend_return=leeds_draft) == {officer.pk, dual.pk}
    _refused(client, leeds_draft, dual)
    assert "approve" not in spend_returns_waiting(user=dual)
    spend_return_approve(spend_return=leeds_draft, actor=approver, reason="June only.")
    leeds_draft.refresh_from_db()
    assert leeds_draft.status == SpendReturnStatus.APPROVED


def test_an_approver_who_confirmed_an_import_cannot_approve(
    client, leeds_draft, officer, dual, approver
):
    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row()]), actor=officer)
    import_job_confirm(job=job, actor=dual)
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    assert dual.pk in spend_return_author_ids(spend_return=leeds_draft)
    _refused(client, leeds_draft, dual)
    # Nor is it listed as waiting for them; it waits for the other approver.
    assert "approve" not in spend_returns_waiting(user=dual)
    assert spend_returns_waiting(user=approver)["approve"]["returns"] == [leeds_draft]
    spend_return_approve(spend_return=leeds_draft, actor=approver, reason=ONE_MONTH)


def test_an_approver_who_only_read_the_return_approves_it(
    client, leeds_draft, officer, dual, approver
):
    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row()]), actor=officer)
    import_job_confirm(job=job, actor=officer)
    client.force_login(dual)  # reads it while it is a draft, and again once submitted
    for url in ("", "history/", "lines/"):
        assert client.get(f"/spend-returns/{leeds_draft.pk}/{url}").status_code == 200
    assert client.get(reverse("import-job-detail", args=[job.pk])).status_code == 200
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    assert spend_return_author_ids(spend_return=leeds_draft) == {officer.pk}
    assert spend_returns_waiting(user=dual)["approve"]["returns"] == [leeds_draft]
    detail = _body(client.get(reverse("spend-return-detail", args=[leeds_draft.pk])))
    assert f'action="/spend-returns/{leeds_draft.pk}/approve/"' in detail
    assert "You prepared this version" not in detail
    client.post(reverse("spend-return-approve", args=[leeds_draft.pk]), {"reason": ONE_MONTH})
    leeds_draft.refresh_from_db()
    assert (leeds_draft.status, leeds_draft.approved_by) == (SpendReturnStatus.APPROVED, dual)
