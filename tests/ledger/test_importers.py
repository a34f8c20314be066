"""The readers on their own: values, encodings, delimiters, headers, layouts."""

import datetime as dt
import hashlib
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.importers import ImportFileError
from ledger.importers.encoding import guess_8bit, scan
from ledger.importers.layouts import dedupe, normalise
from ledger.importers.mapping import find_header, recognise, units_factor
from ledger.importers.tables import sniff_delimiter
from ledger.importers.values import (
    MAX_PENCE,
    _amount_pence_slow,
    amount_pence,
    decimal_text,
    is_formula,
    is_redacted,
    parse_date,
    parse_spend_kind,
)
from tests.ledger.import_helpers import DCLG_HEADER


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("870.83", 87083),
        ("500", 50000),
        ("12.5", 1250),
        ("-0.50", -50),
        ("1,000.00", 100000),
        ("£1,234,567.89", 123456789),
        ("  3536.00  ", 353600),
        ("(12.50)", -1250),
        ("12.50-", -1250),
        ("£ -12.50", -1250),
        ("−5.00", -500),
        ("12.50 CR", -1250),
        ("12.50 DR", 1250),
        ("+7.00", 700),
        ("1 234.50", 123450),
        ("GBP 99.99", 9999),
    ],
)
def test_amounts_as_councils_write_them(text, pence):
    assert amount_pence(text) == pence


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "is empty"),
        ("TBC", "not an amount"),
        ("1,00", "not an amount"),  # a European decimal comma: refuse, never guess
        ("1e5", "not an amount"),
        ("12.345", "fractions of a penny"),
        ("=SUM(A1:A9)", "formula"),
        ("99999999999999999", "too large"),
    ],
)
def test_amounts_refused_with_a_reason(text, words):
    with pytest.raises(ValueError, match=words):
        amount_pence(text)


def test_thousand_pound_tables_scale_exactly():
    assert amount_pence("1,234.567", 1000) == 123456700
    assert amount_pence("0.001", 1000) == 100
    with pytest.raises(ValueError, match=r"fractions of a penny \(× 1,000\)"):
        amount_pence("0.000001", 1000)


@given(st.integers(min_value=-(10**13), max_value=10**13), st.booleans(), st.booleans())
def test_any_amount_written_any_common_way_reads_back_exactly(pence, grouped, symbol):
    pounds = Decimal(abs(pence)).scaleb(-2)
    text = f"{pounds:,.2f}" if grouped else f"{pounds:.2f}"
    text = ("£" if symbol else "") + text
    text = f"({text})" if pence < 0 and grouped else (f"-{text}" if pence < 0 else text)
    assert amount_pence(text) == pence


@given(
    st.integers(min_value=-(10**16), max_value=10**16),
    st.sampled_from(["{:.2f}", "{:,.2f}", "{:.1f}", "{:,.0f}", "{:.0f}", "{:,.3f}"]),
    st.sampled_from(["", " ", "0"]),
)
def test_the_fast_path_agrees_with_the_general_parser(pence, shape, pad):
    """Plain and grouped amounts skip the general parser; the result (or refusal) is the same."""
    text = pad + shape.format(Decimal(pence).scaleb(-2)) if pad != "0" else "0" + str(pence)
    try:
        expected = _amount_pence_slow(text.strip(), 1)
    except ValueError as exc:
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            amount_pence(text)
    else:
        assert amount_pence(text) == expected


def test_the_fast_path_keeps_the_size_limit():
    largest = f"{(MAX_PENCE - 1) // 100:,}.99"
    assert amount_pence(largest) == MAX_PENCE - 1
    with pytest.raises(ValueError, match="too large"):
        amount_pence(f"{MAX_PENCE // 100:,}.00")
    with pytest.raises(ValueError, match="too large"):
        amount_pence(f"-{MAX_PENCE // 100}")


@pytest.mark.parametrize(
    "text",
    [
        "14/01/2011",
        "14-Jan-2011",
        "14-Jan-11",
        "2011-01-14",
        "14/01/11",
        "14 January 2011",
        "14.01.2011",
        "40557",
        "2011-01-14 00:00:00",
    ],
)
def test_dates_as_councils_write_them(text):
    assert parse_date(text) == dt.date(2011, 1, 14)


@pytest.mark.parametrize("text", ["31/02/2011", "2011-13-01", "soon", "14/01/1066"])
def test_bad_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_small_values():
    assert [parse_spend_kind(t) for t in ("R", "c", "Capital", "")] == [
        "revenue",
        "capital",
        "capital",
        "revenue",
    ]
    with pytest.raises(ValueError):
        parse_spend_kind("X")
    assert [is_redacted(s) for s in ("REDACTED PERSONAL DATA", "*****", "Redacted", "ACME")] == [
        True,
        True,
        True,
        False,
    ]
    assert [is_formula(s) for s in ("=1+1", "+SUM(A1)", "@cmd|x", "-12.50", "+44 113", "=")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert (decimal_text(0.1 + 0.2), decimal_text(500.0), decimal_text(1e16)) == (
        "0.3",
        "500",
        "10000000000000000",
    )


def _scan(data: bytes):
    return scan([data[i : i + 7] for i in range(0, len(data), 7)])  # chunks split sequences


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Supplier,Amount\nCafé £5 “quoted”,5\n".encode(), "utf-8"),
        (b"\xef\xbb\xbfSupplier,Amount\nA,5\n", "utf-8-sig"),
        ("Supplier,Amount\nDon’t – café £5,5\n".encode("cp1252"), "cp1252"),
        ("Supplier,Amount\nDon’t – café £5,5\n".encode("mac_roman"), "mac_roman"),
        ("Supplier,Amount\nA,5\n".encode("utf-16"), "utf-16"),
        (b"Supplier,Amount\nNeville\xb4s Kitchen,5\n", "cp1252"),  # Craven's byte
        (b"Teaching Equipment \x96 Concert Band,5\n", "cp1252"),  # Leeds's byte
    ],
)
def test_encodings_are_recognised(data, encoding):
    assert _scan(data).encoding == encoding


