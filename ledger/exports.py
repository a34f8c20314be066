"""CSV and XLSX downloads of any page table, safe to open in a spreadsheet.

Text cells that start with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) are prefixed
with an apostrophe, so a spreadsheet shows them as text instead of running them as formulas
(OWASP "CSV injection"). Numbers stay numbers: an amount of -2.50 is a credit, not a formula.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ledger.tables import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Pounds with pence and thousands separators; a credit shows its minus sign.
CURRENCY_FORMAT = '"£"#,##0.00;-"£"#,##0.00'


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
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=slugify(title)[:31] or "table")
    sheet.append(header)
    for row in rows:
        values = [safe_cell(v) for v in row]
        # Amounts stay numbers (a spreadsheet can sum them), shown in pounds: the ``money``
        # columns' cells carry a currency format.
        for index in money:
            if isinstance(values[index], Decimal | int):
                values[index] = WriteOnlyCell(sheet, value=values[index])
                values[index].number_format = CURRENCY_FORMAT
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(filename, "xlsx")}"'
    return response


def table_response(table: Table, export_format: str, filename: str):
    """The table as a CSV or XLSX download (every row, including total and residual rows)."""
    header = [c.label for c in table.columns]
    rows = [row.values(table.columns) for row in table.rows]
    if export_format == "xlsx":
        return xlsx_rows_response(filename, table.id, header, rows)
    return csv_rows_response(filename, header, rows)
