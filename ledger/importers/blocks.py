"""A file's rows in blocks of columns, for the line reader (``ledger.importers.lines``).

A CSV file is tokenised by pyarrow's CSV reader straight into Arrow columns of text
(``csv_blocks``): no cell becomes a Python string unless a check needs to look at it. Any other
file, and any CSV pyarrow might read differently from Python's csv module (which decides what a
CSV file means here: see ``StrictQuotes``), goes row by row through ``tables`` and is turned
into columns a block at a time (``blocks_of_rows``). Either way a block holds every row of its
stretch of the file as Arrow columns, its cells evened out to the header's width.
"""

import codecs
import csv
import io
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import closing
from itertools import chain, dropwhile, islice
from operator import itemgetter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .tables import CSV_CELL_LIMIT, XLSX_MAX_COLUMNS, Opener, Row, SourceFormat, iter_csv

BLOCK_ROWS = 20_000
# What pyarrow reads and tokenises at once (about 4,000 lines of a spend file), gathered into
# blocks of ``BLOCK_ROWS``: its larger reads cost the process more memory (about 75 MB more at
# 2 MB) than they save time.
BLOCK_BYTES = 512 << 10
ROWS_AT_ONCE = 500  # rows of a row stream held as lists at once (see ``blocks_of_rows``)
Fixes = dict[int, list[tuple[int, str]]]  # row number → (column index, corrected text)


def text_array(values) -> pa.Array:
    return pa.array(values, type=pa.string())


def _lengths(column) -> np.ndarray:
    return pc.utf8_length(column).to_numpy(zero_copy_only=False).astype(np.int64)


def _blank(column) -> np.ndarray:
    """Cells of nothing but white space (str.strip's, which pyarrow's trim matches exactly)."""
    return _lengths(pc.utf8_trim_whitespace(column)) == 0


class Block:
    """Rows ``numbers`` of a file: ``table`` holds their cells in text columns (the first
    ``width`` are the header's; a CSV's further columns are the cells past it), ``lengths``
    and ``blank`` each row's length run together and whether it is only white space."""

    def __init__(
        self,
        numbers: list[int],
        table: pa.Table,
        width: int,
        *,
        beyond: dict[int, tuple[int, str]] | None = None,
        lengths: np.ndarray,
        blank: np.ndarray,
        joined: list[str] | None = None,
        whole: dict[int, str] | None = None,
        columns: list[list[str]] | None = None,
    ):
        self.numbers, self.table, self.width = numbers, table, width
        # Rows with values beyond the header's last column: position → (cells, first value).
        self.beyond = beyond or {}
        self.lengths, self.blank = lengths, blank
        self._joined = joined
        self._whole = whole or {}  # rows read by the csv module: position → cells run together
        self.columns = columns  # a row stream's cells, column by column (else None)

    @property
    def frame(self) -> pa.Table | None:
        """The columns pyarrow read (None for a block of a row stream)."""
        return None if self.columns is not None else self.table

    def __len__(self) -> int:
        return len(self.numbers)

    @property
    def joined(self) -> list[str]:
        """Each row's cells run together (built on demand: the reader needs only a few)."""
        if self._joined is None:
            self._joined = [self.joined_at(i) for i in range(len(self))]
        return self._joined

    def joined_at(self, position: int) -> str:
        if self._joined is not None:
            return self._joined[position]
        if position in self._whole:
            return self._whole[position]
        return "".join(column[position].as_py() for column in self.table.columns)

    def row(self, position: int) -> list[str]:
        return [self.table.column(i)[position].as_py() for i in range(self.width)]

    def column(self, index: int, positions=None) -> pa.Array:
        """The cells of column ``index`` (in the rows at ``positions``): Arrow text."""
        column = self.table.column(index)
        if positions is not None:
            column = column.take(positions)
        return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def line_blocks(
    opener: Opener, fmt: SourceFormat, *, head: list[Row], rest: Iterator[Row], header, fixes
) -> Iterator[Block]:
    """The rows under the header, in blocks, with the corrections made on the site."""
    width = len(header.headers)
    if fmt.kind == "csv":
        rest.close()  # pyarrow reads the file afresh, from its first row
        # pyarrow reads rows of one width at full speed: the lines' usual width (a row of
        # another is read by the csv module into its place).
        widths = Counter(len(cells) for number, cells in head if number > header.row)
        usual = widths.most_common(1)[0][0] if widths else width
        return csv_blocks(opener, fmt, width=width, widest=usual, after=header.row, fixes=fixes)
    rows = dropwhile(lambda row: row[0] <= header.row, chain(head, rest))
    return blocks_of_rows(replacing(rows, fixes) if fixes else rows, width)


