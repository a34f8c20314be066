"""The columns of line downloads: a cut's lines (analysts) and a return's own (with the file's
classification and reference), the same whether streamed at once or written by an export job.
"""

from collections.abc import Iterator

from ledger.importers.layouts import FIELD_LABELS
from ledger.models import DatasetLine, SpendLine, SpendReturn

# What every counted line has, whether a return's or a dataset's: the columns both downloads
# open with, so an analyst can stack them.
COUNTED_LINE_HEADER = [
    "Line id",
    "Financial year",
    "Place code",
    "Place",
    "Organisation code",
    "Organisation",
    "Sector",
    "Theme code",
    "Theme",
    "Basis",
    "Revenue or capital",
    "Amount",
]
LINE_HEADER = COUNTED_LINE_HEADER + [
    "Description",
    "Supplier",
    "Date",
    "Spend return",
    "Source file",
    "Source row",
]


# A return's own download adds the file's classification columns and reference: what an
# officer reconciles against their own ledger.
RETURN_EXTRA_FIELDS = (
    "service_label",
    "expense_area",
    "expense_type",
    "expense_code",
    "transaction_ref",
)
RETURN_LINE_HEADER = LINE_HEADER + [FIELD_LABELS[name] for name in RETURN_EXTRA_FIELDS]


def counted_line_values(line: SpendLine | DatasetLine) -> list:
    return [
        line.pk,
        line.financial_year.code,
        line.place.code,
        line.place.name,
        line.organisation.code,
        line.organisation.name,
        line.organisation.get_sector_display(),
        line.theme.code,
        line.theme.name,
        line.get_basis_display(),
        line.get_spend_kind_display(),
        line.amount,
    ]


def line_values(line: SpendLine) -> list:
    return counted_line_values(line) + [
        line.description,
        "(redacted)" if line.supplier_redacted else line.supplier_name,
        line.transaction_date,
        line.spend_return_id,
        line.spend_return.source_filename,
        line.source_row,
    ]


def spend_return_line_rows(*, spend_return: SpendReturn) -> Iterator[list]:
    """Every line of one return in file order, as ``RETURN_LINE_HEADER``'s columns, read in
    chunks (a million lines keep memory flat)."""
    lines = spend_return.lines.select_related(
        "place", "organisation", "theme", "financial_year", "spend_return"
    ).order_by("source_row", "id")
    for line in lines.iterator(chunk_size=2000):
        yield line_values(line) + [getattr(line, name) for name in RETURN_EXTRA_FIELDS]
