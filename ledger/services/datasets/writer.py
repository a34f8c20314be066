"""Writing a dataset edition's lines: COPY on PostgreSQL (CSV from pandas), the ORM elsewhere.

Inside the load's transaction, so an edition's lines are all written or none. No per-line audit
rows: the edition (its file, hash and choices, who loaded and approved it) is their record.
"""

import io
from collections.abc import Callable

import pandas as pd
from django.db import connection

from ledger.models import DatasetLine
from ledger.models.fields import from_pence

# The frame's columns, in the table's column names; text columns with their widths.
LINE_COLUMNS = (
    "edition_id",
    "organisation_id",
    "place_id",
    "theme_id",
    "financial_year_id",
    "amount_pence",
    "spend_kind",
    "basis",
    "control",
    "driver",
    "driver_year",
    "driver_source",
    "source_row",
    "source_column",
    "source_code",
    "source_label",
    "source_place",
    "source_amount_pence",
    "body_name",
    "cofog",
)
TEXT_WIDTHS = {
    "driver": 40,
    "driver_year": 7,
    "driver_source": 200,
    "source_column": 255,
    "source_code": 120,
    "source_label": 255,
    "source_place": 120,
    "body_name": 255,
    "cofog": 10,
}
CHUNK_ROWS = 200_000
COPY_SQL = (
    f"COPY {DatasetLine._meta.db_table} ({', '.join(LINE_COLUMNS)}) "
    # Every column is NOT NULL: an empty field is an empty string, never NULL.
    "FROM STDIN WITH (FORMAT csv, NULL '\\N')"
)


def _fitted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.loc[:, list(LINE_COLUMNS)].copy()
    for column, width in TEXT_WIDTHS.items():
        frame[column] = frame[column].fillna("").astype(str).str.slice(0, width)
    return frame


def dataset_lines_write(
    frame: pd.DataFrame, *, progress: Callable[[int], None] | None = None
) -> int:
    """Write the lines in ``frame`` (``LINE_COLUMNS``); returns how many were written."""
    written = 0
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = _fitted(frame.iloc[start : start + CHUNK_ROWS])
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            chunk.to_csv(buffer, header=False, index=False)
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.copy_expert(COPY_SQL, buffer)
        else:
            _orm_chunk(chunk)
        written += len(chunk)
        if progress:
            progress(written)
    return written


def _orm_chunk(chunk: pd.DataFrame) -> None:
    objects = []
    for row in chunk.itertuples(index=False):
        values = row._asdict()
        values["amount"] = from_pence(int(values.pop("amount_pence")))
        values["source_amount"] = from_pence(int(values.pop("source_amount_pence")))
        objects.append(DatasetLine(**values))
    DatasetLine.objects.bulk_create(objects, batch_size=2000)
