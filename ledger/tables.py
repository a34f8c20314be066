"""Tables that pages show and export: built once, rendered as HTML, CSV or XLSX alike."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | money | count | number
    missing: str = "–"  # shown for no value ("—", not reported, where a gap is not a zero)

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass
class Row:
    cells: dict[str, Any]
    links: dict[str, str] = field(default_factory=dict)  # column key → drill-down URL
    css: str = ""  # "total", "residual"

    def values(self, columns: list[Column]) -> list:
        return [self.cells.get(c.key) for c in columns]


@dataclass
class Table:
    id: str
    caption: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    note: str = ""

    def add(self, css: str = "", links: dict | None = None, **cells) -> Row:
        row = Row(cells, links or {}, css)
        self.rows.append(row)
        return row

    def column_total(self, key: str) -> Decimal:
        return sum((r.cells.get(key) or 0 for r in self.rows if r.css != "total"), Decimal(0))

    def rendered(self):
        """(column, value, link) triples per row, for the template."""
        for row in self.rows:
            yield row, [(c, row.cells.get(c.key), row.links.get(c.key)) for c in self.columns]
