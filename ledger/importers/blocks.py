"""A file's rows in blocks of columns, for the line reader (``ledger.importers.lines``).

A CSV file is tokenised by pandas' C parser straight into columns (``csv_blocks``); any other
file, and any CSV the C parser might read differently from Python's csv module (which decides
what a CSV file means here: see ``StrictQuotes``), goes row by row through ``tables`` and is
turned into columns a block at a time (``blocks_of_rows``). Either way a block holds every row
of its stretch of the file, its cells evened out to the header's width.
"""

import codecs
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import chain, dropwhile, islice
from operator import itemgetter

import numpy as np
import pandas as pd

from .tables import CSV_CELL_LIMIT, Opener, Row, SourceFormat, iter_csv

BLOCK_ROWS = 20_000
ROWS_AT_ONCE = 500  # rows of a row stream held as lists at once (see ``blocks_of_rows``)
SPARE_COLUMNS = 8  # columns beyond the widest early row a CSV's later rows may reach
Fixes = dict[int, list[tuple[int, str]]]  # row number → (column index, corrected text)


@dataclass
class Block:
    numbers: list[int]
    joined: list[str]  # each row's cells run together (to tell empty and totals rows)
    # Rows with values beyond the header's last column: position → (cells, first such value).
    beyond: dict[int, tuple[int, str]] = field(default_factory=dict)
    columns: list[list[str]] | None = None  # a row stream's cells, column by column
    frame: pd.DataFrame | None = None  # or the C parser's

    def __len__(self) -> int:
        return len(self.numbers)

    def row(self, position: int) -> list[str]:
        if self.frame is not None:
            return self.frame.iloc[position].tolist()
        return [column[position] for column in self.columns]

    def column(self, index: int, positions: list[int]) -> np.ndarray:
        """The cells of column ``index`` in the rows at ``positions`` (object array)."""
        if self.frame is not None:
            return self.frame[index].to_numpy(dtype=object)[positions]
        return np.asarray(self.columns[index], dtype=object)[positions]


def line_blocks(
    opener: Opener, fmt: SourceFormat, *, head: list[Row], rest: Iterator[Row], header, fixes
) -> Iterator[Block]:
    """The rows under the header, in blocks, with the corrections made on the site."""
    width = len(header.headers)
    if fmt.kind == "csv":
        rest.close()  # the C parser reads the file afresh, from its first row
        widest = max((len(cells) for _, cells in head), default=0)
        return csv_blocks(opener, fmt, width=width, widest=widest, after=header.row, fixes=fixes)
    rows = dropwhile(lambda row: row[0] <= header.row, chain(head, rest))
    return blocks_of_rows(replacing(rows, fixes) if fixes else rows, width)


def blocks_of_rows(rows: Iterator[Row], width: int) -> Iterator[Block]:
    """Blocks from a row stream (workbooks; CSV the C parser leaves to the csv module).

    The rows are turned into columns a few hundred at a time, so that each row's list is
    freed young: a block's worth of lists alive at once made Python's cycle collector sweep
    the whole process again and again (a sheet of a million rows: seconds).
    """
    while True:
        block = Block([], [], columns=[[] for _ in range(width)])
        for batch in iter(lambda: list(islice(rows, ROWS_AT_ONCE)), []):
            _add_rows(block, batch, width)
            if len(block) >= BLOCK_ROWS:
                break
        if not len(block):
            return
        yield block


def _add_rows(block: Block, batch: list[Row], width: int) -> None:
    offset = len(block)
    cells = [row for _, row in batch]
    block.numbers += [number for number, _ in batch]
    block.joined += map("".join, cells)
    lengths = np.fromiter(map(len, cells), np.int64, len(cells))
    for i in np.flatnonzero(lengths != width).tolist():
        row = cells[i]
        if len(row) > width:
            extra = [c for c in row[width:] if c.strip()]
            if extra:
                block.beyond[offset + i] = (len(row), extra[0])
            cells[i] = row[:width]
        else:
            cells[i] = row + [""] * (width - len(row))
    for index, column in enumerate(block.columns):
        column += map(itemgetter(index), cells)


