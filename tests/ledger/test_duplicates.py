"""Every penny once: a file or a transaction already in another return, and lines dated outside
the return's year (refused unless the return is kept on an accruals basis)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ledger.models import ImportJob, ImportJobStatus, SpendLine, WorkflowAction, WorkflowEvent
from ledger.selectors.approval import spend_return_approval_checks
from ledger.selectors.duplicates import spend_return_duplicate_transactions
from ledger.services.accruals import spend_return_set_accruals_basis
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.imports.confirm import import_job_confirm, import_job_request_confirm
from ledger.services.lines import spend_lines_save_grid
from ledger.services.returns import spend_return_create, spend_return_new_version
from tests.factories import FinancialYearFactory, ServiceThemeFactory
from tests.ledger.import_helpers import CRAVEN_FILE, DCLG_HEADER, csv_bytes, dclg_row, preview
from tests.ledger.test_returns_api import _client

pytestmark = pytest.mark.django_db
CRAVEN_2016 = "This file is already in Craven District Council 2016-17 v1 (approved)"
MARCH_ONLY = "March's file: the rest of the year follows."


@pytest.fixture
def craven_2016(craven, officer, approver):
    """Craven's March 2017 file, approved in its 2016-17 return."""
    spend_return = spend_return_create(
        organisation=craven, financial_year=FinancialYearFactory(code="2016-17"), actor=officer
    )
    import_job_confirm(job=preview(spend_return, CRAVEN_FILE, actor=officer), actor=officer)
    spend_return_submit(spend_return=spend_return, actor=officer)
    return spend_return_approve(spend_return=spend_return, actor=approver, reason=MARCH_ONLY)


@pytest.fixture
def craven_2017(craven, officer):
    return spend_return_create(
        organisation=craven, financial_year=FinancialYearFactory(code="2017-18"), actor=officer
    )


def _on_accruals(spend_return, reason="Invoices for 2017-18 paid in March 2017."):
    return spend_return_set_accruals_basis(
        spend_return=spend_return, actor=None, accruals_basis=True, reason=reason
    )


def test_the_craven_file_in_2017_18_is_out_of_year_and_names_the_approved_return(
    craven_2016, craven_2017
):
    job = preview(craven_2017, CRAVEN_FILE)
    assert job.status == ImportJobStatus.INVALID
    assert sum(e["column"] == "Payment Date" for e in job.errors) == 171  # every line
    assert (job.errors[0]["row"], job.errors[0]["column"], job.errors[0]["value"]) == (
        2,
        "Payment Date",
        "06/03/2017",
    )
    assert any(w.startswith(CRAVEN_2016) for w in job.warnings)
    assert not craven_2017.lines.exists()


def test_the_craven_file_again_is_refused_on_the_page_unless_acknowledged(
    client, craven_2016, craven_2017, officer, approver, django_capture_on_commit_callbacks
):
    _on_accruals(craven_2017)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True), CRAVEN_FILE.open("rb") as handle:
        client.post(
            reverse("spend-return-import", args=[craven_2017.pk]),
            {"file": handle, "mode": "add", "where": "home", "driver": "population"},
        )
    job = ImportJob.objects.get(spend_return=craven_2017)
    assert job.status == ImportJobStatus.READY
    page = client.get(reverse("import-job-detail", args=[job.pk])).content.decode()
    assert CRAVEN_2016 in page and 'name="acknowledge_duplicate"' in page
    confirm = reverse("import-job-confirm", args=[job.pk])
    for refused in ({}, {"acknowledge_duplicate": "1"}, {"duplicate_reason": "Because."}):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(confirm, refused, follow=True)
        assert CRAVEN_2016 in response.content.decode()
        job.refresh_from_db()
        assert job.status == ImportJobStatus.READY and not craven_2017.lines.exists()
    reason = "Payments for 2017-18 works, paid early in March 2017."
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm, {"acknowledge_duplicate": "1", "duplicate_reason": reason})
    job.refresh_from_db()
    assert (job.status, job.duplicate_reason) == (ImportJobStatus.CONFIRMED, reason)
    assert craven_2017.lines.count() == 171
    event = WorkflowEvent.objects.get(import_job=job, action=WorkflowAction.IMPORT_CONFIRMED)
    assert event.reason == reason
    assert event.detail["also_in"] == ["Craven District Council 2016-17 v1 (approved)"]
    # The approver sees it on the check-list, with the officer's reason.
    spend_return_submit(spend_return=craven_2017, actor=officer)
    client.force_login(approver)
    page = client.get(reverse("spend-return-detail", args=[craven_2017.pk])).content.decode()
    checks = page[page.index('id="checks-heading"') : page.index('id="actions-heading"')]
    assert "craven_dc_payments_over_500_2017-03.csv is already in Craven District Council" in checks
    assert reason in checks
    found = {
        w.code: (w.count, w.total)
        for w in spend_return_approval_checks(spend_return=craven_2017).warnings
    }
    march = (171, Decimal("726583.94"))
    assert (found["duplicate_file"], found["out_of_year"]) == (march, march)
    assert found["duplicate_transactions"][0] > 0  # its lines are 2016-17's lines again


