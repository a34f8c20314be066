"""Writing previewed lines to the staging table, and moving them into the ledger.

On PostgreSQL lines go in by ``COPY ... FROM STDIN`` in chunks (the staging table is UNLOGGED:
it only holds lines until they are confirmed); elsewhere by the ORM's ``bulk_create``. Either
way the move into ``SpendLine`` is one ``INSERT ... SELECT`` inside the confirming transaction.
"""

import contextlib
import csv
import io
import json
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection, transaction
from django.db.models import Count, Sum

from ledger.importers.staged import (
    STAGED_COLUMNS,
    STAGED_DEFAULTS,
    STAGED_TEXT,
    columns_of,
    rows_of,
)
from ledger.models import ImportJob, ImportStagedLine, SpendLine, SpendReturn
from ledger.models.fields import from_pence
from ledger.services.line_receivers import line_receivers_of, line_receivers_set

STAGED_TABLE = ImportStagedLine._meta.db_table


# COPY's CSV format, written by pyarrow's CSV writer (the line reader's Arrow tables), or for
# the other readers' frames by the csv module or joined where nothing needs quoting: no value
# is escaped by hand. An unquoted empty field is NULL in CSV, so the text columns are told never
# to be (an empty description is an empty string); a date left blank is NULL.
def copy_sql(columns: Iterable[str]) -> str:
    """The COPY statement for a chunk holding ``columns`` in that order."""
    columns = tuple(columns)
    texts = [name for name in columns if name in STAGED_TEXT]
    return (
        f"COPY {STAGED_TABLE} ({', '.join(columns)}) FROM STDIN "
        f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(texts)}))"
    )


COPY_READ_SIZE = 1024 * 1024
# Past this many lines the confirmation reads the job's staged lines through the primary key,
# already in file order, with sorting switched off for that one statement (and for the grouped
# read of their count, total and suppliers, which then hashes: 0.36 s a million lines where the
# planner's sort took 0.95 s). The staging table's
# statistics are never fresh when a job is confirmed (it is emptied after every confirmation),
# so the planner believes the job holds a few hundred lines, and read a million by scanning and
# sorting the whole file on disk (1-2 s). Analyzing the table after every big preview fixed the
# plan too, but cost 0.5-0.9 s a million lines; telling the planner costs nothing. Below it, a
# sort in memory is as quick as the key.
ORDERED_READ_AFTER_ROWS = 50_000
LEDGER_COLUMNS = ", ".join(c for c in STAGED_COLUMNS if c != "job_id")
# COPY's cost grows with the columns it splits and checks on every line, and the preview waits
# for it: a staged line holds only what can vary line by line. Its organisation is the job's
# (taken from the job by the confirmation), and the columns of ``STAGED_DEFAULTS`` are sent only
# by chunks with apportioned lines. The job stays on every line: it is what keeps concurrent
# jobs' lines apart, and a default read from a session setting would cost PostgreSQL a function
# call and the same integer parse a line (measured no cheaper than the field itself).


@dataclass
class StagedSummary:
    count: int
    total: Decimal
    suppliers: list[str]  # the names a match can be made for (not redacted)
    names: list[str]  # every supplier name, redacted or not (the receivers are looked up by)


def uses_copy() -> bool:
    return connection.vendor == "postgresql"


def stage_lines(
    *,
    job: ImportJob,
    frames: Iterable[pd.DataFrame],
    progress: Callable[[], None] | None = None,
) -> int:
    """Write the readers' frames of lines (``STAGED_COLUMNS``, those of ``STAGED_DEFAULTS``
    optional) for ``job``; returns how many were written."""
    if uses_copy():
        return _stage_by_copy(frames, progress)
    written = 0
    for frame in frames:
        _orm_chunk(frame)
        written += len(frame)
        if progress:
            progress()
    return written


def copy_csv(frame: pd.DataFrame) -> tuple[tuple[str, ...], str]:
    """The frame as COPY's CSV, and its columns in the order written: integers and dates as
    text, booleans as t/f, None as an unquoted empty field (NULL). A column of
    ``STAGED_DEFAULTS`` holding its default on every line is left to the table's default.

    Nearly every chunk has no text that needs quoting (no comma, quote or line break): its
    columns are joined as they are, and those with one value throughout the chunk (the job, often
    the place and the kind) come first, written once into the text that separates the lines, so
    each line joins only the columns that vary. Any other chunk is written whole by the csv
    module, which quotes what needs it.
    """
    if not len(frame):
        return columns_of(frame), ""
    same = [name for name in columns_of(frame) if _one_value(frame[name])]
    defaulted = [
        name
        for name, value in STAGED_DEFAULTS.items()
        if name in same and frame[name].iloc[0] == value
    ]
    sent = [name for name in columns_of(frame) if name not in defaulted]
    if any(_needs_quotes(frame[name]) for name in STAGED_TEXT if name in sent):
        out = io.StringIO()
        # CRLF line ends: Python 3.11's writer quotes only the line end's characters, and a
        # lone carriage return in a value must be quoted too.
        rows = zip(*(_as_text(frame[name]) for name in sent), strict=True)
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        return tuple(sent), out.getvalue()
    same = [name for name in same if name in sent]
    varying = [name for name in sent if name not in same]
    lines = map(",".join, zip(*(_as_text(frame[name]) for name in varying), strict=True))
    lead = "".join(_as_text(frame[name].iloc[:1])[0] + "," for name in same)
    if not varying:  # a single line
        return tuple(same), lead[:-1] + "\n"
    return (*same, *varying), lead + f"\n{lead}".join(lines) + "\n"


