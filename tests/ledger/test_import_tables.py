"""Excel workbooks (streamed) and wide government tables (unpivoted, £ thousand)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from ledger.models import (
    FinancialYear,
    ImportJobStatus,
    ImportStagedLine,
    Organisation,
    Role,
    ServiceTheme,
)
from ledger.services.access import membership_grant
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.returns import spend_return_create
from tests.ledger.import_helpers import csv_bytes, preview

pytestmark = pytest.mark.django_db


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_is_read_from_the_sheet_with_the_spending(leeds_draft, officer):
    content = _workbook(
        {
            "Notes": [["About this file"], ["Published monthly under the transparency code"]],
            "January": [
                ["Leeds City Council spend over £500"],
                [],
                ["Date", "Supplier Name", "Expense Area", "Amount"],
                [dt.datetime(2011, 1, 14), "A Ltd", "Libraries", 870.83],
                [dt.datetime(2011, 1, 15), "B Ltd", "Waste Management", -0.1 - 0.2],
                ["2011-01-16", "REDACTED PERSONAL DATA", "Parks", 1000],
                ["Total", None, None, "=SUM(D4:D6)"],
            ],
        }
    )
    job = preview(leeds_draft, content, "spend.xlsx", actor=officer)
    assert job.status == ImportJobStatus.READY, job.errors
    assert job.file_format["kind"] == "xlsx" and job.file_format["sheet"] == "January"
    assert (job.file_format["header_row"], job.line_count, job.line_total) == (
        3,
        3,
        Decimal("1870.53"),
    )
    assert job.dropped == {"totals": 1}
    assert "totals formula" in job.warnings[0]
    staged = list(ImportStagedLine.objects.filter(job=job).order_by("id"))
    assert [(s.transaction_date, s.amount, s.supplier_redacted) for s in staged] == [
        (dt.date(2011, 1, 14), Decimal("870.83"), False),
        (dt.date(2011, 1, 15), Decimal("-0.30"), False),
        (dt.date(2011, 1, 16), Decimal("1000.00"), True),
    ]
    import_job_confirm(job=job, actor=officer)
    assert leeds_draft.lines.count() == 3


RO_TABLE = [
    ["Revenue outturn 2009-10: net current expenditure by service"],
    ["£ thousand"],
    [],
    [
        "E-code",
        "ONS code",
        "Local authority",
        "Class",
        "Education services",
        "Highways and transport services",
        "Children Social Care",
        "Adult Social Care",
        "Housing services (GFRA only)",
        "Other services",
        "TOTAL SERVICE EXPENDITURE",
    ],
    [
        "E4704",
        "00DA",
        "Leeds",
        "MD",
        "612,345.678",
        "45678",
        "...",
        "1234",
        "0",
        "12.5",
        "659270.178",
    ],
    ["E2731", "36UB", "Craven", "SD", "...", "1234.5", "...", "...", "5", "", "1239.5"],
    ["", "", "ENGLAND", "", "x", "x", "x", "x", "x", "x", "x"],
    ["Source: DCLG Revenue Outturn (RO) returns"],
]


# The same table with only Leeds's row: what a council's own return may carry.
LEEDS_RO_TABLE = [row for row in RO_TABLE if "36UB" not in row]


def _leeds_return_2009(leeds):
    return spend_return_create(
        organisation=leeds, financial_year=FinancialYear.objects.get(code="2009-10"), actor=None
    )


def test_a_revenue_outturn_table_is_unpivoted_in_pounds(leeds, officer):
    spend_return = _leeds_return_2009(leeds)
    job = preview(spend_return, csv_bytes(LEEDS_RO_TABLE), "ro.csv", actor=officer)
    assert job.status == ImportJobStatus.READY, job.errors
    assert job.layout == "revenue_outturn_wide"
    assert job.mapping_used["factor"] == 1000
    assert job.mapping_used["fields"] == {"organisation_code": "ONS code"}
    assert "TOTAL SERVICE EXPENDITURE" not in job.mapping_used["wide_columns"]
    staged = ImportStagedLine.objects.filter(job=job).order_by("id")
    # Staged without their organisation: it is the job's, and the confirmation writes it.
    assert [(s.source_row, s.expense_code, s.amount, s.place_id) for s in staged] == [
        (5, "EDU", Decimal("612345678.00"), leeds.home_place_id),
        (5, "HWT", Decimal("45678000.00"), leeds.home_place_id),
        (5, "ASC", Decimal("1234000.00"), leeds.home_place_id),
        (5, "OTH", Decimal("12500.00"), leeds.home_place_id),
    ]
    names = dict(ServiceTheme.objects.values_list("pk", "code"))
    assert [names[s.theme_id] for s in staged] == [
        "education",
        "highways-transport",
        "adult-social-care",
        "unallocated",
    ]
    assert job.unallocated_count == 1  # "Other services" has no theme: counted, not dropped
    assert job.dropped == {"no authority code (totals or notes)": 2}
    assert "cells were not available" in " ".join(job.warnings)
    import_job_confirm(job=job, actor=officer)
    lines = spend_return.lines.all()
    assert lines.count() == 4
    assert set(lines.values_list("organisation_id", flat=True)) == {leeds.pk}


def test_a_return_never_carries_another_organisations_rows(reference_data, officer):
    """A table of many bodies is a national dataset: DCLG's return may not write Leeds's and
    Craven's spend (it did, once), and the refusal names whose rows they are."""
    dclg = Organisation.objects.get(code="DCLG")
    membership_grant(user=officer, organisation=dclg, role=Role.FINANCE_OFFICER)
    spend_return = spend_return_create(
        organisation=dclg, financial_year=FinancialYear.objects.get(code="2009-10"), actor=None
    )
    job = preview(spend_return, csv_bytes(RO_TABLE), "ro.csv", actor=officer)
    assert job.status == ImportJobStatus.INVALID
    assert [(e["row"], e["column"], e["value"]) for e in job.errors] == [
        (5, "ONS code", "00DA"),
        (6, "ONS code", "36UB"),
    ]
    assert job.errors[0]["message"].startswith(
        "“00DA” is Leeds City Council, not Department for Communities and Local Government, "
        "whose return this is"
    )
    assert not ImportStagedLine.objects.filter(job=job).exists()
    with pytest.raises(ValidationError):
        import_job_confirm(job=job, actor=officer)
    assert not spend_return.lines.exists()