def blocks_of_rows(rows: Iterator[Row], width: int) -> Iterator[Block]:
    """Blocks from a row stream (workbooks; CSV pyarrow leaves to the csv module).

    The rows are turned into columns a few hundred at a time, so that each row's list is
    freed young: a block's worth of lists alive at once made Python's cycle collector sweep
    the whole process again and again (a sheet of a million rows: seconds).
    """
    while True:
        numbers: list[int] = []
        joined: list[str] = []
        beyond: dict[int, tuple[int, str]] = {}
        columns: list[list[str]] = [[] for _ in range(width)]
        for batch in iter(lambda: list(islice(rows, ROWS_AT_ONCE)), []):
            _add_rows(numbers, joined, beyond, columns, batch, width)
            if len(numbers) >= BLOCK_ROWS:
                break
        if not numbers:
            return
        table = pa.table({str(i): text_array(column) for i, column in enumerate(columns)})
        lengths = np.fromiter(map(len, joined), np.int64, len(joined))
        blank = lengths == 0
        if not all(map(str.strip, joined)):
            blank |= np.fromiter(map(str.isspace, joined), bool, len(joined))
        yield Block(
            numbers,
            table,
            width,
            beyond=beyond,
            lengths=lengths,
            blank=blank,
            joined=joined,
            columns=columns,
        )


def _add_rows(numbers, joined, beyond, columns, batch: list[Row], width: int) -> None:
    offset = len(numbers)
    cells = [row for _, row in batch]
    numbers += [number for number, _ in batch]
    joined += map("".join, cells)
    _even(cells, width, offset, beyond)
    for index, column in enumerate(columns):
        column += map(itemgetter(index), cells)


def _even(cells: list[list[str]], width: int, offset: int, beyond: dict) -> None:
    """Each row cut or padded to ``width`` cells, noting values cut off (in ``beyond``)."""
    lengths = np.fromiter(map(len, cells), np.int64, len(cells))
    for i in np.flatnonzero(lengths != width).tolist():
        row = cells[i]
        if len(row) > width:
            extra = [c for c in row[width:] if c.strip()]
            if extra:
                beyond[offset + i] = (len(row), extra[0])
            cells[i] = row[:width]
        else:
            cells[i] = row + [""] * (width - len(row))


class Fallback(Exception):
    """pyarrow might read the rest of this file differently: the csv module takes over."""


class StrictQuotes:
    """The file's bytes as pyarrow reads them, refusing (``Fallback``) any stretch
    where a quotation mark could be followed by text, which Python's csv module (strict)
    refuses and pyarrow quietly accepts: ``"abc"def``. Conservative: a quote inside
    an unquoted cell (``5" pipe``) or a doubled quote before text (``"a ""b"" c"``)
    also hands the file to the csv module, which reads them exactly as before.
    """

    def __init__(self, handle, delimiter: str):
        self.cell_start = np.frombuffer(delimiter.encode("ascii") + b"\r\n", np.uint8)
        self.stop = np.frombuffer(delimiter.encode("ascii") + b'"\r\n', np.uint8)
        self.handle, self.tail, self.first = handle, b"", True
        self.closed = False  # pyarrow reads any object with ``read`` and ``closed``

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        window = self.tail + data
        if b'"' in window and self._suspect(np.frombuffer(window, np.uint8)):
            raise Fallback
        # Keep the last quotes (and the byte before them): what follows them is not read yet.
        kept = len(window) - len(window.rstrip(b'"')) + 1
        self.tail = window[-kept:] if data else b""
        self.first = False
        return data

    def _suspect(self, buffer: np.ndarray) -> bool:
        """Any run of quotes followed by text, other than a single quote opening a cell."""
        quotes = np.flatnonzero(buffer == ord('"'))
        joins = quotes[1:] == quotes[:-1] + 1
        starts = quotes[np.concatenate([[True], ~joins])]
        ends = quotes[np.concatenate([~joins, [True]])]
        known = ends + 1 < len(buffer)  # the last run's next byte may come with the next read
        starts, ends = starts[known], ends[known]
        text_after = ~np.isin(buffer[ends + 1], self.stop)
        before = buffer[np.maximum(starts - 1, 0)]
        # At 0: the file's start (or a run of quotes that began before: unknown, refused).
        opening = np.where(starts > 0, np.isin(before, self.cell_start), self.first)
        if self.first:
            opening |= starts == len(codecs.BOM_UTF8) * (buffer[:3].tobytes() == codecs.BOM_UTF8)
        return bool((text_after & ~(opening & (starts == ends))).any())


