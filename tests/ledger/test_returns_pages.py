"""Spend return pages: who sees what, the grid, sign-off, the import pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.models import (
    ImportJob,
    ImportJobStatus,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
)
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.returns import spend_return_create
from tests.factories import UserFactory
from tests.ledger.import_helpers import CRAVEN_FILE, DCLG_HEADER, csv_bytes, dclg_row, preview

pytestmark = pytest.mark.django_db
# One month's file: a part year on the approver's check-list, signed off with a reason.
ONE_MONTH = "January's file; the rest of the year follows."


@pytest.fixture
def approved(leeds_draft, officer, approver):
    import_job_confirm(job=preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row()])), actor=None)
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    return spend_return_approve(spend_return=leeds_draft, actor=approver, reason=ONE_MONTH)


def _body(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_drafts_are_seen_only_by_their_organisation(client, approved, leeds, officer, craven):
    draft = spend_return_create(
        organisation=craven, financial_year=approved.financial_year, actor=None
    )
    url = reverse("spend-return-list")
    anonymous = _body(client.get(url))
    assert "Leeds City Council" in anonymous and "Craven District Council" not in anonymous
    assert client.get(reverse("spend-return-detail", args=[draft.pk])).status_code == 404
    client.force_login(UserFactory())
    assert "Craven District Council" not in _body(client.get(url))
    client.force_login(officer)
    assert "Craven District Council" in _body(client.get(url))
    assert client.get(reverse("spend-return-detail", args=[draft.pk])).status_code == 200


def test_the_list_costs_the_same_queries_for_many_returns(
    client, officer, leeds, craven, year_2010, django_assert_max_num_queries
):
    client.force_login(officer)
    spend_return_create(organisation=leeds, financial_year=year_2010, actor=None)
    client.get(reverse("spend-return-list"))
    # 16: the organisations filter reads which organisations have returns the user may see,
    # and whether the user has organisations of their own (the list opens on theirs); the nav
    # counts the user's unread notifications; the lines and totals of the returns shown are
    # one grouped query of their own.
    with django_assert_max_num_queries(16) as one:
        client.get(reverse("spend-return-list"))
    for _ in range(8):
        spend_return_create(organisation=craven, financial_year=year_2010, actor=None)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = _body(client.get(reverse("spend-return-list")))
    assert "9 spend returns" in page


def test_create_a_draft_and_see_the_next_version(client, officer, leeds, approved):
    client.force_login(officer)
    form = _body(client.get(reverse("spend-return-create")))
    assert '<label for="id_organisation">' in form
    bad = client.post(reverse("spend-return-create"), {"financial_year": "2010-11"})
    assert "This field is required." in _body(bad)
    response = client.post(
        reverse("spend-return-create"),
        {"organisation": leeds.pk, "financial_year": "2010-11", "control_total": "870.83"},
    )
    draft = SpendReturn.objects.get(version=2)
    assert response.url == reverse("spend-return-detail", args=[draft.pk])
    page = _body(client.get(response.url))
    assert "v2 · Draft" in page and "Upload a spend file" in page
    assert (
        page.count('href="/spend-returns/') >= 2 and f"/spend-returns/{approved.pk}/" in page
    )  # v1 listed


def test_someone_without_a_role_cannot_start_a_return(client):
    client.force_login(UserFactory())
    assert "not a finance officer of any organisation" in _body(
        client.get(reverse("spend-return-create"))
    )


def test_the_line_grid_checks_every_field_and_saves_all_or_nothing(client, officer, leeds_draft):
    client.force_login(officer)
    url = reverse("spend-return-lines", args=[leeds_draft.pk])
    form = _body(client.get(url))
    assert "lines-TOTAL_FORMS" in form and 'class="visually-hidden" for="id_lines-0-amount"' in form
    from ledger.models import ServiceTheme

    theme = ServiceTheme.objects.get(code="cultural-libraries")
    place = leeds_draft.organisation.home_place

    def post(rows):
        data = {
            "lines-TOTAL_FORMS": str(len(rows)),
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
        }
        for i, row in enumerate(rows):
            data.update({f"lines-{i}-{k}": v for k, v in row.items()})
        return client.post(url, data)

    good = {
        "place": place.pk,
        "theme": theme.pk,
        "amount": "123.45",
        "spend_kind": "revenue",
        "supplier_name": "Books Ltd",
        "transaction_date": "2010-06-01",
        "description": "Books",
    }
    response = post([good, {**good, "amount": "12.345"}, {**good, "transaction_date": "31/02"}])
    page = _body(response)
    assert "Ensure that there are no more than 2 decimal places." in page
    assert "Enter a valid date." in page
    assert not SpendLine.objects.exists()
    # A new line needs a date and a description (an imported one may lack them).
    errors = post([{**good, "transaction_date": "", "description": ""}]).context["formset"].errors
    assert errors == [
        {
            "transaction_date": ["This field is required."],
            "description": ["This field is required."],
        }
    ]
    response = post([good, {**good, "amount": "-3.00", "spend_kind": "capital"}])
    assert response.status_code == 302
    assert sorted(SpendLine.objects.values_list("amount", flat=True)) == [
        Decimal("-3.00"),
        Decimal("123.45"),
    ]
    line = SpendLine.objects.get(amount=Decimal("123.45"))
    assert (line.organisation, line.financial_year, line.basis) == (
        leeds_draft.organisation,
        leeds_draft.financial_year,
        "direct",
    )


def test_sign_off_through_the_pages(client, officer, approver, leeds_draft):
    import_job_confirm(job=preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row()])), actor=None)
    detail = reverse("spend-return-detail", args=[leeds_draft.pk])
    client.force_login(approver)
    assert "Submit for sign-off" not in _body(client.get(detail))
    client.force_login(officer)
    client.post(reverse("spend-return-submit", args=[leeds_draft.pk]))
    client.force_login(approver)
    page = _body(client.get(detail))
    assert "Approve" in page and "Return for changes" in page
    response = client.post(
        reverse("spend-return-send-back", args=[leeds_draft.pk]), {"reason": ""}, follow=True
    )
    assert "Say why the return is being sent back." in _body(response)
    client.post(
        reverse("spend-return-send-back", args=[leeds_draft.pk]),
        {"reason": "Supplier names missing"},
    )
    leeds_draft.refresh_from_db()
    assert leeds_draft.status == SpendReturnStatus.SENT_BACK
    client.force_login(officer)
    assert "Supplier names missing" in _body(client.get(detail))
    client.post(reverse("spend-return-submit", args=[leeds_draft.pk]))
    client.force_login(approver)
    client.post(reverse("spend-return-approve", args=[leeds_draft.pk]), {"reason": ONE_MONTH})
    leeds_draft.refresh_from_db()
    assert (leeds_draft.status, leeds_draft.approved_by) == (SpendReturnStatus.APPROVED, approver)


def test_an_officer_cannot_approve(client, officer, leeds_draft):
    import_job_confirm(job=preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row()])), actor=None)
    client.force_login(officer)
    client.post(reverse("spend-return-submit", args=[leeds_draft.pk]))
    response = client.post(reverse("spend-return-approve", args=[leeds_draft.pk]))
    assert response.status_code == 403
    assert "approvers can approve or send back" in response.content.decode()
    leeds_draft.refresh_from_db()
    assert leeds_draft.status == SpendReturnStatus.SUBMITTED


def test_unallocated_lines_are_counted_and_listed(client, officer, leeds_draft):
    rows = [DCLG_HEADER, dclg_row(area="Libraries"), dclg_row(area="Mystery", number=2)]
    import_job_confirm(job=preview(leeds_draft, csv_bytes(rows)), actor=None)
    client.force_login(officer)
    detail = reverse("spend-return-detail", args=[leeds_draft.pk])
    page = _body(client.get(detail))
    assert "1 line (£870.83) matched no theme rule" in page
    listed = _body(client.get(detail, {"theme": "unallocated"}))
    assert "Mystery" in listed and "Libraries" not in listed.split('id="lines-heading"')[1]


def test_import_progress_status_preview_and_confirm(
    client, officer, craven, django_capture_on_commit_callbacks
):
    draft = spend_return_create(organisation=craven, financial_year=_year("2016-17"), actor=None)
    client.force_login(officer)
    import_url = reverse("spend-return-import", args=[draft.pk])
    assert 'enctype="multipart/form-data"' in _body(client.get(import_url))
    with django_capture_on_commit_callbacks(execute=True), CRAVEN_FILE.open("rb") as handle:
        response = client.post(
            import_url, {"file": handle, "mode": "add", "where": "home", "driver": "population"}
        )
    job = ImportJob.objects.get()
    status = client.get(reverse("import-job-status", args=[job.pk])).json()
    assert status == {
        "id": job.pk,
        "status": "ready",
        "status_label": "Ready to confirm",
        "finished": True,
        "rows_done": 173,
        "rows_total": 173,
        "percent": 100,
        "lines": 171,
        "errors": 0,
        "delayed": False,
        "message": "",
        "url": reverse("import-job-detail", args=[job.pk]),
    }
    page = _body(client.get(response.url))
    for text in (
        "Craven District Council payments over £500",
        "Account Code (2)",
        "1 totals",
        "£726,583.94",
        "matches the lines",
        "Unallocated lines by label",
        "Confirm: add 171 lines",
    ):
        assert text in page, text
    # Uploading the same file again is refused, naming the return.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-job-confirm", args=[job.pk]))
    with CRAVEN_FILE.open("rb") as handle:
        again = _body(
            client.post(
                import_url, {"file": handle, "mode": "add", "where": "home", "driver": "population"}
            )
        )
    assert "already been imported into Craven District Council 2016-17 v1" in again


def test_the_mapping_page_is_pre_filled_and_re_reads_the_file(
    client, officer, leeds_draft, django_capture_on_commit_callbacks
):
    job = preview(leeds_draft, csv_bytes([["When", "Who", "How much"], ["14/01/2011", "A", "5"]]))
    assert job.status == ImportJobStatus.NEEDS_MAPPING
    client.force_login(officer)
    url = reverse("import-job-mapping", args=[job.pk])
    page = _body(client.get(url))
    assert "<code>14/01/2011</code>" in page and "Amount (required)" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "field_amount": "How much",
                "field_transaction_date": "When",
                "field_supplier_name": "Who",
                "save_as": "Petty cash",
            },
        )
    assert response.url == reverse("import-job-detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.line_total, job.save_mapping_as) == (
        ImportJobStatus.READY,
        Decimal("5.00"),
        "Petty cash",
    )
    assert "Change the column mapping" in _body(client.get(response.url))


def test_other_organisations_imports_are_hidden(client, leeds_draft):
    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row()]))
    client.force_login(UserFactory())
    assert client.get(reverse("import-job-detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("import-job-status", args=[job.pk])).status_code == 404
    assert client.get(reverse("spend-return-import", args=[leeds_draft.pk])).status_code == 404


def test_the_nav_links_to_spend_returns(client, reference_data):
    assert '<a href="/spend-returns/">Spend returns</a>' in _body(client.get(reverse("home")))


def _year(code):
    from ledger.models import FinancialYear

    return FinancialYear.objects.get(code=code)


def test_a_draft_can_be_discarded_with_its_files(
    client, officer, leeds_draft, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row()]))
    assert default_storage.exists(job.file.name)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("spend-return-discard", args=[leeds_draft.pk]))
    assert response.url == reverse("spend-return-list")
    assert not SpendReturn.objects.exists() and not ImportJob.objects.exists()
    assert not default_storage.exists(job.file.name)


def test_the_grid_filters_to_the_unallocated_lines(client, officer, leeds_draft):
    rows = [DCLG_HEADER, dclg_row(area="Libraries"), dclg_row(area="Mystery", number=2)]
    import_job_confirm(job=preview(leeds_draft, csv_bytes(rows)), actor=None)
    mystery = leeds_draft.lines.get(expense_area="Mystery")
    client.force_login(officer)
    url = reverse("spend-return-lines", args=[leeds_draft.pk])
    page = _body(client.get(url))
    assert '<a href="?theme=unallocated">Only the 1 unallocated line</a>' in page
    assert "data-warn-unsaved" in page and "js/unsaved-changes.js" in page
    only = client.get(url, {"theme": "unallocated"})
    assert [line.pk for line in only.context["page"].object_list] == [mystery.pk]
    assert "1 of the 1 unallocated line, then new lines" in _body(only)


def test_submit_approve_and_discard_ask_first_without_javascript(
    client, officer, approver, leeds_draft, leeds, year_2010
):
    """Each button is a link to a page asking the question, whose form takes the step; the
    return's page holds the same form in a native dialog."""
    import_job_confirm(job=preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row()])), actor=None)
    detail = reverse("spend-return-detail", args=[leeds_draft.pk])
    submit = reverse("spend-return-submit", args=[leeds_draft.pk])
    client.force_login(officer)
    page = _body(client.get(detail))
    assert f'<a class="button" href="{submit}" data-dialog="confirm-submit">' in page
    assert '<dialog id="confirm-submit"' in page
    question = _body(client.get(submit))
    assert f"Submit {leeds_draft} for sign-off?" in question
    assert f'<form method="post" action="{submit}"' in question
    leeds_draft.refresh_from_db()
    assert leeds_draft.status == SpendReturnStatus.DRAFT  # asking changes nothing
    client.post(submit)
    client.force_login(approver)
    approve = reverse("spend-return-approve", args=[leeds_draft.pk])
    # One month's lines: a part year on the check-list, so the question asks for a reason.
    question = _body(client.get(approve))
    assert "Approve despite the warnings on its check-list" in question
    assert '<textarea id="id_approve_reason" name="reason" rows="3" required>' in question
    client.post(approve, {"reason": ONE_MONTH})
    leeds_draft.refresh_from_db()
    assert leeds_draft.status == SpendReturnStatus.APPROVED
    # Asked again once done: back to the return.
    assert client.get(approve)["Location"] == detail
    draft = spend_return_create(organisation=leeds, financial_year=year_2010, actor=officer)
    discard = reverse("spend-return-discard", args=[draft.pk])
    client.force_login(officer)
    assert f"Discard draft {draft}?" in _body(client.get(discard))
    assert SpendReturn.objects.filter(pk=draft.pk).exists()
    client.post(discard)
    assert not SpendReturn.objects.filter(pk=draft.pk).exists()
