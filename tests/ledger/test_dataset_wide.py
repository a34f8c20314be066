"""The wide-table reader (DLUHC revenue tables by authority), on small tables in the real layout
and on the real revenue account budget 2023-24 (fixtures/datasets, Open Government Licence).

The small tables copy the layout, headings, line numbers, asset codes and a few authorities'
codes of DLUHC's revenue account budget 2023-24 (Open Government Licence v3.0); their figures
are made up (a few are the published ones)."""

import csv
import io
from itertools import islice
from pathlib import Path

import pytest

from ledger.importers import ImportFileError
from ledger.importers.datasets.catalogue import GRAND_TOTAL, REVENUE_LINES, TOTAL
from ledger.importers.datasets.wide import (
    NCE,
    TSE,
    WideSummary,
    find_wide_header,
    read_wide_rows,
)
from ledger.importers.tables import inspect, iter_rows

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
REAL_FILE = FIXTURES / "datasets" / "dluhc_revenue_account_2023-24_part1_by_la.csv"

TITLES = [
    "Worksheet 2: Revenue Account Budget (RA) 2023-24: Revenue Account data",
    "This worksheet contains 1 table. Some cells refer to notes.",
    "Data are reported in £ thousand. ",
    'Produced on a non-IAS19 and PFI "Off Balance Sheet" basis unless stated otherwise.',
    "Source: Local authorities' Revenue Account Budget (RA) returns 2023-24.",
    "Last updated: 22 June 2023",
]
BODY = ["E-code", "ONS Code", "Local authority", "Class", "Subclass", "Notes"]
ASSETS = "eduerl eduprm edutot transrdsmnt transprk transtot poltot frstot servicetot hbrent "
ASSETS += "parishaggprecept netcurrtot"
SECTIONS = ["Education Services", "", "", "Highways and Transport", "", "", "Police", "Fire"]
SECTIONS += ["Total Service\nExpenditure", "Housing benefits", "Precepts and Levies"]
SECTIONS += ["Net Current Expenditure"]
LINES = "110 120 190 230 260 290 601 602 799 811 821 849"
HEADER = [
    "Early years",
    "Primary schools",
    "TOTAL EDUCATION SERVICES",
    "Structural maintenance",
    "Parking services",
    "TOTAL HIGHWAYS AND TRANSPORT SERVICES",
    "TOTAL POLICE SERVICES",
    "TOTAL FIRE AND RESCUE SERVICES",
    "TOTAL SERVICE EXPENDITURE",
    "Housing benefits: rent allowances - mandatory payments",
    "Parish Precepts",
    "NET CURRENT EXPENDITURE",
]
# Column positions, to read the fixture's own figures independently of the reader.
TSE_COLUMN, NCE_COLUMN, EDU_TOTAL = 14, 17, 8
# (E-code, ONS code, name, class, subclass, notes), then early years, primary, structural
# maintenance, parking, police, fire, rent allowances, parish precepts (£ thousand).
BODIES = [
    (("E3831", "E07000223", "Adur", "SD", "SD", ""), (0, 0, 150, -184, 0, 0, 15396, 1200)),
    (("E1821", "E10000034", "Worcestershire", "SC", "SC", ""), (37326, 106436, 20000, 1500)),
    (("E7050", "E23000036", "Avon & Somerset Police", "O", "Police", ""), (0, 0, 0, 0, 350123)),
    (("E6104", "E31000004", "Buckinghamshire Fire", "O", "Fire", ""), (0, 0, 0, -5, 0, 40000)),
]
WOKING = ["E3641", "E07000217", "Woking", "SD", "SD", "M"] + ["..."] * 12


def _figure(value: int) -> str:
    return f"{value:,}"


def _body_cells(body: tuple, figures: tuple) -> list[str]:
    ey, prim, sm, park, pol, fire, hb, pp = (*figures, *[0] * (8 - len(figures)))
    edu, hwt = ey + prim, sm + park
    tse = edu + hwt + pol + fire
    values = [ey, prim, edu, sm, park, hwt, pol, fire, tse, hb, pp, tse + hb + pp]
    cells = [_figure(v) for v in values]
    if body[0] == "E6104":
        cells[4] = cells[5] = "(5)"  # parenthesised negatives, as some tables write them
    return [*body, *cells]