def csv_blocks(
    opener: Opener, fmt: SourceFormat, *, width: int, widest: int, after: int, fixes: Fixes
) -> Iterator[Block]:
    """Blocks of the CSV's rows numbered past ``after``, by pyarrow while it reads the file as
    the csv module would, then by the csv module itself from where it stopped."""
    done = 0  # rows handed over so far, every one read the same by both parsers
    if fmt.encoding not in ("utf-16",):
        reader = ArrowRows(opener, fmt, width=width, columns=max(widest, 1))
        with closing(reader):
            while True:
                try:
                    block = reader.next_block()
                except Exception:  # noqa: BLE001 - whatever it was, the csv module reads exactly
                    break
                if block is None:
                    return
                done += len(block)
                if len(block) and block.numbers[-1] > after:
                    block = _after(block, after)
                    yield _correct(block, fixes) if fixes else block
    rows = dropwhile(lambda row: row[0] <= max(after, done), iter_csv(opener, fmt))
    yield from blocks_of_rows(replacing(rows, fixes) if fixes else rows, width)


class ArrowRows:
    """A CSV file's rows in blocks, tokenised by pyarrow: all text, no type guessed.

    pyarrow wants every row to have the same number of cells (``columns``: the lines' usual
    width); a row with more or fewer (an empty line, a preamble, a short last row) is handed
    to ``_stray`` with its number and text, and read by the csv module into its place. A file
    pyarrow could read differently (``StrictQuotes``), or a row too wide for a worksheet, stops
    it (``Fallback``): the caller hands the rest of the file to the csv module.
    """

    def __init__(self, opener: Opener, fmt: SourceFormat, *, width: int, columns: int):
        self.width, self.columns, self.delimiter = width, columns, fmt.delimiter
        self.next = 1  # the number of the next row to hand over
        self.strays: deque[tuple[int, list[str]]] = deque()
        self.opener, self.handle, self.reader = opener, None, None
        self.encoding, self.finished = fmt.encoding, False

    def _open(self) -> None:
        self.handle = self.opener()
        encoding, columns, delimiter = self.encoding, self.columns, self.delimiter
        # pyarrow skips a UTF-8 byte-order mark itself; it transcodes any other encoding.
        if encoding.replace("_", "-").lower() in ("utf-8", "utf-8-sig", "utf8"):
            encoding = "utf8"
        names = [str(i) for i in range(columns)]
        self.reader = pacsv.open_csv(
            pa.PythonFile(StrictQuotes(self.handle, delimiter), mode="r"),
            read_options=pacsv.ReadOptions(
                column_names=names, use_threads=False, block_size=BLOCK_BYTES, encoding=encoding
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=self._stray,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()

    def _stray(self, row) -> str:
        """A row of another width: read by the csv module (``error`` hands the file over)."""
        if row.number is None or row.actual_columns > XLSX_MAX_COLUMNS:
            return "error"
        try:
            csv.field_size_limit(CSV_CELL_LIMIT)
            rows = list(csv.reader(io.StringIO(row.text, newline=""), delimiter=self.delimiter))
        except csv.Error:
            return "error"
        if len(rows) > 1:
            return "error"
        self.strays.append((row.number, rows[0] if rows else []))
        return "skip"

    def next_block(self) -> Block | None:
        """The next block of rows (None at the end of the file)."""
        if self.reader is None:
            self._open()
        batches, k = [], 0
        while not self.finished and k < BLOCK_ROWS:
            try:
                batches.append(self.reader.read_next_batch())
                k += batches[-1].num_rows
            except StopIteration:
                self.finished = True
        if not batches:  # the rows pyarrow set aside after its last line
            if not self.strays:
                return None
            strays, self.strays = list(self.strays), deque()
            return self._block(pa.table({}), strays)
        s = 0
        # This block's rows are numbered from ``next`` on, with the set-aside rows among them
        # in their places; one set aside after the last of them waits for the next block.
        while s < len(self.strays) and self.strays[s][0] < self.next + k + s:
            s += 1
        strays = [self.strays.popleft() for _ in range(s)]
        return self._block(pa.Table.from_batches(batches), strays)

    def _block(self, table: pa.Table, strays: list[tuple[int, list[str]]]) -> Block:
        first, width = self.next, self.width
        read = table.num_rows
        total = read + len(strays)
        if strays and strays[-1][0] >= first + total:
            raise Fallback  # the set-aside rows are not where they should be
        self.next += total
        numbers = list(range(first, first + total))
        columns = [table.column(i).combine_chunks() for i in range(table.num_columns)]
        lengths, blank = np.zeros(read, np.int64), np.ones(read, bool)
        for column in columns:
            lengths += _lengths(column)
            if blank.any():  # a line's first cell usually settles it
                blank &= _blank(column)
        if read and lengths.max() > CSV_CELL_LIMIT:
            raise Fallback  # the csv module refuses the cell, at its row (no cell is longer)
        beyond = {}
        if len(columns) > width:
            filled = ~np.logical_and.reduce([_blank(c) for c in columns[width:]])
            for i in np.flatnonzero(filled).tolist():
                cells = [c[i].as_py() for c in columns[width:]]
                beyond[i] = (len(columns), next(c for c in cells if c.strip()))
        # Kept: every column pyarrow read (the cells past the header run into each row's
        # text), and empty ones up to the header's width.
        room = max(width, self.columns)
        columns += [text_array([""] * read)] * (room - len(columns))
        whole = {}
        if strays:
            cells = [row for _, row in strays]
            whole_text = ["".join(row) for row in cells]
            if max(map(len, whole_text)) > CSV_CELL_LIMIT:
                raise Fallback
            spare: dict[int, tuple[int, str]] = {}
            _even([list(row) for row in cells], width, 0, spare)
            _even(cells, room, 0, {})
            at = np.asarray([number - first for number, _ in strays], dtype=np.int64)
            kept = np.ones(total, dtype=bool)
            kept[at] = False
            order = np.empty(total, dtype=np.int64)  # where each row of the block comes from
            order[kept] = np.arange(read)
            order[at] = read + np.arange(len(strays))
            order = pa.array(order)
            columns = [
                pa.concat_arrays([column, text_array(map(itemgetter(i), cells))]).take(order)
                for i, column in enumerate(columns)
            ]
            positions = np.flatnonzero(kept)
            beyond = {int(positions[i]): value for i, value in beyond.items()}
            lengths = _placed(lengths, np.fromiter(map(len, whole_text), np.int64), kept, at)
            stray_blank = np.asarray([not text.strip() for text in whole_text], dtype=bool)
            blank = _placed(blank, stray_blank, kept, at)
            for i, position in enumerate(at.tolist()):
                whole[position] = whole_text[i]
                if i in spare:
                    beyond[position] = spare[i]
        table = pa.table({str(i): column for i, column in enumerate(columns)})
        beyond = dict(sorted(beyond.items()))
        return Block(
            numbers, table, width, beyond=beyond, lengths=lengths, blank=blank, whole=whole
        )


def _placed(read: np.ndarray, strays: np.ndarray, kept: np.ndarray, at: np.ndarray):
    out = np.empty(len(kept), dtype=read.dtype)
    out[kept] = read
    out[at] = strays
    return out


def _after(block: Block, after: int) -> Block:
    """The block's rows numbered past ``after`` (a block's rows are numbered in a run)."""
    if block.numbers[0] > after:
        return block
    skip = after - block.numbers[0] + 1
    beyond = {i - skip: v for i, v in block.beyond.items() if i >= skip}
    whole = {i - skip: v for i, v in block._whole.items() if i >= skip}
    return Block(
        block.numbers[skip:],
        block.table.slice(skip),
        block.width,
        beyond=beyond,
        lengths=block.lengths[skip:],
        blank=block.blank[skip:],
        whole=whole,
    )


def _correct(block: Block, fixes: Fixes) -> Block:
    """Cells corrected on the site in place of the file's text (pyarrow's blocks)."""
    positions = {p: fixes[n] for p, n in enumerate(block.numbers) if n in fixes}
    if not positions:
        return block
    table, width = block.table, block.width
    columns = [table.column(i).combine_chunks() for i in range(table.num_columns)]
    lengths, blank = block.lengths.copy(), block.blank.copy()
    whole = dict(block._whole)
    for position, fix in positions.items():
        before = [columns[i][position].as_py() for i in range(width)]
        after = list(before)
        for index, value in fix:
            after[index] = value
        rest = block.joined_at(position)[len("".join(before)) :]
        whole[position] = "".join(after) + rest
        lengths[position] = len(whole[position])
        blank[position] = not whole[position].strip()
        for index, value in fix:
            columns[index] = _replaced(columns[index], position, value)
    table = pa.table({str(i): column for i, column in enumerate(columns)})
    return Block(
        block.numbers, table, width, beyond=block.beyond, lengths=lengths, blank=blank, whole=whole
    )


def _replaced(column: pa.Array, position: int, value: str) -> pa.Array:
    mask = np.zeros(len(column), dtype=bool)
    mask[position] = True
    return pc.replace_with_mask(column, pa.array(mask), text_array([value]))


def replacing(rows: Iterator[Row], fixes: Fixes) -> Iterator[Row]:
    get = fixes.get
    for number, cells in rows:
        fix = get(number)
        if fix is not None:
            # A copy (the header search keeps its rows), padded when the row stops short.
            cells = cells + [""] * (max(i for i, _ in fix) + 1 - len(cells))
            for index, value in fix:
                cells[index] = value
        yield number, cells
