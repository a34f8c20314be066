"""Reading an edition's file into figures the ledger can place: the preview and the load share it.

The readers (``ledger.importers.datasets``) say what the file holds; this resolves it against the
reference data: bodies (by E-code, ONS code or a department's name), places (a region as HM
Treasury names it), themes (a service line's, a COFOG group's) and the year. It applies the
user's choices (header row, sheet, unit, measure, year, and for each unknown body or place:
exclude it, or add it) and accounts for every pound: money read = figures kept + every amount
excluded, by reason. Nothing is written here.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice

import pandas as pd

from ledger.importers import tables
from ledger.importers.datasets.regional import read_regional
from ledger.importers.datasets.wide import WideSummary, find_wide_header, read_wide_rows
from ledger.importers.errors import ImportFileError, RowError
from ledger.models import DatasetEdition, DatasetFormat

from .resolve import Resolver

FIGURE_COLUMNS = (
    "source_row",
    "source_column",
    "organisation_id",
    "place_id",
    "theme_id",
    "financial_year_id",
    "pence",
    "spend_kind",
    "control",
    "source_code",
    "source_label",
    "source_place",
    "body_name",
    "cofog",
)
HEAD_ROWS = 60
EXCLUDED = "exclude"
_YEAR = re.compile(r"(?<!\d)(20\d\d|19\d\d)\s*[-/–]\s*(\d\d)(?!\d)")


@dataclass
class Reading:
    """What a file holds, resolved: the figures to place, and everything the user must see."""

    figures: pd.DataFrame
    file_format: dict
    header: dict = field(default_factory=dict)
    columns: list[dict] = field(default_factory=list)
    unit_factor: int | None = None
    measure: str = ""
    rows: int = 0
    money_read: int = 0
    excluded: Counter = field(default_factory=Counter)  # reason → pence
    unknown_bodies: list[dict] = field(default_factory=list)
    unmapped_places: list[dict] = field(default_factory=list)
    not_reported: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
    dropped: dict = field(default_factory=dict)
    needs: list[str] = field(default_factory=list)  # choices still to make

    @property
    def money_kept(self) -> int:
        return int(self.figures["pence"].sum()) if len(self.figures) else 0

    @property
    def years(self) -> list[str]:
        return sorted(self.figures["year_code"].unique()) if len(self.figures) else []

    def balances(self) -> bool:
        return self.money_read == self.money_kept + sum(self.excluded.values())


def edition_opener(edition: DatasetEdition):
    name = edition.file.name
    storage = edition.file.storage
    return lambda: storage.open(name, "rb")


def read_edition(edition: DatasetEdition, *, resolver: Resolver) -> Reading:
    """Read and resolve ``edition``'s file with its choices (raises ImportFileError)."""
    opener = edition_opener(edition)
    fmt = tables.inspect(opener)
    if fmt.sha256 != edition.sha256:
        raise ImportFileError("The stored file is not the one uploaded (its SHA-256 differs).")
    if edition.dataset.format == DatasetFormat.WIDE:
        return _read_wide(edition, opener, fmt, resolver)
    return _read_regional(edition, opener, fmt, resolver)


def _frame(records: list[dict]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=[*FIGURE_COLUMNS, "year_code"])


def _year(edition: DatasetEdition, texts: list[str]) -> str:
    """The year a one-year table is for: chosen, else said in its titles or edition label."""
    if edition.choices.get("year"):
        return edition.choices["year"]
    for text in [*texts, edition.edition, edition.filename]:
        match = _YEAR.search(str(text))
        if match and (int(match[1]) + 1) % 100 == int(match[2]):
            return f"{match[1]}-{match[2]}"
    return ""


