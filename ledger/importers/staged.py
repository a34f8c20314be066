"""Staged lines as the readers hand them over: column frames, one per chunk of the file (the
line reader's are Arrow tables of the same columns; the others' pandas frames)."""

from collections.abc import Iterable, Iterator
from itertools import islice

import pandas as pd
import pyarrow as pa

# The staging table's columns, in the order of every reader's frames, each with its kind:
# numbers (64-bit integers), ids (an integer, or None), text (an empty one is an empty string,
# never NULL), a flag and a date (None when blank).
NUMBER, ID, TEXT, FLAG, DATE = "number", "id", "text", "flag", "date"
STAGED_KINDS = {
    "job_id": NUMBER,
    "source_row": NUMBER,
    "place_id": ID,
    "organisation_id": NUMBER,
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
FRAME_ROWS = 20_000


def staged_frame(**columns) -> pd.DataFrame:
    """A frame of ``STAGED_COLUMNS`` from arrays: numbers stay 64-bit integers, and the rest
    Python objects (pandas would otherwise turn text into its string type, and a column of
    integers with a None into floats)."""
    return pd.DataFrame(
        {
            name: pd.Series(columns[name], dtype=None if _integers(columns[name]) else object)
            for name in STAGED_COLUMNS
        }
    )


def _integers(values) -> bool:
    return getattr(values, "dtype", None) is not None and values.dtype.kind in "iub"


def frames_of(lines: Iterable[tuple], size: int = FRAME_ROWS) -> Iterator[pd.DataFrame]:
    """Frames of ``size`` lines from ``STAGED_COLUMNS`` tuples (the wide tables' reader)."""
    iterator = iter(lines)
    while chunk := list(islice(iterator, size)):
        yield staged_frame(**dict(zip(STAGED_COLUMNS, zip(*chunk, strict=True), strict=True)))


def rows_of(frame: pd.DataFrame | pa.Table) -> Iterator[tuple]:
    """The lines (a frame, or the line reader's Arrow table) as tuples of Python values
    (numpy integers become ``int``)."""
    if isinstance(frame, pa.Table):
        return zip(*(frame.column(name).to_pylist() for name in STAGED_COLUMNS), strict=True)
    return zip(*(frame[name].tolist() for name in STAGED_COLUMNS), strict=True)
