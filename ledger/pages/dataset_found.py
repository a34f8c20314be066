"""What an edition's preview found, said in words for its page: the columns it recognised and
how, the heading rows above the header, and the bodies and places waiting for a choice (with
their money in pounds and a sector to start the editor's choice from)."""

from ledger.models import DatasetEdition, DatasetFormat, Sector
from ledger.models.fields import from_pence


def _with_money(entries: list[dict]) -> list[dict]:
    return [{**entry, "amount": from_pence(int(entry.get("pence", 0)))} for entry in entries]


def _sector_guess(body: dict, edition: DatasetEdition) -> str:
    """A starting point for the editor's choice: the table's class says police or fire; a
    regional database names departments; anything else in a table of authorities is local."""
    said = f"{body.get('class', '')} {body.get('subclass', '')}".lower()
    if "police" in said:
        return Sector.POLICE
    if "fire" in said:
        return Sector.FIRE
    if edition.dataset.format == DatasetFormat.REGIONAL:
        return Sector.CENTRAL_GOVERNMENT
    return Sector.LOCAL_GOVERNMENT


def dataset_edition_unknown_bodies(*, edition: DatasetEdition) -> list[dict]:
    """Bodies waiting for a choice, with their money in pounds and the rows they are on,
    largest first."""
    bodies = []
    for body in _with_money(edition.unknown_bodies):
        rows = body.get("rows", 0)
        row_text = ", ".join(str(r) for r in rows) if isinstance(rows, list) else f"{rows:,}"
        bodies.append({**body, "row_text": row_text, "sector_guess": _sector_guess(body, edition)})
    return sorted(bodies, key=lambda b: (-abs(b["amount"]), b["key"]))


ROLE_LABELS = {
    "code": "The body's E-code",
    "alt_code": "The body's ONS code",
    "name": "The body's name",
    "body_class": "Class",
    "subclass": "Subclass",
    "notes": "Notes",
    "detail": "A service line: counted",
    "total": "A total: never added to its parts",
    "grand_total": "A grand total: never added",
    "unknown": "Not recognised: its money is excluded",
    "ignored": "Ignored",
    "year": "Figures for",
    # A regional database's columns.
    "department": "Department",
    "body_name": "Organisation, as published",
    "segment_code": "Segment code",
    "segment_name": "Segment name",
    "cofog_division": "COFOG division",
    "cofog": "COFOG group",
    "identifiable": "Identifiable or not",
    "spend_kind": "Capital or current",
    "control": "Who controls it (CG, LG, PC)",
    "allocated_by": "Allocated by",
    "region": "Region, as published",
}
RECOGNISED_BY = {
    "header": "by its heading",
    "line": "by its line number",
    "values": "by its values",
    "section": "by its section heading",
}


def dataset_edition_header_levels(*, edition: DatasetEdition) -> list[tuple[str, int]]:
    """The heading rows found above the header (section, line number, asset code), top down."""
    levels = (edition.header or {}).get("levels") or {}
    return sorted(levels.items(), key=lambda item: item[1])


def dataset_edition_columns(*, edition: DatasetEdition) -> list[dict]:
    """The columns the preview recognised, said in words: what each is read as and how."""
    found = []
    for column in edition.columns:
        role = column.get("role") or column.get("field") or ""
        label = ROLE_LABELS.get(role) or role.replace("_", " ").capitalize()
        if column.get("year"):
            label = f"{label} {column['year']}"
        how = column.get("recognised_by", "header" if column.get("field") else "")
        found.append(
            {
                **column,
                "read_as": label,
                "how": RECOGNISED_BY.get(how, how),
                "measures_text": ", ".join(m.upper() for m in column.get("measures", [])),
            }
        )
    return found


def dataset_edition_unmapped_places(*, edition: DatasetEdition) -> list[dict]:
    return sorted(_with_money(edition.unmapped_places), key=lambda p: (-abs(p["amount"]), p["key"]))
