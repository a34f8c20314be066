"""Unpivoting wide government tables in a spend return: the return's own authority's row.

Revenue outturn (RO) and revenue account (RA) tables are in £ thousand with "..." for figures
not available. Each service-line cell of the return's own organisation becomes one line, in its
own place, with the unit factor applied. A row of any other body is an error: a spend return
carries one organisation's spend, and a table of many bodies is a national dataset (loaded under
Datasets, ``ledger.services.datasets``), never lines of someone else's return. Rows without an
authority code (national totals, class subtotals, footnotes) are dropped and counted.
"""

from collections.abc import Iterator

from .context import Context, Tally, organisation_code
from .layouts import MISSING_MARKERS
from .mapping import Header, Mapping
from .tables import Row
from .values import amount_pence


def read_wide(
    rows: Iterator[Row], header: Header, mapping: Mapping, ctx: Context, tally: Tally
) -> Iterator[tuple]:
    position = {h: i for i, h in enumerate(header.headers)}
    code_header = mapping.fields["organisation_code"]
    i_code = position[code_header]
    values = [(position[h], h, code) for h, code in mapping.wide_columns.items() if h in position]
    factor = mapping.factor
    themes: dict[tuple, int] = {}
    organisations: dict[str, int | None] = {}
    for number, cells in rows:
        if number <= header.row:
            continue
        tally.rows += 1
        if not "".join(cells).strip():
            tally.drop(number, "empty")
            continue
        cells = cells + [""] * (len(header.headers) - len(cells))
        code_text = cells[i_code].strip()
        if not code_text:
            tally.drop(number, "no authority code (totals or notes)", cells)
            continue
        code = organisation_code(code_text)
        if code not in organisations:
            organisations[code] = ctx.organisation_by_code(code)
        organisation_id = organisations[code]
        if organisation_id is None:
            tally.error(
                number,
                code_header,
                code_text,
                f"“{code}” is not the code of any organisation we know.",
            )
            continue
        if organisation_id != ctx.organisation_id:
            tally.error(number, code_header, code_text, _not_own(ctx, code, organisation_id))
            continue
        place_id = ctx.home_place_of(organisation_id)
        if place_id is None:
            tally.error(
                number,
                code_header,
                code_text,
                f"{ctx.organisation_name(organisation_id)} has no place of its own to "
                "put its spend in.",
            )
            continue
        parsed = []
        for index, name, service_code in values:
            text = cells[index].strip()
            if text.lower() in MISSING_MARKERS:
                tally.skipped_cells["not available"] += 1
                continue
            try:
                pence = amount_pence(text, factor)
            except ValueError as exc:
                tally.error(number, name, text, f"The figure {exc}.")
                parsed = None
                break
            if pence == 0:
                tally.skipped_cells["zero"] += 1
                continue
            parsed.append((name, service_code, pence))
        if parsed is None:
            continue
        for name, service_code, pence in parsed:
            key = (name, "", service_code, "", "")
            theme_id = themes.get(key)
            if theme_id is None:
                theme_id = themes[key] = ctx.theme_for(*key)
            if theme_id == ctx.unallocated_theme_id:
                tally.unallocate((name, "", ""), pence)
            tally.lines += 1
            tally.staged += 1
            tally.total += pence
            tally.credits += pence < 0
            yield (
                ctx.job_id,
                number,
                place_id,
                theme_id,
                pence,
                "revenue",
                "direct",
                "",
                "",
                f"{name} (revenue outturn)",
                "",
                "",
                name,
                service_code,
                "",
                False,
                None,
                "",
            )


def _not_own(ctx: Context, code: str, organisation_id: int) -> str:
    return (
        f"“{code}” is {ctx.organisation_name(organisation_id)}, not "
        f"{ctx.organisation_name(ctx.organisation_id)}, whose return this is: a spend return "
        "carries only its own organisation's spend. Load a table of many bodies as a national "
        "dataset instead."
    )
