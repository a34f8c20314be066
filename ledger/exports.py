"""CSV and XLSX downloads of any page table, safe to open in a spreadsheet.

An XLSX download carries an "About" sheet (``ExportAbout``): where the figures come from,
whether they are illustrative, as of when, and under what licence (none for illustrative
figures). Its amounts are numbers in a currency format and its dates are dates.

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
OPEN_LICENCE = (
    "Open Government Licence v3.0: "
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
)
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
    filename: str, header: list[str], rows: Iterable[list]
) -> StreamingHttpResponse:
    """Stream rows as CSV (UTF-8 with a BOM so Excel reads £ and accents right)."""
    writer = csv.writer(_Echo())

    def generate():
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(filename, "csv")}"'
    return response


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


def table_response(
    table: Table, export_format: str, filename: str, about: ExportAbout | None = None
):
    """The table as a CSV or XLSX download (every row, including total and residual rows)."""
    header = [c.label for c in table.columns]
    rows = [row.values(table.columns) for row in table.rows]
    if export_format == "xlsx":
        money = {i for i, c in enumerate(table.columns) if c.kind == "money"}
        return xlsx_rows_response(filename, table.id, header, rows, money=money, about=about)
    return csv_rows_response(filename, header, rows)
