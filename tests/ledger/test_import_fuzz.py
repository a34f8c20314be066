"""Hostile files, generated: whatever the bytes, the import answers with a clear error or a
preview, never a crash, and writes nothing unless a clean preview is confirmed.

Each example runs the real preview (and, when the preview is clean, the confirmation) inside
a savepoint that is rolled back afterwards, so every example starts from the same ledger.
"""

import csv
import io
import logging
import os
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from ledger.importers.layouts import FIELD_ALIASES
from ledger.importers.tables import CSV_CELL_LIMIT
from ledger.models import ImportJob, ImportJobStatus, ImportStagedLine, SpendLine, SpendReturn
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.imports.preview import UNEXPECTED_FAILURE
from tests.ledger.import_helpers import DCLG_HEADER, preview

pytestmark = pytest.mark.django_db

FUZZ = settings(
    deadline=None,
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",  # CI: the same examples every run
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FINISHED = {
    ImportJobStatus.READY,
    ImportJobStatus.INVALID,
    ImportJobStatus.FAILED,
    ImportJobStatus.NEEDS_MAPPING,
}
# FUZZ_SCALE=20 (and FUZZ_RANDOM=1) for a long local hunt; the suite runs the bounded default.
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
HUGE = "HUGE-FIELD"  # a marker the strategy expands to a cell over the CSV reader's limit

# --- what the files are made of ---------------------------------------------------------------
ALIASES = sorted({alias for aliases in FIELD_ALIASES.values() for alias in aliases})
amounts = st.one_of(
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False).map(str),
    st.sampled_from(
        [
            "1,234.56",
            "(12.50)",
            "12.50 CR",
            "£1,000",
            "-0.01",
            "1e5",
            "0.001",
            "NaN",
            "∞",
            "",
            "1,23,4",
            "99999999999999999999",
            "=SUM(A1:A9)",
            "--5",
            "12.50-",
            "£",
            "€ 3",
        ]
    ),
)
dates = st.one_of(
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["14-Jan-2011", "14-Jan-11", "31/02/2011", "2011-13-01", "40000", "0", "x"]),
)
awkward_text = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=["L", "N", "P", "S", "Zs", "Cc"], exclude_characters="\x00"
    ),
    max_size=30,
)
formula_like = st.sampled_from(
    [
        '=HYPERLINK("http://x","y")',
        "+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "-2+3",
        "=",
        "+",
        "\t=1",
        "\r=1",
        "=1+1",
        "-",
        "@",
        '"quoted"',
        'say "hi"',
        "a,b;c|d\te",
        "line\nbreak",
        "\u00a0",
    ]
)
cells = st.one_of(amounts, dates, awkward_text, formula_like, st.just(HUGE), st.just("A" * 300))
header_cells = st.one_of(st.sampled_from(ALIASES), st.sampled_from(DCLG_HEADER), awkward_text)


