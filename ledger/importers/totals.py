"""Totals rows in a spend file: an amount, perhaps a "Total" label, and nothing else.

A totals row equal to the lines above it (since the last totals row) is dropped and its figure
kept as the file's own total; a totals formula is dropped unchecked (with a warning); an
amount alone that is not that total is an error, since it may be a line missing its details.
"""

from decimal import Decimal

from totalplace.money import pounds

from .errors import shorten
from .findings import WHOLE_ROW, Findings
from .layouts import normalise
from .values import amount_pence

TOTAL_LABELS = frozenset({"total", "totals", "grand total", "sub total", "subtotal", "total spend"})
TOTAL_LABEL_ROOM = 24  # characters besides the amount a totals row may hold
FORMULA, AMOUNT_ONLY = "formula", "amount"


def totals_row(amount_text: str, joined: str) -> tuple[str, str, int] | None:
    """What a row that holds little besides its amount is: a totals formula, an amount to
    compare with the lines above, or (None) an ordinary row after all."""
    amount_text = amount_text.strip()
    if not amount_text:
        return None
    others = joined.replace(amount_text, "", 1).strip()
    if others and normalise(others) not in TOTAL_LABELS:
        return None
    if amount_text.upper().startswith(("=SUM(", "=SUBTOTAL(")):
        return FORMULA, amount_text, 0
    try:
        return AMOUNT_ONLY, amount_text, amount_pence(amount_text)
    except ValueError:
        return None


def totals_row_settle(
    kind: tuple[str, str, int],
    *,
    position: int,
    number: int,
    cells: list[str],
    section_total: int,
    found: Findings,
    warnings: list[str],
    amount_label: str,
) -> int | None:
    """Drop the totals row or record why it is wrong; the file's total when it matches."""
    what, amount_text, pence = kind
    if what == FORMULA:
        found.drop(position, "totals", cells)
        warnings.append(
            f"Row {number} is a totals formula ({shorten(amount_text, 40)}); "
            "it was dropped without checking its value."
        )
        return None
    if pence == section_total:
        found.drop(position, "totals", cells)
        return pence
    found.error(
        position,
        WHOLE_ROW,
        amount_label,
        amount_text,
        f"This row has only an amount, and it is not the total of the rows above "
        f"({pounds(Decimal(section_total) / 100)}): fill in its other columns or delete the row.",
    )
    return None
