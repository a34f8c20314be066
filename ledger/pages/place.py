"""The place overview: totals, per head, breakdowns, charts, comparison, reconciliation."""

from decimal import Decimal

from django.shortcuts import render
from django.urls import reverse

from ledger.calculations.coverage import months_label
from ledger.calculations.cuts import Cut, place_subtree_ids
from ledger.calculations.measures import Measure, measure_choices
from ledger.calculations.places import APPORTIONED_LABEL, area_wide_shares, peers, subtree_totals
from ledger.calculations.totals import aggregate
from ledger.models import FinancialYear
from ledger.selectors.count import not_reported_by_place
from ledger.selectors.coverage import YearCoverage, place_coverage
from ledger.selectors.places import place_populations
from ledger.selectors.suppliers import RANKED_LINES_LIMIT, top_suppliers
from ledger.tables import Column, Table

from .common import (
    as_of,
    demo_context,
    export_or_none,
    lines_url,
    place_or_404,
    reconciliation_status,
)
from .count import count_context, count_tables
from .suppliers import suppliers_table, too_many_to_rank
from .transfers import transfer_flows

MONEY, COUNT = "money", "count"


def _breakdown(
    place,
    year,
    dimension: str,
    label: str,
    caption: str,
    filter_key: str,
    net: bool = True,
    coverage: YearCoverage | None = None,
) -> Table:
    """A breakdown of the year's total; by organisation, with the months each body covers."""
    result = aggregate(
        cut=Cut({"place": [place.code], "year": [year.code]}), drilldown=[dimension], net=net
    )
    columns = [
        Column("name", label),
        Column("amount", "Amount", MONEY),
        Column("share", "Share %", "number"),
        Column("lines", "Lines", COUNT),
    ]
    if coverage is not None:
        columns.append(Column("months", "Months covered"))
    table = Table(f"by-{dimension.replace('_', '-')}", caption, columns)
    for cell in result.cells:
        member = cell.members[dimension]
        link = lines_url(place, year=year.code, **{filter_key: member.code})
        # One decimal: a body with 0.4% of a county's spend should not read as 0.
        share = (
            (cell.amount * 100 / result.amount).quantize(Decimal("0.1")) if result.amount else None
        )
        months = {}
        if coverage is not None:
            body = coverage.of(member.id)
            months["months"] = body.label if body else months_label(None)
        table.add(
            links={"amount": link, "name": link},
            name=member.name,
            amount=cell.amount,
            share=share,
            lines=cell.lines,
            **months,
        )
    table.add(
        css="total",
        name="Total",
        amount=result.amount,
        share=Decimal("100.0") if result.cells else None,
        lines=result.lines,
        **({"months": coverage.summary} if coverage is not None else {}),
    )
    return table


def _years_table(place, years, coverage: dict[int, YearCoverage], measure: Measure) -> Table:
    shown = [Column("measured", measure.label, MONEY)] if measure.key != "cash" else []
    table = Table(
        "by-year",
        f"Approved spend in {place.name} and the places within it, by financial year",
        [
            Column("year", "Financial year"),
            Column("amount", "Total", MONEY),
            Column("persons", "Population", COUNT),
            Column("persons_year", "Population of"),
            Column("per_head", "Per head", MONEY),
            *shown,
            Column("lines", "Lines", COUNT),
            Column("months", "Months covered"),
        ],
        note="Where a year has no population figure, per head uses the nearest year's (within "
        "five years), named under “Population of”. " + measure.note,
    )
    for row in years:
        link = lines_url(place, year=row.year.code)
        table.add(
            links={"amount": link},
            year=row.year.code,
            amount=row.amount,
            persons=row.persons,
            persons_year=row.persons_year or (row.year.code if row.persons else None),
            per_head=row.per_head,
            measured=measure.apply(row.amount, year=row.year.code, persons=row.persons),
            lines=row.lines,
            months=coverage.get(row.year.pk, YearCoverage(row.year)).summary,
        )
    return table


def _comparison_table(place, year, net: bool, measure: Measure) -> Table:
    compared = ([place.parent] if place.parent else []) + [place] + peers(place)
    figures = {r.place.pk: r for r in subtree_totals(compared, [year], net=net)}
    shown = [Column("measured", measure.label, MONEY)] if measure.key != "cash" else []
    table = Table(
        "comparison",
        f"{place.name} compared with its parent and peers, {year.code}",
        [
            Column("place", "Place"),
            Column("relation", "Relation"),
            Column("amount", "Total", MONEY),
            Column("per_head", "Per head", MONEY),
            *shown,
        ],
        note=measure.note,
    )
    for other in compared:
        relation = (
            "this place" if other == place else ("parent" if other == place.parent else "peer")
        )
        figure = figures.get(other.pk)
        table.add(
            links={"place": reverse("place-detail", args=[other.slug])},
            place=other.name,
            relation=relation,
            amount=figure.amount if figure else None,
            per_head=figure.per_head if figure else None,
            measured=measure.apply(figure.amount, year=year.code, persons=figure.persons)
            if figure
            else None,
        )
    return table


def _area_share_table(place, year, own_total) -> Table | None:
    shares = area_wide_shares(place, year)
    if not shares:
        return None
    table = Table(
        "area-wide-share",
        f"Total place: {place.name}'s share of {place.parent.name}-wide spend, {year.code}",
        [
            Column("organisation", "Organisation"),
            Column("basis", "Basis"),
            Column("amount", "Amount", MONEY),
        ],
        note=(
            f"{APPORTIONED_LABEL}: {shares[0].persons:,} of {shares[0].area_persons:,} people in "
            f"{place.parent.name}. Spend recorded for the whole of {place.parent.name} is split "
            "across its districts in proportion to population."
        ),
    )
    for share in shares:
        table.add(
            organisation=share.organisation.name, basis=APPORTIONED_LABEL, amount=share.amount
        )
    total_share = sum(s.amount for s in shares)
    table.add(css="total", organisation="Share of area-wide spend", amount=total_share)
    table.add(
        css="total",
        organisation=f"Total place ({place.name} spend plus its share)",
        amount=own_total + total_share,
    )
    return table


