"""The text of an HTML table's body rows, by id (the standard library's parser: no new
dependency for tests)."""

from html.parser import HTMLParser


class _Rows(HTMLParser):
    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.depth, self.section = table_id, 0, ""
        self.rows: dict[str, list[list[str]]] = {"thead": [], "tbody": [], "tfoot": []}
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        if not self.depth:
            return
        if tag in self.rows:
            self.section = tag
        elif tag == "tr":
            self.rows[self.section].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.rows[self.section][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_id: str) -> dict[str, list[list[str]]]:
    """``{"thead": [...], "tbody": [[cell text, ...], ...], "tfoot": [...]}``."""
    parser = _Rows(table_id)
    parser.feed(html)
    return parser.rows
