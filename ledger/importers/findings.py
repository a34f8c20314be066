"""What one chunk of rows was found to hold, handed to the tally in file order.

A chunk is checked a column at a time, so its problems turn up column by column; the preview
keeps only the first problems (``Tally.max_errors``) and dropped-row examples, and those must
be the first in the file, row by row and, within a row, in the order the checks always ran.
"""

from .context import EXAMPLES_KEPT, Tally

# The order of a row's checks (amount, then each text field, date, spend kind, organisation,
# place): a row's problems are listed in it.
WHOLE_ROW, AMOUNT, TEXT, DATE, SPEND_KIND, ORGANISATION, PLACE = 0, 1, 2, 20, 21, 22, 23


class Findings:
    """Problems and dropped rows of one chunk, by the row's position in the chunk."""

    def __init__(self, numbers: list[int]):
        self.numbers = numbers
        self.items: list[tuple] = []

    def error(self, position: int, order: int, column: str, value: str, message: str) -> None:
        self.items.append((position, order, column, value, message))

    def drop(self, position: int, reason: str, cells: list[str] | None = None) -> None:
        self.items.append((position, WHOLE_ROW, None, reason, cells))

    def hand_to(self, tally: Tally) -> None:
        """Into ``tally``, in file order (only counted once the tally keeps no more)."""
        full = len(tally.errors) >= tally.max_errors
        if full and len(tally.dropped_examples) >= EXAMPLES_KEPT:
            for _, _, column, value, _ in self.items:
                if column is None:
                    tally.dropped[value] += 1
                else:
                    tally.error_count += 1
            return
        numbers = self.numbers
        for position, _, column, value, detail in sorted(self.items, key=_place):
            if column is None:
                tally.drop(numbers[position], value, detail)
            else:
                tally.error(numbers[position], column, value, detail)


def _place(item: tuple) -> tuple[int, int]:
    return item[0], item[1]
