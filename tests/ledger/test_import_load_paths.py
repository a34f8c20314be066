"""Both ways lines reach the staging table: PostgreSQL COPY and the ORM (SQLite's path)."""

import time
from decimal import Decimal

import pandas as pd
import pytest
from django.db import connection, connections, transaction

from ledger.models import FinancialYear, ImportJob, ImportJobStatus, ImportStagedLine, SpendLine
from ledger.services.imports import staging
from ledger.services.imports.confirm import import_job_confirm, import_job_request_confirm
from ledger.services.imports.jobs import import_job_cancel, import_job_create
from ledger.services.returns import spend_return_create
from tests.ledger.import_helpers import (
    DCLG_HEADER,
    LEEDS_FILE,
    csv_bytes,
    dclg_row,
    preview,
    spend_file,
)
from tests.services import ROOT, require_postgres

# Awkward text: quotes, commas, newlines, backslashes, tabs, unicode and an empty field.
AWKWARD = [
    ["Date", "Supplier Name", "Expense Area", "Expense Type", "Amount"],
    ["14/01/2011", 'The "Best" Co, Ltd', "Line one\nline two", "back\\slash\ttab", "1,000.01"],
    ["15/01/2011", "Café – Ω ☕", "", "N/A", "-0.01"],
    ["", "REDACTED PERSONAL DATA", "Parks", "Grants", "(250.00)"],
    # What COPY's text format would misread unescaped: a NULL marker, its end-of-data line, a
    # carriage return; and a supplier whose name is what a missing value prints as.
    ["16/01/2011", "None", "\\N", "\\.", "2.00"],
    ["16/01/2011", "Carriage\rReturn", "None", "x\\", "3.00"],
]
COLUMNS = [c for c in staging.STAGED_COLUMNS if c not in ("job_id", "amount_pence")] + ["amount"]
PER_LINE = [c for c in staging.STAGED_COLUMNS if c not in staging.STAGED_DEFAULTS]


def _staged(job):
    return list(ImportStagedLine.objects.filter(job=job).order_by("id").values_list(*COLUMNS))


@pytest.mark.django_db
def test_the_orm_path_and_the_default_path_stage_identical_lines(leeds_draft, monkeypatch):
    default = preview(leeds_draft, csv_bytes(AWKWARD))
    assert default.status == ImportJobStatus.READY, default.errors
    monkeypatch.setattr(staging, "uses_copy", lambda: False)
    orm = preview(leeds_draft, csv_bytes(AWKWARD))
    assert _staged(orm) == _staged(default)
    rows = _staged(orm)
    assert [r[COLUMNS.index("supplier_name")] for r in rows] == [
        'The "Best" Co, Ltd',
        "Café – Ω ☕",
        "REDACTED PERSONAL DATA",
        "None",
        "Carriage\rReturn",
    ]
    assert rows[0][COLUMNS.index("expense_area")] == "Line one\nline two"
    assert rows[0][COLUMNS.index("expense_type")] == "back\\slash\ttab"
    assert rows[2][COLUMNS.index("transaction_date")] is None
    assert rows[3][COLUMNS.index("expense_area")] == "\\N"
    assert rows[3][COLUMNS.index("expense_type")] == "\\."
    assert rows[4][COLUMNS.index("expense_type")] == "x\\"
    assert [r[-1] for r in rows] == [
        Decimal("1000.01"),
        Decimal("-0.01"),
        Decimal("-250.00"),
        Decimal("2.00"),
        Decimal("3.00"),
    ]
    import_job_cancel(job=default, actor=None)
    import_job_confirm(job=orm, actor=None)
    assert SpendLine.objects.filter(spend_return=leeds_draft).count() == 5