def copy_arrow(table: pa.Table) -> tuple[tuple[str, ...], bytes]:
    """The line reader's Arrow table as COPY's CSV, written by pyarrow's CSV writer (in C,
    without a Python value per cell): integers and dates as text, booleans as true/false,
    null as an empty field (NULL; the text columns are never NULL: see ``copy_sql``). Its
    columns are its own (the line reader's hold no column of ``STAGED_DEFAULTS``).

    Nothing is quoted unless a chunk has a text that needs it (a comma, quote or line break):
    PostgreSQL reads unquoted fields faster, and the preview waits for its COPY. Such a chunk
    is written with every text quoted (so ``\\.`` is only ever text).
    """
    out = io.BytesIO()
    columns = columns_of(table)
    if table.num_rows:
        table = table.select(list(columns))
        try:
            pacsv.write_csv(table, out, write_options=_WRITE_UNQUOTED)
        except pa.ArrowInvalid:  # a value holds a comma, a quote or a line break
            out = io.BytesIO()
            pacsv.write_csv(table, out, write_options=_WRITE_QUOTED)
    return columns, out.getvalue()


_WRITE_UNQUOTED = pacsv.WriteOptions(include_header=False, quoting_style="none")
_WRITE_QUOTED = pacsv.WriteOptions(include_header=False, quoting_style="needed")


def _one_value(values: pd.Series) -> bool:
    array = values.to_numpy()
    if array.dtype == object:  # list.count compares by identity first: fast on repeats
        return values.tolist().count(array[0]) == len(array)
    return bool((array == array[0]).all())


_QUOTED = ('"', ",", "\n", "\r")


def _needs_quotes(values: pd.Series) -> bool:
    text = "".join(values.tolist())
    return any(mark in text for mark in _QUOTED)


def _as_text(values: pd.Series) -> list[str]:
    """A column's values as COPY reads them (every value, even a text, is listed anew)."""
    if values.dtype == bool:
        return np.where(values.to_numpy(), "t", "f").tolist()
    if values.dtype.kind in "iu":
        return list(map(str, values.tolist()))
    if values.name in STAGED_TEXT:
        return values.tolist()
    # Places and dates: few distinct values a chunk, each written once then taken by code.
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    return np.asarray([_text(value) for value in uniques], dtype=object)[codes].tolist()


def _text(value) -> str:
    if value is None or value is pd.NA or value != value:  # factorize turns None into NaN
        return ""
    if value is True or value is False:
        return "t" if value else "f"
    return str(value)


