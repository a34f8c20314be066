"""Turning a long file's rows into ledger lines: the import's inner loop.

Written for speed (a million rows should take seconds): column positions are worked out once,
repeated values (dates, themes, organisation codes) are cached, and each row is checked with
cheap tests before any expensive one.
"""

import datetime as dt
from collections.abc import Iterator
from operator import itemgetter

from .context import EXAMPLES_KEPT, Context, Tally, organisation_code
from .errors import shorten
from .layouts import normalise
from .mapping import Header, Mapping
from .tables import Row
from .values import amount_pence, is_formula, is_redacted, parse_date, parse_spend_kind

# The staging table's columns, in the order every reader yields them.
STAGED_COLUMNS = (
    "job_id",
    "source_row",
    "place_id",
    "organisation_id",
    "theme_id",
    "amount_pence",
    "spend_kind",
    "basis",
    "driver",
    "driver_source",
    "description",
    "expense_type",
    "expense_area",
    "service_label",
    "expense_code",
    "supplier_name",
    "supplier_redacted",
    "transaction_date",
    "transaction_ref",
)
TEXT_FIELDS = {
    "description": 255,
    "expense_type": 255,
    "expense_area": 255,
    "service_label": 255,
    "expense_code": 64,
    "supplier_name": 255,
    "transaction_ref": 64,
}
TOTAL_LABELS = frozenset({"total", "totals", "grand total", "sub total", "subtotal", "total spend"})
TOTAL_LABEL_ROOM = 24  # characters besides the amount a totals row may hold


def read_lines(
    rows: Iterator[Row], header: Header, mapping: Mapping, ctx: Context, tally: Tally
) -> Iterator[tuple]:
    """Staged-line tuples (``STAGED_COLUMNS``) for every good row; problems go to ``tally``."""
    headers = header.headers
    width = len(headers)
    position = {h: i for i, h in enumerate(headers)}
    col = {name: position[h] for name, h in mapping.fields.items() if h in position}
    label = {name: mapping.fields[name] for name in col}

    def at(name: str) -> int:
        return col.get(name, width)  # an unmapped field reads the empty cell put at the end

    # One C call takes every field's cell out of a row; a Python expression per field (and a
    # test whether it is mapped) cost more than the rest of the row's checks.
    texts = itemgetter(
        *(
            at(name)
            for name in (
                "transaction_date",
                "transaction_ref",
                "supplier_name",
                "service_label",
                "expense_area",
                "expense_type",
                "expense_code",
                "description",
                "spend_kind",
                "organisation_code",
                "place_code",
            )
        )
    )
    i_amount = at("amount")
    amount_label = label["amount"]
    text_checks = [(name, limit, col[name]) for name, limit in TEXT_FIELDS.items() if name in col]

    dates: dict[str, dt.date] = {}
    kinds: dict[str, str] = {}
    themes: dict[tuple, int] = {}
    organisations: dict[str, int | None] = {}
    places: dict[str, int | None] = {}
    redactions: dict[str, bool] = {}
    job_id = ctx.job_id
    own, unallocated = ctx.organisation_id, ctx.unallocated_theme_id
    year_start, year_end = ctx.year_start, ctx.year_end
    refuse_outside = not ctx.accruals_basis
    outside_message = outside_year_message(year_start, year_end)
    split, uses_description = ctx.split, ctx.theme_uses_description
    # basis, driver and driver source: a row that names its own place is never apportioned.
    direct, apportioned = ("direct", "", ""), ("apportioned", ctx.driver, ctx.driver_source)
    section_total = 0  # lines since the last totals row, to recognise the next one

    for number, cells in rows:
        if number <= header.row:
            continue
        tally.rows += 1
        joined = "".join(cells)
        if not joined or joined.isspace():
            tally.drop(number, "empty")
            continue
        if len(cells) != width:
            if len(cells) > width:
                extra = [c for c in cells[width:] if c.strip()]
                if extra:
                    tally.error(
                        number,
                        "",
                        extra[0],
                        f"this row has {len(cells)} cells but the header names {width} columns: "
                        "a value is in a column without a header",
                    )
                    continue
                cells = cells[:width]
            else:
                cells = cells + [""] * (width - len(cells))
        cells.append("")  # at index ``width``: what unmapped fields read (see ``at``)

        amount_text = cells[i_amount]
        (
            date_text,
            ref,
            supplier,
            service_label,
            expense_area,
            expense_type,
            expense_code,
            description,
            kind_text,
            org_text,
            place_text,
        ) = map(str.strip, texts(cells))

        # A totals row holds an amount and at most a short label ("Total"): cheap to rule out.
        if len(joined) - len(amount_text) <= TOTAL_LABEL_ROOM and _totals_row(
            number, cells, amount_text, joined, section_total, tally, amount_label
        ):
            section_total = 0
            continue

        bad = False
        try:
            pence = amount_pence(amount_text)
        except ValueError as exc:
            tally.error(number, amount_label, amount_text, f"The amount {exc}.")
            bad = True
        for name, limit, index in text_checks:
            value = cells[index]
            if value and (len(value) > limit or value[0] in "=+-@"):
                value = value.strip()
                if len(value) > limit:
                    tally.error(
                        number,
                        label[name],
                        value,
                        f"is {len(value):,} characters long; at most {limit} fit.",
                    )
                    bad = True
                elif is_formula(value):
                    tally.error(
                        number,
                        label[name],
                        value,
                        "is a spreadsheet formula; formulas are refused because they "
                        "run when the data is opened in a spreadsheet.",
                    )
                    bad = True
        day = None
        if date_text:
            day = dates.get(date_text)
            if day is None:
                try:
                    day = dates[date_text] = parse_date(date_text)
                except ValueError as exc:
                    tally.error(number, label["transaction_date"], date_text, f"The date {exc}.")
                    bad = True
            if day is not None and refuse_outside and not year_start <= day <= year_end:
                tally.error(number, label["transaction_date"], date_text, outside_message)
                bad = True
        kind = kinds.get(kind_text)
        if kind is None:
            try:
                kind = kinds[kind_text] = parse_spend_kind(kind_text)
            except ValueError as exc:
                tally.error(number, label["spend_kind"], kind_text, f"The value {exc}.")
                bad = True
        if org_text:
            if org_text in organisations:
                found = organisations[org_text]
            else:
                found = organisations[org_text] = ctx.organisation_by_code(
                    organisation_code(org_text)
                )
            if found is None:
                code = organisation_code(org_text)
                tally.error(
                    number,
                    label["organisation_code"],
                    org_text,
                    f"“{code}” is not the code of any organisation we know.",
                )
                bad = True
            elif found != own:
                code = organisation_code(org_text)
                tally.error(
                    number,
                    label["organisation_code"],
                    org_text,
                    f"“{code}” is {ctx.organisation_name(found)}, not "
                    f"{ctx.organisation_name(own)}, whose return this is.",
                )
                bad = True
        place_id = ctx.place_id
        if place_text:
            if place_text not in places:
                places[place_text] = ctx.place_by_code(place_text)
            place_id = places[place_text]
            if place_id is None:
                tally.error(
                    number,
                    label["place_code"],
                    place_text,
                    "is not the GSS or ONS code of any place we know.",
                )
                bad = True
        if bad:
            continue

        key = (
            service_label,
            expense_area,
            expense_code,
            expense_type,
            description if uses_description else "",
        )
        theme_id = themes.get(key)
        if theme_id is None:
            theme_id = themes[key] = ctx.theme_for(*key)
        if theme_id == unallocated:
            # Grouped by what a rule would match: the service label and expense area, or
            # the expense type when a file has neither.
            group = (
                (service_label, expense_area, "")
                if service_label or expense_area
                else ("", "", expense_type)
            )
            tally.unallocate(group, pence)
        if day is not None and not year_start <= day <= year_end:
            tally.outside_year += 1
            if len(tally.outside_year_rows) < EXAMPLES_KEPT:
                tally.outside_year_rows.append(number)
        tally.lines += 1
        tally.total += pence
        section_total += pence
        if pence < 0:
            tally.credits += 1
        redacted = redactions.get(supplier)
        if redacted is None:
            if len(redactions) > 100_000:  # keep memory flat on files with endless suppliers
                redactions.clear()
            redacted = redactions[supplier] = is_redacted(supplier)
        if split is None or place_text:
            shares, (basis, driver, driver_source) = ((place_id, pence),), direct
        else:
            shares, (basis, driver, driver_source) = split(pence), apportioned
        for share_place, share in shares:
            tally.staged += 1
            yield (
                job_id,
                number,
                share_place,
                own,
                theme_id,
                share,
                kind,
                basis,
                driver,
                driver_source,
                description,
                expense_type,
                expense_area,
                service_label,
                expense_code,
                supplier,
                redacted,
                day,
                ref,
            )


