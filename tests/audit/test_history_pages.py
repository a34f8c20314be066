"""The history a spend return's pages show, and the admin's history of any tracked record."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.models import LineChangeSummary, SpendLine
from ledger.services.approval import (
    spend_return_approve,
    spend_return_send_back,
    spend_return_submit,
)
from tests.factories import PlaceFactory, ServiceThemeFactory, SpendLineFactory, UserFactory
from tests.pilots.factories import CostLineFactory, InitiativeFactory
from tests.services import require_postgres
from totalplace.audit_context import audit_context

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _signed_off(spend_return, officer, approver):
    SpendLineFactory(spend_return=spend_return, amount=Decimal("10.00"))
    spend_return_submit(spend_return=spend_return, actor=officer)
    spend_return_send_back(
        spend_return=spend_return, actor=approver, reason="Supplier names missing"
    )
    spend_return_submit(spend_return=spend_return, actor=officer)
    spend_return_approve(spend_return=spend_return, actor=approver)
    return spend_return


def test_the_history_page_lists_workflow_steps_newest_first(client, leeds_draft, officer, approver):
    _signed_off(leeds_draft, officer, approver)
    client.force_login(officer)
    response = client.get(f"/spend-returns/{leeds_draft.pk}/history/")
    assert response.status_code == 200
    text = _text(response)
    steps = ["Approved", "Submitted for sign-off", "Sent back for changes", "Created"]
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions), text
    assert "“Supplier names missing”" in text
    assert "approver" in text and "officer" in text
    if connection.vendor == "postgresql":
        assert "only the workflow steps" not in text
        # The return's own fields, from → to, in the same entry as the step.
        assert "Status Submitted Approved" in text
    else:
        assert "runs on SQLite, so only the workflow steps" in text


def test_the_return_page_shows_its_latest_history_and_links_to_the_rest(
    client, leeds_draft, officer, approver
):
    _signed_off(leeds_draft, officer, approver)
    response = client.get(f"/spend-returns/{leeds_draft.pk}/")  # approved: public
    assert response.status_code == 200
    text = _text(response)
    section = text[text.index(" History ") : text.index("Full history of this return")]
    assert section.index("Approved") < section.index("Sent back for changes")
    assert f'href="/spend-returns/{leeds_draft.pk}/history/"' in response.content.decode()
    # Anonymous readers see the status changes and when: not who, why, nor through what.
    assert "approver" not in section and "Supplier names missing" not in section
    assert " via " not in section
    client.force_login(officer)
    text = _text(client.get(f"/spend-returns/{leeds_draft.pk}/"))
    section = text[text.index(" History ") : text.index("Full history of this return")]
    assert "approver" in section and "“Supplier names missing”" in section


def test_drafts_history_is_only_for_the_organisations_people(client, leeds_draft, officer):
    stranger = UserFactory(username="stranger")
    client.force_login(stranger)
    assert client.get(f"/spend-returns/{leeds_draft.pk}/history/").status_code == 404
    client.force_login(officer)
    assert client.get(f"/spend-returns/{leeds_draft.pk}/history/").status_code == 200


def test_the_history_page_is_paginated_with_a_fixed_number_of_queries(
    client, leeds_draft, officer, approver
):
    SpendLineFactory(spend_return=leeds_draft)
    client.force_login(officer)
    url = f"/spend-returns/{leeds_draft.pk}/history/"

    def cycles(n):
        for _ in range(n):  # each step in a request of its own
            with audit_context(user=officer.pk, username="officer", url="/s/", method="POST"):
                spend_return_submit(spend_return=leeds_draft, actor=officer)
            with audit_context(user=approver.pk, username="approver", url="/b/", method="POST"):
                spend_return_send_back(spend_return=leeds_draft, actor=approver, reason="Again")

    cycles(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    cycles(10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "Page 1 of 2" in _text(response)
    assert "Page 2 of 2" in _text(client.get(url + "?page=2"))


@pytest.mark.services
def test_field_and_line_changes_read_from_and_to(client, leeds_draft, officer):
    require_postgres()
    line, _ = SpendLine.objects.bulk_create(  # one statement: one summary
        [
            SpendLineFactory.build(
                spend_return=leeds_draft,
                place=PlaceFactory(),
                theme=ServiceThemeFactory(),
                amount=amount,
                source_row=row,
            )
            for amount, row in ((Decimal("10.00"), 7), (Decimal("5.00"), 8))
        ]
    )
    with audit_context(user=officer.pk, username="officer", url="/grid/", method="POST"):
        SpendLine.objects.filter(pk=line.pk).update(amount=Decimal("12.50"), supplier_name="ACME")
        leeds_draft.title = "January, corrected"
        leeds_draft.save()
    client.force_login(officer)
    text = _text(client.get(f"/spend-returns/{leeds_draft.pk}/history/"))
    assert "Changed 1 line (net change £2.50)" in text
    assert "Added 2 lines (£15.00)" in text
    assert "Title – January, corrected" in text
    assert "officer via POST /grid/" in text
    summary = LineChangeSummary.objects.get(spend_return=leeds_draft, label="update")
    drill = client.get(
        f"/spend-returns/{leeds_draft.pk}/history/lines/?context={summary.context_id}&label=update"
    )
    assert drill.status_code == 200
    text = _text(drill)
    assert f"#{line.pk} 7 Changed" in text
    assert "Amount: £10.00 → £12.50" in text and "Supplier name: – → ACME" in text
    assert (
        client.get(f"/spend-returns/{leeds_draft.pk}/history/lines/?context=x").status_code == 404
    )


@pytest.fixture
def admin_client_logged_in(client):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_the_admin_history_of_a_return(admin_client_logged_in, leeds_draft, officer, approver):
    _signed_off(leeds_draft, officer, approver)
    client = admin_client_logged_in
    change = client.get(f"/admin/ledger/spendreturn/{leeds_draft.pk}/change/")
    assert f'href="/admin/ledger/spendreturn/{leeds_draft.pk}/history/"' in change.content.decode()
    text = _text(client.get(f"/admin/ledger/spendreturn/{leeds_draft.pk}/history/"))
    assert "Approved" in text and "“Supplier names missing”" in text
    assert "via POST" not in text  # made by services in this test, not by requests


@pytest.mark.services
@pytest.mark.parametrize(
    "make, path, expected",
    [
        (
            lambda: SpendLineFactory(amount=Decimal("1.00")),
            "ledger/spendline",
            "Amount £1.00 £2.00",
        ),
        (lambda: InitiativeFactory(title="Old"), "pilots/initiative", "Title Old New"),
        (lambda: CostLineFactory(description="Old"), "savings/costline", "Description Old New"),
    ],
)
def test_the_admin_history_of_any_tracked_record(admin_client_logged_in, make, path, expected):
    require_postgres()
    obj = make()
    with audit_context(user=None, username="", command="fix"):
        field = "amount" if path == "ledger/spendline" else (
            "title" if path == "pilots/initiative" else "description"
        )  # fmt: skip
        setattr(obj, field, Decimal("2.00") if field == "amount" else "New")
        obj.save()
    client = admin_client_logged_in
    text = _text(client.get(f"/admin/{path}/{obj.pk}/history/"))
    assert expected in text, text
    assert "command fix" in text
    listing = client.get(f"/admin/audit/{path.split('/')[1]}event/?q={obj.pk}")
    assert listing.status_code == 200
    assert "2 " in _text(listing) or str(obj.pk) in _text(listing)


def test_the_admin_lists_workflow_events(admin_client_logged_in, leeds_draft, officer, approver):
    _signed_off(leeds_draft, officer, approver)
    response = admin_client_logged_in.get("/admin/ledger/workflowevent/?action=sent_back")
    assert response.status_code == 200
    assert "approver" in _text(response)
    assert admin_client_logged_in.get("/admin/audit/spendlineevent/").status_code == 200


def test_an_import_is_one_history_entry_that_links_to_its_lines(client, leeds_draft, officer):
    from ledger.services.imports.confirm import import_job_confirm
    from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview

    rows = [DCLG_HEADER] + [dclg_row(amount=f"{n}.00", supplier=f"S{n}") for n in (1, 2, 3)]
    with audit_context(user=officer.pk, username="officer", url="/confirm/", method="POST"):
        job = import_job_confirm(
            job=preview(leeds_draft, csv_bytes(rows), actor=officer), actor=officer
        )
    client.force_login(officer)
    response = client.get(f"/spend-returns/{leeds_draft.pk}/history/")
    text = _text(response)
    link = f"/spend-returns/{leeds_draft.pk}/history/imports/{job.pk}/"
    assert response.content.decode().count(f'href="{link}"') == 1
    if connection.vendor == "postgresql":
        assert "Imported 3 lines (£6.00) in one import" in text
        assert "Added 3 lines" not in text  # one entry for the import, not a line count of it
    page = client.get(link)
    assert page.status_code == 200
    text = _text(page)
    assert f"SHA-256 {job.sha256}" in text and "officer" in text
    lines = SpendLine.objects.filter(spend_return=leeds_draft).order_by("id")
    for line, row in zip(lines, (2, 3, 4), strict=True):
        assert f"#{line.pk} {row} " in text
    assert client.get(f"/spend-returns/{leeds_draft.pk}/history/imports/999999/").status_code == 404
