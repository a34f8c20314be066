"""The returns list starts with what waits for the person looking: sign-offs and send-backs."""

import pytest
from django.urls import reverse

from ledger.models import Role
from ledger.selectors.returns import spend_returns_waiting
from ledger.services.access import membership_grant
from ledger.services.approval import spend_return_send_back, spend_return_submit
from ledger.services.returns import spend_return_create
from tests.factories import UserFactory
from tests.ledger.import_helpers import confirmed, dclg_row

pytestmark = pytest.mark.django_db


def _submitted(spend_return, officer, body="00DA"):
    confirmed(spend_return, [dclg_row(body=body)])
    return spend_return_submit(spend_return=spend_return, actor=officer)


def _waiting(user):
    found = spend_returns_waiting(user=user)
    return {name: [r.pk for r in part["returns"]] for name, part in found.items()}


def test_approvers_see_what_to_sign_off_and_officers_what_came_back(
    leeds_draft, officer, approver, craven, year_2010
):
    leeds = _submitted(leeds_draft, officer)
    assert _waiting(approver) == {"approve": [leeds.pk]}
    assert _waiting(officer) == {}
    # Someone who is both submits Craven's: they are never asked to sign off their own.
    both = UserFactory(username="both")
    for role in (Role.FINANCE_OFFICER, Role.APPROVER):
        membership_grant(user=both, organisation=craven, role=role)
    draft = spend_return_create(organisation=craven, financial_year=year_2010, actor=both)
    own = _submitted(draft, both, body="E07000163")
    assert _waiting(both) == {}
    assert _waiting(approver) == {"approve": [leeds.pk, own.pk]}
    spend_return_send_back(spend_return=leeds, actor=approver, reason="Totals differ")
    assert _waiting(officer) == {"changes": [leeds.pk]}
    assert _waiting(approver) == {"approve": [own.pk]}
    # Nothing waits for people without roles.
    assert _waiting(UserFactory()) == {}


def test_the_list_page_shows_it(client, leeds_draft, officer, approver):
    leeds = _submitted(leeds_draft, officer)
    spend_return_send_back(spend_return=leeds, actor=approver, reason="Row 12 is a duplicate")
    client.force_login(officer)
    page = client.get(reverse("spend-return-list")).content.decode()
    assert "Waiting for you" in page and "Sent back for changes (1)" in page
    assert "by approver</span>: “Row 12 is a duplicate”" in page
    client.force_login(approver)
    assert "Waiting for you" not in client.get(reverse("spend-return-list")).content.decode()