# Nothing to quote: COPY's text is joined, the columns of one value first, written once.
PLAIN = [
    ["Date", "Supplier Name", "Expense Area", "Expense Type", "Amount"],
    ["", "Acme Ltd", "Parks", "Grants", "10.00"],
    ["", "Acme Ltd", "Libraries", "Grants", "-0.01"],
    ["", "Acme Ltd", "Parks", "", "3.50"],
]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [PLAIN, PLAIN[:2]], ids=["lines", "one line"])
def test_columns_of_one_value_are_written_once_and_stage_the_same_lines(
    leeds_draft, monkeypatch, rows
):
    default = preview(leeds_draft, csv_bytes(rows))
    assert default.status == ImportJobStatus.READY, default.errors
    lines = [dict(zip(COLUMNS, row, strict=True), job_id=default.pk) for row in _staged(default)]
    for line in lines:
        line["amount_pence"] = int(line.pop("amount") * 100)
    columns, text = staging.copy_csv(pd.DataFrame(lines, columns=list(staging.STAGED_COLUMNS)))
    # Every line direct: the basis and driver are left to the staging table's defaults.
    assert sorted(columns) == sorted(PER_LINE)
    if len(lines) > 1:  # the supplier, the same on every line, before the row number
        assert columns.index("supplier_name") < columns.index("source_row")
    assert text.count("\n") == text.count("Acme Ltd") == len(lines)
    monkeypatch.setattr(staging, "uses_copy", lambda: False)
    orm = preview(leeds_draft, csv_bytes(rows))
    assert _staged(orm) == _staged(default)
    dates_and_descriptions = {
        (r[COLUMNS.index("transaction_date")], r[COLUMNS.index("description")])
        for r in _staged(orm)
    }
    assert dates_and_descriptions == {(None, "")}


@pytest.mark.services
@pytest.mark.django_db
def test_postgresql_stages_by_copy_into_an_unlogged_table(leeds_draft):
    require_postgres()
    assert staging.uses_copy()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s", [staging.STAGED_TABLE]
        )
        assert cursor.fetchone() == ("u",)
    job = preview(leeds_draft, LEEDS_FILE)
    assert (job.status, job.staged_count) == (ImportJobStatus.READY, 8837)
    assert ImportStagedLine.objects.filter(job=job).count() == 8837
    import_job_confirm(job=job, actor=None)
    assert SpendLine.objects.filter(spend_return=leeds_draft).count() == 8837


@pytest.mark.services
@pytest.mark.django_db
def test_copy_is_sent_only_the_columns_that_vary_line_by_line(leeds_draft, monkeypatch):
    """The organisation is the job's (the confirmation takes it from there), and a chunk of
    direct lines leaves its basis and driver to the staging table's defaults."""
    require_postgres()
    copied = []
    sql = staging.copy_sql
    monkeypatch.setattr(staging, "copy_sql", lambda columns: copied.append(columns) or sql(columns))
    job = preview(leeds_draft, LEEDS_FILE)
    assert (job.status, job.staged_count) == (ImportJobStatus.READY, 8837)
    assert copied and {tuple(columns) for columns in copied} == {tuple(PER_LINE)}
    assert set(ImportStagedLine.objects.filter(job=job).values_list("basis", "driver")) == {
        ("direct", "")
    }
    import_job_confirm(job=job, actor=None)
    lines = SpendLine.objects.filter(spend_return=leeds_draft)
    assert set(lines.values_list("organisation_id", flat=True)) == {job.organisation_id}