def _read_wide(edition, opener, fmt, resolver: Resolver) -> Reading:
    choices = edition.choices
    sheet = choices.get("sheet", "")
    head = list(islice(tables.iter_rows(opener, fmt, sheet), HEAD_ROWS))
    header = find_wide_header(head, header_row=choices.get("header_row"))
    factor = choices.get("unit_factor") or header.unit_factor
    measure = choices.get("measure") or "tse"
    reading = Reading(
        figures=_frame([]),
        file_format={**fmt.describe(), "sheet": sheet or (fmt.sheets[0] if fmt.sheets else "")},
        header={"row": header.row, "levels": header.levels, "preamble": header.preamble[:12]},
        columns=[_column(c) for c in header.columns],
        unit_factor=factor,
        measure=measure,
        warnings=list(header.notes),
    )
    year = _year(edition, header.preamble)
    if not factor:
        reading.needs.append("unit")
    if year not in resolver.years:
        reading.needs.append("year")
    if reading.needs:
        return reading
    summary = WideSummary()
    records, unknown = [], {}
    bodies = choices.get("bodies", {})
    for body in read_wide_rows(
        tables.iter_rows(opener, fmt, sheet),
        header,
        measure=measure,
        factor=factor,
        summary=summary,
    ):
        money = sum(c.pence for c in body.cells if c.pence is not None)
        reading.money_read += money
        key = body.alt_code or body.code
        organisation_id = resolver.body(body.code, body.alt_code)
        problem = "" if organisation_id else "not in the reference data"
        if organisation_id and not resolver.body_places(organisation_id):
            problem = "has no place it serves"
        if problem:
            if bodies.get(key, {}).get("action") == EXCLUDED:
                reading.excluded[f"Bodies excluded by choice ({problem})"] += money
            else:
                reading.excluded[f"Bodies waiting for a choice ({problem})"] += money
                entry = unknown.setdefault(key, _unknown_body(body, key, problem))
                entry["rows"].append(body.row)
                entry["pence"] += money
            continue
        if body.not_reported or body.missing_cells:
            reading.not_reported.append(
                {
                    "organisation_id": organisation_id,
                    "year": year,
                    "row": body.row,
                    "cells": body.missing_cells,
                    "complete": body.not_reported,
                }
            )
        for cell in body.cells:
            if cell.pence is None:
                continue
            if cell.is_unknown:
                reading.excluded[f"Column not recognised: {cell.column.header}"] += cell.pence
                continue
            service = cell.column.service
            records.append(
                {
                    "source_row": body.row,
                    "source_column": cell.column.header,
                    "organisation_id": organisation_id,
                    "place_id": None,
                    "theme_id": resolver.theme(service.theme if service else ""),
                    "financial_year_id": resolver.years[year],
                    "pence": cell.pence,
                    "spend_kind": "revenue",
                    "control": resolver.control[organisation_id],
                    "source_code": str(cell.column.line or cell.column.code or ""),
                    "source_label": service.name if service else cell.column.header,
                    "source_place": "",
                    "body_name": body.name,
                    "cofog": "",
                    "year_code": year,
                }
            )
    reading.figures = _frame(records)
    reading.rows = summary.rows
    reading.unknown_bodies = list(unknown.values())
    reading.errors, reading.error_count = summary.errors, summary.error_count
    reading.warnings += [w.message for w in summary.warnings]
    reading.dropped = dict(summary.dropped)
    if unknown:
        reading.needs.append("bodies")
    return reading


def _unknown_body(body, key: str, problem: str) -> dict:
    return {
        "key": key,
        "code": body.code,
        "alt_code": body.alt_code,
        "name": body.name,
        "class": body.body_class,
        "subclass": body.subclass,
        "problem": problem,
        "rows": [],
        "pence": 0,
    }


def _column(column) -> dict:
    service = column.service
    return {
        "index": column.index,
        "header": column.header,
        "role": column.role,
        "line": column.line,
        "group": column.group,
        "theme": service.theme if service else "",
        "measures": list(column.measures),
        "recognised_by": column.recognised_by,
    }


