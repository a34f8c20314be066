from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ledger.models import Role, SpendLine, SpendReturn, SpendReturnStatus
from ledger.services.access import membership_grant
from ledger.services.approval import (
    spend_return_approve,
    spend_return_send_back,
    spend_return_submit,
)
from ledger.services.lines import spend_lines_add
from ledger.services.returns import spend_return_create
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scope():
    return {"organisation": OrganisationFactory(), "financial_year": FinancialYearFactory()}


def _with_lines(spend_return, *amounts):
    place, theme = PlaceFactory(), ServiceThemeFactory()
    spend_lines_add(
        spend_return=spend_return,
        lines=[SpendLine(place=place, theme=theme, amount=Decimal(a)) for a in amounts],
    )
    return spend_return


def test_versions_number_up_within_a_scope(scope):
    first = spend_return_create(**scope, actor=None)
    second = spend_return_create(**scope, actor=None)
    other_place = spend_return_create(**scope, actor=None, place=PlaceFactory())
    assert (first.version, second.version, other_place.version) == (1, 2, 1)


def test_approving_a_new_version_supersedes_the_old_one(scope):
    officer, approver = UserFactory(), UserFactory()
    membership_grant(user=officer, organisation=scope["organisation"], role=Role.FINANCE_OFFICER)
    membership_grant(user=approver, organisation=scope["organisation"], role=Role.APPROVER)
    v1 = _with_lines(spend_return_create(**scope, actor=officer), "10.00")
    spend_return_submit(spend_return=v1, actor=officer)
    spend_return_approve(spend_return=v1, actor=approver)
    v2 = _with_lines(spend_return_create(**scope, actor=officer), "12.00")
    spend_return_submit(spend_return=v2, actor=officer)
    v1.refresh_from_db()
    assert v1.status == SpendReturnStatus.APPROVED  # still counts until v2 is approved
    spend_return_approve(spend_return=v2, actor=approver)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v1.superseded_by, v2.status) == (
        SpendReturnStatus.SUPERSEDED,
        v2,
        SpendReturnStatus.APPROVED,
    )
    assert v2.approved_by == approver and v2.approved_at is not None


def test_an_older_version_never_replaces_an_approved_newer_one(scope):
    """Two drafts submitted side by side: once v3 is approved, approving v2 would put back the
    figures v3 corrected, so it is refused; a new version started from v2 may be approved."""
    from ledger.services.returns import spend_return_new_version

    v1 = _with_lines(spend_return_create(**scope, actor=None), "1.00")
    v2 = _with_lines(spend_return_create(**scope, actor=None), "2.00")
    v3 = _with_lines(spend_return_create(**scope, actor=None), "3.00")
    for version in (v1, v2, v3):
        spend_return_submit(spend_return=version, actor=None)
    spend_return_approve(spend_return=v3, actor=None)
    with pytest.raises(ValidationError, match="Version 3 is approved and counts; version 2"):
        spend_return_approve(spend_return=v2, actor=None)
    v2.refresh_from_db()
    v3.refresh_from_db()
    assert (v2.status, v3.status) == (SpendReturnStatus.SUBMITTED, SpendReturnStatus.APPROVED)
    spend_return_send_back(spend_return=v1, actor=None, reason="Superseded by v3")
    again = spend_return_new_version(spend_return=v2, actor=None)
    spend_return_submit(spend_return=again, actor=None)
    assert spend_return_approve(spend_return=again, actor=None).version == 4
    v3.refresh_from_db()
    assert (v3.status, v3.superseded_by) == (SpendReturnStatus.SUPERSEDED, again)


