"""Organisation pages: a body's spend in every place it serves, its returns, and its transfers."""

from collections import defaultdict
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from ledger.calculations.coverage import months_label, part_year_label
from ledger.calculations.measures import Measure, measure_choices
from ledger.calculations.places import populations
from ledger.models import FinancialYear, Organisation, Place
from ledger.selectors.organisations import (
    area_populations,
    organisation_coverage,
    organisation_get,
    organisation_list,
    organisation_returns,
    organisation_spend,
    organisation_transfers,
)
from ledger.selectors.suppliers import RANKED_LINES_LIMIT, top_suppliers
from ledger.tables import Column, Table

from .common import as_of, export_or_none, lines_url
from .suppliers import suppliers_table, too_many_to_rank

MONEY, COUNT = "money", "count"
PER_PAGE = 50


def organisation_list_view(request):
    """Every organisation with counted spend, searchable by name or code."""
    search = request.GET.get("q", "").strip()
    page = Paginator(organisation_list(search=search), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "ledger/organisations/list.html", {"page": page, "search": search})


def organisation_detail_view(request, code: str):
    """An organisation's spend by year, theme and place, its returns and their months, and
    what it pays other public bodies and receives from them."""
    try:
        organisation = organisation_get(code=code)
    except Organisation.DoesNotExist as exc:
        raise Http404("No such organisation") from exc
    measure = Measure.from_query(request.GET)
    spend = organisation_spend(organisation=organisation)
    years = [c.members["year"] for c in spend.by_year.cells]
    year = next((y for y in years if y.code == request.GET.get("year")), None)
    year = year or (years[-1] if years else None)
    area = area_populations(organisation=organisation)
    coverage = organisation_coverage(organisation=organisation)
    paid, received = organisation_transfers(organisation=organisation)
    tables = {
        "by-year": _years_table(organisation, spend, measure, area, coverage, paid),
        "by-theme": _themes_table(organisation, spend, measure, area),
    }
    if year:
        tables["by-place"] = _places_table(organisation, spend, year, measure)
        tables.update(_top_suppliers(organisation, spend, year))
    tables["returns"] = _returns_table(organisation)
    if paid:
        tables["paid"] = _flows_table("paid", f"What {organisation.name} paid", paid, measure)
    if received:
        tables["received"] = _flows_table(
            "received", f"What {organisation.name} received", received, measure
        )
    export = export_or_none(request, tables, f"organisation-{organisation.code.lower()}")
    if export is not None:
        return export
    context = {
        "organisation": organisation,
        "tables": tables,
        "shown": {key.replace("-", "_"): table for key, table in tables.items()},
        "total": spend.by_year,
        "years": years,
        "year": year,
        "measure": measure,
        **measure_choices(),
        "as_of": as_of(),
    }
    return render(request, "ledger/organisations/detail.html", context)


def _top_suppliers(organisation, spend, year) -> dict[str, Table]:
    caption = f"Suppliers {organisation.name} paid most, {year.code}"
    lines = next(c.lines for c in spend.by_year.cells if c.members["year"] == year)
    if lines > RANKED_LINES_LIMIT:
        return {"top-suppliers": too_many_to_rank("top-suppliers", caption, lines)}
    top = top_suppliers(organisation=organisation, year=FinancialYear.objects.get(pk=year.id))
    if not (top.suppliers or top.redacted):
        return {}
    return {"top-suppliers": suppliers_table(top, "top-suppliers", caption)}


def _measured(measure: Measure) -> list[Column]:
    return [Column("measured", measure.label, MONEY)] if measure.key != "cash" else []


def _years_table(organisation, spend, measure, area, coverage, paid) -> Table:
    to_bodies: dict[int, Decimal] = defaultdict(Decimal)
    for flow in paid:
        to_bodies[flow.year.pk] += flow.amount
    table = Table(
        "by-year",
        f"Spend by {organisation.name} in every place it serves, by financial year",
        [
            Column("year", "Financial year"),
            Column("amount", "Spend", MONEY),
            *_measured(measure),
            Column("paid", "Of which paid to public bodies", MONEY),
            Column("lines", "Lines", COUNT),
            Column("months", "Months covered"),
        ],
        note=" ".join(
            n
            for n in (
                "Gross: what it spent, including what it paid other public bodies (counted again "
                "in theirs).",
                "Per head divides by the people of the places its spend is recorded in."
                if measure.per_head
                else "",
                measure.note,
            )
            if n
        ),
    )
    for cell in spend.by_year.cells:
        year = cell.members["year"]
        months = coverage.get(year.id)
        table.add(
            year=year.code,
            amount=cell.amount,
            measured=measure.apply(cell.amount, year=year.code, persons=area.get(year.id)),
            paid=to_bodies.get(year.id, Decimal("0.00")),
            lines=cell.lines,
            months=part_year_label(months) or months_label(months),
        )
    table.add(
        css="total",
        year="Total",
        amount=spend.by_year.amount,
        paid=sum(to_bodies.values(), Decimal("0.00")),
        lines=spend.by_year.lines,
    )
    return table