class Fallback(Exception):
    """The C parser might read the rest of this file differently: the csv module takes over."""


class StrictQuotes:
    """The file's bytes as the C parser reads them, refusing (``Fallback``) any stretch
    where a quotation mark could be followed by text, which Python's csv module (strict)
    refuses and the C parser quietly accepts: ``"abc"def``. Conservative: a quote inside
    an unquoted cell (``5" pipe``) or a doubled quote before text (``"a ""b"" c"``)
    also hands the file to the csv module, which reads them exactly as before.
    """

    def __init__(self, handle, delimiter: str):
        self.cell_start = np.frombuffer(delimiter.encode("ascii") + b"\r\n", np.uint8)
        self.stop = np.frombuffer(delimiter.encode("ascii") + b'"\r\n', np.uint8)
        self.handle, self.tail, self.first = handle, b"", True

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
    """Blocks of the CSV's rows numbered past ``after``, by the C parser while it reads the
    file as the csv module would, then by the csv module itself from where it stopped."""
    done = 0  # rows handed over so far, every one read the same by both parsers
    if fmt.encoding not in ("utf-16",):
        frames = _frames(opener, fmt, max(width, widest) + SPARE_COLUMNS)
        while True:
            try:
                frame = next(frames)
                block = _frame_block(frame, done, width)
            except StopIteration:
                return
            except Exception:  # noqa: BLE001 - whatever it was, the csv module reads exactly
                frames.close()
                break
            done += len(frame)
            if len(block) and block.numbers[-1] > after:
                _correct(block, fixes)
                yield _after(block, after)
    rows = dropwhile(lambda row: row[0] <= max(after, done), iter_csv(opener, fmt))
    yield from blocks_of_rows(replacing(rows, fixes) if fixes else rows, width)


def _frames(opener: Opener, fmt: SourceFormat, columns: int) -> Iterator[pd.DataFrame]:
    with closing(opener()) as raw:
        chunks = pd.read_csv(
            StrictQuotes(raw, fmt.delimiter),
            sep=fmt.delimiter,
            header=None,
            names=range(columns),
            index_col=False,
            dtype=object,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,
            quotechar='"',
            doublequote=True,
            encoding=fmt.encoding,
            engine="c",
            chunksize=BLOCK_ROWS,
        )
        with chunks:
            yield from chunks


def _frame_block(frame: pd.DataFrame, done: int, width: int) -> Block:
    """A block from the C parser's frame; ``Fallback`` where the csv module must decide."""
    columns = [frame[i].to_numpy(dtype=object) for i in frame.columns]
    if any(map(any, columns[width:])):
        raise Fallback  # a cell beyond the header's: the csv module counts the row's cells
    joined = list(map("".join, zip(*columns[:width], strict=True)))
    # No cell is longer than its row: the cells themselves are measured only past the limit.
    if max(map(len, joined), default=0) > CSV_CELL_LIMIT:
        raise Fallback  # the csv module refuses the cell, at its row
    numbers = list(range(done + 1, done + len(frame) + 1))
    return Block(numbers, joined, frame=frame.iloc[:, :width])


def _after(block: Block, after: int) -> Block:
    if block.numbers[0] > after:
        return block
    keep = [i for i, n in enumerate(block.numbers) if n > after]
    return Block(
        [block.numbers[i] for i in keep],
        [block.joined[i] for i in keep],
        frame=block.frame.iloc[keep].reset_index(drop=True),
    )


def _correct(block: Block, fixes: Fixes) -> None:
    """Cells corrected on the site in place of the file's text (frame blocks)."""
    if not fixes:
        return
    for position, number in enumerate(block.numbers):
        fix = fixes.get(number)
        if fix is None:
            continue
        before = "".join(block.frame.iloc[position].tolist())
        for index, value in fix:
            block.frame.iat[position, index] = value
        after = "".join(block.frame.iloc[position].tolist())
        block.joined[position] = after + block.joined[position][len(before) :]


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
