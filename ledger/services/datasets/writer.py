"""Writing a dataset edition's figures and lines: COPY on PostgreSQL (CSV from pandas), the ORM
elsewhere.

Inside the load's transaction, so an edition's lines are all written or none. No per-line audit
rows: the edition (its file, hash and choices, who loaded and approved it) is their record.
The figures' ids are taken from their sequence first, so the lines can name their figure
without reading anything back.
"""

import io
from collections.abc import Callable

import numpy as np
import pandas as pd
from django.db import connection

from ledger.models import DatasetFigure, DatasetLine

FIGURE_COLUMNS = (
    "id",
    "edition_id",
    "organisation_id",
    "financial_year_id",
    "amount_pence",
    "source_row",
    "source_column",
    "source_code",
    "source_label",
    "source_place",
    "body_name",
    "cofog",
    "driver",
    "driver_year",
    "driver_source",
)
LINE_COLUMNS = (
    "edition_id",
    "figure_id",
    "organisation_id",
    "place_id",
    "theme_id",
    "financial_year_id",
    "amount_pence",
    "spend_kind",
    "basis",
    "control",
)
TEXT_WIDTHS = {
    "source_column": 255,
    "source_code": 120,
    "source_label": 255,
    "source_place": 120,
    "body_name": 255,
    "cofog": 10,
    "driver": 40,
    "driver_year": 7,
    "driver_source": 200,
}
CHUNK_ROWS = 250_000


def _copy(table: str, columns: tuple[str, ...], frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False)
    buffer.seek(0)
    # Every column is NOT NULL: an empty field is an empty string, never NULL.
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    with connection.cursor() as cursor:
        cursor.copy_expert(sql, buffer)


def _figure_ids(count: int) -> np.ndarray:
    table = DatasetFigure._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
        # SQLite: the load has already written (deleted the edition's old rows) in this
        # transaction, so it holds the database's write lock and no one else takes these ids.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        first = cursor.fetchone()[0] + 1
    return np.arange(first, first + count, dtype=np.int64)


def _insert(table: str, columns: tuple[str, ...], frame: pd.DataFrame) -> None:
    """The portable path: one executemany of plain tuples (the ORM's objects cost 20 times
    more per row, and a demo's million lines are loaded on SQLite)."""
    marks = ", ".join(["%s"] * len(columns))
    # Column by column to plain Python values (numpy's ints are not SQLite's), then rows.
    rows = list(zip(*(frame[column].tolist() for column in columns), strict=True))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            rows,
        )


def figures_write(figures: pd.DataFrame, *, edition_id: int) -> np.ndarray:
    """Write the edition's figures; returns their ids, in the frame's order."""
    frame = figures.assign(edition_id=edition_id, amount_pence=figures["pence"])
    for column, width in TEXT_WIDTHS.items():
        frame[column] = frame[column].fillna("").astype(str).str.slice(0, width)
    ids = _figure_ids(len(frame))
    frame = frame.assign(id=ids)
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start : start + CHUNK_ROWS].loc[:, list(FIGURE_COLUMNS)]
        if connection.vendor == "postgresql":
            _copy(DatasetFigure._meta.db_table, FIGURE_COLUMNS, chunk)
        else:
            _insert(DatasetFigure._meta.db_table, FIGURE_COLUMNS, chunk)
    return ids


def lines_write(
    lines: pd.DataFrame,
    *,
    edition_id: int,
    figure_ids: np.ndarray,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the lines (``placing``'s frame, each with its figure's position); returns how many."""
    frame = lines.assign(
        edition_id=edition_id, figure_id=figure_ids[lines["figure_pos"].to_numpy()]
    ).loc[:, list(LINE_COLUMNS)]
    written = 0
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        if connection.vendor == "postgresql":
            _copy(DatasetLine._meta.db_table, LINE_COLUMNS, chunk)
        else:
            _insert(DatasetLine._meta.db_table, LINE_COLUMNS, chunk)
        written += len(chunk)
        if progress:
            progress(written)
    return written
