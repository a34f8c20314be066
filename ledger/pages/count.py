"""The count of a place on its page: each body's source, the basis and control splits, coverage;
and the reconciliation of the top-down count with the bottom-up one."""

from decimal import Decimal

from django.shortcuts import render
from django.urls import reverse

from ledger.calculations.cuts import Cut
from ledger.calculations.places import subtree_totals
from ledger.calculations.totals import aggregate
from ledger.selectors.count import count_coverage, count_reconciliation, count_sources
from ledger.tables import Column, Table

from .common import demo_context, export_or_none, lines_url, place_or_404

MONEY = "money"
BASIS_LABELS = {
    "direct": "Returned: the bodies' own figures",
    "apportioned": "Returned: the bodies' own figures",
    "estimated": "Estimated: top-down, apportioned from national figures",
}


def _share(amount: Decimal, total: Decimal) -> Decimal | None:
    return (amount * 100 / total).quantize(Decimal("0.1")) if total else None


def _split_table(
    place, year, dimension: str, caption: str, label: str, relabel=None, *, net: bool = True
) -> Table:
    result = aggregate(
        cut=Cut({"place": [place.code], "year": [year.code]}), drilldown=[dimension], net=net
    )
    table = Table(
        f"count-by-{dimension}",
        caption,
        [
            Column("name", label),
            Column("amount", "Amount", MONEY),
            Column("share", "Share %", "number"),
        ],
    )
    merged: dict[str, Decimal] = {}
    for cell in result.cells:
        member = cell.members[dimension]
        name = relabel.get(member.code, member.name) if relabel else member.name
        merged[name] = merged.get(name, Decimal(0)) + cell.amount
    for name, amount in sorted(merged.items(), key=lambda i: -i[1]):
        table.add(name=name, amount=amount, share=_share(amount, result.amount))
    table.add(
        css="total", name="Total", amount=result.amount, share=Decimal("100.0") if merged else None
    )
    return table


def _sources_table(place, year, net: bool) -> Table:
    table = Table(
        "count-sources",
        f"Where each body's figures come from, {year.code}",
        [
            Column("organisation", "Organisation"),
            Column("amount", "Amount", MONEY),
            Column("basis", "Basis"),
            Column("source", "Source used"),
        ],
        note="Each body is counted once: from its approved spend return where one covers the "
        "place and year, else from a published dataset of its own figures, else from a "
        "top-down estimate.",
    )
    for used in count_sources(place=place, year=year, net=net):
        link = lines_url(
            place, year=year.code, organisation=used.organisation.code, source=_source_code(used)
        )
        table.add(
            links={"amount": link},
            organisation=used.organisation.name,
            amount=used.amount,
            basis="Estimated (top-down)" if used.basis == "estimated" else "Returned",
            source=used.source,
        )
    return table


def _source_code(used) -> str:
    return f"edition-{used.edition_id}" if used.edition_id else "returns"


def count_tables(place, year, *, net: bool = True) -> dict[str, Table]:
    """The tables of the count section of a place's page."""
    return {
        "count-by-basis": _split_table(
            place,
            year,
            "basis",
            f"Returned and estimated, {year.code}",
            "Basis",
            BASIS_LABELS,
            net=net,
        ),
        "count-by-control": _split_table(
            place, year, "control", f"Who controls the money, {year.code}", "Controlled by", net=net
        ),
        "count-sources": _sources_table(place, year, net),
    }


def count_context(place, year) -> dict:
    # Not "coverage": the place page names the months each body covers so.
    return {"count_coverage": count_coverage(place=place, year=year)}


def _reconciliation_table(place, year, by: str) -> Table:
    rows = count_reconciliation(place=place, year=year, by=by)
    table = Table(
        "count-reconciliation",
        f"Top-down against bottom-up in {place.name}, {year.code}",
        [
            Column("label", "Sector" if by == "sector" else "Organisation (top-down)"),
            Column("theme", "Theme"),
            Column("top_down", "Top-down", MONEY),
            Column("bottom_up", "Bottom-up", MONEY),
            Column("difference", "Difference", MONEY),
            Column("percent", "Difference %", "number"),
        ],
        note="Top-down: the current top-down editions' estimates for the place, whether or not "
        "the count uses them. Bottom-up: approved returns and published figures of the bodies' "
        "own, compared with the body whose estimate stands for them (a department for its "
        "agency, “Local government in England” for a council). Difference: bottom-up minus "
        "top-down.",
    )
    top = bottom = Decimal(0)
    for row in rows:
        table.add(
            label=row.label,
            theme=row.theme,
            top_down=row.top_down,
            bottom_up=row.bottom_up,
            difference=row.difference,
            percent=row.percent,
        )
        top, bottom = top + row.top_down, bottom + row.bottom_up
    table.add(
        css="total",
        label="Total",
        top_down=top,
        bottom_up=bottom,
        difference=bottom - top,
        percent=((bottom - top) * 100 / abs(top)).quantize(Decimal("0.1")) if top else None,
    )
    return table


def place_count_reconciliation(request, slug: str):
    """Top-down against bottom-up for a place and year, by body or sector × theme."""
    place = place_or_404(slug)
    years = [row.year for row in subtree_totals([place])]
    year = next((y for y in years if y.code == request.GET.get("year")), None) or (
        years[-1] if years else None
    )
    by = "sector" if request.GET.get("by") == "sector" else "organisation"
    tables = {"count-reconciliation": _reconciliation_table(place, year, by)} if year else {}
    export = export_or_none(
        request, tables, f"{place.slug}-reconciliation-{year.code if year else ''}"
    )
    if export is not None:
        return export
    return render(
        request,
        "ledger/count_reconciliation.html",
        {
            "place": place,
            "year": year,
            "years": years,
            "by": by,
            "tables": tables,
            "place_url": reverse("place-detail", args=[place.slug]),
            **demo_context([place.pk]),
        },
    )