def table() -> list[list[str]]:
    """The real layout: titles, asset codes, sections, line numbers, header, bodies, totals."""
    pad = [""] * 5
    rows = [[title, *pad, *[""] * 12] for title in TITLES]
    rows.append(["This row contains the data base Asset ID code.", *pad, *ASSETS.split()])
    rows.append(["This row contains section headings.", *pad, *SECTIONS])
    rows.append(["This row contains the 'line number'.", *pad, *LINES.split()])
    rows.append([*BODY, *HEADER])
    rows += [_body_cells(body, figures) for body, figures in BODIES]
    rows.append(WOKING)
    rows.append([""] * 18)
    bodies = [_body_cells(b, f) for b, f in BODIES]
    england = [_figure(sum(_number(r[i]) for r in bodies)) for i in range(6, 18)]
    rows.append(["", "", "ENGLAND", "", "", "", *england])
    rows.append(["Source: DLUHC Revenue Account Budget returns.", *[""] * 17])
    rows.append(["1. Police bodies report police services only.", *[""] * 17])
    return rows


def _number(text: str) -> int:
    text = text.replace(",", "")
    return -int(text[1:-1]) if text.startswith("(") else int(text)


def numbered(rows: list[list[str]]) -> list[tuple[int, list[str]]]:
    return list(enumerate(rows, start=1))


def read(rows, *, measure=TSE, factor=1000, header=None, header_row=None):
    rows = numbered(rows) if rows and isinstance(rows[0], list) else rows
    header = header or find_wide_header(rows, header_row=header_row)
    summary = WideSummary()
    bodies = list(
        read_wide_rows(iter(rows), header, measure=measure, factor=factor, summary=summary)
    )
    return header, bodies, summary


def test_header_found_under_title_rows_and_three_levels_of_headings():
    header = find_wide_header(numbered(table()))
    assert header.row == 10
    assert header.levels == {"asset": 7, "section": 8, "line": 9}
    assert header.unit_factor == 1000 and "£ thousand" in header.unit_text
    assert "Last updated: 22 June 2023" in header.preamble
    roles = {c.header: c.role for c in header.columns}
    assert [roles[h] for h in BODY] == [
        "code",
        "alt_code",
        "name",
        "body_class",
        "subclass",
        "notes",
    ]
    by_line = {c.line: c for c in header.columns if c.line}
    assert all(c.recognised_by == "line" for c in by_line.values())
    assert by_line[190].role == TOTAL and by_line[190].parts == (6, 7)
    assert by_line[290].parts == (9, 10)
    assert by_line[601].role == by_line[602].role == "detail"  # one-column groups are details
    assert by_line[799].role == GRAND_TOTAL
    assert [header.columns[i].line for i in by_line[799].parts] == [190, 290, 601, 602]
    assert [header.columns[i].line for i in by_line[849].parts] == [799, 811, 821]
    assert by_line[110].code == "eduerl" and by_line[110].section == "Education Services"
    assert by_line[811].measures == (NCE,) and by_line[110].measures == (TSE, NCE)


@pytest.mark.parametrize(
    ("first", "header_row", "levels", "how"),
    [
        (6, 4, {"asset": 1, "section": 2, "line": 3}, "line"),  # title rows deleted
        (9, 1, {}, "name"),  # the header on row 1
    ],
)
def test_header_found_when_rows_above_it_were_deleted(first, header_row, levels, how):
    header, bodies, summary = read(table()[first:])
    assert header.row == header_row and header.levels == levels
    assert header.unit_factor is None  # the title that said "£ thousand" went with the rows
    columns = {c.line: c for c in header.columns if c.line}
    assert columns[110].recognised_by == how
    assert columns[190].role == TOTAL and columns[190].parts == (6, 7)
    assert columns[601].role == "detail"
    assert len(bodies) == 5 and summary.warning_count == 0


def test_header_without_a_line_number_row_recognised_by_asset_codes():
    rows = table()
    del rows[8]
    header = find_wide_header(numbered(rows))
    assert header.row == 9 and header.levels == {"asset": 7, "section": 8}
    assert {c.recognised_by for c in header.columns if c.service} == {"asset"}


def test_section_headings_are_never_taken_for_the_header():
    rows = table()
    del rows[6], rows[7]  # asset codes and line numbers: sections right above the header
    header = find_wide_header(numbered(rows))
    assert header.row == 8 and header.levels == {"section": 7}


def _unknown_headings(rows: list[list[str]], index: int) -> None:
    rows[index][:6] = [f"Field {i}" for i in range(6)]  # body headings no reader knows
    rows[index][6:] = [f"Line {n}" for n in LINES.split()]  # nor the service lines


