"""Reading a CSV download as a person's spreadsheet or pandas would: its "about" block (the
``# label,value`` lines before the first empty line, ``ledger.exports``) apart from its table."""

import csv
import io


def csv_text(download) -> str:
    """The text of a download: a response (streamed or not), bytes or text; without the BOM."""
    if hasattr(download, "streaming_content"):
        download = b"".join(download.streaming_content)
    elif hasattr(download, "content"):
        download = download.content
    if isinstance(download, bytes):
        download = download.decode("utf-8")
    return download.removeprefix("\ufeff")


def csv_parts(download) -> tuple[dict[str, str], list[list[str]]]:
    """The about block as {label: value} (several "Note" lines joined by newlines) and the
    table's rows, header first. A download without the block fails here."""
    rows = list(csv.reader(io.StringIO(csv_text(download), newline="")))
    assert rows and rows[0] and rows[0][0].startswith("# "), "no about block"
    end = rows.index([])
    about: dict[str, str] = {}
    for label, value in rows[:end]:
        key = label.removeprefix("# ")
        about[key] = f"{about[key]}\n{value}" if key in about else value
    return about, rows[end + 1 :]


def csv_table(download) -> list[list[str]]:
    """The table of a CSV download, header first, past its about block."""
    return csv_parts(download)[1]


def csv_about(download) -> dict[str, str]:
    return csv_parts(download)[0]
