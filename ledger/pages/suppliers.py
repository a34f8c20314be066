"""Supplier pages: find a payee, and see one payee across every council that pays it."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from ledger.calculations.suppliers import supplier_key_from_slug, supplier_slug
from ledger.selectors.suppliers import (
    LISTED,
    RANKED_LINES_LIMIT,
    TopSuppliers,
    supplier_lines,
    supplier_profile,
    supplier_search,
    supplier_years,
    top_suppliers,
)
from ledger.services.transfers import supplier_key
from ledger.tables import Column, Table

from .common import export_or_none
from .keyset import keyset_page

MONEY, COUNT = "money", "count"
LINES_PER_PAGE = 50
PAYERS_SHOWN = 50


def supplier_list_view(request):
    """Suppliers whose name contains the words searched for, most paid first; without a
    search, the suppliers paid most by every council in a year (the latest with approved
    returns unless chosen), the redacted lines counted apart, never named."""
    text = request.GET.get("q", "").strip()[:200]
    years = supplier_years()
    year = next((y for y in years if y.code == request.GET.get("year")), None)
    if text:
        table = suppliers_table(
            TopSuppliers(supplier_search(text=text), None),
            "suppliers",
            f"Suppliers matching “{text}”",
        )
    else:
        # One year, not every year: ranking every year read every rollup row (pages bench,
        # 1M rows: 0.6 s the first time); a year is a fifth of them.
        year = year or (years[0] if years else None)
        table = suppliers_table(
            top_suppliers(year=year, limit=LISTED) if year else TopSuppliers([], None),
            "suppliers",
            f"Suppliers paid most by every council, {year.code if year else ''}",
        )
    export = export_or_none(request, {"suppliers": table}, "suppliers")
    if export is not None:
        return export
    context = {"search": text, "table": table, "years": years, "year": year}
    return render(request, "ledger/suppliers/list.html", context)


def supplier_detail_view(request, slug: str):
    """One supplier, however each council spells it: who paid it, when, and the lines."""
    key = supplier_key_from_slug(slug)
    if not key:
        raise Http404("No such supplier")
    if supplier_key(key) != key:  # "acme-ltd" is Acme's page
        return redirect("supplier-detail", supplier_slug(supplier_key(key)))
    profile = supplier_profile(key=key)
    if profile is None:
        raise Http404("No approved line pays this supplier")
    # A supplier most councils pay has a payer row per body and year (pages bench: 995, which
    # took a second to build and render): the page shows the largest, the download every one.
    shown = None if request.GET.get("export") else PAYERS_SHOWN
    payers = _payers_table(key, profile, shown)
    export = export_or_none(request, {"payers": payers}, f"supplier-{slug}")
    if export is not None:
        return export
    # Prefetched, not joined: joined to the reference tables, the planner lost the id order
    # and read every line in parallel (pages bench, 2M lines: 460 ms against 14 ms).
    lines = supplier_lines(key=key, profile=profile).prefetch_related(
        "organisation", "place", "theme", "financial_year"
    )
    context = {
        "profile": profile,
        "name": key.title(),
        "payers": payers,
        "page": keyset_page(lines, request=request, per_page=LINES_PER_PAGE),
    }
    return render(request, "ledger/suppliers/detail.html", context)


def _payers_table(key: str, profile, shown: int | None) -> Table:
    """Who paid the supplier, by organisation and year (in year order, the largest first);
    with ``shown``, only that many of the largest, and a note saying so."""
    rows = profile.payers
    note = ""
    if shown is not None and len(rows) > shown:
        largest = sorted(rows, key=lambda p: (-p.amount, p.organisation.name))[:shown]
        kept = {id(p) for p in largest}
        rows = [p for p in rows if id(p) in kept]
        note = (
            f"The {shown} largest of {len(profile.payers):,} organisation-years; the download "
            "has every one. The total is every one's."
        )
    payers = Table(
        "payers",
        f"Paid to {key.title()}, by organisation and financial year",
        [
            Column("year", "Financial year"),
            Column("organisation", "Paid by"),
            Column("amount", "Amount", MONEY),
            Column("lines", "Lines", COUNT),
        ],
        note=note,
    )
    for payer in rows:
        payers.add(
            links={"organisation": reverse("organisation-detail", args=[payer.organisation.code])},
            year=payer.year.code,
            organisation=payer.organisation.name,
            amount=payer.amount,
            lines=payer.lines,
        )
    payers.add(css="total", year="Total", amount=profile.amount, lines=profile.lines)
    return payers


def too_many_to_rank(table_id: str, caption: str, lines: int) -> Table:
    """The top suppliers' table where the scope has too many lines to rank on the fly."""
    return Table(
        table_id,
        caption,
        [Column("supplier", "Supplier"), Column("amount", "Amount", MONEY)],
        note=f"{lines:,} lines: suppliers are ranked for up to {RANKED_LINES_LIMIT:,}. "
        "Search for a supplier, or see the lines by organisation.",
    )


def suppliers_table(top: TopSuppliers, table_id: str, caption: str) -> Table:
    """Suppliers (each linked to its page) and, apart, the redacted lines: counted, not named."""
    table = Table(
        table_id,
        caption,
        [
            Column("supplier", "Supplier"),
            Column("amount", "Amount", MONEY),
            Column("lines", "Lines", COUNT),
        ],
        note="Redacted: payments a council published without the payee's name (often a person); "
        "counted here, never named."
        if top.redacted
        else "",
    )
    for supplier in top.suppliers:
        table.add(
            links={"supplier": reverse("supplier-detail", args=[supplier.slug])},
            supplier=supplier.name,
            amount=supplier.amount,
            lines=supplier.lines,
        )
    if top.redacted:
        table.add(
            css="redacted",
            supplier="Redacted",
            amount=top.redacted.amount,
            lines=top.redacted.lines,
        )
    return table
