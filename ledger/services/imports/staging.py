"""Writing previewed lines to the staging table, and moving them into the ledger.

On PostgreSQL lines go in by ``COPY ... FROM STDIN`` in chunks (the staging table is UNLOGGED:
it only holds lines until they are confirmed); elsewhere by the ORM's ``bulk_create``. Either
way the move into ``SpendLine`` is one ``INSERT ... SELECT`` inside the confirming transaction.
"""

import contextlib
import io
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.db import connection

from ledger.importers.lines import STAGED_COLUMNS
from ledger.models import ImportJob, ImportStagedLine, SpendLine, SpendReturn
from ledger.models.fields import from_pence

CHUNK_ROWS = 20_000
STAGED_TABLE = ImportStagedLine._meta.db_table
# COPY's text format: tab-separated, NULL as \N, backslash escapes. Most lines need none, so
# each is rendered by one %-format of its tuple (ints, str, bool, date all print as PostgreSQL
# reads them); a line whose text holds a tab, newline or backslash, or that has a None (which
# would print as "None"), is rendered again value by value.
COPY_SQL = f"COPY {STAGED_TABLE} ({', '.join(STAGED_COLUMNS)}) FROM STDIN"
_LINE = "\t".join(["%s"] * len(STAGED_COLUMNS)) + "\n"
_TABS = len(STAGED_COLUMNS) - 1
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_READ_SIZE = 1024 * 1024
# Past this many lines the staging table's statistics are refreshed once the job is staged (a
# sampled ANALYZE, a fraction of a second): left to autovacuum, the planner still believes the
# job holds a few hundred lines when it is confirmed, and reads a million through a bitmap scan
# and an external sort of the whole file instead of the (job, id) index, already in file order.
ANALYZE_AFTER_ROWS = 50_000
LEDGER_COLUMNS = ", ".join(c for c in STAGED_COLUMNS if c != "job_id")


def _chunks(lines: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    iterator = iter(lines)
    while chunk := list(islice(iterator, size)):
        yield chunk


def uses_copy() -> bool:
    return connection.vendor == "postgresql"


def stage_lines(
    *, job: ImportJob, lines: Iterable[tuple], progress: Callable[[], None] | None = None
) -> int:
    """Write ``lines`` (``STAGED_COLUMNS`` tuples) for ``job``; returns how many were written."""
    if uses_copy():
        written = _stage_by_copy(lines, progress)
        if written >= ANALYZE_AFTER_ROWS:
            with connection.cursor() as cursor:
                # As the table's owner (ledger migration 0019): the app's role owns no table.
                cursor.execute("SELECT ledger_stagedline_analyze()")
        return written
    written = 0
    for chunk in _chunks(lines, CHUNK_ROWS):
        _orm_chunk(chunk)
        written += len(chunk)
        if progress:
            progress()
    return written


def _copy_text(chunk: list[tuple]) -> str:
    """The chunk as COPY text (see ``_LINE``): fast when no line needs escaping."""
    lines = [_LINE % row for row in chunk]
    text = "".join(lines)
    if _plain(text, len(lines)):
        return text
    pairs = zip(lines, chunk, strict=True)
    return "".join(line if _plain(line, 1) else _escaped(row) for line, row in pairs)


def _plain(text: str, count: int) -> bool:
    return (
        text.count("\t") == _TABS * count
        and text.count("\n") == count
        and "\\" not in text
        and "\r" not in text
        and "None" not in text  # perhaps a supplier's name, perhaps a NULL: escape to be sure
    )


def _escaped(row: tuple) -> str:
    return (
        "\t".join("\\N" if value is None else str(value).translate(_ESCAPES) for value in row)
        + "\n"
    )


def _stage_by_copy(lines: Iterable[tuple], progress: Callable[[], None] | None) -> int:
    """COPY chunk by chunk while a second thread reads and checks the next chunk.

    The reader is pure Python (it never touches the database), so it can run in its own
    thread: while PostgreSQL ingests one chunk on its own core, the next one is being parsed.
    The queue is short, so memory holds at most a few chunks whatever the file's size.
    """
    chunks: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in _chunks(lines, CHUNK_ROWS):
                if stop.is_set():
                    return
                chunks.put((io.StringIO(_copy_text(chunk)), len(chunk)))
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
                buffer, count = item
                # The psycopg cursor itself: with DEBUG on, Django wraps it in a debug cursor
                # whose copy_expert takes no keyword arguments (a TypeError on every import).
                cursor.cursor.copy_expert(COPY_SQL, buffer, size=COPY_READ_SIZE)
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


def _orm_chunk(chunk: list[tuple]) -> None:
    objects = []
    for row in chunk:
        values = dict(zip(STAGED_COLUMNS, row, strict=True))
        values["amount"] = from_pence(values.pop("amount_pence"))
        objects.append(ImportStagedLine(**values))
    ImportStagedLine.objects.bulk_create(objects, batch_size=2000)


def staged_lines_delete(*, job: ImportJob) -> None:
    ImportStagedLine.objects.filter(job_id=job.pk).delete()


def staged_lines_transfer(*, job: ImportJob, spend_return: SpendReturn) -> int:
    """Copy the job's staged lines into the ledger as lines of ``spend_return``, in file order.

    Must run inside the caller's transaction (the confirmation is all or nothing).
    """
    # Table and column names are our own constants; the values go in as parameters.
    sql = (
        f"INSERT INTO {SpendLine._meta.db_table} "  # noqa: S608
        f"(spend_return_id, financial_year_id, import_job_id, {LEDGER_COLUMNS}) "
        f"SELECT %s, %s, %s, {LEDGER_COLUMNS} FROM {STAGED_TABLE} WHERE job_id = %s ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [spend_return.pk, spend_return.financial_year_id, job.pk, job.pk])
        return cursor.rowcount
