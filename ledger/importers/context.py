"""What a reader needs to know about the ledger (``Context``) and what it found (``Tally``)."""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import RowError, shorten

EXAMPLES_KEPT = 20
UNALLOCATED_GROUPS_KEPT = 200


@dataclass
class Context:
    """What the reader needs to know about the ledger, as plain values and lookups."""

    organisation_id: int
    organisation_by_code: Callable[[str], int | None]
    organisation_name: Callable[[int], str]
    place_by_code: Callable[[str], int | None]
    home_place_of: Callable[[int], int | None]
    theme_for: Callable[[str, str, str, str, str], int]
    unallocated_theme_id: int
    year_start: dt.date
    year_end: dt.date
    place_id: int | None = None
    # Apportionment: pence → [(place id, pence)], and how to describe the driver.
    split: Callable[[int], list[tuple[int, int]]] | None = None
    driver: str = ""
    driver_source: str = ""
    theme_uses_description: bool = False
    job_id: int = 0
    # A return kept on an accruals basis takes lines dated outside its year (counted, warned);
    # any other return refuses them, row by row.
    accruals_basis: bool = False


@dataclass
class Tally:
    """Counts, totals and problems found while reading; what the preview shows."""

    max_errors: int = 500
    rows: int = 0
    lines: int = 0
    staged: int = 0
    total: int = 0
    credits: int = 0
    dropped: Counter = field(default_factory=Counter)
    dropped_examples: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    unallocated_count: int = 0
    unallocated_total: int = 0
    unallocated: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)
    outside_year: int = 0
    outside_year_rows: list[int] = field(default_factory=list)
    file_total: int | None = None
    warnings: list[str] = field(default_factory=list)
    skipped_cells: Counter = field(default_factory=Counter)

    def error(self, row: int | None, column: str, value: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(RowError(row, column, shorten(value.strip()), message))

    def drop(self, row: int, reason: str, cells: list[str] | None = None) -> None:
        self.dropped[reason] += 1
        if len(self.dropped_examples) < EXAMPLES_KEPT:
            shown = ", ".join(c.strip() for c in cells if c.strip()) if cells else ""
            self.dropped_examples.append({"row": row, "reason": reason, "values": shorten(shown)})

    def unallocate(self, key: tuple[str, str, str], pence: int, count: int = 1) -> None:
        """``count`` lines of ``pence`` in all that no theme rule matched, grouped by ``key``."""
        self.unallocated_count += count
        self.unallocated_total += pence
        group = self.unallocated.get(key)
        if group is not None:
            group[0] += count
            group[1] += pence
        elif len(self.unallocated) < UNALLOCATED_GROUPS_KEPT:
            self.unallocated[key] = [count, pence]


def organisation_code(text: str) -> str:
    """ "http://statistics.data.gov.uk/doc/local-authority/00DA" → "00DA"."""
    code = text.strip().rstrip("/")
    if "/" in code:
        code = code.rsplit("/", 1)[1]
    return code.upper()
