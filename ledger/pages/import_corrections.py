"""Correcting cells of an import's file on its job page: the inputs in the table of problems
to fix, and what a post of that form asks for."""

import re

from ledger.models import ImportJob

# One input per cell: its file row and its column's position in the job's headers (a header
# can hold any text, so it is not used in a field name).
CELL = re.compile(r"^cell-(\d+)-(\d+)$")


def correction_inputs(job: ImportJob) -> list[dict]:
    """The job's errors, each with the name of its input when it points at one data cell
    (the first error of a cell only: one cell, one input)."""
    position = {header: i for i, header in enumerate(job.headers)}
    header_row = job.file_format.get("header_row", 0)
    seen, rows = set(), []
    for error in job.errors:
        row, index = error.get("row"), position.get(error.get("column"))
        name = shown = ""
        if row and row > header_row and index is not None and (row, index) not in seen:
            seen.add((row, index))
            name, shown = f"cell-{row}-{index}", f"shown-{row}-{index}"
        rows.append({**error, "input": name, "shown": shown})
    return rows


def corrections_posted(post, job: ImportJob) -> list[dict]:
    """What the form asks for: one correction undone, or every value the user changed (an
    input still holding what was shown is left alone: the value shown may be shortened)."""
    if "remove_row" in post:
        row = post["remove_row"]
        return [
            {
                "row": int(row) if row.isdigit() else row,
                "column": post.get("remove_column", ""),
                "remove": True,
            }
        ]
    changed = []
    for key, value in post.items():
        cell = CELL.match(key)
        if cell is None or value == post.get(f"shown-{cell[1]}-{cell[2]}"):
            continue
        row, index = int(cell[1]), int(cell[2])
        column = job.headers[index] if index < len(job.headers) else f"column {index + 1}"
        changed.append({"row": row, "column": column, "value": value})
    return changed


def corrections_done(corrections: list[dict], *, queued: bool) -> str:
    if not queued:
        return "Nothing changed: the file or its corrections already hold those values."
    if corrections[0].get("remove"):
        return "Correction undone; checking the file again."
    count = len(corrections)
    return f"{count} correction{'s' if count != 1 else ''} saved; checking the file again."