def _read_regional(edition, opener, fmt, resolver: Resolver) -> Reading:
    choices = edition.choices
    table = read_regional(
        opener,
        fmt,
        sheet=choices.get("sheet", ""),
        header_row=choices.get("header_row"),
        unit_factor=choices.get("unit_factor"),
    )
    reading = Reading(
        figures=_frame([]),
        file_format={**fmt.describe(), "sheet": table.sheet},
        header={"row": table.header_row, "sheets": [s.as_dict() for s in table.sheets]},
        columns=[{"header": h, "field": f} for f, h in table.columns.items()]
        + [{"header": h, "field": "year", "year": y} for h, y in table.years.items()],
        unit_factor=table.unit_factor,
        rows=table.rows_read,
        errors=table.errors,
        error_count=table.error_count,
    )
    if table.needs_unit:
        reading.needs.append("unit")
        return reading
    frame = table.frame
    reading.money_read = int(frame["pence"].sum())
    frame = _resolve_regional(frame, reading, resolver, choices)
    unknown_years = sorted(set(frame["year"]) - set(resolver.years))
    if unknown_years:
        raise ImportFileError(f"The years {', '.join(unknown_years)} are not financial years.")
    reading.figures = pd.DataFrame(
        {
            "source_row": frame["source_row"],
            "source_column": frame["source_column"],
            "organisation_id": frame["organisation_id"],
            "place_id": frame["place_id"],
            "theme_id": [
                resolver.cofog_theme(cofog, control)
                for cofog, control in zip(frame["cofog"], frame["control"], strict=True)
            ],
            "financial_year_id": frame["year"].map(resolver.years),
            "pence": frame["pence"],
            "spend_kind": frame["spend_kind"],
            "control": frame["control"],
            "source_code": frame["segment_code"],
            "source_label": frame["subfunction"].where(
                frame["subfunction"] != "", frame["segment_name"]
            ),
            "source_place": frame["region"],
            "body_name": frame["body_name"],
            "cofog": frame["cofog"],
            "year_code": frame["year"],
        }
    ).reset_index(drop=True)
    if reading.unknown_bodies:
        reading.needs.append("bodies")
    if reading.unmapped_places:
        reading.needs.append("places")
    return reading


def _resolve_regional(frame, reading: Reading, resolver: Resolver, choices) -> pd.DataFrame:
    """Departments to bodies and regions to places; what is excluded or waits is accounted."""
    bodies = {d: resolver.body(d) for d in frame["department"].unique()}
    chosen = choices.get("places", {})
    places = {r: resolver.place(_place_chosen(chosen, r) or r) for r in frame["region"].unique()}
    frame = frame.assign(
        organisation_id=frame["department"].map(bodies),
        place_id=frame["region"].map(places),
    )
    for name, ids, column, kind, listing in (
        ("Departments", bodies, "department", "bodies", reading.unknown_bodies),
        ("Regions", places, "region", "places", reading.unmapped_places),
    ):
        for key in sorted(k for k, found in ids.items() if found is None):
            rows = frame[column] == key
            money = int(frame.loc[rows, "pence"].sum())
            if choices.get(kind, {}).get(key, {}).get("action") == EXCLUDED:
                reading.excluded[f"{name} excluded by choice (not in the reference data)"] += money
            else:
                reading.excluded[f"{name} waiting for a choice (not in the reference data)"] += (
                    money
                )
                listing.append(
                    {
                        "key": key,
                        "name": key,
                        "rows": int(rows.sum()),
                        "pence": money,
                        "problem": "not in the reference data",
                    }
                )
            frame = frame[~rows]
    # What is left is resolved, but a body or region not found made the ids floats (NaN):
    # whole numbers again, or COPY reads "44.0".
    return frame.astype({"organisation_id": "int64", "place_id": "int64"})


def _place_chosen(chosen: dict, region: str) -> str:
    """The place code the user said a region as published is (``places[text]`` "place")."""
    choice = chosen.get(region) or {}
    return choice.get("code", "") if choice.get("action") == "place" else ""
