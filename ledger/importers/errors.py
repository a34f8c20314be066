"""Errors that point at the file: which row, which column, which value, and what is wrong."""

from dataclasses import asdict, dataclass

VALUE_SHOWN = 80  # characters of a bad value quoted back to the user


def shorten(value: str, limit: int = VALUE_SHOWN) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class RowError:
    """One problem in one cell (or one row, when ``column`` is empty)."""

    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column “{self.column}”")
        if self.value:
            where.append(f"value “{self.value}”")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportFileError(Exception):
    """The file as a whole cannot be read or mapped (empty, not a spreadsheet, no header...)."""

    def __init__(self, message: str, *, row: int | None = None, column: str = "", value=""):
        super().__init__(message)
        self.error = RowError(row=row, column=column, value=shorten(str(value)), message=message)

    def __str__(self) -> str:
        return str(self.error)