@st.composite
def csv_files(draw) -> bytes:
    """CSV as councils (and attackers) write it: any delimiter, quoting, encoding, line ending,
    preamble, header, ragged rows, huge fields and formula-like cells."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "mac_roman", "utf-16"]))
    quoting = draw(st.sampled_from(["minimal", "all", "none"]))
    preamble = draw(st.lists(st.lists(awkward_text, max_size=3), max_size=3))
    header = draw(st.lists(header_cells, min_size=1, max_size=8))
    if draw(st.booleans()):
        header = header + ["Amount"] if "Amount" not in header else header
    width = len(header)
    rows = draw(
        st.lists(
            st.integers(min_value=max(0, width - 2), max_value=width + 2).flatmap(
                lambda n: st.lists(cells, min_size=n, max_size=n)
            ),
            max_size=6,
        )
    )
    table = [*preamble, header, *rows]
    table = [[HUGE_TEXT if c == HUGE else c for c in row] for row in table]
    if quoting == "none":  # no quoting at all: stray quotes and delimiters stay as they are
        text = newline.join(delimiter.join(row) for row in table) + newline
    else:
        out = io.StringIO()
        csv.writer(
            out,
            delimiter=delimiter,
            lineterminator=newline,
            quoting=csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL,
        ).writerows(table)
        text = out.getvalue()
    return text.encode(encoding, errors="replace")


HUGE_TEXT = "x" * (CSV_CELL_LIMIT + 10)
random_bytes = st.tuples(
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbf",
            b"\xff\xfe",
            b"\xfe\xff",
            b"PK\x03\x04",
            b"%PDF",
            b"\xd0\xcf\x11\xe0",
        ]
    ),
    st.binary(max_size=600),
).map(lambda parts: parts[0] + parts[1])

# Worksheets cannot hold control characters at all (openpyxl refuses to write them).
xlsx_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]), max_size=30
)
xlsx_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**16), max_value=10**16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    amounts,
    formula_like.filter(lambda t: t.isprintable()),
    xlsx_text,
)


@st.composite
def xlsx_files(draw) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    header = st.one_of(st.sampled_from(ALIASES), st.sampled_from(DCLG_HEADER), xlsx_text)
    sheet.append(draw(st.lists(header, min_size=1, max_size=6)))
    for row in draw(st.lists(st.lists(xlsx_values, max_size=7), max_size=5)):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the checks every example must pass -------------------------------------------------------
def _ledger(spend_return: SpendReturn) -> tuple:
    lines = SpendLine.objects.all()
    return (lines.count(), lines.aggregate(t=Sum("amount"))["t"], spend_return.status)


def _check_errors(job) -> None:
    assert job.errors, job.status
    for error in job.errors:
        assert set(error) == {"row", "column", "value", "message"}
        assert error["message"].strip()
        if error["column"]:  # a cell is named: its row is too
            assert error["row"] is not None and error["row"] >= 1, error
    assert job.error_count >= len(job.errors)
    assert job.message.strip()


def _import_once(spend_return: SpendReturn, content: bytes, name: str, caplog) -> None:
    """Preview (and confirm, when clean) ``content`` and check nothing half-happens."""
    with transaction.atomic():
        before = _ledger(spend_return)
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="ledger.services.imports.preview"):
            try:
                job = preview(spend_return, content, name=name)
            except ValidationError as exc:  # refused at upload (not CSV or .xlsx): no job
                assert "Upload the CSV (.csv) or Excel workbook (.xlsx)" in exc.messages[0]
                assert _ledger(spend_return) == before
                transaction.set_rollback(True)
                return
        assert not caplog.records, caplog.text  # no unexpected exception was caught and logged
        assert job.status in FINISHED, job.status
        assert UNEXPECTED_FAILURE not in job.message
        staged = ImportStagedLine.objects.filter(job=job)
        assert _ledger(spend_return) == before  # a preview never touches the ledger
        if job.status != ImportJobStatus.READY:
            assert not staged.exists()
            if job.status != ImportJobStatus.NEEDS_MAPPING:
                _check_errors(job)
        else:
            assert staged.count() == job.staged_count > 0
            assert staged.aggregate(t=Sum("amount"))["t"] == job.line_total
            import_job_confirm(job=job, actor=None)
            count, total, _ = _ledger(spend_return)
            assert count == before[0] + job.staged_count
            assert total == (before[1] or Decimal(0)) + job.line_total
            assert not staged.exists()
        transaction.set_rollback(True)  # the next example starts from the same ledger


@settings(FUZZ, max_examples=120 * SCALE)
@given(content=csv_files())
def test_any_csv_shape_gives_a_preview_or_a_clear_error(leeds_draft, caplog, content):
    _import_once(leeds_draft, content, "fuzz.csv", caplog)


@settings(FUZZ, max_examples=120 * SCALE)
@given(content=random_bytes)
def test_random_bytes_give_a_clear_error(leeds_draft, caplog, content):
    if not content:
        return  # an empty upload is refused before a job exists (its own test)
    _import_once(leeds_draft, content, "fuzz.csv", caplog)


@settings(FUZZ, max_examples=40 * SCALE)
@given(content=xlsx_files())
def test_any_workbook_gives_a_preview_or_a_clear_error(leeds_draft, caplog, content):
    _import_once(leeds_draft, content, "fuzz.xlsx", caplog)


def test_a_confirmation_failing_after_its_insert_writes_nothing(leeds_draft, monkeypatch, caplog):
    """The lines are inserted, then something fails: the transaction takes them all back."""
    from ledger.import_tasks import CONFIRM_FAILED, import_job_confirm_task
    from ledger.services.imports import confirm
    from tests.ledger.import_helpers import csv_bytes, dclg_row

    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row(), dclg_row(amount="-3.00")]))
    assert job.status == ImportJobStatus.READY

    def fail(**kwargs):  # noqa: ARG001
        assert SpendLine.objects.filter(spend_return=leeds_draft).count() == 2  # inserted...
        raise RuntimeError("disk full")

    monkeypatch.setattr(confirm, "column_mapping_remember", fail)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.CONFIRMING)
    with caplog.at_level(logging.ERROR):
        assert import_job_confirm_task(job.pk, None) == "invalid"
    job.refresh_from_db()
    assert not SpendLine.objects.exists()  # ...and taken back
    assert (job.status, job.message) == (ImportJobStatus.INVALID, CONFIRM_FAILED)
    leeds_draft.refresh_from_db()
    assert leeds_draft.source_sha256 == "" and "disk full" in caplog.text
