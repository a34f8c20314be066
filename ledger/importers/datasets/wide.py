"""Wide tables as DLUHC publishes them: a row per authority, a column per service line.

Revenue account budget (RA) and revenue outturn (RO/RS) tables by authority: a few title and
note rows ("Data are reported in £ thousand."), up to three heading rows (asset codes such as
"eduerl", section headings such as "Education Services", SeRCOP line numbers such as 110), then
the header (E-code, ONS Code, Local authority, Class, Subclass, Notes, one column per line,
"TOTAL ..." columns), then one row per body. The lines are known from
``data/revenue_lines.csv`` (``catalogue.REVENUE_LINES``). Nothing here touches the database.

Interface::

    header = find_wide_header(first_rows, header_row=None)  # -> WideHeader
    summary = WideSummary()
    for body in read_wide_rows(all_rows, header, measure="tse", factor=1000, summary=summary):
        ...  # WideRow

``first_rows`` are the table's first rows as ``(row_number, [cells])`` (40 or so after the
header let the numbers confirm which unnamed columns are totals); ``all_rows`` may start at row
1 (rows down to the header are skipped).

``WideHeader``: ``row`` (the header's row number), ``levels`` ({"asset"|"section"|"line": row
number}), ``preamble`` (texts above), ``unit_factor`` (1000 for "£ thousand", None if unsaid)
and ``unit_text``, ``columns`` (a ``WideColumn`` per column), ``notes`` (doubts about the
headings), ``body(role)``, ``known``.

``WideColumn``: ``index``, ``header``, ``role`` (body fields "code" (E-code), "alt_code" (ONS/
GSS code), "name", "body_class", "subclass", "notes"; "detail", "total", "grand_total",
"unknown", "ignored"), ``line``, ``code`` (asset code), ``group``, ``service`` (catalogue entry
or None), ``parts`` (indices of the columns a total adds up), ``recognised_by``, ``section``,
``measures`` and ``yields(measure)``. Totals never yield cells; a total whose parts are not in
the table (police's single column, a summary of group totals) is a detail.

``WideRow``: ``row``, ``code``, ``alt_code``, ``name``, ``body_class``, ``subclass``, ``notes``,
``cells`` (a ``WideCell(column, text, pence, status, problem)`` for each detail column of the
measure, then each unknown column with text: ``cell.is_unknown`` marks money to exclude with a
reason), ``totals`` (the table's own total cells), ``not_reported`` (no figure in any measure
cell: record it, never £0), ``missing_cells``, ``unavailable_cells``, ``errors``, ``pence``.
A cell's ``pence`` is None unless its ``status`` is "value" ("missing": "..."/"x"/blank;
"not available": words such as "Category discontinued"; "error": not a number, or fractions of
a penny after the unit).

``WideSummary``: ``rows``, ``bodies``, ``not_reported`` (+ ``not_reported_rows``),
``partly_reported``, ``missing_cells``, ``dropped`` (reason → rows: "empty row", "totals row
without a body code", "note or footnote", "national total"; ``dropped_examples``), ``warnings``
(``WideWarning(row, column, value, parts, message)``: a total that is not the sum of its parts),
``errors`` (``RowError``: row, column, value, message), ``money`` (pence by where it sits:
"measure", "unknown", "outside measure", "total", "grand_total"), ``unknown_money`` (by column)
and ``not_available`` (cells by text).
"""

from .catalogue import NCE, REVENUE_LINES, TSE, Catalogue, ServiceLine
from .wide_columns import WideColumn
from .wide_header import WideHeader, find_wide_header
from .wide_rows import WideCell, WideRow, WideSummary, WideWarning, read_wide_rows

__all__ = [
    "NCE",
    "REVENUE_LINES",
    "TSE",
    "Catalogue",
    "ServiceLine",
    "WideCell",
    "WideColumn",
    "WideHeader",
    "WideRow",
    "WideSummary",
    "WideWarning",
    "find_wide_header",
    "read_wide_rows",
]
