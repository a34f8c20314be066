"""Finding the header row and deciding which column is which.

Order of preference (``ledger.services.imports.preview``): a mapping the user chose, a saved
mapping the organisation prefers whose header signature fits the file, a recognised layout,
another saved mapping that fits, then field-by-field recognition by alias. Layouts and aliases
also find a header spelt a letter or two differently (``spelling``), and the preview says so.
Wide tables (one row per authority, one column per service line) are recognised by their
service-line headers.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import ImportFileError
from .layouts import (
    ALL_ALIASES,
    FIELD_ALIASES,
    LAYOUTS,
    REQUIRED_FIELDS,
    UNIT_PATTERNS,
    WIDE_CODE_HEADERS,
    WIDE_EXTRA_ALIASES,
    WIDE_IGNORED,
    dedupe,
    normalise,
)
from .spelling import as_written, closest
from .tables import Row
from .values import amount_pence, parse_date

HEADER_SEARCH_ROWS = 30
WIDE = "revenue_outturn_wide"


@dataclass
class Mapping:
    """Which header feeds which field; for wide tables, which column is which service line."""

    layout: str
    fields: dict[str, str]
    wide_columns: dict[str, str] = field(default_factory=dict)  # header → service line code
    factor: int = 1
    # A file header spelt differently from the name it was taken for → that name (see spelling).
    read_as: dict[str, str] = field(default_factory=dict)

    @property
    def is_wide(self) -> bool:
        return self.layout == WIDE or bool(self.wide_columns)

    def as_json(self) -> dict:
        data = {"layout": self.layout, "fields": dict(self.fields)}
        if self.is_wide:
            data["wide_columns"] = dict(self.wide_columns)
        if self.factor != 1:
            data["factor"] = self.factor
        if self.read_as:
            data["read_as"] = dict(self.read_as)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Mapping":
        return cls(
            layout=data.get("layout") or "custom",
            fields={k: v for k, v in (data.get("fields") or {}).items() if v},
            wide_columns=dict(data.get("wide_columns") or {}),
            factor=int(data.get("factor") or 1),
            read_as=dict(data.get("read_as") or {}),
        )

    def missing(self, headers: list[str]) -> list[str]:
        """What stops this mapping working on a file with these headers."""
        problems = []
        present = set(headers)
        for name, header in self.fields.items():
            if header not in present:
                problems.append(f"the file has no column “{header}” (for {name})")
        if self.is_wide:
            if "organisation_code" not in self.fields:
                problems.append("choose the column that holds each authority's code")
            if not any(h in present for h in self.wide_columns):
                problems.append("choose at least one service-line column")
        else:
            for required in REQUIRED_FIELDS:
                if required not in self.fields:
                    problems.append(f"choose the column that holds the {required}")
        return problems


@dataclass
class Header:
    row: int  # file row number of the header
    headers: list[str]  # de-duplicated names
    preamble: list[list[str]]  # rows above it (titles, notes, units)
    recognised: bool  # at least two headers are known names


def _looks_like_data(cell: str) -> bool:
    text = cell.strip()
    if not text:
        return False
    for parse in (amount_pence, parse_date):
        try:
            parse(text)
            return True
        except ValueError:
            continue
    return False


def find_header(rows: list[Row], *, known: Iterable[str] = ()) -> Header:
    """The header row among the first rows: the one naming the most columns we know."""
    vocabulary = ALL_ALIASES | frozenset(normalise(k) for k in known)
    best: tuple[int, int] | None = None  # (score, index)
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = sum(1 for cell in cells if cell.strip() and normalise(cell) in vocabulary)
        if score >= 2 and (best is None or score > best[0]):
            best = (score, index)
    if best is not None:
        index = best[1]
        return Header(rows[index][0], dedupe(rows[index][1]), [r[1] for r in rows[:index]], True)
    # Nothing we know: take the first row of text as the header and ask the user to map it.
    for index, (number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        filled = [c for c in cells if c.strip()]
        if not filled:
            continue
        if len(filled) >= 2 and not any(_looks_like_data(c) for c in filled):
            return Header(number, dedupe(cells), [r[1] for r in rows[:index]], False)
        break
    if not any(any(c.strip() for c in cells) for _, cells in rows):
        raise ImportFileError("The file has no rows with any data in them.")
    first = next((n, c) for n, c in rows if any(x.strip() for x in c))
    raise ImportFileError(
        "No header row found: the file should start with a row naming its columns (for "
        "example Date, Supplier Name, Amount), but its first row holds data.",
        row=first[0],
        value=", ".join(c for c in first[1] if c.strip())[:80],
    )


def units_factor(texts: Iterable[str]) -> int | None:
    """1000 for "£ thousand", "£000", "£'000"; a million for "£ million"; None if unsaid."""
    for text in texts:
        for pattern, factor in UNIT_PATTERNS:
            if pattern.search(text):
                return factor
    return None


def recognise(header: Header, *, service_lines: dict[str, str]) -> Mapping:
    """The mapping a file's headers suggest: a wide table, a known layout, or by alias."""
    names = {normalise(h): h for h in reversed(header.headers)}  # first of equal names wins
    wide = _wide_columns(header.headers, service_lines)
    if len(wide) >= 3:
        code = next((names[c] for c in WIDE_CODE_HEADERS if c in names), None)
        texts = [c for row in header.preamble for c in row] + header.headers
        return Mapping(
            layout=WIDE,
            fields={"organisation_code": code} if code else {},
            wide_columns=wide,
            factor=units_factor(texts) or 1,
        )
    # A layout found by its exact names wins over one found with a header misspelt.
    for misspelt in (False, True):
        for layout in LAYOUTS:
            found = layout.find(set(names), misspelt=misspelt)
            if found is not None:
                return Mapping(
                    layout=layout.key,
                    fields={f: names[found[h]] for f, h in layout.fields.items() if h in found},
                    read_as={names[h]: as_written(name) for name, h in found.items() if h != name},
                )
    fields, read_as = by_alias(header.headers)
    return Mapping(layout="generic", fields=fields, read_as=read_as)


