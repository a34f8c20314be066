"""HM Treasury CRA / PESA databases as published: sheet, header, years, unit, exact pence.

The small workbook is built here in the real layout (a "Metadata" sheet, then the data sheet
with title rows over the real header names; HM Treasury, Open Government Licence v3.0). The
real file is fixtures/datasets/hmt_cra_2018_database.xlsx (credited in its README).
"""

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from ledger.importers import tables
from ledger.importers.datasets.regional import FRAME_COLUMNS, read_regional, year_code
from ledger.importers.datasets.regional_frame import cell_pence, cofog_code
from ledger.importers.errors import ImportFileError, RowError
from ledger.importers.values import decimal_text

ROOT = Path(__file__).resolve().parents[2]
CRA_FILE = ROOT / "fixtures" / "datasets" / "hmt_cra_2018_database.xlsx"
CRA_SHA256 = "aca4b1a0533222d7da984dad2596675cefb5116b720fa651dc47519f27607dbb"

HEADER = [
    "Department Name",
    "Organisation Name",
    "CRA Segment Code",
    "CRA Segment Name",
    "COFOG Level 0",
    "HMT Function",
    "COFOG Level 1",
    "HMT Subfunction",
    "ID/non-ID",
    "CAP or CUR",
    "CG, LG, PC, BOE",
    "Allocated by HMT or DEPT",
    "NUTS Region",
    "Country",
    "2013-14 outturn",  # three forms of a year
    "2014/15",
    "2015–16 plans",  # en dash
    "Notes",  # neither known nor a year: ignored
]
PENSIONS = [
    "Armed Forces Pension and Compensation Schemes",
    "AFPS",
    "AFS902-S902A001",
    "S902A001-AFPS RETIRED PAY AND PENSIONS",
    "10. Social protection",
    "10. Social protection",
    "10.2 Old age",
    "10.2 Old age; of which: pensions",
]
HOUSING = [
    "Local Government England",
    "England Housing Revenue Account",
    "EHR101-S101A061",
    "S101A061-HOUSING STRATEGY AND ADMINISTRATION",
    "6. Housing and community amenities",
    "6. Housing and community amenities",
    "6.1 Housing development",
    "6.1 of which: local authority housing",
]
DEBT = [
    "HM Treasury",
    "HM Treasury",
    "HMT001-S001",
    "S001-DEBT INTEREST",
    "1. General public services",
    "1. of which: public and common services",
    "1.7 Public Sector Debt Interest",
    "1.7 Public Sector Debt Interest",
]
EU = [
    "EU Transactions",
    "EU Transactions",
    "EUT001-S001",
    "S001-EU CONTRIBUTIONS",
    "EU transactions",
    "EU transactions",
    "EU01 GNI-based contribution net of abatement & collection costs",
    "EU01 GNI-based contribution",
]
# Rows 5 to 10 of the data sheet (row 9 is empty). Figures in £ thousand.
DATA = [
    PENSIONS + ["ID", "CUR", "CG", "DEPT", "ENGLAND_North West", "ENGLAND", 1234.567, 100, 0],
    HOUSING
    + ["ID", "CAP", "PC", "DEPT", "ENGLAND_North West", "ENGLAND", 176452.00000000003, 5, None],
    DEBT + ["Non-ID", "CUR", "CG", "HMT", "NON-REGIONAL", "NON-REGIONAL", -50, "..", "-"],
    EU + ["ID", "CUR", "BOE", "HMT", "OUTSIDE UK", "OUTSIDE UK", "abc", 1.0000001, "1,234.5"],
    [],
    HOUSING + ["ID", "CUR", "LG", "DEPT", "SCOTLAND", "SCOTLAND", "x", 7, 0.25, "revised"],
]
TITLES = [
    ["Country and Regional Analysis 2018: database"],
    ["Source: HM Treasury, November 2018"],
    [],
]
METADATA = [
    [],
    ["Expenditure 2013-14 to 2015-16", None, "Levels of expenditure shown are in £'000s."],
    [],
    ["Department name", None, "The part of the public sector responsible for the spending."],
    ["Organisation name", None, "The structure level below department."],
    ["CRA Segment Code", None, "Unique CRA identifier code"],
    ["ID/non-ID", None, "Identifiable or ID expenditure is deemed to be for the benefit of"],
]


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read(content: bytes, **options):
    def opener():
        return io.BytesIO(content)

    return read_regional(opener, tables.inspect(opener), **options)


CRA = _workbook({"Metadata": METADATA, "CRA 2018 database": TITLES + [HEADER] + DATA})


def _cells(table) -> dict[tuple[int, str], int]:
    return {(r.source_row, r.year): r.pence for r in table.frame.itertuples()}


