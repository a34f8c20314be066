"""The approver's check-list: every warning with its count and money, before the button; an
approval with warnings needs a reason, recorded in its workflow event."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ledger.models import (
    SpendLine,
    SpendReturnStatus,
    SupplierMatch,
    SupplierMatchStatus,
    WorkflowEvent,
)
from ledger.selectors.approval import spend_return_approval_checks
from ledger.services.accruals import spend_return_set_accruals_basis
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.lines import spend_lines_add
from tests.factories import ServiceThemeFactory
from tests.ledger.test_returns_api import _client

pytestmark = pytest.mark.django_db
NHS = "Northshire Community NHS Trust"  # a public body by its name, matched to none


def _lines(spend_return, *items):
    place, theme = spend_return.organisation.home_place, ServiceThemeFactory()
    spend_lines_add(
        spend_return=spend_return,
        lines=[
            SpendLine(
                place=place,
                theme=theme,
                amount=Decimal(amount),
                transaction_date=day,
                supplier_name=supplier,
                transaction_ref=ref,
                source_row=row,
            )
            for row, (amount, day, supplier, ref) in enumerate(items, start=2)
        ],
    )


@pytest.fixture
def submitted(leeds_draft, officer, leeds, craven):
    """Leeds 2010-11 on accruals: a line of April 2011, January and February only, a payment
    of £30,000 to an NHS trust no match names, one to a matched council, small ones."""
    spend_return_set_accruals_basis(
        spend_return=leeds_draft, actor=officer, accruals_basis=True, reason="Accrued."
    )
    SupplierMatch.objects.create(
        payer=leeds,
        supplier_name="Craven District Council",
        receiver=craven,
        method="name",
        status=SupplierMatchStatus.CONFIRMED,
    )
    _lines(
        leeds_draft,
        ("30000.00", dt.date(2011, 1, 14), NHS, "T1"),  # row 2
        ("40000.00", dt.date(2011, 1, 14), "Craven District Council", "T2"),  # row 3: matched
        ("24999.99", dt.date(2011, 2, 1), "Another NHS Trust", "T3"),  # row 4: under the limit
        ("12.50", dt.date(2011, 4, 2), "A Supplier Ltd", "T4"),  # row 5: outside 2010-11
        ("12.50", dt.date(2011, 4, 2), "A Supplier Ltd", "T4"),  # row 6: row 5 again
    )
    return spend_return_submit(spend_return=leeds_draft, actor=officer)


def test_every_warning_has_its_count_and_money(submitted):
    checks = spend_return_approval_checks(spend_return=submitted)
    assert [(w.code, w.count, w.total) for w in checks.warnings] == [
        ("out_of_year", 2, Decimal("25.00")),
        ("duplicate_transactions", 1, Decimal("12.50")),
        ("part_year", 2, None),
        ("public_bodies", 1, Decimal("30000.00")),
    ]
    assert checks.warnings[2].title == (
        "Part year (2 of 12 months): Jan–Feb (from its lines' dates)"
    )
    assert [(p.source_row, p.supplier_name) for p in checks.public_body_payments] == [(2, NHS)]


def test_the_limit_for_large_payments_is_a_setting(submitted, settings):
    settings.LARGE_PUBLIC_BODY_PAYMENT = 20_000
    checks = spend_return_approval_checks(spend_return=submitted)
    public = [w for w in checks.warnings if w.code == "public_bodies"]
    assert [(w.count, w.total) for w in public] == [(2, Decimal("54999.99"))]
    assert "£20,000 or more" in public[0].title


def test_a_return_without_warnings_is_approved_without_a_reason(leeds_draft, officer, approver):
    _lines(
        leeds_draft,
        *[
            (f"{m}.00", dt.date(2010 + (m < 4), m, 1), "A Supplier Ltd", f"T{m}")
            for m in range(1, 13)
        ],
    )
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    assert not spend_return_approval_checks(spend_return=leeds_draft)
    spend_return_approve(spend_return=leeds_draft, actor=approver)
    event = WorkflowEvent.objects.get(spend_return=leeds_draft, action="approved")
    assert (event.reason, event.detail) == ("", {"version": 1})


def test_approving_with_warnings_needs_a_reason_recorded_with_them(submitted, approver):
    with pytest.raises(ValidationError) as refused:
        spend_return_approve(spend_return=submitted, actor=approver, reason="  ")
    message = refused.value.messages[0]
    assert "2 lines dated outside 2010-11; kept on an accruals basis: Accrued. (£25.00)" in message
    assert "Part year (2 of 12 months): Jan–Feb" in message
    assert message.endswith("Approving with these warnings needs a reason.")
    submitted.refresh_from_db()
    assert submitted.status == SpendReturnStatus.SUBMITTED
    spend_return_approve(spend_return=submitted, actor=approver, reason="Checked with Leeds.")
    event = WorkflowEvent.objects.get(spend_return=submitted, action="approved")
    assert event.reason == "Checked with Leeds."
    assert event.detail == {
        "version": 1,
        "warnings": {
            "out_of_year": {"count": 2, "total": "25.00"},
            "duplicate_transactions": {"count": 1, "total": "12.50"},
            "part_year": {"count": 2},
            "public_bodies": {"count": 1, "total": "30000.00"},
        },
    }


def test_the_system_approves_without_a_reason(submitted):
    assert spend_return_approve(spend_return=submitted, actor=None).status == "approved"


def test_the_page_shows_the_check_list_before_the_button(client, submitted, approver):
    client.force_login(approver)
    url = reverse("spend-return-detail", args=[submitted.pk])
    page = client.get(url).content.decode()
    checks = page.index('id="checks-heading"')
    assert checks < page.index('action="' + reverse("spend-return-approve", args=[submitted.pk]))
    assert "4 warnings" in page and NHS in page and "£30,000.00" in page
    approve = reverse("spend-return-approve", args=[submitted.pk])
    refused = client.post(approve, {"reason": ""}, follow=True).content.decode()
    assert "Approving with these warnings needs a reason." in refused
    submitted.refresh_from_db()
    assert submitted.status == SpendReturnStatus.SUBMITTED
    client.post(approve, {"reason": "One month, accrued, checked."})
    submitted.refresh_from_db()
    assert submitted.status == SpendReturnStatus.APPROVED
    assert WorkflowEvent.objects.get(spend_return=submitted, action="approved").reason == (
        "One month, accrued, checked."
    )


def test_the_api_answers_400_naming_the_warnings_without_a_reason(submitted, approver, leeds):
    api = _client(approver, leeds)
    url = f"/api/v1/organisation/spend-returns/{submitted.pk}/approve/"
    refused = api.post(url, {}, format="json")
    assert refused.status_code == 400
    message = refused.json()["error"]["message"]
    assert "2 lines dated outside 2010-11" in message and "Part year" in message
    approved = api.post(url, {"reason": "Checked."}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_only_approvers_approve_through_the_api(submitted, officer, leeds):
    refused = _client(officer, leeds).post(
        f"/api/v1/organisation/spend-returns/{submitted.pk}/approve/",
        {"reason": "Checked."},
        format="json",
    )
    assert refused.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == SpendReturnStatus.SUBMITTED