def test_the_craven_file_again_is_refused_by_the_api_unless_acknowledged(
    craven, craven_2016, craven_2017, officer, django_capture_on_commit_callbacks
):
    _on_accruals(craven_2017)
    api = _client(officer, craven)
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = api.post(
            f"/api/v1/organisation/spend-returns/{craven_2017.pk}/imports/",
            {"file": SimpleUploadedFile(CRAVEN_FILE.name, CRAVEN_FILE.read_bytes())},
            format="multipart",
        )
    job_url = f"/api/v1/organisation/imports/{uploaded.json()['id']}/"
    assert api.get(job_url).json()["status"] == "ready"
    refused = api.post(f"{job_url}confirm/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith(CRAVEN_2016)
    no_reason = api.post(f"{job_url}confirm/", {"acknowledge_duplicate": True}, format="json")
    assert no_reason.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api.post(
            f"{job_url}confirm/",
            {"acknowledge_duplicate": True, "reason": "Accrued into 2017-18."},
            format="json",
        )
    assert accepted.status_code == 202
    done = api.get(job_url).json()
    assert (done["status"], done["duplicate_reason"]) == ("confirmed", "Accrued into 2017-18.")


def test_a_submitted_return_holds_its_file_and_a_draft_does_not(leeds, year_2010, officer):
    content = csv_bytes([DCLG_HEADER, dclg_row(amount="10.00")])
    first = spend_return_create(organisation=leeds, financial_year=year_2010, actor=officer)
    import_job_confirm(job=preview(first, content), actor=officer)
    later = _on_accruals(
        spend_return_create(
            organisation=leeds, financial_year=FinancialYearFactory(code="2011-12"), actor=None
        )
    )
    job = preview(later, content)
    # The first return is a draft: nothing counts the file yet.
    assert not any("already in" in warning for warning in job.warnings)
    spend_return_submit(spend_return=first, actor=officer)
    job = preview(later, content, name="again.csv")
    assert job.warnings[0].startswith(
        "This file is already in Leeds City Council 2010-11 v1 (submitted)"
    )
    with pytest.raises(ValidationError, match="2010-11 v1 .submitted."):
        import_job_request_confirm(job=job, actor=officer)
    with pytest.raises(ValidationError, match="needs a reason"):
        import_job_confirm(job=job, actor=officer)
    assert import_job_confirm(job=job, actor=officer, duplicate_reason="Both years.").status == (
        ImportJobStatus.CONFIRMED
    )


def test_the_same_transaction_twice_in_a_return_is_flagged_by_row(leeds_draft, officer):
    rows = [
        dclg_row(amount="100.00", number=7),  # row 2
        dclg_row(amount="100.00", number=8),  # row 3: another reference
        dclg_row(amount="100.00", number=7),  # row 4: row 2 again
        dclg_row(amount="99.00", number=7),  # row 5: another amount
        dclg_row(amount="100.00", number=7, date="15/01/2011"),  # row 6: another day
        dclg_row(amount="100.00", number=7),  # row 7: row 2 a third time
    ]
    import_job_confirm(job=preview(leeds_draft, csv_bytes([DCLG_HEADER, *rows])), actor=officer)
    found = spend_return_duplicate_transactions(spend_return=leeds_draft)
    assert (found.count, found.total) == (2, Decimal("200.00"))
    assert [(line.source_row, line.transaction_ref, line.same_as) for line in found.lines] == [
        (4, "1101-7", "row 2"),
        (7, "1101-7", "row 2"),
    ]


def test_a_transaction_in_another_counting_return_is_flagged_but_not_in_its_own_versions(
    client, leeds, leeds_draft, officer, approver
):
    import_job_confirm(
        job=preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row(amount="500.00", number=1)])),
        actor=officer,
    )
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    # A new version starts from the same lines: they replace, they do not repeat.
    v2 = spend_return_new_version(spend_return=leeds_draft, actor=officer)
    assert spend_return_duplicate_transactions(spend_return=v2).count == 0
    # Next year's return, on accruals, takes the same payment again (another file).
    later = _on_accruals(
        spend_return_create(
            organisation=leeds, financial_year=FinancialYearFactory(code="2011-12"), actor=None
        )
    )
    rows = [dclg_row(amount="500.00", number=1), dclg_row(amount="500.00", number=2)]
    import_job_confirm(job=preview(later, csv_bytes([DCLG_HEADER, *rows])), actor=officer)
    found = spend_return_duplicate_transactions(spend_return=later)
    assert (found.count, found.total) == (1, Decimal("500.00"))
    assert [(line.source_row, line.same_as) for line in found.lines] == [
        (2, "Leeds City Council 2010-11 v1 (submitted)")
    ]
    client.force_login(officer)
    page = client.get(reverse("spend-return-detail", args=[later.pk])).content.decode()
    table = page[page.index('id="duplicate-lines"') :]
    assert "1101-1" in table and "Leeds City Council 2010-11 v1 (submitted)" in table


