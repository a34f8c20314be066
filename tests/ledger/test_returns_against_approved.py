"""A new version shows the approver what approving it changes against the approved one."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.models import SpendLine
from ledger.selectors.returns import spend_return_against_approved
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.returns import spend_return_create, spend_return_new_version
from tests.ledger.import_helpers import confirmed, dclg_row

pytestmark = pytest.mark.django_db
# One month's file: a part year on the approver's check-list, signed off with a reason.
ONE_MONTH = "January's file; the rest of the year follows."


@pytest.fixture
def approved(leeds_draft, officer, approver):
    rows = [
        dclg_row(amount="870.83", area="Libraries", number=1),
        dclg_row(amount="100.00", area="Libraries", number=2),
        dclg_row(amount="2,500.00", area="Highways", number=3),
        dclg_row(amount="-40.10", area="Refuse Collection", number=4),
    ]
    confirmed(leeds_draft, rows)
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    return spend_return_approve(spend_return=leeds_draft, actor=approver, reason=ONE_MONTH)


def _page(client, user, spend_return) -> str:
    client.force_login(user)
    response = client.get(reverse("spend-return-detail", args=[spend_return.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_version_lists_the_themes_it_changes(client, approved, officer, approver):
    draft = spend_return_new_version(spend_return=approved, actor=officer)
    draft.lines.filter(amount=Decimal("100.00")).delete()
    SpendLine.objects.filter(spend_return=draft, amount=Decimal("2500.00")).update(
        amount=Decimal("2600.01")
    )
    against = spend_return_against_approved(spend_return=draft)
    assert against["approved"] == approved
    assert (against["approved_total"], against["this_total"]) == (
        Decimal("3430.73"),
        Decimal("3430.74"),
    )
    assert against["change"] == Decimal("0.01")
    # Largest change first; the theme that did not change is only counted.
    assert [(t["this_count"], t["approved_count"], t["change"]) for t in against["changed"]] == [
        (1, 1, Decimal("100.01")),
        (1, 2, Decimal("-100.00")),
    ]
    assert against["unchanged"] == 1

    submitted = spend_return_submit(spend_return=draft, actor=officer)
    page = _page(client, approver, submitted)
    assert "Against the approved version" in page
    assert 'goes from <span class="figure">£3,430.73</span> to' in page
    assert "+£0.01" in page and "+£100.01" in page and "−£100.00" in page
    assert "1 other theme unchanged." in page


def test_a_copy_with_no_changes_says_so(client, approved, officer):
    draft = spend_return_new_version(spend_return=approved, actor=officer)
    page = _page(client, officer, draft)
    assert "its total stays £3,430.73" in page
    assert "Every theme has the same number of lines and the same total" in page


def test_approved_returns_and_first_versions_have_no_comparison(
    client, approved, officer, approver, craven, year_2010
):
    assert "Against the approved version" not in _page(client, officer, approved)
    first = spend_return_create(organisation=craven, financial_year=year_2010, actor=officer)
    assert spend_return_against_approved(spend_return=first) is None
    assert "Against the approved version" not in _page(client, officer, first)
    draft = spend_return_new_version(spend_return=approved, actor=officer)
    spend_return_submit(spend_return=draft, actor=officer)
    assert spend_return_against_approved(spend_return=draft) is not None
    # Approved, it has replaced v1: there is nothing left to compare it with.
    spend_return_approve(spend_return=draft, actor=approver, reason=ONE_MONTH)
    draft.refresh_from_db()
    assert spend_return_against_approved(spend_return=draft) is None
