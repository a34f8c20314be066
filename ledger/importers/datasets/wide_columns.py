"""What each column of a wide table is, and which columns each total adds up.

Totals are known three ways: the catalogue's role ("TOTAL EDUCATION SERVICES" is line 190, the
total of group EDU), a header saying "Total", and the numbers themselves (a column that equals
the sum of the other columns of its section in every sampled row). A total whose parts are not
in the table at all (a summary table of group totals, or police's one column) is a detail.
"""

from collections import Counter
from dataclasses import dataclass

from ..values import amount_pence
from .catalogue import DETAIL, GRAND_TOTAL, MEASURES, TOTAL, Catalogue, ServiceLine

UNKNOWN, IGNORED = "unknown", "ignored"
BODY_HEADERS = {
    "code": ("e code", "ecode", "dluhc code"),
    "alt_code": (
        "ons code",
        "gss code",
        "ons la code",
        "la code",
        "local authority code",
        "authority code",
        "organisation code",
        "code",
    ),
    "name": (
        "local authority",
        "local authority name",
        "authority",
        "authority name",
        "la name",
        "organisation",
        "organisation name",
        "name",
    ),
    "body_class": ("class",),
    "subclass": ("subclass", "sub class"),
    "notes": ("notes", "note"),
}
BODY_ROLES = tuple(BODY_HEADERS)
BODY_BY_NAME = {name: role for role, names in BODY_HEADERS.items() for name in names}
SAMPLES_NEEDED = 3  # data rows that must agree before a column is taken for a total


@dataclass
class WideColumn:
    """One column: a body field, a service line (detail or total) or an unknown column."""

    index: int
    header: str  # de-duplicated, whitespace collapsed
    role: str  # a BODY_ROLES entry, "detail", "total", "grand_total", "unknown" or "ignored"
    line: int | None = None  # SeRCOP line number (from the line-number row or the catalogue)
    code: str = ""  # DLUHC asset code ("eduerl")
    group: str = ""  # catalogue group (EDU ... OTH, HB, PL, TA, FIN) or ""
    service: ServiceLine | None = None  # its catalogue entry
    parts: tuple[int, ...] = ()  # for totals: indices of the columns that add up to it
    recognised_by: str = ""  # "line", "asset", "name", "TOTAL form", "header", "section"...
    section: str = ""  # the section heading over it, if any
    measures: tuple[str, ...] = ()  # "tse", "nce": the measures its cells count towards

    @property
    def is_numeric(self) -> bool:
        return self.role not in BODY_ROLES and self.role != IGNORED

    @property
    def is_total(self) -> bool:
        return self.role in (TOTAL, GRAND_TOTAL)

    def yields(self, measure: str) -> bool:
        """Its cells are amounts of ``measure`` (details), or unknown money to be reported."""
        if self.role == DETAIL:
            return measure in self.measures
        return self.role == UNKNOWN and (not self.group or measure in self.measures)


def group_measures(catalogue: Catalogue, group: str) -> tuple[str, ...]:
    """The measures every detail of a group counts towards."""
    shared = set(MEASURES)
    for entry in catalogue.details_of(group):
        shared &= set(entry.measures)
    return tuple(m for m in MEASURES if m in shared)


def arrange(
    columns: list[WideColumn],
    catalogue: Catalogue,
    *,
    has_sections: bool,
    samples: list[list[str]],
    notes: list[str],
) -> None:
    """Give unknown columns a group, each total its parts, and a total without parts the role
    of a detail (a catalogue line) or an unknown column."""
    numeric = [c for c in columns if c.is_numeric]
    _one_column_per_line(numeric, notes)
    if has_sections:
        by_section = _section_groups(numeric)
        for column in numeric:
            if column.service is None and (group := by_section.get(column.section, "")):
                column.group, column.recognised_by = group, "section"
    else:
        _groups_from_neighbours(numeric)
    for column in numeric:
        if column.service is None and column.group:
            column.measures = group_measures(catalogue, column.group)
    present = {c.line: c for c in numeric if c.service is not None}
    for column in numeric:
        if column.service is not None and column.service.is_total:
            column.parts = tuple(
                _catalogue_parts(column, column.service, numeric, present, catalogue)
            )
        elif column.role == TOTAL:
            column.parts = tuple(c.index for c in _run_before(column, numeric))
        elif column.role == UNKNOWN and _sums_its_run(column, numeric, samples):
            column.role, column.recognised_by = TOTAL, "sums the columns before it"
            column.parts = tuple(c.index for c in _run_before(column, numeric))
    for column in numeric:
        if column.is_total and not column.parts:
            if column.service is not None:
                column.role, column.measures = DETAIL, catalogue.measures_of(column.service)
                column.recognised_by += "; a total without its parts here, read as a detail"
            else:
                column.role = UNKNOWN
                column.recognised_by = "headed total, but alone: not known"


