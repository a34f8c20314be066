"""Supplier pages: find a payee, and see one payee across every council that pays it."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from ledger.calculations.suppliers import supplier_key_from_slug, supplier_slug
from ledger.selectors.suppliers import (
    RANKED_LINES_LIMIT,
    TopSuppliers,
    supplier_lines,
    supplier_profile,
    supplier_search,
)
from ledger.services.transfers import supplier_key
from ledger.tables import Column, Table

from .common import export_or_none
from .keyset import keyset_page

MONEY, COUNT = "money", "count"
LINES_PER_PAGE = 50


def supplier_list_view(request):
    """Suppliers whose name contains the words searched for, most paid first."""
    text = request.GET.get("q", "").strip()[:200]
    found = supplier_search(text=text) if text else []
    return render(
        request,
        "ledger/suppliers/list.html",
        {
            "search": text,
            "table": suppliers_table(
                TopSuppliers(found, None), "suppliers", f"Suppliers matching “{text}”"
            ),
        },
    )


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
    payers = Table(
        "payers",
        f"Paid to {key.title()}, by organisation and financial year",
        [
            Column("year", "Financial year"),
            Column("organisation", "Paid by"),
            Column("amount", "Amount", MONEY),
            Column("lines", "Lines", COUNT),
        ],
    )
    for payer in profile.payers:
        payers.add(
            links={"organisation": reverse("organisation-detail", args=[payer.organisation.code])},
            year=payer.year.code,
            organisation=payer.organisation.name,
            amount=payer.amount,
            lines=payer.lines,
        )
    payers.add(css="total", year="Total", amount=profile.amount, lines=profile.lines)
    export = export_or_none(request, {"payers": payers}, f"supplier-{slug}")
    if export is not None:
        return export
    lines = supplier_lines(key=key, profile=profile).select_related(
        "organisation", "place", "theme", "financial_year"
    )
    context = {
        "profile": profile,
        "name": key.title(),
        "payers": payers,
        "page": keyset_page(lines, request=request, per_page=LINES_PER_PAGE),
    }
    return render(request, "ledger/suppliers/detail.html", context)


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