def test_the_header_is_the_full_row_under_the_sections_whatever_it_says():
    rows = table()
    _unknown_headings(rows, 9)
    header = find_wide_header(numbered(rows))
    assert header.row == 10 and header.known == 12  # by the line numbers above it


def test_explicit_header_row():
    rows = table()
    del rows[7]  # no section headings
    _unknown_headings(rows, 8)
    with pytest.raises(ImportFileError, match="No header row found"):
        find_wide_header(numbered(rows))
    header = find_wide_header(numbered(rows), header_row=9)
    assert header.row == 9 and header.known == 12
    assert header.levels == {"asset": 7, "line": 8}
    codes = header.body("code"), header.body("alt_code")
    assert [(c.index, c.recognised_by) for c in codes] == [(0, "values"), (1, "values")]
    _, bodies, summary = read(rows, header=header)
    assert [b.alt_code for b in bodies][:2] == ["E07000223", "E10000034"]
    assert bodies[1].pence == 165_262 * 100_000 and summary.warning_count == 0
    with pytest.raises(ImportFileError, match="Row 11 is not the header"):
        find_wide_header(numbered(table()), header_row=11)
    with pytest.raises(ImportFileError, match="no row 99"):
        find_wide_header(numbered(table()), header_row=99)


def test_total_columns_are_never_yielded_and_the_cells_add_up_to_the_published_total():
    header, bodies, summary = read(table())
    assert [b.code for b in bodies] == ["E3831", "E1821", "E7050", "E6104", "E3641"]
    for body, cells in zip(bodies, table()[10:15], strict=True):
        assert all(c.column.role == "detail" and TSE in c.column.measures for c in body.cells)
        assert {c.column.line for c in body.cells} == {110, 120, 230, 260, 601, 602}
        if not body.not_reported:
            assert body.pence == _number(cells[TSE_COLUMN]) * 1000 * 100
    police = bodies[2]
    assert police.pence == 350_123_000_00 and police.body_class == "O"
    assert bodies[3].pence == 39_995_000_00  # "(5)" is minus £5,000
    expected = sum(_number(r[TSE_COLUMN]) for r in table()[10:14]) * 1000 * 100
    assert summary.money["measure"] == expected
    assert summary.money["outside measure"] == (15396 + 1200) * 1000 * 100
    assert summary.warning_count == 0 and summary.error_count == 0


def test_net_current_expenditure_adds_housing_benefit_and_precepts():
    _, bodies, summary = read(table(), measure=NCE)
    for body, cells in zip(bodies[:4], table()[10:14], strict=True):
        assert body.pence == _number(cells[NCE_COLUMN]) * 1000 * 100
    assert {c.column.line for c in bodies[0].cells} == {110, 120, 230, 260, 601, 602, 811, 821}
    assert summary.money["outside measure"] == 0


def test_dots_throughout_are_not_reported_never_zero():
    _, bodies, summary = read(table())
    woking = bodies[4]
    assert woking.not_reported and woking.notes == "M"
    assert all(c.pence is None and c.status == "missing" for c in woking.cells)
    assert woking.missing_cells == 6
    assert summary.not_reported == 1
    assert summary.not_reported_rows == [{"row": 15, "code": "E3641", "name": "Woking"}]
    assert summary.partly_reported == 0


def test_some_dots_are_partly_not_reported_and_words_are_not_available():
    rows = table()
    rows[10][6] = "…"  # Adur's early years
    rows[11][10] = "Category discontinued"  # Worcestershire's parking
    _, bodies, summary = read(rows)
    adur, worcestershire = bodies[0], bodies[1]
    assert not adur.not_reported and adur.missing_cells == 1
    assert worcestershire.unavailable_cells == 1 and worcestershire.missing_cells == 0
    assert summary.partly_reported == 1 and summary.missing_cells == 1
    assert summary.not_available == {"Category discontinued": 1}


def test_rows_without_a_body_code_are_dropped_and_counted_by_reason():
    _, bodies, summary = read(table())
    assert len(bodies) == 5 and summary.rows == 9
    assert summary.dropped == {
        "empty row": 1,
        "totals row without a body code": 1,
        "note or footnote": 2,
    }
    assert summary.dropped_examples[1]["row"] == 17
    assert summary.dropped_examples[1]["values"].startswith("ENGLAND")


