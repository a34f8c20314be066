"""The admin cannot change what an approval signed off: an approved return's status, scope and
lines stay as approved (a new version changes them, through the workflow); and no line moves
from the return, organisation or year it was entered in (into an approved return, say)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict

from ledger.models import SpendLine, SpendReturn, SpendReturnStatus
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.lines import spend_line_correct, spend_lines_save_grid
from ledger.services.returns import spend_return_create
from tests.factories import FinancialYearFactory, SpendLineFactory

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


# --- A line stays in the return, organisation and year it was entered in ---------------------


@pytest.fixture
def other_approved(craven, year_2010, officer, approver):
    """Another organisation's approved return: where a moved line would count."""
    other = spend_return_create(organisation=craven, financial_year=year_2010, actor=None)
    SpendLineFactory(spend_return=other, amount=Decimal("5.00"))
    spend_return_submit(spend_return=other, actor=officer)
    return spend_return_approve(spend_return=other, actor=approver)


def _placement(line):
    line.refresh_from_db()
    return line.spend_return_id, line.organisation_id, line.financial_year_id


def _admin_form(line, **changes) -> dict:
    """What the admin's change form posts for ``line``, with ``changes``."""
    data = {k: "" if v is None else v for k, v in model_to_dict(line).items()}
    data.update(changes)
    return data


def test_the_admin_cannot_move_a_drafts_line(client, admin_user, leeds_draft, other_approved):
    line = SpendLineFactory(spend_return=leeds_draft, amount=Decimal("100.00"))
    before = _placement(line)
    client.force_login(admin_user)
    page = client.get(f"/admin/ledger/spendline/{line.pk}/change/").content.decode()
    for field in ("spend_return", "organisation", "financial_year"):
        assert f'name="{field}"' not in page, field
    moved = _admin_form(
        line,
        amount="123.00",
        spend_return=other_approved.pk,
        organisation=other_approved.organisation_id,
    )
    response = client.post(f"/admin/ledger/spendline/{line.pk}/change/", moved)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _placement(line) == before  # corrected, not moved
    assert line.amount == Decimal("123.00")
    assert other_approved.lines.count() == 1


@pytest.mark.parametrize("field", ["spend_return", "organisation", "financial_year"])
def test_the_grid_service_refuses_to_move_a_line(field, leeds_draft, other_approved, officer):
    line = SpendLineFactory(spend_return=leeds_draft, amount=Decimal("100.00"))
    before = _placement(line)
    elsewhere = {
        "spend_return": other_approved.pk,
        "organisation": other_approved.organisation_id,
        "financial_year": FinancialYearFactory(code="2011-12").pk,
    }
    setattr(line, f"{field}_id", elsewhere[field])
    line.amount = Decimal("1.00")
    with pytest.raises(ValidationError, match="stays in the return"):
        spend_lines_save_grid(
            spend_return=leeds_draft, actor=officer, changed=[line], new=[], deleted=[]
        )
    assert _placement(line) == before and line.amount == Decimal("100.00")


def test_the_grid_service_refuses_another_returns_line(leeds_draft, other_approved, officer):
    """A line stored in the approved return, claimed for the draft in memory."""
    line = other_approved.lines.get()
    line.spend_return_id, line.amount = leeds_draft.pk, Decimal("1.00")
    with pytest.raises(PermissionDenied, match="another return"):
        spend_lines_save_grid(
            spend_return=leeds_draft, actor=officer, changed=[line], new=[], deleted=[]
        )
    with pytest.raises(PermissionDenied, match="another return"):
        spend_lines_save_grid(
            spend_return=leeds_draft, actor=officer, changed=[], new=[], deleted=[line]
        )
    line.refresh_from_db()
    assert (line.spend_return_id, line.amount) == (other_approved.pk, Decimal("5.00"))


def test_a_correction_keeps_the_line_where_it_is(leeds_draft, other_approved, year_2010):
    line = SpendLineFactory(spend_return=leeds_draft, amount=Decimal("100.00"))
    before = _placement(line)
    other_year = FinancialYearFactory(code="2011-12")
    for field, value in [
        ("spend_return_id", other_approved.pk),
        ("organisation_id", other_approved.organisation_id),
        ("financial_year_id", other_year.pk),
    ]:
        setattr(line, field, value)
        with pytest.raises(ValidationError, match="stays in the return"):
            spend_line_correct(line=line)
        assert _placement(line) == before
    line.amount = Decimal("7.00")
    spend_line_correct(line=line)
    assert SpendLine.objects.get(pk=line.pk).amount == Decimal("7.00")
    signed_off = other_approved.lines.get()
    signed_off.amount = Decimal("1.00")
    with pytest.raises(ValidationError, match="approved"):
        spend_line_correct(line=signed_off)