@pytest.mark.services
def test_the_preview_and_confirmation_run_on_a_real_worker(
    real_worker, reference_data_tx, settings
):
    """Upload → Celery preview job (progress in the job) → confirm job, through Redis."""
    from ledger.models import Organisation

    # The worker is another process: the file must be somewhere it can read.
    settings.MEDIA_ROOT = str(ROOT / "var" / "test-media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    leeds = Organisation.objects.by_code("00DA").get()
    spend_return = spend_return_create(
        organisation=leeds,
        financial_year=FinancialYear.objects.get(code="2010-11"),
        actor=None,
    )
    job = import_job_create(spend_return=spend_return, file=spend_file(LEEDS_FILE), actor=None)
    job = _wait(job, {ImportJobStatus.READY, ImportJobStatus.INVALID, ImportJobStatus.FAILED})
    assert job.status == ImportJobStatus.READY, (job.errors, real_worker.log()[-2000:])
    assert job.task_id and job.started_at and job.finished_at
    assert (job.rows_done, job.rows_total, job.line_count, job.line_total) == (
        8838,
        8838,
        8837,
        Decimal("65483945.63"),
    )
    assert not SpendLine.objects.exists()
    import_job_request_confirm(job=job, actor=None)
    job = _wait(job, {ImportJobStatus.CONFIRMED, ImportJobStatus.INVALID})
    assert job.status == ImportJobStatus.CONFIRMED, real_worker.log()[-2000:]
    assert SpendLine.objects.filter(spend_return=spend_return).count() == 8837
    assert not ImportStagedLine.objects.exists()
    job.file.delete(save=False)


def _wait(job: ImportJob, done: set, timeout: float = 90) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in done:
            return job
        time.sleep(0.2)
    pytest.fail(f"import job stuck in {job.status}")


@pytest.mark.services
@pytest.mark.django_db
def test_a_large_staged_job_is_confirmed_through_the_primary_key_in_file_order(
    leeds_draft, monkeypatch
):
    """With no statistics of the staging table (it is not analyzed after a preview: emptied
    after every confirmation, it never has fresh ones), the confirmation reads a big job's
    lines through the primary key, already in file order, instead of sorting the whole file;
    and puts the planner's setting back afterwards."""
    require_postgres()
    monkeypatch.setattr(staging, "ORDERED_READ_AFTER_ROWS", 1000)
    job = preview(leeds_draft, LEEDS_FILE)
    assert job.staged_count == 8837
    select = (
        f"EXPLAIN SELECT {staging.LEDGER_COLUMNS} FROM {staging.STAGED_TABLE} "  # noqa: S608
        "WHERE job_id = %s ORDER BY id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [staging.STAGED_TABLE])
        assert cursor.fetchone()[0] < 8837  # not analyzed since the lines were staged
        with staging._without_sorting(cursor, big=job.staged_count):
            cursor.execute(select, [job.pk])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SHOW enable_sort")
        assert cursor.fetchone()[0] == "on"
    assert "Sort" not in plan, plan
    assert "Index Scan using ledger_importstagedline_pkey" in plan, plan
    import_job_confirm(job=job, actor=None)
    rows = list(SpendLine.objects.filter(spend_return=leeds_draft).order_by("id"))
    assert [line.source_row for line in rows] == sorted(line.source_row for line in rows)


def _staged_file_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(%s)", [staging.STAGED_TABLE])
        return cursor.fetchone()[0]


@pytest.mark.services
@pytest.mark.django_db
def test_a_confirmation_truncates_the_staging_table_only_when_its_lines_are_alone(
    leeds_draft, leeds, year_2010
):
    """Another job's staged lines are never touched: the confirmation deletes its own lines
    while any other job's wait, and empties the table by TRUNCATE (a new file) once none do."""
    require_postgres()
    rows = [DCLG_HEADER] + [dclg_row(amount=f"{n}.25", supplier=f"S{n}") for n in range(1, 6)]
    other_return = spend_return_create(
        organisation=leeds, financial_year=year_2010, title="other", actor=None
    )
    waiting = preview(other_return, csv_bytes(rows), name="waiting.csv")
    first = preview(leeds_draft, csv_bytes([*rows, dclg_row(amount="9.99")]))
    before = _staged_file_id()
    import_job_confirm(job=first, actor=None)
    assert _staged_file_id() == before  # deleted row by row: the other job's lines are there
    assert not ImportStagedLine.objects.filter(job=first).exists()
    assert ImportStagedLine.objects.filter(job=waiting).count() == 5
    import_job_confirm(job=waiting, actor=None)
    assert _staged_file_id() != before  # alone: truncated
    assert not ImportStagedLine.objects.exists()
    assert SpendLine.objects.filter(spend_return=other_return).count() == 5


@pytest.mark.services
@pytest.mark.django_db
def test_the_staging_table_is_not_truncated_while_another_session_holds_it(leeds_draft):
    """A session using the staging table (a preview's COPY, say) holds a lock on it: the
    confirmation does not wait for it and deletes its own lines instead."""
    require_postgres()
    rows = [DCLG_HEADER] + [dclg_row(amount=f"{n}.75", supplier=f"S{n}") for n in range(1, 4)]
    job = preview(leeds_draft, csv_bytes(rows))
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f"LOCK TABLE {staging.STAGED_TABLE} IN ROW EXCLUSIVE MODE")
            with transaction.atomic():
                assert staging.staged_lines_clear(job=job) is False
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    assert not ImportStagedLine.objects.filter(job=job).exists()
    with transaction.atomic():
        assert staging.staged_lines_clear(job=job) is True