def _stage_by_copy(frames: Iterable[pd.DataFrame], progress: Callable[[], None] | None) -> int:
    """COPY chunk by chunk while a second thread reads and checks the next chunk.

    The reader never touches the database, so it can run in its own thread: while PostgreSQL
    ingests one chunk on its own core, the next one is being parsed. The queue is short, so
    memory holds at most a few chunks whatever the file's size.
    """
    chunks: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        try:
            for frame in frames:
                if stop.is_set():
                    return
                if isinstance(frame, pa.Table):
                    columns, data = copy_arrow(frame)
                    buffer = io.BytesIO(data)  # UTF-8, the connection's encoding
                else:
                    columns, text = copy_csv(frame)
                    buffer = io.StringIO(text)
                chunks.put((copy_sql(columns), buffer, len(frame)))
            chunks.put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consuming thread
            chunks.put(exc)

    producer = threading.Thread(target=produce, name="import-reader", daemon=True)
    producer.start()
    written = 0
    try:
        with connection.cursor() as cursor:
            while (item := chunks.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                sql, buffer, count = item
                # The psycopg cursor itself: with DEBUG on, Django wraps it in a debug cursor
                # whose copy_expert takes no keyword arguments (a TypeError on every import).
                cursor.cursor.copy_expert(sql, buffer, size=COPY_READ_SIZE)
                written += count
                if progress:
                    progress()
    finally:
        stop.set()
        while producer.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                chunks.get(timeout=0.1)
        producer.join()
    return written


def _orm_chunk(frame: pd.DataFrame) -> None:
    objects = []
    for values in rows_of(frame):
        values["amount"] = from_pence(values.pop("amount_pence"))
        objects.append(ImportStagedLine(**values))
    ImportStagedLine.objects.bulk_create(objects, batch_size=2000)


def staged_lines_delete(*, job: ImportJob) -> None:
    ImportStagedLine.objects.filter(job_id=job.pk).delete()


def staged_lines_clear(*, job: ImportJob) -> bool:
    """Empty the staging table of the job just confirmed, inside the confirming transaction;
    True when it was done by TRUNCATE.

    On PostgreSQL, when the job's lines are the only ones staged and nothing else is using the
    table, TRUNCATE (as the table's owner, ledger migration 0039): a million lines in
    milliseconds, where deleting them row by row took about a second and left autovacuum a
    million dead rows. It holds the table's ACCESS EXCLUSIVE lock until the confirmation
    commits (its remaining steps are a few small writes): a preview starting its COPY then
    waits that long. While any other job's lines are staged, or any session holds a lock on
    the table, the job's lines are deleted as before.
    """
    if uses_copy():
        with connection.cursor() as cursor:
            cursor.execute("SELECT ledger_stagedline_truncate_alone(%s)", [job.pk])
            if cursor.fetchone()[0]:
                return True
    staged_lines_delete(job=job)
    return False


def staged_lines_summary(*, job: ImportJob) -> StagedSummary:
    """How many lines ``job`` has staged, their total, and the names of their suppliers that a
    match can be made for: one read of the staging table (grouped by supplier)."""
    groups = (
        ImportStagedLine.objects.filter(job_id=job.pk)
        .order_by()
        .values_list("supplier_name", "supplier_redacted")
        .annotate(lines=Count("*"), total=Sum("amount"))
    )
    with connection.cursor() as cursor, _without_sorting(cursor, big=job.staged_count):
        groups = list(groups)
    summary = StagedSummary(0, Decimal(0), [], [])
    for name, redacted, lines, total in groups:
        summary.count += lines
        summary.total += total
        if name:
            summary.names.append(name)
            if not redacted:
                summary.suppliers.append(name)
    return summary


def staged_lines_transfer(
    *, job: ImportJob, spend_return: SpendReturn, suppliers: Iterable[str]
) -> int:
    """Copy the job's staged lines into the ledger as lines of ``spend_return``, in file order,
    each with its receiver (``SpendLine.receiver``) from the payer's supplier matches as they
    are now, and the job's organisation: the lines are written once, not written and then
    updated. ``suppliers``: the
    staged lines' supplier names (``staged_lines_summary``).

    Must run inside the caller's transaction (the confirmation is all or nothing), after the
    suppliers are matched (``transfers.supplier_matches_for_lines``).
    """
    payer = spend_return.organisation_id
    receivers = {}
    if uses_copy():  # SQLite: set afterwards, by the receivers' own UPDATE
        receivers = line_receivers_of(payer_id=payer, supplier_names=suppliers)
    # A lookup in a constant JSON object per line, not a join: a join would lose the lines'
    # order (a sort of the whole file); an import pays few of the bodies it matches.
    receiver = "(%s::jsonb ->> supplier_name)::bigint" if receivers else "%s"
    # Table and column names are our own constants; the values go in as parameters.
    sql = (
        f"INSERT INTO {SpendLine._meta.db_table} "  # noqa: S608
        "(spend_return_id, financial_year_id, import_job_id, organisation_id, receiver_id, "
        f"{LEDGER_COLUMNS}) "
        f"SELECT %s, %s, %s, %s, {receiver}, {LEDGER_COLUMNS} FROM {STAGED_TABLE} "
        "WHERE job_id = %s ORDER BY id"
    )
    params = [spend_return.pk, spend_return.financial_year_id, job.pk, job.organisation_id]
    params += [json.dumps(receivers) if receivers else None, job.pk]
    with connection.cursor() as cursor, _without_sorting(cursor, big=job.staged_count):
        cursor.execute(sql, params)
        written = cursor.rowcount
    if not uses_copy():
        line_receivers_set(payer_id=payer, spend_return_ids=[spend_return.pk])
    return written


@contextlib.contextmanager
def _without_sorting(cursor, *, big: int):
    """Sorting off for the statements inside, on PostgreSQL and for a big job only
    (``ORDERED_READ_AFTER_ROWS``). The planner believes a job holds a few thousand lines (the
    staging table has no fresh statistics), and would sort a million on disk: with sorting
    off, the confirmation's read keeps the file's order through the primary key, and the
    summary groups by hashing. In a savepoint: the setting is local to it, and a failed
    statement's rollback restores it too."""
    if not (uses_copy() and big >= ORDERED_READ_AFTER_ROWS):
        yield
        return
    with transaction.atomic():
        cursor.execute("SELECT current_setting('enable_sort')")
        before = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('enable_sort', 'off', true)")
        yield
        cursor.execute("SELECT set_config('enable_sort', %s, true)", [before])