def test_scan_hashes_and_counts_in_one_pass():
    data = b"a,b\r\n1,2\r\n"
    found = _scan(data)
    assert (found.size, found.newlines, found.sha256) == (10, 2, hashlib.sha256(data).hexdigest())


def test_mac_roman_wins_only_when_it_reads_better():
    assert guess_8bit([]) == "cp1252"
    assert guess_8bit([b"caf\x8e"]) == "mac_roman"  # é in Mac Roman; Ž in Windows-1252


@pytest.mark.parametrize(
    ("delimiter", "name"), [(",", "comma"), ("\t", "tab"), (";", "semi"), ("|", "pipe")]
)
def test_delimiters_are_sniffed(delimiter, name):
    text = "\n".join(
        delimiter.join(r)
        for r in [["Date", "Supplier", "Amount"], ["14/01/2011", "A, B & Co", "1.00"]] * 3
    )
    if delimiter == ",":
        text = text.replace("A, B & Co", '"A, B & Co"')
    assert sniff_delimiter(text + "\n") == delimiter


def test_headers_are_normalised_and_deduplicated():
    assert normalise("Amount (£) ") == "amount"
    assert normalise("Environment & Neighbourhoods") == "environment and neighbourhoods"
    assert dedupe(["Account Code", "Account Code", "", "amount", "Amount"]) == [
        "Account Code",
        "Account Code (2)",
        "Column 3",
        "amount",
        "Amount (2)",
    ]


def _rows(*rows):
    return list(enumerate([list(r) for r in rows], start=1))


def test_header_found_under_a_preamble():
    header = find_header(
        _rows(
            ["Spend over £500"],
            ["Period: January 2011", ""],
            [],
            ["Date", "Supplier", "Amount"],
            ["14/01/2011", "A", "1.00"],
        )
    )
    assert (header.row, header.headers, header.recognised) == (
        4,
        ["Date", "Supplier", "Amount"],
        True,
    )
    assert header.preamble[0] == ["Spend over £500"]


def test_unknown_header_still_found_for_manual_mapping_but_data_is_not_a_header():
    header = find_header(_rows(["Betrag", "Lieferant"], ["1.00", "A"]))
    assert (header.row, header.recognised) == (1, False)
    with pytest.raises(ImportFileError, match="No header row found"):
        find_header(_rows(["14/01/2011", "A", "1.00"]))


@pytest.mark.parametrize(
    ("headers", "layout", "amount"),
    [
        (DCLG_HEADER, "dclg_2010", "Amount"),
        (
            [
                "Organisation",
                "Organisation Code",
                "Service Label",
                "Service Division Label",
                "Expenditure Category",
                "Purpose of Expenditure",
                "Payment Date",
                "Transaction Number",
                "Net Amount",
                "Supplier Name",
                "Capital or Revenue",
            ],
            "lga_template",
            "Net Amount",
        ),
        (
            [
                "Department family",
                "Entity",
                "Date",
                "Expense type",
                "Expense area",
                "Supplier",
                "Transaction number",
                "Amount",
                "Description",
            ],
            "hmt_25k",
            "Amount",
        ),
        (
            [
                "Body",
                "Body name",
                "Service label",
                "Service division label",
                "Expenditure category",
                "Detailed expenditure type",
                "Detailed Expenditure Code",
                "Date paid",
                "Transaction Number",
                "Net Amount",
                "Capital or revenue",
                "Supplier name",
            ],
            "leeds_2011",
            "Net Amount",
        ),
        (
            [
                "Body Name",
                "Transaction No",
                "Supplier ID",
                "Supplier Name",
                "Payment Date",
                "Account Code",
                "Account Code",
                "Cost Centre Code",
                "Cost Centre Code",
                "Amount",
            ],
            "craven_2017",
            "Amount",
        ),
        (["Payment date", "Payee", "Value (£)", "Department"], "generic", "Value (£)"),
    ],
)
def test_layouts_are_recognised_by_their_headers(headers, layout, amount):
    mapping = recognise(find_header(_rows(headers)), service_lines={})
    assert (mapping.layout, mapping.fields["amount"]) == (layout, amount)
    assert not mapping.missing(dedupe(headers))


def test_units_are_read_from_the_table_title():
    assert units_factor(["Revenue outturn 2009-10", "£ thousand"]) == 1000
    assert units_factor(["All figures £000s"]) == 1000
    assert units_factor(["£'000"]) == 1000
    assert units_factor(["£ million"]) == 1_000_000
    assert units_factor(["Spend over £500"]) is None