def outside_year_message(start: dt.date, end: dt.date) -> str:
    """Why a line dated outside the return's financial year is refused (import and grid)."""
    return (
        f"The date is outside the return's financial year ({start:%-d %B %Y} to "
        f"{end:%-d %B %Y}): put the line in that year's return, or mark this return as kept "
        "on an accruals basis (with a reason) on its page."
    )


def _totals_row(number, cells, amount_text, joined, section_total, tally, amount_label) -> bool:
    """Drop a totals row (only an amount, perhaps a "Total" label) if it is one; else False."""
    amount_text = amount_text.strip()
    if not amount_text:
        return False
    others = joined.replace(amount_text, "", 1).strip()
    if others and normalise(others) not in TOTAL_LABELS:
        return False
    if amount_text.upper().startswith(("=SUM(", "=SUBTOTAL(")):
        tally.drop(number, "totals", cells)
        tally.warnings.append(
            f"Row {number} is a totals formula ({shorten(amount_text, 40)}); "
            "it was dropped without checking its value."
        )
        return True
    try:
        pence = amount_pence(amount_text)
    except ValueError:
        return False
    if pence == section_total:
        tally.drop(number, "totals", cells)
        tally.file_total = pence
        return True
    tally.error(
        number,
        amount_label,
        amount_text,
        f"This row has only an amount, and it is not the total of the rows above "
        f"({_pounds(section_total)}): fill in its other columns or delete the row.",
    )
    return True


def _pounds(pence: int) -> str:
    sign = "−" if pence < 0 else ""
    return f"{sign}£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


__all__ = ["STAGED_COLUMNS", "Context", "Tally", "read_lines", "organisation_code"]
