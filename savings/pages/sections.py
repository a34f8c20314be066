"""What savings shows on pilots' pages: an initiative's appraisal, costs and benefits, and where
the savings land for an initiative, a pilot, a programme or a place (``pilots.sections``)."""

from pilots.sections import provides
from savings import selectors

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
    }


@provides("pilot")
def pilot_sections(*, request, subject) -> dict:
    return {
        "savings_totals": selectors.pilot_savings_totals(pilot=subject),
        **where_savings_land_context(selectors.attribution_for(subject=subject), subject),
    }


@provides("programme")
@provides("place")
def scope_sections(*, request, subject) -> dict:
    return where_savings_land_context(selectors.attribution_for(subject=subject), subject)
