"""The revenue service lines DLUHC's wide tables use, as data (``data/revenue_lines.csv``).

One entry per line of the revenue account budget (RA) and revenue outturn (RO/RS) forms: its
SeRCOP line number, the asset code DLUHC's databases use, the name as published, its group
(the revenue outturn service code, or HB/PL/TA/FIN below total service expenditure), its role
(a detail, a group's total, or a grand total), the measures it counts towards ("tse": total
service expenditure, line 799; "nce": net current expenditure, line 849) and its service theme.

A total's parts are the present details of its group, unless ``sums`` lists them: line numbers
and ranges ("799;811-848"); a listed total missing from a table stands for its own parts.

Line numbers, asset codes and names are DLUHC's, as published in the revenue account budget
2023-24 tables (Open Government Licence v3.0); groups, roles, measures, themes and the revenue
outturn aliases are the project's.
"""

import csv
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..layouts import normalise

DETAIL, TOTAL, GRAND_TOTAL = "detail", "total", "grand_total"
TSE, NCE = "tse", "nce"
MEASURES = (TSE, NCE)
MEASURE_NAMES = {TSE: "total service expenditure", NCE: "net current expenditure"}
# Names too vague to identify a line on their own ("Other" is line 929, an "of which" item of
# income): such a column is known only by its line number or asset code.
_VAGUE_NAMES = frozenset({"other", "total", "other items"})


@dataclass(frozen=True)
class ServiceLine:
    """One line of the RA/RO forms."""

    line: int
    asset: str
    name: str
    group: str
    role: str
    measures: tuple[str, ...]
    theme: str
    sums: tuple[tuple[int, int], ...]  # (first, last) line ranges; empty: its group's details
    aliases: tuple[str, ...]

    @property
    def is_total(self) -> bool:
        return self.role != DETAIL


@dataclass(frozen=True)
class Catalogue:
    """The lines, and how a table's headings find them."""

    lines: tuple[ServiceLine, ...]

    @cached_property
    def by_line(self) -> dict[int, ServiceLine]:
        return {entry.line: entry for entry in self.lines}

    @cached_property
    def by_asset(self) -> dict[str, ServiceLine]:
        return {entry.asset.lower(): entry for entry in self.lines if entry.asset}

    @cached_property
    def by_name(self) -> dict[str, ServiceLine]:
        """Normalised names and aliases, with and without a leading "total"; a name two lines
        share is left out (it identifies neither)."""
        found: dict[str, set[int]] = {}
        for entry in self.lines:
            for name in (entry.name, *entry.aliases):
                key = normalise(name)
                for form in (key, key.removeprefix("total ")):
                    if form and form not in _VAGUE_NAMES:
                        found.setdefault(form, set()).add(entry.line)
        return {
            key: self.by_line[next(iter(lines))] for key, lines in found.items() if len(lines) == 1
        }

    def named(self, header: str) -> ServiceLine | None:
        """The line a header names: "Early years", "TOTAL EDUCATION SERVICES", "Education"."""
        key = normalise(header)
        return self.by_name.get(key) or self.by_name.get(key.removeprefix("total "))

    def details_of(self, group: str) -> list[ServiceLine]:
        return [e for e in self.lines if e.group == group and e.role == DETAIL]

    def measures_of(self, entry: ServiceLine) -> tuple[str, ...]:
        """The measures a line counts towards; for a total, those all its parts share (a total
        standing alone in a table, without its parts, is read as a detail with these)."""
        if not entry.is_total:
            return entry.measures
        if entry.sums:
            parts = [
                self.by_line[line]
                for first, last in entry.sums
                for line in range(first, last + 1)
                if line in self.by_line and self.by_line[line] is not entry
            ]
        else:
            parts = self.details_of(entry.group)
        shared = set(MEASURES)
        for part in parts:
            shared &= set(self.measures_of(part))
        return tuple(m for m in MEASURES if m in shared) if parts else ()


def _ranges(text: str) -> tuple[tuple[int, int], ...]:
    ranges = []
    for token in filter(None, (t.strip() for t in text.split(";"))):
        first, _, last = token.partition("-")
        ranges.append((int(first), int(last or first)))
    return tuple(ranges)


def load_catalogue(path: Path) -> Catalogue:
    """The catalogue in a CSV file shaped like ``data/revenue_lines.csv``."""
    with path.open(encoding="utf-8", newline="") as handle:
        entries = tuple(
            ServiceLine(
                line=int(row["line"]),
                asset=row["asset"].strip(),
                name=row["name"].strip(),
                group=row["group"].strip(),
                role=row["role"].strip(),
                measures=tuple(m for m in row["measures"].split(";") if m),
                theme=row["theme"].strip(),
                sums=_ranges(row["sums"]),
                aliases=tuple(a.strip() for a in row["aliases"].split(";") if a.strip()),
            )
            for row in csv.DictReader(handle)
        )
    return Catalogue(entries)


REVENUE_LINES = load_catalogue(Path(__file__).parent.parent / "data" / "revenue_lines.csv")
