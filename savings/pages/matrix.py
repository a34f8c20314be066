"""Where the savings land on a page (table, diagram) and as CSV, for any scope."""

from decimal import Decimal

from django.http import Http404
from django.urls import reverse
from django.utils.text import slugify

from ledger.exports import ExportAbout, csv_rows_response
from ledger.models import Place
from pilots.models import Initiative, Pilot, Programme
from pilots.selectors import pages
from savings.models import Attribution
from savings.selectors import attribution_for, matrix_table

MATRIX_COLUMNS = ["payer_code", "payer", "beneficiary_code", "beneficiary", "present_value_gbp"]


def matrix_csv_url(subject: Initiative | Pilot | Programme | Place) -> str:
    if isinstance(subject, Initiative):
        return reverse("savings:initiative-matrix-csv", args=[subject.public_id])
    if isinstance(subject, Pilot):
        return reverse("savings:pilot-matrix-csv", args=[subject.slug])
    if isinstance(subject, Programme):
        return reverse("savings:programme-matrix-csv", args=[subject.slug])
    return reverse("savings:place-matrix-csv", args=[subject.slug])


def sankey_data(attribution: Attribution) -> dict:
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


def where_savings_land_context(attribution: Attribution | None, subject) -> dict:
    """What ``savings/includes/where_savings_land.html`` shows for one scope."""
    if attribution is None:
        return {"attribution": None, "matrix_csv_url": matrix_csv_url(subject)}
    table = matrix_table(attribution=attribution)
    return {
        "attribution": attribution,
        "matrix_beneficiaries": table.beneficiaries,
        "matrix_grid": table.rows,
        "matrix_column_totals": table.column_totals,
        "matrix_total": table.total,
        "sankey": sankey_data(attribution),
        "matrix_csv_url": matrix_csv_url(subject),
    }


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
    name = slugify(str(subject))[:60] or kind
    rows = (
        # Names are escaped for spreadsheets by the writer; the value stays a number.
        [
            cell["payer"] or "",
            cell["payer_name"],
            cell["beneficiary"],
            cell["beneficiary_name"],
            Decimal(cell["present_value"]),
        ]
        for cell in (attribution.matrix if attribution else [])
    )
    about = ExportAbout(
        source=f"TotalPlace, where the savings land: {subject} ({request.build_absolute_uri()})",
        # Not yet computed: no figures, so nothing to license either way.
        illustrative=attribution.is_illustrative if attribution else None,
        as_of=attribution.computed_at if attribution else None,
    )
    return csv_rows_response(f"where-savings-land-{name}", MATRIX_COLUMNS, rows, about=about)