def test_the_grid_refuses_a_date_outside_the_year_unless_on_accruals(leeds_draft, officer, client):
    place, theme = leeds_draft.organisation.home_place, ServiceThemeFactory()
    line = SpendLine(
        place=place, theme=theme, amount=Decimal("5.00"), transaction_date=dt.date(2020, 5, 1)
    )
    with pytest.raises(ValidationError) as refused:
        spend_lines_save_grid(
            spend_return=leeds_draft, actor=officer, changed=[], new=[line], deleted=[]
        )
    assert (
        "Row new line 1, Date “2020-05-01”: The date is outside the return's financial "
        in (refused.value.messages[0])
    )
    assert not leeds_draft.lines.exists()
    # Through the page: the officer marks the return, saying why, and the line is taken.
    client.force_login(officer)
    url = reverse("spend-return-accruals", args=[leeds_draft.pk])
    client.post(url, {"accruals_basis": "1", "reason": ""})
    leeds_draft.refresh_from_db()
    assert not leeds_draft.accruals_basis  # no reason, no change
    client.post(url, {"accruals_basis": "1", "reason": "Goods received in 2010-11."})
    leeds_draft.refresh_from_db()
    assert (leeds_draft.accruals_basis, leeds_draft.accruals_reason) == (
        True,
        "Goods received in 2010-11.",
    )
    event = WorkflowEvent.objects.get(spend_return=leeds_draft, action="accruals_basis")
    assert (event.actor, event.reason) == (officer, "Goods received in 2010-11.")
    spend_lines_save_grid(
        spend_return=leeds_draft, actor=officer, changed=[], new=[line], deleted=[]
    )
    assert leeds_draft.lines.count() == 1
    # Taking the basis away while such a line remains is refused.
    client.post(url, {"reason": ""})
    leeds_draft.refresh_from_db()
    assert leeds_draft.accruals_basis
    checks = spend_return_approval_checks(spend_return=leeds_draft)
    assert [(w.code, w.count, w.total) for w in checks.warnings] == [
        ("out_of_year", 1, Decimal("5.00"))
    ]
    assert "kept on an accruals basis: Goods received in 2010-11." in checks.warnings[0].title
