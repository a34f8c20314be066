"""The fields a spend line has, the names files give them, and the layouts we recognise.

Layouts are data (``data/layouts.json``): adding a council's format is a new entry there (or a
saved mapping made on the mapping page), never new code. Header names are compared normalised:
lower case, "&" as "and", punctuation and "£" dropped ("Amount (£)" and "amount" are equal).
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .spelling import closest

_DATA = json.loads((Path(__file__).parent / "data" / "layouts.json").read_text("utf-8"))

# Our fields, in the order the mapping page shows them, with what files call them.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _DATA["fields"].items()}
REQUIRED_FIELDS = ("amount",)
FIELD_LABELS = {
    "amount": "Amount",
    "transaction_date": "Date",
    "transaction_ref": "Transaction reference",
    "supplier_name": "Supplier",
    "service_label": "Service label",
    "expense_area": "Expense area",
    "expense_type": "Expense type",
    "expense_code": "Expense code (or SeRCOP code)",
    "description": "Description",
    "spend_kind": "Capital or revenue",
    "organisation_code": "Organisation code",
    "place_code": "Place code",
}
# Headers we know and deliberately do not store: they still help find the header row.
KNOWN_OTHER_HEADERS = tuple(_DATA["known_other_headers"])
# Wide tables (revenue outturn): an authority per row, a service line per column.
WIDE_CODE_HEADERS = tuple(_DATA["wide"]["code_headers"])
WIDE_IGNORED = frozenset(_DATA["wide"]["ignored"])
WIDE_EXTRA_ALIASES: dict[str, str] = _DATA["wide"]["service_line_aliases"]
MISSING_MARKERS = frozenset(_DATA["wide"]["missing_markers"])
UNIT_PATTERNS = (
    (re.compile(r"(?i)£\s*(?:m\b|mn\b|million)"), 1_000_000),
    (re.compile(r"(?i)£\s*(?:'?000s?\b|k\b|thousands?)|\bthousands? of pounds"), 1000),
)

_PUNCTUATION = re.compile(r"[^0-9a-z]+")
# The name a column with a blank header gets ("Column 2"): says where it is, not what it holds.
PLACEHOLDER = "Column {}"


def normalise(header: str) -> str:
    """ "Amount (£)" → "amount"; "Service Division Label " → "service division label"."""
    text = header.replace("\ufeff", "").lower().replace("&", " and ")
    return _PUNCTUATION.sub(" ", text).strip()


def dedupe(headers: list[str]) -> list[str]:
    """Unique column names: the second "Account Code" becomes "Account Code (2)"."""
    seen: dict[str, int] = {}
    unique = []
    for position, header in enumerate(headers, start=1):
        name = " ".join(header.replace("\ufeff", "").split()) or PLACEHOLDER.format(position)
        key = normalise(name) or name
        seen[key] = seen.get(key, 0) + 1
        unique.append(name if seen[key] == 1 else f"{name} ({seen[key]})")
    return unique


def header_signature(headers: list[str]) -> list[str]:
    """The file's real column names, normalised and sorted: what a saved mapping must find
    again to be used by itself. Placeholders for blank headers are left out: any file with a
    blank second header has a "Column 2", so they say nothing about which file this is."""
    return sorted(
        key
        for position, header in enumerate(headers, start=1)
        if header != PLACEHOLDER.format(position) and (key := normalise(header))
    )


ALL_ALIASES = frozenset(
    alias for aliases in FIELD_ALIASES.values() for alias in aliases
) | frozenset(KNOWN_OTHER_HEADERS)


@dataclass(frozen=True)
class Layout:
    """A published format: recognised when all its ``signature`` headers are present."""

    key: str
    name: str
    signature: tuple[str, ...]
    fields: dict[str, str]  # our field → the file's (normalised, de-duplicated) header

    def find(self, normalised: set[str], *, misspelt: bool = False) -> dict[str, str] | None:
        """Each of the layout's headers → the file's (normalised) header that is it; None
        unless the whole signature is found. With ``misspelt``, a header missing by its exact
        name may be found spelt a letter or two differently, among the file's headers that
        are not themselves a name we know."""
        found = {name: name for name in self.names if name in normalised}
        if misspelt:
            spare = normalised - ALL_ALIASES - set(self.names)
            for name in self.names:
                if name not in found and (header := closest(name, spare)):
                    found[name] = header
                    spare.discard(header)
        return found if all(name in found for name in self.signature) else None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.signature, *self.fields.values())))


LAYOUTS = tuple(
    Layout(
        key=item["key"],
        name=item["name"],
        signature=tuple(item["signature"]),
        fields=dict(item["fields"]),
    )
    for item in _DATA["layouts"]
)
LAYOUTS_BY_KEY = {layout.key: layout for layout in LAYOUTS}
LAYOUT_NAMES = {layout.key: layout.name for layout in LAYOUTS} | {
    "generic": "Columns recognised by name",
    "saved": "Saved mapping",
    "custom": "Mapping chosen on the mapping page",
    "revenue_outturn_wide": "Wide table: revenue outturn by authority and service line",
}