def _reconciliation_table(status) -> Table:
    table = Table(
        "reconciliation",
        "Reconciliation residuals (lines minus rollups)",
        [
            Column("organisation", "Organisation"),
            Column("year", "Financial year"),
            Column("lines_amount", "Lines", MONEY),
            Column("rollup_amount", "Rollups", MONEY),
            Column("residual", "Residual", MONEY),
            Column("receivers_mismatched", "Lines paying another body than their match", "count"),
        ],
    )
    for check in status["residuals"]:
        table.add(
            css="residual",
            organisation=check.organisation.name,
            year=check.financial_year.code,
            lines_amount=check.lines_amount,
            rollup_amount=check.rollup_amount,
            residual=check.residual,
            receivers_mismatched=check.receivers_mismatched,
        )
    return table


def _chart_data(place, years, year, net: bool) -> dict:
    cut = Cut({"place": [place.code]})
    stacked = aggregate(cut=cut, drilldown=["year", "sector"], order=["year"], net=net)
    themes = aggregate(cut=cut.with_filter("year", year.code), drilldown=["theme_group"], net=net)
    sectors = sorted({c.members["sector"] for c in stacked.cells})
    year_codes = [r.year.code for r in years]
    by = {(c.members["year"].code, c.members["sector"].code): c.amount for c in stacked.cells}
    return {
        "years": year_codes,
        "totals": [str(r.amount) for r in years],
        "sectors": [
            {"label": s.name, "data": [str(by.get((y, s.code), 0)) for y in year_codes]}
            for s in sectors
        ],
        "themes": {
            "labels": [c.members["theme_group"].name for c in themes.cells],
            "data": [str(c.amount) for c in themes.cells],
        },
        "year": year.code,
    }


def place_detail(request, slug: str):
    """A place's public spending: total, per head, by sector, organisation, theme and year."""
    place = place_or_404(slug)
    subtree = place_subtree_ids([place.pk])
    # The count of a place leaves out what its bodies pay one another (counted again in the
    # receiver's own spending); the gross figures are one click away.
    net = request.GET.get("transfers") != "gross"
    measure = Measure.from_query(request.GET)
    years = subtree_totals([place], net=net)
    available = [r.year for r in years]
    year = next((y for y in available if y.code == request.GET.get("year")), None)
    year = year or (available[-1] if available else None)
    context = {
        "place": place,
        "children": place.children.order_by("name"),
        "successors": place.successors.order_by("name"),
        "predecessors": place.predecessors.order_by("name"),
        "populations": place_populations(place=place),
        "years": available,
        "year": year,
        "as_of": as_of(),
        "net": net,
        "measure": measure,
        **measure_choices(),
        **demo_context(subtree),
    }
    tables = {}
    if year:
        current = next(r for r in years if r.year == year)
        coverage = place_coverage(place=place)
        year_coverage = coverage.get(year.pk)
        tables = {
            "by-year": _years_table(place, years, coverage, measure),
            "by-sector": _breakdown(
                place, year, "sector", "Sector", f"By sector, {year.code}", "sector", net
            ),
            "by-organisation": _breakdown(
                place,
                year,
                "organisation",
                "Organisation",
                f"By organisation, {year.code}",
                "organisation",
                net,
                coverage=year_coverage or YearCoverage(year),
            ),
            "by-theme-group": _breakdown(
                place, year, "theme_group", "Theme", f"By theme, {year.code}", "theme", net
            ),
            "comparison": _comparison_table(place, year, net, measure),
        }
        counted = count_tables(place, year, net=net)
        flows, sankey, uncounted_transfers = transfer_flows(place, year)
        if flows.rows:
            tables["transfers"] = flows
        tables.update(counted)
        context.update(
            count_context(place, year),
            count_ids=list(counted),
            count_by_basis=counted["count-by-basis"],
            count_by_control=counted["count-by-control"],
            count_sources=counted["count-sources"],
        )
        ranked = f"Suppliers paid most in {place.name}, {year.code}"
        if current.lines > RANKED_LINES_LIMIT:
            tables["top-suppliers"] = too_many_to_rank("top-suppliers", ranked, current.lines)
        elif (top := top_suppliers(place=place, year=year)).suppliers or top.redacted:
            tables["top-suppliers"] = suppliers_table(top, "top-suppliers", ranked)
        share = _area_share_table(place, year, current.amount)
        if share:
            tables["area-wide-share"] = share
        status = reconciliation_status(subtree)
        tables["reconciliation"] = _reconciliation_table(status)
        context.update(
            current=current,
            coverage=year_coverage,
            reconciliation=status,
            charts=_chart_data(place, years, year, net),
            sankey=sankey,
            uncounted_transfers=uncounted_transfers,
            lines_link=lines_url(place, year=year.code),
        )
    else:
        context["not_reported_anywhere"] = [
            n
            for found in not_reported_by_place(
                place_ids=subtree, year_ids=list(FinancialYear.objects.values_list("pk", flat=True))
            ).values()
            for n in found
        ]
    export = export_or_none(
        request,
        tables,
        f"{place.slug}-{year.code if year else ''}",
        illustrative=context["illustrative"],
    )
    if export is not None:
        return export
    context["tables"] = tables
    return render(request, "ledger/place_detail.html", context)