def test_a_wide_table_with_an_unknown_authority_is_refused(reference_data, officer, leeds_draft):
    table = [row[:] for row in RO_TABLE]
    table[5][1] = "99XX"
    job = preview(leeds_draft, csv_bytes(table), "ro.csv")
    assert job.status == ImportJobStatus.INVALID
    assert job.errors[0] == {
        "row": 6,
        "column": "ONS code",
        "value": "99XX",
        "message": "“99XX” is not the code of any organisation we know.",
    }


def test_the_mapping_page_for_a_wide_table(
    client, leeds, officer, django_capture_on_commit_callbacks
):
    spend_return = _leeds_return_2009(leeds)
    job = preview(spend_return, csv_bytes(LEEDS_RO_TABLE), "ro.csv", actor=officer)
    client.force_login(officer)
    url = f"/imports/{job.pk}/mapping/"
    page = client.get(url).content.decode()
    assert '<option value="EDU" selected>Education services (EDU)</option>' in page
    assert '<option value="1000" selected>£ thousand</option>' in page
    form = {"field_organisation_code": "ONS code", "factor": "1"}
    form.update({f"column_{i}": "" for i in range(len(RO_TABLE[3]))})
    form["column_4"] = "EDU"  # only education, and (wrongly) in pounds
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form)
    job.refresh_from_db()
    # In pounds, 612,345.678 has fractions of a penny: the wrong unit shows up as an error.
    assert (job.status, job.errors[0]["row"], job.errors[0]["column"]) == (
        ImportJobStatus.INVALID,
        5,
        "Education services",
    )
    assert "fractions of a penny" in job.errors[0]["message"]
    form["factor"] = "1000"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form)
    job.refresh_from_db()
    assert (job.status, job.line_count, job.line_total) == (
        ImportJobStatus.READY,
        1,
        Decimal("612345678.00"),
    )


def test_a_regional_database_is_sent_to_the_datasets(leeds_draft, officer):
    """HM Treasury's CRA is many departments by region: never one return's lines."""
    from tests.ledger.dataset_helpers import cra_workbook

    job = preview(leeds_draft, cra_workbook(), "cra.xlsx", actor=officer)
    assert job.status == ImportJobStatus.FAILED
    assert "Load it as a national dataset" in job.message
    assert not ImportStagedLine.objects.filter(job=job).exists()