def test_a_drafts_control_total_is_declared_on_its_page_and_recorded(scope, client):
    """Its officer declares it, changes it and clears it while it is a draft; each change is a
    workflow event; once submitted it is refused."""
    from django.urls import reverse

    from ledger.models import WorkflowAction, WorkflowEvent

    officer = UserFactory()
    membership_grant(user=officer, organisation=scope["organisation"], role=Role.FINANCE_OFFICER)
    draft = _with_lines(spend_return_create(**scope, actor=officer), "2.50", "7.50")
    client.force_login(officer)
    page = client.get(reverse("spend-return-detail", args=[draft.pk])).content.decode()
    assert 'id="control-total-form"' in page
    url = reverse("spend-return-control-total", args=[draft.pk])
    client.post(url, {"control_total": "9.99"})
    draft.refresh_from_db()
    assert draft.control_total == Decimal("9.99")
    with pytest.raises(ValidationError, match="declared control total is £9.99"):
        spend_return_submit(spend_return=draft, actor=officer)
    client.post(url, {"control_total": "10.00"})
    client.post(url, {"control_total": "10.001"})  # not pence: refused, nothing changes
    draft.refresh_from_db()
    assert draft.control_total == Decimal("10.00")
    events = WorkflowEvent.objects.filter(spend_return=draft, action=WorkflowAction.CONTROL_TOTAL)
    assert [e.detail for e in events.order_by("pk")] == [
        {"from": None, "to": "9.99"},
        {"from": "9.99", "to": "10.00"},
    ]
    history = client.get(reverse("spend-return-history", args=[draft.pk])).content.decode()
    assert "£9.99 → £10.00" in history
    spend_return_submit(spend_return=draft, actor=officer)
    client.post(url, {"control_total": ""})
    draft.refresh_from_db()
    assert draft.control_total == Decimal("10.00")  # submitted: no longer the officer's to change


def test_the_database_refuses_two_approved_versions(scope):
    SpendReturn.objects.create(**scope, version=1, status=SpendReturnStatus.APPROVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        SpendReturn.objects.create(**scope, version=2, status=SpendReturnStatus.APPROVED)


def test_only_submitted_returns_can_be_approved_or_sent_back(scope):
    draft = _with_lines(spend_return_create(**scope, actor=None), "1.00")
    with pytest.raises(ValidationError):
        spend_return_approve(spend_return=draft, actor=None)
    with pytest.raises(ValidationError):
        spend_return_send_back(spend_return=draft, actor=None, reason="no")


def test_an_empty_return_cannot_be_submitted(scope):
    with pytest.raises(ValidationError):
        spend_return_submit(spend_return=spend_return_create(**scope, actor=None), actor=None)


def test_a_returned_return_can_be_fixed_and_resubmitted(scope):
    spend_return = _with_lines(spend_return_create(**scope, actor=None), "1.00")
    spend_return_submit(spend_return=spend_return, actor=None)
    with pytest.raises(ValidationError):
        spend_return_send_back(spend_return=spend_return, actor=None, reason="  ")
    returned = spend_return_send_back(spend_return=spend_return, actor=None, reason="Wrong year")
    assert (
        returned.status == SpendReturnStatus.SENT_BACK and returned.send_back_reason == "Wrong year"
    )
    _with_lines(returned, "2.00")
    assert (
        spend_return_submit(spend_return=returned, actor=None).status == SpendReturnStatus.SUBMITTED
    )


def test_only_the_organisations_finance_officers_start_a_new_version(scope):
    from django.core.exceptions import PermissionDenied

    from ledger.services.returns import spend_return_new_version

    approved = _with_lines(spend_return_create(**scope, actor=None), "5.00")
    spend_return_submit(spend_return=approved, actor=None)
    spend_return_approve(spend_return=approved, actor=None)
    approver, officer = UserFactory(), UserFactory()
    membership_grant(user=approver, organisation=scope["organisation"], role=Role.APPROVER)
    membership_grant(user=officer, organisation=scope["organisation"], role=Role.FINANCE_OFFICER)
    with pytest.raises(PermissionDenied, match="Only finance officers"):
        spend_return_new_version(spend_return=approved, actor=approver)
    draft = spend_return_new_version(spend_return=approved, actor=officer)
    assert (draft.version, draft.lines.count(), draft.created_by) == (2, 1, officer)