def test_an_unknown_column_is_reported_with_its_money():
    rows = table()
    for row, cell in zip(rows, [""] * 6 + ["transwidget", "", "279", "Widgets"], strict=False):
        row.insert(11, cell)
    for row in rows[10:14]:
        row.insert(11, "7")
        row[12] = _figure(_number(row[12]) + 7)  # the highways total includes it
        row[15] = _figure(_number(row[15]) + 7)  # and so does total service expenditure
        row[18] = _figure(_number(row[18]) + 7)  # and net current expenditure
    rows[14].insert(11, "...")
    for row in rows[15:]:
        row.insert(11, "")
    header, bodies, summary = read(rows)
    widgets = header.columns[11]
    assert widgets.role == "unknown" and widgets.service is None
    assert widgets.group == "HWT" and widgets.line == 279 and widgets.recognised_by == "section"
    assert header.columns[12].parts == (9, 10, 11)
    unknown = [c for c in bodies[0].cells if c.is_unknown]
    assert [(c.text, c.pence) for c in unknown] == [("7", 700_000)]
    for body, cells in zip(bodies[:4], rows[10:14], strict=True):
        assert body.pence + 700_000 == _number(cells[15]) * 100_000  # the unknown kept apart
    assert summary.unknown_money == {"Widgets": 4 * 700_000}
    assert summary.money["unknown"] == 4 * 700_000
    assert summary.warning_count == 0


def test_a_total_that_is_not_the_sum_of_its_parts_is_warned_with_row_and_column():
    rows = table()
    rows[11][EDU_TOTAL] = "143,763"  # Worcestershire: 37,326 + 106,436 = 143,762
    _, _, summary = read(rows)
    warning = summary.warnings[0]
    assert (warning.row, warning.column) == (12, "TOTAL EDUCATION SERVICES")
    assert (warning.value, warning.parts) == (143_763 * 100_000, 143_762 * 100_000)
    assert "is £143,763,000 but its 2 parts add up to £143,762,000" in warning.message
    # Total service expenditure still adds up the group totals as published: one warning more.
    assert [w.column for w in summary.warnings] == [
        "TOTAL EDUCATION SERVICES",
        "TOTAL SERVICE EXPENDITURE",
    ]


def test_an_unnamed_column_that_adds_up_its_section_is_a_total():
    rows = table()
    rows[9][11] = "All highways and transport"  # not a name any line has
    rows[8][11] = rows[6][11] = ""  # nor a line number or asset code
    header = find_wide_header(numbered(rows))
    column = header.columns[11]
    assert column.role == TOTAL and column.parts == (9, 10)
    assert column.recognised_by == "sums the columns before it"


def test_the_unit_is_found_and_can_be_overridden():
    header, bodies, _ = read(table(), factor=1)
    assert header.unit_factor == 1000
    assert bodies[1].pence == 165_262 * 100  # as if the table were in pounds
    for unit, factor in [("£000s", 1000), ("£'000", 1000), ("£ million", 1_000_000)]:
        rows = table()
        rows[2][0] = f"Figures in {unit}"
        assert find_wide_header(numbered(rows)).unit_factor == factor


def test_figures_that_are_not_amounts_are_errors_with_row_column_and_value():
    rows = table()
    rows[10][9] = "12k"
    rows[11][9] = "0.000001"  # a thousandth of a penny after the unit
    _, bodies, summary = read(rows)
    assert [(e.row, e.column, e.value) for e in summary.errors] == [
        (11, "Structural maintenance", "12k"),
        (12, "Structural maintenance", "0.000001"),
    ]
    assert "fractions of a penny" in summary.errors[1].message
    assert bodies[0].errors == 1 and bodies[0].cells[2].pence is None


def test_a_body_twice_is_an_error_not_double_money():
    rows = table()
    rows.insert(11, list(rows[10]))
    _, bodies, summary = read(rows)
    assert [b.code for b in bodies].count("E3831") == 1
    assert summary.errors[0].row == 12 and summary.errors[0].column == "E-code"


def test_a_summary_of_group_totals_reads_them_as_details():
    """Revenue outturn summary tables (RS) carry one column per service group."""
    rows = [
        ["E-code", "ONS Code", "Local authority", "Education services"]
        + ["Total highways and transport", "Police services", "TOTAL SERVICE EXPENDITURE"],
        ["E1821", "E10000034", "Worcestershire", "143,762", "21,500", "0", "165,262"],
    ]
    header, bodies, summary = read(rows)
    roles = [(c.line, c.role, c.recognised_by) for c in header.columns[3:]]
    assert roles[0][:2] == (190, "detail") and "read as a detail" in roles[0][2]
    assert roles[1][:2] == (290, "detail") and roles[1][2].startswith("TOTAL form")
    assert roles[2][:2] == (601, "detail") and roles[3][:2] == (799, GRAND_TOTAL)
    assert bodies[0].pence == 165_262 * 100_000 and summary.warning_count == 0


