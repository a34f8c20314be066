"""Upload → preview → confirm: nothing before confirmation, then everything or nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from ledger.models import (
    ColumnMapping,
    ImportJobStatus,
    ImportMode,
    ImportStagedLine,
    SpendLine,
    SpendReturnStatus,
)
from ledger.selectors.access import approved_lines
from ledger.services.accruals import spend_return_set_accruals_basis
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.imports import confirm as confirm_module
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.imports.jobs import import_job_cancel, import_job_remap
from ledger.services.imports.preview import import_job_run
from ledger.services.returns import spend_return_create, spend_return_new_version
from tests.factories import FinancialYearFactory, UserFactory
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview

pytestmark = pytest.mark.django_db


def _file(*amounts: str, area: str = "Libraries") -> bytes:
    rows = [dclg_row(amount=a, number=n, area=area) for n, a in enumerate(amounts, start=1)]
    return csv_bytes([DCLG_HEADER, *rows])


def test_nothing_reaches_the_ledger_until_confirmed_then_all_of_it(leeds_draft, officer):
    job = preview(leeds_draft, _file("10.00", "-2.50", "1,000.00"), actor=officer)
    assert (job.status, job.line_count, job.line_total, job.credits_count) == (
        ImportJobStatus.READY,
        3,
        Decimal("1007.50"),
        1,
    )
    assert ImportStagedLine.objects.filter(job=job).count() == 3
    assert not SpendLine.objects.exists()

    job = import_job_confirm(job=job, actor=officer)
    lines = SpendLine.objects.filter(spend_return=leeds_draft).order_by("id")
    assert [(line.source_row, line.amount) for line in lines] == [
        (2, Decimal("10.00")),
        (3, Decimal("-2.50")),
        (4, Decimal("1000.00")),
    ]
    assert {line.import_job_id for line in lines} == {job.pk}
    assert not ImportStagedLine.objects.exists()
    leeds_draft.refresh_from_db()
    assert (leeds_draft.source_sha256, leeds_draft.source_filename) == (job.sha256, "upload.csv")
    assert job.status == ImportJobStatus.CONFIRMED and job.confirmed_by == officer
    assert import_job_confirm(job=job, actor=officer).status == ImportJobStatus.CONFIRMED
    assert lines.count() == 3  # confirming twice adds nothing


def test_the_same_file_is_refused_naming_the_return_that_holds_it(leeds_draft, officer, leeds):
    content = _file("10.00")
    import_job_confirm(job=preview(leeds_draft, content), actor=officer)
    with pytest.raises(ValidationError) as refused:
        preview(leeds_draft, content, name="renamed.csv")
    message = " ".join(refused.value.messages)
    assert "already been imported into Leeds City Council 2010-11 v1" in message
    assert f"spend return {leeds_draft.pk}" in message
    # ...also from another version of the same organisation and year,
    v2 = spend_return_create(
        organisation=leeds, financial_year=leeds_draft.financial_year, actor=None
    )
    with pytest.raises(ValidationError, match="already been imported into"):
        preview(v2, content)
    # ...but the same bytes are not refused outright for another year (whose return takes
    # lines dated in January 2011 only on an accruals basis; while the first return is a draft,
    # nothing counts them twice: tests/ledger/test_duplicates.py has the rest).
    other_year = spend_return_create(
        organisation=leeds,
        financial_year=FinancialYearFactory(code="2011-12"),
        actor=None,
    )
    spend_return_set_accruals_basis(
        spend_return=other_year, actor=None, accruals_basis=True, reason="Paid a year late."
    )
    assert preview(other_year, content).status == ImportJobStatus.READY


def test_two_previews_of_one_file_cannot_both_be_confirmed(leeds_draft, officer):
    content = _file("10.00")
    first, second = preview(leeds_draft, content), preview(leeds_draft, content)
    import_job_confirm(job=first, actor=officer)
    with pytest.raises(ValidationError, match="already been imported"):
        import_job_confirm(job=second, actor=officer)
    assert SpendLine.objects.count() == 1


def test_a_failure_while_confirming_leaves_nothing_behind(leeds_draft, officer, monkeypatch):
    job = preview(leeds_draft, _file("10.00", "20.00"))

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(confirm_module, "column_mapping_remember", broken)
    with pytest.raises(RuntimeError):
        import_job_confirm(job=job, actor=officer)
    assert not SpendLine.objects.exists()  # the INSERT ... SELECT was rolled back
    job.refresh_from_db()
    assert job.status == ImportJobStatus.READY
    assert ImportStagedLine.objects.filter(job=job).count() == 2  # and it can be retried
    monkeypatch.undo()
    import_job_confirm(job=job, actor=officer)
    assert SpendLine.objects.count() == 2


def test_lost_staged_lines_are_noticed_not_half_imported(leeds_draft, officer):
    job = preview(leeds_draft, _file("10.00", "20.00", "30.00"))
    ImportStagedLine.objects.filter(job=job).order_by("id").first().delete()  # e.g. a crash
    with pytest.raises(ValidationError, match="2 of 3 lines are waiting"):
        import_job_confirm(job=job, actor=officer)
    assert not SpendLine.objects.exists()


def test_replace_mode_swaps_the_lines_and_frees_the_old_file(leeds_draft, officer):
    old = preview(leeds_draft, _file("10.00"))
    import_job_confirm(job=old, actor=officer)
    new = preview(leeds_draft, _file("11.00", "12.00"), mode=ImportMode.REPLACE)
    import_job_confirm(job=new, actor=officer)
    assert sorted(SpendLine.objects.values_list("amount", flat=True)) == [
        Decimal("11.00"),
        Decimal("12.00"),
    ]
    old.refresh_from_db()
    assert old.status == ImportJobStatus.REPLACED


def test_adding_a_second_month_keeps_the_first(leeds_draft, officer):
    import_job_confirm(job=preview(leeds_draft, _file("10.00")), actor=officer)
    import_job_confirm(job=preview(leeds_draft, _file("5.00", "6.00")), actor=officer)
    assert SpendLine.objects.aggregate(total=Sum("amount"))["total"] == Decimal("21.00")
    assert leeds_draft.import_jobs.filter(status=ImportJobStatus.CONFIRMED).count() == 2


def test_unmapped_columns_are_fixed_on_the_mapping_page_and_the_mapping_is_reused(
    leeds_draft, officer, leeds
):
    content = csv_bytes(
        [
            ["Paid on", "Payee", "Sum (GBP)", "Cost centre"],
            ["14/01/2011", "A Ltd", "99.99", "Libraries"],
        ]
    )
    job = preview(leeds_draft, content, actor=officer)
    assert job.status == ImportJobStatus.NEEDS_MAPPING
    assert job.message == "Choose the column that holds the amount."
    assert job.headers == ["Paid on", "Payee", "Sum (GBP)", "Cost centre"]
    assert job.samples == [["14/01/2011", "A Ltd", "99.99", "Libraries"]]

    mapping = {
        "fields": {
            "amount": "Sum (GBP)",
            "transaction_date": "Paid on",
            "supplier_name": "Payee",
            "expense_area": "Cost centre",
        }
    }
    with pytest.raises(ValidationError, match="no column “Nope”"):
        import_job_remap(job=job, mapping={"fields": {"amount": "Nope"}}, actor=officer)
    import_job_remap(job=job, mapping=mapping, actor=officer, save_as="Our ledger export")
    job = import_job_run(job_id=job.pk)
    assert (job.status, job.line_total, job.layout) == (
        ImportJobStatus.READY,
        Decimal("99.99"),
        "custom",
    )
    import_job_confirm(job=job, actor=officer)
    saved = ColumnMapping.objects.get(organisation=leeds)
    assert (saved.name, saved.fields) == ("Our ledger export", mapping["fields"])
    leeds_draft.refresh_from_db()
    assert leeds_draft.mapping == saved

    # Next month's file with the same columns: the saved mapping is used without asking.
    next_month = csv_bytes(
        [["Paid on", "Payee", "Sum (GBP)", "Cost centre"], ["14/02/2011", "B Ltd", "1.01", "Parks"]]
    )
    again = preview(leeds_draft, next_month, actor=officer)
    assert (again.status, again.mapping, again.line_total) == (
        ImportJobStatus.READY,
        saved,
        Decimal("1.01"),
    )


def test_cancelled_import_cannot_be_confirmed(leeds_draft, officer):
    job = preview(leeds_draft, _file("10.00"))
    import_job_cancel(job=job, actor=officer)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.CANCELLED
    assert not ImportStagedLine.objects.exists()
    with pytest.raises(ValidationError):
        import_job_confirm(job=job, actor=officer)


def test_declared_control_total_must_match(leeds_draft):
    job = preview(leeds_draft, _file("10.00", "20.00"), control_total=Decimal("31.00"))
    assert job.status == ImportJobStatus.INVALID
    assert job.errors[0]["message"] == (
        "The lines total £30.00 but the declared control total is £31.00."
    )
    assert preview(leeds_draft, _file("10.00", "21.00"), control_total=Decimal("31.00")).status == (
        ImportJobStatus.READY
    )


def test_a_files_control_total_is_the_returns_only_when_it_replaces_every_line(
    leeds_draft, officer
):
    """Added to lines already there, a file's control total checked the file alone: the
    return keeps the total its officer declared, so it can still be submitted."""
    leeds_draft.control_total = Decimal("40.00")
    leeds_draft.save(update_fields=["control_total"])
    first = preview(leeds_draft, _file("10.00", "20.00"), actor=officer)
    import_job_confirm(job=first, actor=officer)
    added = preview(
        leeds_draft,
        _file("4.00", "6.00"),
        actor=officer,
        control_total=Decimal("10.00"),
        mode=ImportMode.ADD,
    )
    import_job_confirm(job=added, actor=officer)
    leeds_draft.refresh_from_db()
    assert leeds_draft.control_total == Decimal("40.00")
    assert spend_return_submit(spend_return=leeds_draft, actor=officer).status == "submitted"
    draft = spend_return_new_version(spend_return=leeds_draft, actor=officer)
    replaced = preview(
        draft, _file("1.00"), actor=officer, control_total=Decimal("1.00"), mode=ImportMode.REPLACE
    )
    import_job_confirm(job=replaced, actor=officer)
    draft.refresh_from_db()
    assert draft.control_total == Decimal("1.00")


def test_only_finance_officers_import_and_only_into_drafts(leeds_draft, officer, approver):
    with pytest.raises(PermissionDenied):
        preview(leeds_draft, _file("1.00"), actor=approver)
    with pytest.raises(PermissionDenied):
        preview(leeds_draft, _file("1.00"), actor=UserFactory())
    import_job_confirm(job=preview(leeds_draft, _file("1.00"), actor=officer), actor=officer)
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    with pytest.raises(ValidationError, match="submitted, so its lines cannot change"):
        preview(leeds_draft, _file("2.00"), actor=officer)


def test_preamble_blank_rows_comma_rows_and_totals_are_dropped_and_counted(leeds_draft):
    rows = [
        ["Leeds City Council: spend over £500"],
        ["January 2011"],
        [""],
        DCLG_HEADER,
        dclg_row(amount="100.00", number=1),
        [""] * 12,
        dclg_row(amount="-25.00", number=2),
        ["Total", "", "", "", "", "75.00", "", "", "", "", "", ""],
        [""] * 12,
        [""] * 12,
    ]
    job = preview(leeds_draft, csv_bytes(rows))
    assert (job.status, job.line_count, job.line_total) == (
        ImportJobStatus.READY,
        2,
        Decimal("75.00"),
    )
    assert job.file_format["header_row"] == 4
    assert job.dropped == {"empty": 3, "totals": 1} and job.dropped_count == 4
    assert job.file_total == Decimal("75.00")
    assert list(ImportStagedLine.objects.values_list("source_row", flat=True)) == [5, 7]


def test_lines_dated_outside_the_year_are_refused_unless_the_return_is_on_accruals(
    leeds_draft,
):
    content = csv_bytes(
        [DCLG_HEADER, dclg_row(date="14/01/2011"), dclg_row(date="02/04/2011", number=2)]
    )
    job = preview(leeds_draft, content)
    assert job.status == ImportJobStatus.INVALID
    assert [(e["row"], e["column"], e["value"]) for e in job.errors] == [(3, "Date", "02/04/2011")]
    assert (
        "outside the return's financial year (1 April 2010 to 31 March 2011)"
        in (job.errors[0]["message"])
    )
    spend_return_set_accruals_basis(
        spend_return=leeds_draft, actor=None, accruals_basis=True, reason="Invoices accrued."
    )
    job = preview(leeds_draft, content, name="again.csv")
    assert job.status == ImportJobStatus.READY
    assert job.warnings == [
        "1 line is dated outside 2010-11 (rows 3); the return is kept on an accruals basis, "
        "so they are taken, and its approver sees how many."
    ]


def test_a_re_run_preview_starts_clean_and_a_finished_one_is_left_alone(leeds_draft):
    job = preview(leeds_draft, _file("10.00", "20.00"))
    assert import_job_run(job_id=job.pk).status == ImportJobStatus.READY
    assert ImportStagedLine.objects.filter(job=job).count() == 2
    # A worker died mid-way: the job is still "running" with half its lines staged.
    job.status = ImportJobStatus.RUNNING
    job.save()
    ImportStagedLine.objects.filter(job=job).order_by("id").first().delete()
    job = import_job_run(job_id=job.pk)
    assert (job.status, job.staged_count) == (ImportJobStatus.READY, 2)
    assert ImportStagedLine.objects.filter(job=job).count() == 2


def test_a_new_version_replaces_the_approved_one_only_when_approved(
    leeds_draft, officer, approver, leeds
):
    import_job_confirm(job=preview(leeds_draft, _file("100.00")), actor=officer)
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    # One month's file: a part year, so the approver says why it is signed off as it is.
    january = "January's file; the other months follow."
    spend_return_approve(spend_return=leeds_draft, actor=approver, reason=january)
    v2 = spend_return_new_version(spend_return=leeds_draft, actor=officer)
    assert (v2.version, v2.status, v2.lines.count()) == (2, SpendReturnStatus.DRAFT, 1)
    # A corrected file replaces the copied lines in the draft; v1 still counts meanwhile.
    import_job_confirm(
        job=preview(v2, _file("120.00"), mode=ImportMode.REPLACE, actor=officer), actor=officer
    )
    total = lambda: approved_lines().filter(organisation=leeds).aggregate(t=Sum("amount"))["t"]  # noqa: E731
    assert total() == Decimal("100.00")
    spend_return_submit(spend_return=v2, actor=officer)
    assert total() == Decimal("100.00")
    spend_return_approve(spend_return=v2, actor=approver, reason=january)
    assert total() == Decimal("120.00")
    leeds_draft.refresh_from_db()
    assert (leeds_draft.status, leeds_draft.superseded_by) == (SpendReturnStatus.SUPERSEDED, v2)
    assert leeds_draft.lines.count() == 1  # every version keeps its lines, viewable


def test_approvers_cannot_sign_off_what_they_submitted(leeds_draft, leeds):
    both = UserFactory(username="both")
    from ledger.models import Role
    from ledger.services.access import membership_grant

    membership_grant(user=both, organisation=leeds, role=Role.FINANCE_OFFICER)
    membership_grant(user=both, organisation=leeds, role=Role.APPROVER)
    import_job_confirm(job=preview(leeds_draft, _file("1.00")), actor=both)
    spend_return_submit(spend_return=leeds_draft, actor=both)
    with pytest.raises(PermissionDenied, match="another approver must sign it off"):
        spend_return_approve(spend_return=leeds_draft, actor=both)


def test_previews_left_unconfirmed_expire(leeds_draft):
    import datetime as dt

    from ledger.import_tasks import import_jobs_expire_task

    old = preview(leeds_draft, _file("10.00"))
    fresh = preview(leeds_draft, _file("11.00"))
    type(old).objects.filter(pk=old.pk).update(finished_at=old.finished_at - dt.timedelta(days=15))
    assert import_jobs_expire_task() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (ImportJobStatus.CANCELLED, ImportJobStatus.READY)
    assert not ImportStagedLine.objects.filter(job=old).exists()
    assert ImportStagedLine.objects.filter(job=fresh).count() == 1
