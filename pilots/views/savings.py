"""Where-savings-land context for the pages, and the CSV export of the matrix."""

import csv
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.text import slugify

from ledger.exports import safe_cell
from ledger.models import Place
from pilots.models import Initiative, Pilot, Programme
from pilots.selectors import pages
from savings.selectors import attribution_for

MATRIX_COLUMNS = ["payer_code", "payer", "beneficiary_code", "beneficiary", "present_value_gbp"]


def _csv_url(subject) -> str:
    if isinstance(subject, Initiative):
        return reverse("pilots:initiative-matrix-csv", args=[subject.public_id])
    if isinstance(subject, Pilot):
        return reverse("pilots:pilot-matrix-csv", args=[subject.slug])
    if isinstance(subject, Programme):
        return reverse("pilots:programme-matrix-csv", args=[subject.slug])
    return reverse("pilots:place-matrix-csv", args=[subject.slug])


def sankey_data(attribution) -> dict:
    """Flows for chartjs-chart-sankey: payers on the left, beneficiaries on the right.

    A body that both pays and saves appears twice ("pays" and "saves") so the diagram reads
    left to right. Flow sizes are for drawing only; the table beside it has the exact values.
    """
    flows, labels = [], {}
    for cell in attribution.matrix:
        source = f"pays:{cell['payer'] or '-'}"
        target = f"saves:{cell['beneficiary']}"
        labels[source] = f"{cell['payer_name']} (pays)"
        labels[target] = f"{cell['beneficiary_name']} (saves)"
        flows.append({"from": source, "to": target, "flow": cell["present_value"]})
    return {"flows": flows, "labels": labels}


def where_savings_land_context(attribution, subject) -> dict:
    if attribution is None:
        return {"attribution": None, "matrix_csv_url": _csv_url(subject)}
    payers = sorted({(c["payer"] or "", c["payer_name"]) for c in attribution.matrix})
    beneficiaries = sorted({(c["beneficiary"], c["beneficiary_name"]) for c in attribution.matrix})
    cells = {(c["payer"] or "", c["beneficiary"]): c["present_value"] for c in attribution.matrix}
    grid = [
        {
            "payer": name,
            "cells": [cells.get((code, b)) for b, _ in beneficiaries],
            "total": sum(
                (_decimal(cells[(code, b)]) for b, _ in beneficiaries if (code, b) in cells),
                start=_decimal("0"),
            ),
        }
        for code, name in payers
    ]
    column_totals = [
        sum(
            (_decimal(cells[(p, code)]) for p, _ in payers if (p, code) in cells),
            start=_decimal("0"),
        )
        for code, _ in beneficiaries
    ]
    return {
        "attribution": attribution,
        "matrix_beneficiaries": [name for _, name in beneficiaries],
        "matrix_grid": grid,
        "matrix_column_totals": column_totals,
        "matrix_total": sum(column_totals, start=_decimal("0")),
        "sankey": sankey_data(attribution),
        "matrix_csv_url": _csv_url(subject),
    }


def _decimal(text: str) -> Decimal:
    return Decimal(text)


def _subject(kind: str, key):
    models = {"pilot": Pilot, "programme": Programme, "place": Place}
    try:
        return models[kind].objects.get(slug=key)
    except models[kind].DoesNotExist:
        raise Http404("Not found") from None


def matrix_csv(request, kind: str, key):
    """The payer × beneficiary matrix of present values as CSV, one row per cell."""
    if kind == "initiative":
        try:
            subject = pages.initiative_get(public_id=key, user=request.user)
        except Initiative.DoesNotExist:
            raise Http404("Not found") from None
    else:
        subject = _subject(kind, key)
    attribution = attribution_for(subject=subject)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(str(subject))[:60] or kind
    response["Content-Disposition"] = f'attachment; filename="where-savings-land-{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(MATRIX_COLUMNS)
    for cell in attribution.matrix if attribution else []:
        # Names escaped for spreadsheets (OWASP CSV injection); the value stays a number.
        writer.writerow(
            [
                safe_cell(cell["payer"] or ""),
                safe_cell(cell["payer_name"]),
                safe_cell(cell["beneficiary"]),
                safe_cell(cell["beneficiary_name"]),
                Decimal(cell["present_value"]),
            ]
        )
    return response
