"""Staged lines as the readers hand them over: column frames, one per chunk of the file (the
line reader's are Arrow tables; the others' pandas frames)."""

from collections.abc import Iterable, Iterator
from itertools import islice

import pandas as pd
import pyarrow as pa

# The staging table's columns, in the order of every reader's frames, each with its kind:
# numbers (64-bit integers), ids (an integer, or None), text (an empty one is an empty string,
# never NULL), a flag and a date (None when blank). The organisation is not among them: it is the
# job's (a line of another is refused), and the confirmation takes it from the job.
NUMBER, ID, TEXT, FLAG, DATE = "number", "id", "text", "flag", "date"
STAGED_KINDS = {
    "job_id": NUMBER,
    "source_row": NUMBER,
    "place_id": ID,
    "theme_id": NUMBER,
    "amount_pence": NUMBER,
    "spend_kind": TEXT,
    "basis": TEXT,
    "driver": TEXT,
    "driver_source": TEXT,
    "description": TEXT,
    "expense_type": TEXT,
    "expense_area": TEXT,
    "service_label": TEXT,
    "expense_code": TEXT,
    "supplier_name": TEXT,
    "supplier_redacted": FLAG,
    "transaction_date": DATE,
    "transaction_ref": TEXT,
}
STAGED_COLUMNS = tuple(STAGED_KINDS)
STAGED_TEXT = tuple(name for name, kind in STAGED_KINDS.items() if kind == TEXT)
# What the staging table writes itself into a column that a frame leaves out (its defaults,
# ledger migration 0042): a line is direct, with no driver, unless it was apportioned. The line
# reader's tables never hold these columns, and a chunk whose lines all have these values is
# sent without them: the preview waits for PostgreSQL to take its lines, and each column sent
# costs it a field to split and check on every line. Frames holding apportioned lines carry all
# three (the job's driver, but only on the lines split by it).
STAGED_DEFAULTS = {"basis": "direct", "driver": "", "driver_source": ""}
FRAME_ROWS = 20_000


def staged_frame(**columns) -> pd.DataFrame:
    """A frame of ``STAGED_COLUMNS`` (those of ``STAGED_DEFAULTS`` may be left out) from
    arrays: numbers stay 64-bit integers, and the rest Python objects (pandas would otherwise
    turn text into its string type, and a column of integers with a None into floats)."""
    return pd.DataFrame(
        {
            name: pd.Series(columns[name], dtype=None if _integers(columns[name]) else object)
            for name in columns_of(columns)
        }
    )


def columns_of(frame) -> tuple[str, ...]:
    """The staged columns ``frame`` holds (an Arrow table, a pandas frame or a dict of
    arrays), in ``STAGED_COLUMNS`` order. Only those of ``STAGED_DEFAULTS`` may be missing."""
    held = set(frame.column_names if isinstance(frame, pa.Table) else frame.keys())
    return tuple(name for name in STAGED_COLUMNS if name in held or name not in STAGED_DEFAULTS)


def _integers(values) -> bool:
    return getattr(values, "dtype", None) is not None and values.dtype.kind in "iub"


def frames_of(lines: Iterable[tuple], size: int = FRAME_ROWS) -> Iterator[pd.DataFrame]:
    """Frames of ``size`` lines from ``STAGED_COLUMNS`` tuples (the wide tables' reader)."""
    iterator = iter(lines)
    while chunk := list(islice(iterator, size)):
        yield staged_frame(**dict(zip(STAGED_COLUMNS, zip(*chunk, strict=True), strict=True)))


def rows_of(frame: pd.DataFrame | pa.Table) -> Iterator[dict]:
    """The lines (a frame, or the line reader's Arrow table) as dicts of Python values by
    column (numpy integers become ``int``); a column the frame leaves out has its
    ``STAGED_DEFAULTS`` value."""
    names = columns_of(frame)
    if isinstance(frame, pa.Table):
        columns = [frame.column(name).to_pylist() for name in names]
    else:
        columns = [frame[name].tolist() for name in names]
    missing = {name: value for name, value in STAGED_DEFAULTS.items() if name not in names}
    for row in zip(*columns, strict=True):
        yield {**missing, **dict(zip(names, row, strict=True))}