def test_a_csv_in_mac_roman_reads_through_the_tables_layer(tmp_path):
    rows = table()
    rows[0][0] = "Revenue Account Budget 2023–24 … by authority"
    rows[10][6] = "…"
    path = tmp_path / "ra.csv"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("mac_roman"))
    fmt = inspect(lambda: path.open("rb"))
    assert fmt.encoding == "mac_roman"
    header = find_wide_header(list(islice(iter_rows(lambda: path.open("rb"), fmt), 50)))
    assert header.preamble[0] == "Revenue Account Budget 2023–24 … by authority"
    summary = WideSummary()
    all_rows = iter_rows(lambda: path.open("rb"), fmt)
    bodies = list(read_wide_rows(all_rows, header, measure=TSE, factor=1000, summary=summary))
    assert bodies[0].missing_cells == 1 and len(bodies) == 5


def test_the_catalogue_is_consistent():
    themes = {row["code"] for row in csv.DictReader((FIXTURES / "reference/themes.csv").open())}
    lines = REVENUE_LINES.lines
    assert len({e.line for e in lines}) == len(lines)
    assert len({e.asset for e in lines}) == len(lines)
    groups = {"EDU", "HWT", "CSC", "ASC", "PHS", "HOU", "CUL", "ENV", "PLA", "POL", "FIR"}
    groups |= {"CEN", "OTH", "HB", "PL", "TA", "FIN", ""}
    for entry in lines:
        assert entry.group in groups, entry
        assert entry.role in ("detail", TOTAL, GRAND_TOTAL), entry
        assert not entry.theme or entry.theme in themes, entry
        if entry.measures:
            assert entry.role == "detail" and entry.theme, entry
        for first, last in entry.sums:
            assert first in REVENUE_LINES.by_line and last in REVENUE_LINES.by_line, entry
    assert REVENUE_LINES.by_line[313].theme == "childrens-looked-after"
    assert REVENUE_LINES.named("TOTAL POLICE SERVICES").role == "detail"
    assert REVENUE_LINES.measures_of(REVENUE_LINES.by_line[849]) == (NCE,)


def _published(path: Path) -> dict[int, tuple[str, str, str]]:
    """Row → (Notes, TOTAL SERVICE EXPENDITURE, NET CURRENT EXPENDITURE), read with csv alone."""
    with path.open(encoding="mac_roman", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[9]
    tse, nce = header.index("TOTAL SERVICE EXPENDITURE"), header.index("NET CURRENT EXPENDITURE")
    return {n: (r[5], r[tse], r[nce]) for n, r in enumerate(rows, start=1) if n > 10 and r[0]}


def test_the_real_revenue_account_budget_adds_up_to_its_published_totals():
    fmt = inspect(lambda: REAL_FILE.open("rb"))
    assert fmt.encoding == "mac_roman"
    header = find_wide_header(list(islice(iter_rows(lambda: REAL_FILE.open("rb"), fmt), 60)))
    assert header.row == 10 and header.levels == {"asset": 7, "section": 8, "line": 9}
    assert header.unit_factor == 1000 and header.known == 210 and not header.notes
    assert "Physical support - adults (18–64)" in [c.header for c in header.columns]
    published = _published(REAL_FILE)
    assert len(published) == 410
    for measure, position in ((TSE, 1), (NCE, 2)):
        summary = WideSummary()
        rows = iter_rows(lambda: REAL_FILE.open("rb"), fmt)
        bodies = list(read_wide_rows(rows, header, measure=measure, factor=1000, summary=summary))
        assert len(bodies) == 410 == summary.bodies
        for body in bodies:
            notes, *totals = published[body.row]
            assert body.not_reported == (notes == "M")
            if body.not_reported:
                assert totals[position - 1] == "..." and body.pence == 0
            else:
                assert body.pence == int(totals[position - 1].replace(",", "")) * 1000 * 100
            assert not any(c.is_unknown for c in body.cells)
        assert summary.not_reported == 13
        assert summary.warning_count == 0 and summary.error_count == 0
        assert summary.dropped == {"empty row": 1}
        assert summary.not_available == {"Category discontinued": 410}
