"""Net benefits, present values, ROI and payback, exactly."""

from decimal import Decimal
from fractions import Fraction

from savings.calculations.appraisal import (
    BenefitInput,
    CostInput,
    appraise_exact,
    summarise,
)
from savings.calculations.discount import RateBand

ZERO_RATE = [RateBand(0, 125, Decimal("0"))]
GREEN_BOOK = [
    RateBand(0, 30, Decimal("0.035")),
    RateBand(31, 75, Decimal("0.030")),
    RateBand(76, 125, Decimal("0.025")),
]


def test_net_benefit_applies_deadweight_attribution_optimism_bias_and_drop_off():
    flow = BenefitInput(
        "NHS",
        "fiscal",
        Decimal("1000"),
        lag=2,
        duration=3,
        drop_off=Decimal("10"),
        deadweight=Decimal("20"),
        attribution=Decimal("50"),
        optimism_bias=Decimal("25"),
    )
    # 1000 × 0.8 × 0.5 × 0.75 = 300, then 10% less each year after the first
    assert [flow.in_year(t) for t in range(7)] == [0, 0, 300, 270, 243, 0, 0]


def test_cost_optimism_bias_raises_the_cost():
    assert CostInput("C", 0, Decimal("200"), optimism_bias=Decimal("15")).in_year() == 230


def test_totals_ratios_and_the_years_table_reconcile():
    exact = appraise_exact(
        [CostInput("C", 0, Decimal("100")), CostInput("C", 1, Decimal("50"))],
        [
            BenefitInput("N", "fiscal", Decimal("60"), lag=1, duration=3, cashable=Decimal("50")),
            BenefitInput(None, "economic", Decimal("10"), lag=1, duration=3),
            BenefitInput(None, "social", Decimal("5"), lag=2, duration=1),
        ],
        ZERO_RATE,
    )
    summary = summarise(exact)
    totals = summary["totals"]
    assert totals == {
        "costs": 15000,
        "fiscal": 18000,
        "economic": 3000,
        "social": 500,
        "cashable": 9000,
        "benefits": 21500,
        "npv": 6500,
        "fiscal_npv": 3000,
        "net_budget_impact": -6000,
    }
    assert summary["financial_roi"] == Decimal("1.2000")
    assert summary["public_value_roi"] == Decimal("1.4333")
    # cumulative fiscal 0, 60, 120, 180 against costs 100, 150, 150, 150: year 3
    assert summary["payback_year"] == summary["payback_year_discounted"] == 3
    years = summary["years"]
    assert [row["year"] for row in years] == [0, 1, 2, 3]
    for column in ("pv_costs", "pv_fiscal", "pv_economic", "pv_social"):
        assert sum(row[column] for row in years) == totals[column.removeprefix("pv_")]
    assert years[-1]["cumulative_fiscal_pv_net"] == totals["fiscal_npv"]


def test_discounting_delays_payback_and_an_initiative_may_never_pay_back():
    costs = [CostInput("C", 0, Decimal("100"))]
    just = [BenefitInput("N", "fiscal", Decimal("25"), lag=1, duration=4)]
    summary = summarise(appraise_exact(costs, just, GREEN_BOOK))
    assert summary["payback_year"] == 4  # 4 × 25 = 100 undiscounted
    assert summary["payback_year_discounted"] is None  # discounted, it never gets there
    assert summary["totals"]["fiscal_npv"] < 0


def test_pv_rounding_keeps_tables_adding_up_over_long_horizons():
    exact = appraise_exact(
        [CostInput("C", y, Decimal("33.33")) for y in range(0, 40, 3)],
        [BenefitInput("N", "fiscal", Decimal("7.77"), lag=2, duration=110)],
        GREEN_BOOK,
    )
    summary = summarise(exact)
    assert summary["horizon"] == 111
    assert sum(r["pv_fiscal"] for r in summary["years"]) == summary["totals"]["fiscal"]
    assert sum(r["pv_costs"] for r in summary["years"]) == summary["totals"]["costs"]
    assert sum(r["costs"] for r in summary["years"]) == 3333 * 14  # 14 costs of £33.33
    assert isinstance(exact.npv(), Fraction)


def test_no_costs_means_no_ratio_and_immediate_payback():
    summary = summarise(
        appraise_exact([], [BenefitInput("N", "fiscal", Decimal("5"), lag=0)], ZERO_RATE)
    )
    assert summary["financial_roi"] is None and summary["public_value_roi"] is None
    assert summary["payback_year"] == 0
