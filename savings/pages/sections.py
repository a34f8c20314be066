"""What savings shows on pilots' pages: an initiative's appraisal, costs and benefits, and where
the savings land for an initiative, a pilot, a programme or a place (the sections of
``pilots.pages.common``). The page's where-savings-land table and diagram are built here, beside
the sections that show them; the CSV of the same matrix is ``matrix.py``."""

from django.urls import reverse

from ledger.models import Place
from ledger.selectors.access import user_organisations
from pilots.models import Initiative, Pilot, Programme
from pilots.pages.common import provides
from pilots.selectors.access import Visible
from savings import selectors
from savings.models import Attribution
from savings.selectors.realisation import (
    NOT_TRANSFERABLE,
    ledger_checks,
    realisation,
    saving_actions,
    savings_for,
)


@provides("initiative")
def initiative_sections(*, request, subject, visible: Visible, may_edit: bool) -> dict:
    appraisal = selectors.appraisal_for(initiative=subject)
    years = appraisal.years if appraisal else []
    return {
        "appraisal": appraisal,
        "years": years,
        "chart_years": {
            "labels": [f"Year {row['year']}" for row in years],
            "pv_costs": [row["pv_costs"] for row in years],
            "pv_fiscal": [row["pv_fiscal"] for row in years],
            "pv_economic": [row["pv_economic"] for row in years],
            "pv_social": [row["pv_social"] for row in years],
            "cumulative": [row["cumulative_fiscal_pv_net"] for row in years],
        },
        "costs": selectors.cost_lines(initiative=subject),
        "benefits": selectors.benefit_flows(initiative=subject, evidence=visible.evidence),
        **where_savings_land_context(selectors.attribution_for(subject=subject), subject),
        **_realisation_context(request, subject, visible, checks=True, may_edit=may_edit),
    }


def _realisation_context(
    request, subject, visible: Visible, *, checks: bool = False, may_edit: bool = False
) -> dict:
    """Each saving with its ledger check and the steps the user may take (an initiative;
    ``may_edit``: whether the user may change its pilot), and forecast against realised by
    organisation and year (any scope)."""
    savings = list(savings_for(subject=subject, initiatives=visible.initiatives))
    rows, total = realisation(savings=savings)
    context = {
        "savings": savings,
        "realisation_rows": rows,
        "realisation_total": total,
        "not_transferable": None if checks else NOT_TRANSFERABLE,
    }
    if checks:
        mine = set(user_organisations(user=request.user).values_list("pk", flat=True))
        context["saving_rows"] = [
            {
                "saving": check.saving,
                "check": check,
                "actions": saving_actions(
                    saving=check.saving,
                    user=request.user,
                    organisation_ids=mine,
                    may_edit_pilot=may_edit,
                ),
            }
            for check in ledger_checks(savings=savings)
        ]
    return context


@provides("pilot")
def pilot_sections(*, request, subject, visible: Visible, may_edit: bool) -> dict:
    return {
        "savings_totals": selectors.pilot_savings_totals(pilot=subject),
        **where_savings_land_context(selectors.attribution_for(subject=subject), subject),
        **_realisation_context(request, subject, visible),
    }


@provides("programme")
@provides("place")
def scope_sections(*, request, subject, visible: Visible, may_edit: bool) -> dict:
    return {
        **where_savings_land_context(selectors.attribution_for(subject=subject), subject),
        **_realisation_context(request, subject, visible),
    }


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
    table = selectors.matrix_table(attribution=attribution)
    return {
        "attribution": attribution,
        "matrix_beneficiaries": table.beneficiaries,
        "matrix_grid": table.rows,
        "matrix_column_totals": table.column_totals,
        "matrix_total": table.total,
        "positions_cashable": selectors.positions_cashable(attribution=attribution),
        "sankey": sankey_data(attribution),
        "matrix_csv_url": matrix_csv_url(subject),
    }