def test_the_data_sheet_after_the_metadata_is_read():
    table = _read(CRA)
    assert (table.sheet, table.header_row) == ("CRA 2018 database", 4)
    assert [(s.name, s.usable, s.header_row) for s in table.sheets] == [
        ("Metadata", False, None),
        ("CRA 2018 database", True, 4),
    ]
    assert "no CRA header" in table.sheets[0].note
    assert table.sheets[1].note == "header on row 4: 14 known columns, 3 years 2013-14 to 2015-16"
    assert table.columns["region"] == "NUTS Region"
    assert table.columns["control"] == "CG, LG, PC, BOE"
    assert table.years == {
        "2013-14 outturn": "2013-14",
        "2014/15": "2014-15",
        "2015–16 plans": "2015-16",
    }
    assert table.ignored == ["Notes"]
    assert list(table.frame.columns) == list(FRAME_COLUMNS)


def test_every_figure_in_exact_pence():
    table = _read(CRA)
    assert _cells(table) == {
        (5, "2013-14"): 123456700,  # 1234.567 thousand is exactly £1,234,567.00
        (5, "2014-15"): 10000000,
        (6, "2013-14"): 17645200000,  # 176452.00000000003: Excel's 15 digits say 176452
        (6, "2014-15"): 500000,
        (7, "2013-14"): -5000000,
        (8, "2015-16"): 123450000,  # the text "1,234.5"
        (10, "2014-15"): 700000,
        (10, "2015-16"): 25000,
    }
    assert table.frame["pence"].dtype == "int64"
    assert (table.values_count, table.zero_count, table.not_available) == (8, 1, 4)
    assert table.rows_read == 5  # the empty row 9 is not a row of the table
    summary = table.summary()
    assert summary["by_region"]["ENGLAND_North West"] == {
        "2013-14": 17768656700,
        "2014-15": 10500000,
    }
    assert summary["by_department"]["HM Treasury"] == {"2013-14": -5000000}
    assert summary["total"] == sum(_cells(table).values())


def test_the_coded_columns_in_our_terms():
    frame = _read(CRA).frame.drop_duplicates("source_row").set_index("source_row")
    assert frame.loc[
        5, ["cofog_division", "cofog", "identifiable", "spend_kind", "control"]
    ].tolist() == [
        "10",
        "10.2",
        True,
        "revenue",
        "central",
    ]
    assert frame.loc[6, ["cofog_division", "cofog", "spend_kind", "control"]].tolist() == [
        "06",
        "06.1",
        "capital",
        "public_corporation",
    ]
    assert frame.loc[7, ["cofog_division", "cofog", "identifiable"]].tolist() == [
        "01",
        "01.7",
        False,
    ]
    assert frame.loc[8, ["cofog_division", "cofog", "control", "region"]].tolist() == [
        "EU",
        "EU",
        "public_corporation",  # BOE: the Bank of England
        "OUTSIDE UK",
    ]
    assert frame.loc[10, ["control", "region", "country", "body_name"]].tolist() == [
        "local",
        "SCOTLAND",
        "SCOTLAND",
        "England Housing Revenue Account",
    ]


def test_a_fraction_of_a_penny_and_a_non_number_are_refused_where_they_are():
    table = _read(CRA)
    assert table.errors == [
        RowError(8, "2013-14 outturn", "abc", table.errors[0].message),
        RowError(8, "2014/15", "1.0000001", "has fractions of a penny (× 1,000)"),
    ]
    assert "is not an amount of money" in table.errors[0].message
    assert table.error_count == 2
    assert (8, "2013-14") not in _cells(table) and (8, "2015-16") in _cells(table)


def test_a_sheet_can_be_chosen():
    later = [row[:14] + [v * 2 if isinstance(v, int) else v for v in row[14:]] for row in DATA]
    content = _workbook(
        {"Metadata": METADATA, "CRA 2018": [HEADER] + DATA, "CRA 2017": [HEADER] + later}
    )
    assert _read(content).sheet == "CRA 2018"
    chosen = _read(content, sheet="CRA 2017")
    assert (chosen.sheet, chosen.header_row) == ("CRA 2017", 1)
    assert _cells(chosen)[(3, "2014-15")] == 1000000  # 5 × 2 thousand (header on row 1)
    with pytest.raises(ImportFileError, match="“Metadata” is not a CRA table"):
        _read(content, sheet="Metadata")
    with pytest.raises(ImportFileError, match="no sheet “CRA 2019”"):
        _read(content, sheet="CRA 2019")


def test_the_header_row_can_be_given():
    # Two header-like rows: the finder takes the one naming more columns; the user the other.
    decoy = ["Department Name", "NUTS Region", "2013-14"]
    content = _workbook({"Data": [decoy, [], HEADER] + DATA})
    assert _read(content).header_row == 3
    table = _read(content, header_row=1, unit_factor=1000)
    assert (table.header_row, table.columns, table.years) == (
        1,
        {"department": "Department Name", "region": "NUTS Region"},
        {"2013-14": "2013-14"},
    )


