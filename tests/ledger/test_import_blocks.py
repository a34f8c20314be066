"""pyarrow's blocks hold exactly the rows Python's csv module reads, or its error."""

import io
from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.importers import ImportFileError
from ledger.importers.blocks import blocks_of_rows, csv_blocks
from ledger.importers.tables import CSV_CELL_LIMIT, SourceFormat, iter_csv


def _format(encoding: str = "utf-8", delimiter: str = ",") -> SourceFormat:
    return SourceFormat(kind="csv", sha256="", size=0, encoding=encoding, delimiter=delimiter)


def _flat(blocks) -> list[tuple]:
    return [
        (number, block.joined[i], block.beyond.get(i), block.row(i))
        for block in blocks
        for i, number in enumerate(block.numbers)
    ]


def _read(content: bytes, fmt: SourceFormat, width: int, after: int, fast: bool):
    """Every row past ``after`` as (number, joined, beyond, cells), or the error's words."""

    def opener():
        return io.BytesIO(content)

    try:
        head = list(islice(iter_csv(opener, fmt), 30))
        if fast:
            widest = max((len(cells) for _, cells in head), default=0)
            blocks = csv_blocks(opener, fmt, width=width, widest=widest, after=after, fixes={})
        else:
            rows = (row for row in iter_csv(opener, fmt) if row[0] > after)
            blocks = blocks_of_rows(rows, width)
        return _flat(blocks)
    except ImportFileError as exc:
        return str(exc)


csv_text = st.text(alphabet='ab,;"\n\r é', max_size=80)


@settings(max_examples=400, deadline=None)
@given(text=csv_text, width=st.integers(min_value=1, max_value=4), after=st.integers(0, 2))
def test_the_c_parser_reads_any_text_as_the_csv_module_does(text, width, after):
    content = text.encode("utf-8")
    fmt = _format()
    assert _read(content, fmt, width, after, True) == _read(content, fmt, width, after, False)


@pytest.mark.parametrize(
    "text",
    [
        'a,b\r\n1,"2,3"\r\n4,"say ""hi"" there"\r\n',  # escaped quotes: the csv module reads
        'a,b\n1,"2"x\n',  # text after a closing quote: refused, as ever
        'a,b\n1,"never closed\n',
        "a,b\n\n\n1,2\n\n",  # blank lines are rows too
        "a,b\r1,2\r3,4\r",  # old Mac line ends
        "a,b\n1,2,,\n3,4,  ,\n5,6,,x\n",  # blank cells beyond the header, then a value there
        '\ufeff"a",b\n"1",2\n',  # a byte-order mark before a quoted first cell
        "a,b\n1," + "y" * (CSV_CELL_LIMIT + 1) + "\n",  # a cell past the limit
    ],
)
def test_awkward_files_read_the_same(text):
    for encoding in ("utf-8", "cp1252"):
        content = text.encode(encoding, errors="replace")
        fmt = _format(encoding)
        expected = _read(content, fmt, 2, 1, False)
        assert _read(content, fmt, 2, 1, True) == expected


def test_a_long_file_is_read_in_blocks_and_hands_over_mid_way():
    """pyarrow reads the first blocks; a bad quote far down hands the rest over."""
    lines = ["Date,Amount"] + [f"14/01/2011,{n}.00" for n in range(1, 50_001)]
    lines[45_000] = '14/01/2011,"7"x'
    content = ("\n".join(lines) + "\n").encode()
    fmt = _format()
    fast = _read(content, fmt, 2, 1, True)
    assert fast == _read(content, fmt, 2, 1, False)
    assert "malformed" in fast  # the csv module's own error, at its row
    lines[45_000] = "14/01/2011,7.00,,x"  # a value beyond the header instead
    content = ("\n".join(lines) + "\n").encode()
    fast = _read(content, fmt, 2, 1, True)
    assert fast == _read(content, fmt, 2, 1, False)
    blocks = list(
        csv_blocks(lambda: io.BytesIO(content), fmt, width=2, widest=2, after=1, fixes={})
    )
    # A row of another width is read by the csv module into its place: pyarrow reads on.
    assert all(block.frame is not None for block in blocks)
    (block,) = [block for block in blocks if block.beyond]
    assert block.beyond == {45_000 - block.numbers[0] + 1: (4, "x")}


def test_rows_of_other_widths_keep_their_places_across_blocks():
    """Empty lines, short rows, quoted line breaks and wide rows all through a long file
    (several of pyarrow's blocks): each read by the csv module into its place, as it reads
    the whole file, and pyarrow reads on."""
    lines = ["Date,Amount,Supplier"]
    for n in range(1, 60_001):
        if n % 997 == 0:
            lines.append("")
        elif n % 1009 == 0:
            lines.append(f"14/01/2011,{n}.00")  # a short row
        elif n % 1013 == 0:
            lines.append(f'14/01/2011,{n}.00,"Café\nLtd"')  # a line break in a cell
        elif n % 1019 == 0:
            lines.append(f"14/01/2011,{n}.00,Acme,,x")  # a value beyond the header
        else:
            lines.append(f"14/01/2011,{n}.00,Supplier £{n % 50} of Somewhere Street Leeds")
    for encoding in ("utf-8", "cp1252"):
        content = ("\n".join(lines) + "\n").encode(encoding)
        fmt = _format(encoding)
        fast = _read(content, fmt, 3, 1, True)
        assert fast == _read(content, fmt, 3, 1, False)
        assert len(fast) == 60_000
        blocks = list(
            csv_blocks(lambda c=content: io.BytesIO(c), fmt, width=3, widest=3, after=1, fixes={})
        )
        assert len(blocks) > 1 and all(block.frame is not None for block in blocks)
