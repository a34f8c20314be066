"""CSV and XLSX downloads of any page table, safe to open in a spreadsheet.

Every download says what it is (``ExportAbout``): where the figures come from, whether they
are illustrative, as of when, and under what licence (none for illustrative figures). An XLSX
download carries it as an "About" sheet; its amounts are numbers in a currency format and its
dates are dates. A CSV download for people begins with it as a block (``csv_about_rows``):

    # Source,"TotalPlace, https://..."
    # Illustrative,No
    # As of,2026-12-07T04:30:00+00:00
    # Licence,Open Government Licence v3.0: https://...
    # Produced by,TotalPlace
                                    <- one empty line, then the table's header and rows

CSV has no place for metadata. Trailing rows would be counted as data by anyone who counts
rows; a separate file is lost when the download is passed on. A leading block is what a person
opening the file sees first, and each line is two cells (label, value) so a spreadsheet shows it
as the About sheet does, starting with ``#`` so pandas' ``read_csv(comment="#")`` skips it, and
ending at the first empty line for any other reader. Machine clients use the API's
``?format=csv``, which stays a bare table and carries the same facts in response headers
(``about_headers``), and the Fiscal Data Package, which carries them in ``datapackage.json``.

Text cells that start with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) are prefixed
with an apostrophe, so a spreadsheet shows them as text instead of running them as formulas
(OWASP "CSV injection"). Numbers stay numbers: an amount of -2.50 is a credit, not a formula.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ledger.tables import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Pounds with pence and thousands separators; a credit shows its minus sign.
CURRENCY_FORMAT = '"£"#,##0.00;-"£"#,##0.00'
DATE_FORMAT = "d mmm yyyy"
DATETIME_FORMAT = "d mmm yyyy hh:mm"
OPEN_LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
OPEN_LICENCE = f"Open Government Licence v3.0: {OPEN_LICENCE_URL}"
NO_LICENCE = "None: illustrative figures, invented for the demo; no licence is granted."
MIXED_LICENCE = (
    f"{OPEN_LICENCE} for published figures; figures the source page marks as illustrative "
    "carry none."
)


@dataclass(frozen=True)
class ExportAbout:
    """What a download says about itself. ``illustrative``: True (invented figures), False
    (published ones), None (not known here: the source page says which)."""

    source: str
    illustrative: bool | None
    as_of: dt.datetime | None = None
    notes: tuple[str, ...] = ()  # e.g. what a converted column is, the deflator's vintage

    def rows(self) -> list[list]:
        licence = {True: NO_LICENCE, False: OPEN_LICENCE, None: MIXED_LICENCE}[self.illustrative]
        flag = {
            True: f"Yes: {settings.TOTALPLACE_DEMO_LABEL}",
            False: "No",
            None: "See the source page",
        }[self.illustrative]
        return [
            ["Source", self.source],
            ["Illustrative", flag],
            ["As of", self.as_of or "Not yet computed"],
            ["Licence", licence],
            ["Produced by", "TotalPlace"],
        ] + [["Note", note] for note in self.notes]

    def csv_rows(self) -> list[list[str]]:
        """The block a CSV download begins with: ``# label``, value; then one empty line."""
        rows = [[f"# {label}", _one_line(value)] for label, value in self.rows()]
        return rows + [[]]

    def headers(self) -> dict[str, str]:
        """The same facts as HTTP response headers, for a CSV that must stay a bare table
        (header values are Latin-1: the label's "£"-free ASCII text is kept as it is)."""
        about = dict(self.rows())
        headers = {
            "X-TotalPlace-Source": about["Source"],
            "X-TotalPlace-Illustrative": {True: "true", False: "false", None: "unknown"}[
                self.illustrative
            ],
            "X-TotalPlace-As-Of": _one_line(self.as_of) if self.as_of else "",
            "X-TotalPlace-Licence": about["Licence"],
        }
        if self.illustrative is False:
            headers["Link"] = f'<{OPEN_LICENCE_URL}>; rel="license"'
        return {k: _one_line(v) for k, v in headers.items()}


def _one_line(value) -> str:
    """A metadata value on one line: a date-time in ISO 8601 (the site's time zone); text with
    its line breaks made spaces, so a reader that skips ``#`` lines skips the whole block, and
    formula-like starts escaped (the value is a cell of its own in a spreadsheet)."""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.isoformat(timespec="seconds")
    return safe_text(" ".join(str(value).split()))


def safe_cell(value):
    """A value a spreadsheet will show rather than evaluate."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    return safe_text(str(value))


def safe_text(text: str) -> str:
    """Text a spreadsheet will show as text: formula-like starts get an apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _filename(name: str, extension: str) -> str:
    return f"{slugify(name)[:80] or 'table'}.{extension}"


class _Echo:
    def write(self, value):
        return value


def csv_rows_response(
    filename: str, header: list[str], rows: Iterable[list], *, about: ExportAbout
) -> StreamingHttpResponse:
    """Stream rows as CSV (UTF-8 with a BOM so Excel reads £ and accents right), after the
    ``about`` block. Every CSV download for people comes through here or ``csv_write``."""
    writer = csv.writer(_Echo())

    def generate():
        yield "\ufeff" + "".join(writer.writerow(r) for r in about.csv_rows())
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(filename, "csv")}"'
    return response


def csv_write(
    text, header: list[str], rows: Iterable[list], *, about: ExportAbout, progress=None, every=0
) -> int:
    """The bytes ``csv_rows_response`` streams, written to a text file (an export job's);
    ``progress(n)`` is called every ``every`` rows. Returns the number of rows."""
    writer = csv.writer(text)
    text.write("\ufeff")
    writer.writerows(about.csv_rows())
    writer.writerow(header)
    done = 0
    for done, row in enumerate(rows, 1):
        writer.writerow([safe_cell(v) for v in row])
        if progress is not None and every and done % every == 0:
            progress(done)
    return done


def xlsx_rows_response(
    filename: str,
    title: str,
    header: list[str],
    rows: Iterable[list],
    money: set[int] = frozenset(),
    about: ExportAbout | None = None,
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=slugify(title)[:31] or "table")
    sheet.append(header)
    for row in rows:
        values = [_xlsx_cell(sheet, v) for v in row]
        # Amounts stay numbers (a spreadsheet can sum them), shown in pounds: the ``money``
        # columns' cells carry a currency format.
        for index in money:
            if isinstance(values[index], Decimal | int):
                values[index] = WriteOnlyCell(sheet, value=values[index])
                values[index].number_format = CURRENCY_FORMAT
        sheet.append(values)
    if about is not None:
        about_sheet = workbook.create_sheet(title="About")
        for label, value in about.rows():
            about_sheet.append([label, _xlsx_cell(about_sheet, value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(filename, "xlsx")}"'
    return response


def _xlsx_cell(sheet, value):
    """Dates stay dates (a spreadsheet sorts and filters them), in the site's time zone."""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(sheet, value=local.replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return safe_cell(value)


def table_response(table: Table, export_format: str, filename: str, about: ExportAbout):
    """The table as a CSV or XLSX download (every row, including total and residual rows)."""
    header = [c.label for c in table.columns]
    rows = [row.values(table.columns) for row in table.rows]
    if export_format == "xlsx":
        money = {i for i, c in enumerate(table.columns) if c.kind == "money"}
        return xlsx_rows_response(filename, table.id, header, rows, money=money, about=about)
    return csv_rows_response(filename, header, rows, about=about)