def test_the_unit_is_found_overridden_or_asked_for():
    table = _read(CRA)
    assert (table.unit_factor, table.unit_found) == (1000, 1000)
    assert table.unit_text == "“Levels of expenditure shown are in £'000s.” (Metadata, row 2)"
    millions = _read(CRA, unit_factor=1_000_000)
    assert (millions.unit_factor, millions.unit_found) == (1_000_000, 1000)
    assert _cells(millions)[(5, "2013-14")] == 123456700000
    assert _cells(millions)[(8, "2014-15")] == 100000010  # no longer a fraction of a penny
    in_title = _workbook({"Data": [["Identifiable expenditure, £ million"], HEADER] + DATA})
    assert _read(in_title).unit_factor == 1_000_000
    unsaid = _read(_workbook({"Data": [HEADER] + DATA}))
    assert unsaid.needs_unit and unsaid.unit_factor is None and unsaid.frame.empty
    assert unsaid.frame.dtypes.equals(table.frame.dtypes)
    assert not _read(_workbook({"Data": [HEADER] + DATA}), unit_factor=1).needs_unit


@pytest.mark.parametrize(
    "header",
    [
        "2013-14",
        "2013/14",
        "2013-2014",
        "2013–14",
        "2013 to 2014",
        "2013-14 outturn",
        "Outturn 2013-14",
        "2013-14 Plans",
        "2013-14 (£ thousand)",
        "FY 2013-14",
        "201314",
    ],
)
def test_a_financial_year_in_any_form(header):
    assert year_code(header) == "2013-14"


@pytest.mark.parametrize(
    "header", ["2013", "2013-15", "2013-14 real terms", "Population 2013-14", "Country", ""]
)
def test_not_a_financial_year(header):
    assert year_code(header) is None


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("10.2 Old age", "10.2"),
        ("1.7 Public Sector Debt Interest", "01.7"),
        ("4. Economic affairs", "04"),
        ("10. Social protection", "10"),
        ("7.A Medical services", "07.A"),
        ("EU transactions", "EU"),
        ("EU02 EC receipts", "EU"),
        ("Not classified", ""),
    ],
)
def test_cofog_codes(label, code):
    assert cofog_code(label) == code


def test_a_pesa_table_with_fewer_columns_and_years_as_numbers():
    content = _workbook(
        {
            "Table 9.1": [
                ["Identifiable expenditure by country and region, £ million"],
                ["Department", "Region", 201314, 201415, "Total"],
                ["Department for Education", "London", 12.5, 13, 25.5, "see note a"],
                ["Department for Education", "Wales", "-", 0.000000001, 0.000001],
            ]
        }
    )
    table = _read(content)
    assert table.years == {"201314": "2013-14", "201415": "2014-15"}
    # An unnamed column is listed too, since it holds something.
    assert (table.unit_factor, table.ignored) == (1_000_000, ["Total", "Column 6"])
    assert [(e.row, e.column, e.value) for e in table.errors] == [(4, "201415", "0.000000001")]
    assert table.frame[["year", "pence", "region", "spend_kind"]].to_dict("records") == [
        {"year": "2013-14", "pence": 1250000000, "region": "London", "spend_kind": ""},
        {"year": "2014-15", "pence": 1300000000, "region": "London", "spend_kind": ""},
    ]
    assert table.frame["identifiable"].isna().all()  # not published: unknown, not guessed


def test_rows_whose_codes_cannot_be_read_keep_no_figures():
    rows = [
        PENSIONS + ["ID", "CUR", "CG", "DEPT", "", "ENGLAND", 10, 20, 30],
        PENSIONS + ["ID", "Both", "CG", "DEPT", "WALES", "WALES", 10, 0, 0],
        PENSIONS + ["Maybe", "CUR", "CG", "DEPT", "WALES", "WALES", 0, 0, 0],  # no money: fine
        PENSIONS + ["ID", "CUR", "XX", "DEPT", "WALES", "WALES", 1, 2, 3],
    ]
    table = _read(_workbook({"Data": [HEADER] + rows}), unit_factor=1000)
    assert [(e.row, e.column, e.value) for e in table.errors] == [
        (2, "NUTS Region", ""),
        (3, "CAP or CUR", "Both"),
        (5, "CG, LG, PC, BOE", "XX"),
    ]
    assert table.frame.empty and table.error_count == 3


def test_errors_past_the_limit_are_counted():
    rows = [PENSIONS + ["ID", "CUR", "CG", "DEPT", "WALES", "WALES", "n/k", "?", 1]] * 30
    table = _read(_workbook({"Data": [HEADER] + rows}), unit_factor=1000, max_errors=5)
    assert table.error_count == 60 and len(table.errors) == 5
    assert [e.row for e in table.errors] == [2, 2, 3, 3, 4]
    assert table.values_count == 30