def by_alias(headers: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Each field gets the first header that is one of its aliases, each header used once;
    then a field still without one gets a header that is one of its aliases misspelt.

    Returns the fields and, for the misspelt headers, the alias each was read as.
    """
    normalised = [(normalise(h), h) for h in headers]
    taken: set[str] = set()
    fields: dict[str, str] = {}
    for name, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            match = next((h for n, h in normalised if n == alias and h not in taken), None)
            if match:
                fields[name] = match
                taken.add(match)
                break
    # Only headers that are no name we know can be a known name misspelt.
    spare = {n: h for n, h in reversed(normalised) if h not in taken and n not in ALL_ALIASES}
    read_as: dict[str, str] = {}
    for name, aliases in FIELD_ALIASES.items():
        if name in fields:
            continue
        for alias in aliases:
            match = closest(alias, spare)
            if match:
                fields[name] = spare.pop(match)
                read_as[fields[name]] = as_written(alias)
                break
    return fields, read_as


def read_as_notes(mapping: Mapping) -> list[str]:
    """What the preview says about headers read as a name they are spelt differently from."""
    return [
        f"Read “{header}” as “{name}”, a name we know spelt differently: check the column "
        "mapping if that is wrong."
        for header, name in mapping.read_as.items()
    ]


# Only these two have values whose shape says what they are; a column of whole numbers could
# as well be a code or a reference as an amount, so an amount needs a penny or a pound sign.
_MONEY_MARKS = frozenset(".,£()")


def guess_by_values(
    headers: list[str], samples: list[list[str]], mapped: dict[str, str]
) -> dict[str, str]:
    """Date and amount columns told by their first values, for a file whose headers name
    them in words we do not know ("Paid on", "How much"): a suggestion for the user to check,
    made only where exactly one column not already mapped fits."""
    taken = set(mapped.values())
    columns = {
        header: [row[i] for row in samples if i < len(row) and row[i].strip()]
        for i, header in enumerate(headers)
        if header not in taken
    }
    tests = {
        "transaction_date": lambda values: _all_parse(values, parse_date),
        "amount": lambda values: (
            _all_parse(values, amount_pence)
            and any(mark in value for value in values for mark in _MONEY_MARKS)
        ),
    }
    guesses = {}
    for name, fits in tests.items():
        if name in mapped:
            continue
        candidates = [header for header, values in columns.items() if values and fits(values)]
        if len(candidates) == 1:
            guesses[name] = candidates[0]
    return guesses


def _all_parse(values: list[str], parse) -> bool:
    try:
        for value in values:
            parse(value)
    except ValueError:
        return False
    return True


def _wide_columns(headers: list[str], service_lines: dict[str, str]) -> dict[str, str]:
    """Headers naming a service line (revenue outturn), with that line's code."""
    lookup = {normalise(name): code for name, code in service_lines.items()}
    lookup.update(WIDE_EXTRA_ALIASES)
    columns = {}
    for header in headers:
        key = normalise(header)
        if key in WIDE_IGNORED:
            continue
        if key in lookup:
            columns[header] = lookup[key]
    return columns
