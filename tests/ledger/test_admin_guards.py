"""The admin cannot change what an approval signed off: an approved return's status, scope and
lines stay as approved (a new version changes them, through the workflow)."""

from decimal import Decimal

import pytest

from ledger.models import SpendLine, SpendReturn, SpendReturnStatus
from ledger.services.sign_off import spend_return_approve, spend_return_submit
from tests.factories import SpendLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(leeds_draft, officer, approver):
    line = SpendLineFactory(spend_return=leeds_draft, amount=Decimal("100.00"))
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    spend_return_approve(spend_return=leeds_draft, actor=approver)
    return leeds_draft, line


def test_an_approved_returns_lines_cannot_be_changed_or_deleted(client, admin_user, approved):
    spend_return, line = approved
    client.force_login(admin_user)
    page = client.get(f"/admin/ledger/spendline/{line.pk}/change/")
    assert page.status_code == 200  # still viewable, read-only
    assert 'name="amount"' not in page.content.decode()
    client.post(f"/admin/ledger/spendline/{line.pk}/change/", {"amount": "999.00"})
    assert client.get(f"/admin/ledger/spendline/{line.pk}/delete/").status_code == 403
    line.refresh_from_db()
    assert line.amount == Decimal("100.00")
    assert client.get("/admin/ledger/spendline/add/").status_code == 403
    listing = client.get("/admin/ledger/spendline/").content.decode()
    assert "delete_selected" not in listing


def test_a_drafts_lines_can_still_be_corrected(client, admin_user, leeds_draft):
    line = SpendLineFactory(spend_return=leeds_draft, amount=Decimal("100.00"))
    client.force_login(admin_user)
    page = client.get(f"/admin/ledger/spendline/{line.pk}/change/").content.decode()
    assert 'name="amount"' in page
    assert client.get(f"/admin/ledger/spendline/{line.pk}/delete/").status_code == 200


def test_an_approved_return_keeps_its_status_and_scope(client, admin_user, approved, year_2010):
    spend_return, _ = approved
    client.force_login(admin_user)
    page = client.get(f"/admin/ledger/spendreturn/{spend_return.pk}/change/").content.decode()
    for field in ("status", "version", "organisation", "financial_year", "control_total"):
        assert f'name="{field}"' not in page, field
    assert 'name="title"' in page  # labels and notes can still be tidied
    assert client.get(f"/admin/ledger/spendreturn/{spend_return.pk}/delete/").status_code == 403
    spend_return.refresh_from_db()
    assert spend_return.status == SpendReturnStatus.APPROVED
    assert SpendLine.objects.filter(spend_return=spend_return).count() == 1


def test_a_draft_return_cannot_be_approved_from_the_admin(client, admin_user, leeds_draft):
    client.force_login(admin_user)
    page = client.get(f"/admin/ledger/spendreturn/{leeds_draft.pk}/change/").content.decode()
    assert 'name="status"' not in page
    assert 'name="organisation"' in page  # a draft's scope can still be fixed
    assert SpendReturn.objects.get(pk=leeds_draft.pk).status == SpendReturnStatus.DRAFT