def test_a_csv_export_of_the_same_table():
    sheet = TITLES + [HEADER] + DATA
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    for row in sheet:
        # As Python writes floats: 176452.00000000003 in full, rounded to Excel's 15 digits.
        writer.writerow(["" if v is None else v for v in row])
    content = text.getvalue().encode("cp1252")
    unsaid = _read(content)  # no metadata sheet: the unit must be asked for
    assert unsaid.needs_unit and unsaid.sheet == "" and unsaid.header_row == 4
    table = _read(content, unit_factor=1000)
    workbook = _read(CRA)
    pd.testing.assert_frame_equal(table.frame, workbook.frame)
    assert table.errors == workbook.errors
    assert (table.not_available, table.zero_count, table.rows_read) == (4, 1, 5)


def test_a_csv_row_wider_than_its_header_is_refused():
    content = b"Department Name,NUTS Region,2013-14\nA,WALES,1\nB,WALES,2,3\n"
    with pytest.raises(ImportFileError, match="more cells than the header"):
        _read(content, unit_factor=1000)


def test_no_cra_header_anywhere():
    content = _workbook({"Metadata": METADATA, "Chart": [["Spending by region"], [1, 2]]})
    with pytest.raises(ImportFileError, match="No sheet has a CRA header"):
        _read(content)


@given(
    whole=st.integers(min_value=-(10**9), max_value=10**9),
    decimals=st.text("0123456789", min_size=0, max_size=5),
)
def test_a_figure_in_thousands_is_the_same_as_text_and_as_a_workbook_float(whole, decimals):
    text = f"{whole}.{decimals}" if decimals else str(whole)
    expected = Decimal(text) * 1000 * 100  # at most 5 decimals of £ thousand: whole pence
    assert cell_pence(text, 1000) == expected
    # The workbook holds the nearest float; its 15 significant digits give the figure back.
    if len(text.lstrip("-").replace(".", "").lstrip("0")) <= 15:
        assert cell_pence(decimal_text(float(text)), 1000) == expected


# The real file, as HM Treasury published it.


@pytest.fixture(scope="module")
def real_table():
    def opener():
        return CRA_FILE.open("rb")

    fmt = tables.inspect(opener)
    assert fmt.sha256 == CRA_SHA256  # the published bytes, unedited
    return read_regional(opener, fmt)


def _independent_sums() -> dict:
    """The same totals from plain openpyxl: each cell to 15 significant digits, × 1000 × 100."""
    workbook = load_workbook(CRA_FILE, read_only=True)
    rows = workbook["CRA 2018 database"].iter_rows(values_only=True)
    header = list(next(rows))
    region, country = header.index("NUTS Region"), header.index("Country")
    years = [(i, h) for i, h in enumerate(header) if h and h[:2] == "20"]
    sums = {"region": defaultdict(int), "country": defaultdict(int), "total": 0}
    departments = set()
    for row in rows:
        departments.add(row[0])
        for i, year in years:
            pence = Decimal(format(row[i], ".15g")) * 1000 * 100
            assert pence == pence.to_integral_value()
            sums["region"][row[region], year] += int(pence)
            sums["country"][row[country], year] += int(pence)
            sums["total"] += int(pence)
    workbook.close()
    return sums | {"departments": len(departments), "years": [y for _, y in years]}


@pytest.mark.slow
def test_the_real_cra_database_to_the_penny(real_table):
    table = real_table
    expected = _independent_sums()
    frame = table.frame
    assert (table.error_count, table.errors) == (0, [])
    assert (table.sheet, table.header_row, table.unit_factor) == ("CRA 2018 database", 1, 1000)
    assert (
        sorted(set(table.years.values()))
        == expected["years"]
        == [
            "2013-14",
            "2014-15",
            "2015-16",
            "2016-17",
            "2017-18",
        ]
    )
    assert frame["department"].nunique() == expected["departments"] == 68
    assert table.rows_read == 21135
    assert table.values_count + table.zero_count + table.not_available == 21135 * 5
    by_region = frame.groupby(["region", "year"])["pence"].sum()
    assert {k: int(v) for k, v in by_region.items()} == {
        k: v for k, v in expected["region"].items() if v
    }
    by_country = frame.groupby(["country", "year"])["pence"].sum()
    assert {k: int(v) for k, v in by_country.items()} == {
        k: v for k, v in expected["country"].items() if v
    }
    assert table.summary()["total"] == int(frame["pence"].sum()) == expected["total"]
    # The one float with binary noise (row 21112, 2013-14) is £176,452 thousand exactly.
    noisy = frame[(frame["source_row"] == 21112) & (frame["year"] == "2013-14")]
    assert noisy["pence"].tolist() == [17645200000]
