"""What savings shows on pilots' pages: an initiative's appraisal, costs and benefits, and where
the savings land for an initiative, a pilot, a programme or a place (``pilots.sections``)."""

from ledger.selectors.access import user_organisations
from pilots.sections import provides
from savings import selectors
from savings.selectors.realisation import (
    NOT_TRANSFERABLE,
    ledger_checks,
    realisation,
    saving_actions,
    savings_for,
)

from .matrix import where_savings_land_context


@provides("initiative")
def initiative_sections(*, request, subject) -> dict:
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
        "benefits": selectors.benefit_flows(initiative=subject, user=request.user),
        **where_savings_land_context(selectors.attribution_for(subject=subject), subject),
        **_realisation_context(request, subject, checks=True),
    }


def _realisation_context(request, subject, *, checks: bool = False) -> dict:
    """Each saving with its ledger check and the steps the user may take (an initiative), and
    forecast against realised by organisation and year (any scope)."""
    savings = list(savings_for(subject=subject, user=request.user))
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
                    saving=check.saving, user=request.user, organisation_ids=mine
                ),
            }
            for check in ledger_checks(savings=savings)
        ]
    return context


@provides("pilot")
def pilot_sections(*, request, subject) -> dict:
    return {
        "savings_totals": selectors.pilot_savings_totals(pilot=subject),
        **where_savings_land_context(selectors.attribution_for(subject=subject), subject),
        **_realisation_context(request, subject),
    }


@provides("programme")
@provides("place")
def scope_sections(*, request, subject) -> dict:
    return {
        **where_savings_land_context(selectors.attribution_for(subject=subject), subject),
        **_realisation_context(request, subject),
    }