def _one_column_per_line(numeric: list[WideColumn], notes: list[str]) -> None:
    seen: set[int] = set()
    for column in numeric:
        if column.service is None:
            continue
        if column.line in seen:
            notes.append(f"Line {column.line} has a second column, “{column.header}”: not read.")
            column.role, column.service, column.measures = UNKNOWN, None, ()
            column.group, column.recognised_by = "", "a second column for its line"
        seen.add(column.line)


def _section_groups(numeric: list[WideColumn]) -> dict[str, str]:
    """Each section heading's group: the group most of its known columns are in."""
    votes: dict[str, Counter] = {}
    for column in numeric:
        if column.section and column.service is not None and column.group:
            votes.setdefault(column.section, Counter())[column.group] += 1
    return {section: counts.most_common(1)[0][0] for section, counts in votes.items()}


def _groups_from_neighbours(numeric: list[WideColumn]) -> None:
    """Without section headings, an unknown column between two of one group is in it."""
    for position, column in enumerate(numeric):
        if column.service is not None:
            continue
        left = next((c for c in reversed(numeric[:position]) if c.service), None)
        right = next((c for c in numeric[position + 1 :] if c.service), None)
        if left and right and left.group and left.group == right.group:
            column.group, column.recognised_by = left.group, "between columns of its group"


def _catalogue_parts(
    column: WideColumn,
    entry: ServiceLine,
    numeric: list[WideColumn],
    present: dict[int, WideColumn],
    catalogue: Catalogue,
) -> list[int]:
    if not entry.sums:  # a group's total: the group's other columns
        return [
            c.index
            for c in numeric
            if c is not column and c.group == entry.group and c.role in (DETAIL, UNKNOWN)
        ]
    parts: list[int] = []
    for first, last in entry.sums:
        if first != last:
            parts += [
                c.index
                for c in numeric
                if c.line is not None and first <= c.line <= last and not c.is_total
            ]
        elif first in present:
            parts.append(present[first].index)
        elif (missing := catalogue.by_line.get(first)) is not None and missing.is_total:
            # A total the table leaves out stands for its own parts.
            parts += _catalogue_parts(column, missing, numeric, present, catalogue)
    return parts


def _run_before(column: WideColumn, numeric: list[WideColumn]) -> list[WideColumn]:
    """The columns just before a total, back to the previous total or section."""
    run = []
    for other in reversed([c for c in numeric if c.index < column.index]):
        if (
            other.is_total
            or other.section != column.section
            or other.index != (run[-1].index - 1 if run else column.index - 1)
        ):
            break
        run.append(other)
    return run[::-1]


def _sums_its_run(column: WideColumn, numeric: list[WideColumn], samples: list[list[str]]) -> bool:
    """True when the data say so: the column equals the sum of the run before it in every
    sampled row with figures, and not only because everything is zero."""
    run = _run_before(column, numeric)
    if not run or not column.section:
        return False
    agreeing, nonzero = 0, False
    for cells in samples:
        try:
            value = _number(cells, column.index)
            parts = [_number(cells, c.index) for c in run]
        except ValueError:
            continue
        if value is None or all(p is None for p in parts):
            continue
        if value != sum(p or 0 for p in parts):
            return False
        agreeing, nonzero = agreeing + 1, nonzero or value != 0
    return agreeing >= SAMPLES_NEEDED and nonzero


def _number(cells: list[str], index: int) -> int | None:
    text = cells[index].strip() if index < len(cells) else ""
    if not text or not any(ch.isdigit() for ch in text):
        return None
    return amount_pence(text)
