"""Compare up to six places side by side: cash, per head, and real terms."""

from django.shortcuts import render

from ledger.calculations.cuts import place_subtree_ids
from ledger.calculations.measures import Measure, measure_choices
from ledger.calculations.places import subtree_totals
from ledger.models import Place
from ledger.selectors.count import not_reported_by_place
from ledger.selectors.coverage import place_coverage
from ledger.selectors.places import place_list, place_names
from ledger.tables import Column, Table

from .common import as_of, demo_context, export_or_none

MAX_PLACES = 6
NOT_REPORTED = "—"


def _find(text: str) -> Place | None:
    text = text.strip()
    if not text:
        return None
    exact = Place.objects.filter(slug=text.lower()).first()
    return exact or place_list(search=text).first()


def _value(row, measure: Measure):
    if row is None:
        return None
    return measure.apply(row.amount, year=row.year.code, persons=row.persons)


def compare(request):
    """Places side by side by financial year, in the measure the analyst picks."""
    asked = [t for t in request.GET.getlist("place") if t.strip()][:MAX_PLACES]
    found = [(text, _find(text)) for text in asked]
    places = list(dict.fromkeys(p for _, p in found if p))
    missing = [text for text, p in found if p is None]
    chosen = Measure.from_query(request.GET)
    measure, base_year = chosen.key, chosen.base_year
    # Net of what each place's bodies pay one another, as on each place's page.
    net = request.GET.get("transfers") != "gross"
    rows = subtree_totals(places, net=net) if places else []
    by = {(r.place.pk, r.year.code): r for r in rows}
    years = sorted({r.year.code for r in rows})
    table = Table(
        "comparison",
        f"{chosen.label}, by financial year, "
        + ("net of payments between each place's public bodies" if net else "gross"),
        [Column("year", "Financial year")]
        + [Column(f"p{p.pk}", p.name, "money", missing=NOT_REPORTED) for p in places],
        note=" ".join(
            note
            for note in (
                _gaps_note(places, years, by, measure),
                _part_year_note(places, rows),
                chosen.note,
                _nearest_note(rows) if measure.endswith("per_head") else "",
            )
            if note
        ),
    )
    for year in years:
        table.add(
            year=year,
            **{f"p{p.pk}": _value(by.get((p.pk, year)), chosen) for p in places},
        )
    subtree = [pid for p in places for pid in place_subtree_ids([p.pk])]
    demo = demo_context(subtree)
    export = export_or_none(
        request, {"comparison": table}, "compare-places", illustrative=demo["illustrative"]
    )
    if export is not None:
        return export
    chart = {
        "years": years,
        "places": [{"label": p.name, "data": _column(table, p)} for p in places],
    }
    silent = not_reported_by_place(place_ids=subtree, year_ids=[r.year.pk for r in rows] or [0])
    context = {
        "places": places,
        "inputs": (asked + [""] * MAX_PLACES)[:MAX_PLACES],
        "missing": missing,
        "measure": measure,
        "base_year": base_year,
        "net": net,
        **measure_choices(),
        "table": table,
        "chart": chart,
        "as_of": as_of(),
        "max_places": MAX_PLACES,
        "place_names": place_names(),
        # A body published as "..." makes its place's total incomplete: say so beside it.
        "not_reported": [n for found in silent.values() for n in found],
        **demo,
    }
    return render(request, "ledger/compare.html", context)


def _nearest_note(rows) -> str:
    borrowed = sorted(
        {f"{r.place.name} {r.year.code} ({r.persons_year})" for r in rows if r.persons_year}
    )
    if not borrowed:
        return ""
    return (
        "Per head uses the nearest year's population where a year has none: "
        + "; ".join(borrowed)
        + "."
    )


def _part_year_note(places, rows) -> str:
    """The figures that cover part of their year, as each place's page marks them."""
    coverage = {p.pk: place_coverage(place=p) for p in places}
    short = [
        f"{r.place.name} {r.year.code} is {found.label}"
        for r in rows
        if (found := coverage[r.place.pk].get(r.year.pk)) is not None and found.part_year
    ]
    return "; ".join(short) + "." if short else ""


def _gaps_note(places, years, by, measure: str) -> str:
    """What "—" means (a gap, not a zero), when the table has one."""
    missing = any((p.pk, y) not in by for p in places for y in years)
    if measure.endswith("per_head"):
        missing = missing or any(by[k].persons is None for k in by)
        if missing:
            return f"{NOT_REPORTED} not reported, or no population to divide by: not £0."
    if not missing:
        return ""
    return f"{NOT_REPORTED} not reported: no figures for that year, which is not £0."


def _column(table: Table, place: Place) -> list:
    """A place's figures for the chart: a year with none is a gap (null), never drawn as £0."""
    values = (row.cells.get(f"p{place.pk}") for row in table.rows)
    return [None if value is None else str(value) for value in values]