def _themes_table(organisation, spend, measure, area) -> Table:
    years = [c.members["year"] for c in spend.by_year.cells]
    cells = {(c.members["theme_group"], c.members["year"].code): c for c in spend.by_theme.cells}
    themes = sorted({theme for theme, _ in cells})
    table = Table(
        "by-theme",
        f"Spend by {organisation.name} by theme and financial year ({measure.label})",
        [Column("theme", "Theme")]
        + [Column(f"y{y.code}", y.code, MONEY) for y in years]
        + ([Column("total", "Total", MONEY)] if measure.key == "cash" else []),
        note=measure.note,
    )
    for theme in themes:
        row = {
            f"y{y.code}": measure.apply(
                cells[(theme, y.code)].amount, year=y.code, persons=area.get(y.id)
            )
            for y in years
            if (theme, y.code) in cells
        }
        if measure.key == "cash":
            row["total"] = sum(row.values(), Decimal("0.00"))
        table.add(theme=theme.name, **row)
    totals = {
        f"y{c.members['year'].code}": measure.apply(
            c.amount, year=c.members["year"].code, persons=area.get(c.members["year"].id)
        )
        for c in spend.by_year.cells
    }
    if measure.key == "cash":
        totals["total"] = spend.by_year.amount
    table.add(css="total", theme="Total", **totals)
    return table


def _places_table(organisation, spend, year, measure) -> Table:
    cells = [c for c in spend.by_place.cells if c.members["year"].code == year.code]
    cells.sort(key=lambda c: (-c.amount, c.members["place"].name))
    places = Place.objects.in_bulk([c.members["place"].id for c in cells])
    persons = populations(list(places.values()), [year.id])
    table = Table(
        "by-place",
        f"Spend by {organisation.name} by place, {year.code}",
        [
            Column("place", "Place"),
            Column("amount", "Spend", MONEY),
            Column("per_head", "Per head", MONEY),
            *_measured(measure),
            Column("lines", "Lines", COUNT),
        ],
        note=" ".join(
            n
            for n in (
                "Spend recorded for a whole county is not also split across its districts here.",
                measure.note,
            )
            if n
        ),
    )
    cash_per_head = Measure("per_head")
    for cell in cells:
        place = places[cell.members["place"].id]
        people = persons.get((place.pk, year.id))
        link = lines_url(place, organisation=organisation.code, year=year.code)
        table.add(
            links={"place": reverse("place-detail", args=[place.slug]), "amount": link},
            place=place.name,
            amount=cell.amount,
            per_head=cash_per_head.apply(cell.amount, year=year.code, persons=people),
            measured=measure.apply(cell.amount, year=year.code, persons=people),
            lines=cell.lines,
        )
    table.add(
        css="total",
        place="Total",
        amount=sum((c.amount for c in cells), Decimal("0.00")),
        lines=sum(c.lines for c in cells),
    )
    return table


def _returns_table(organisation) -> Table:
    table = Table(
        "returns",
        f"Approved spend returns of {organisation.name}",
        [
            Column("year", "Financial year"),
            Column("title", "Return"),
            Column("place", "Place"),
            Column("version", "Version", COUNT),
            Column("months", "Months covered"),
            Column("part_year", "Part year"),
        ],
    )
    for row in organisation_returns(organisation=organisation):
        spend_return = row.spend_return
        table.add(
            links={"title": reverse("spend-return-detail", args=[spend_return.pk])},
            year=spend_return.financial_year.code,
            title=spend_return.title or str(spend_return),
            place=spend_return.place.name if spend_return.place else "Every place it serves",
            version=spend_return.version,
            months=row.label,
            part_year=row.part_year or "no",
        )
    return table


def _flows_table(table_id: str, caption: str, flows, measure: Measure) -> Table:
    other = "Paid to" if table_id == "paid" else "Paid by"
    table = Table(
        table_id,
        f"{caption}, by public body and financial year",
        [
            Column("year", "Financial year"),
            Column("body", other),
            Column("amount", "Amount", MONEY),
            *([Column("measured", measure.label, MONEY)] if measure.real else []),
            Column("lines", "Lines", COUNT),
        ],
        note=measure.note if measure.real else "",
    )
    real = Measure("real", measure.base_year)
    for flow in flows:
        table.add(
            links={"body": reverse("organisation-detail", args=[flow.other.code])},
            year=flow.year.code,
            body=flow.other.name,
            amount=flow.amount,
            measured=real.apply(flow.amount, year=flow.year.code, persons=None),
            lines=flow.lines,
        )
    table.add(
        css="total",
        year="Total",
        amount=sum((f.amount for f in flows), Decimal("0.00")),
        lines=sum(f.lines for f in flows),
    )
    return table
