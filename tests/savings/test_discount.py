"""The Green Book checks from the design: DF_1..5 and NPV(−100 now, +30 in years 1-5)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from savings.calculations.appraisal import BenefitInput, CostInput, appraise_exact, summarise
from savings.calculations.discount import (
    RateBand,
    check_schedule,
    discount_factors,
    schedule_from_csv,
)
from savings.calculations.rounding import to_decimal
from savings.selectors import DISCOUNT_RATES_CSV

loaded = schedule_from_csv(DISCOUNT_RATES_CSV)
GREEN_BOOK = loaded


def test_the_schedule_is_held_as_data_with_the_green_book_bands():
    assert loaded == [
        RateBand(0, 30, Decimal("0.035")),
        RateBand(31, 75, Decimal("0.030")),
        RateBand(76, 125, Decimal("0.025")),
    ]


def test_discount_factors_for_years_1_to_5():
    factors = discount_factors(GREEN_BOOK, 5)
    assert factors[0] == 1  # year 0 is undiscounted
    assert [to_decimal(f, 6) for f in factors[1:]] == [
        Decimal("0.966184"),
        Decimal("0.933511"),
        Decimal("0.901943"),
        Decimal("0.871442"),
        Decimal("0.841973"),
    ]


def test_npv_of_minus_100_now_and_30_a_year_for_five_years():
    exact = appraise_exact(
        [CostInput("COUNCIL", 0, Decimal("100"))],
        [BenefitInput("NHS", "fiscal", Decimal("30"), lag=1, duration=5)],
        GREEN_BOOK,
    )
    assert to_decimal(exact.npv(), 4) == Decimal("35.4516")
    summary = summarise(exact)
    assert summary["totals"]["npv"] == 3545  # pence: £35.45 on the page


def test_the_rate_steps_down_after_year_30_and_after_year_75():
    factors = discount_factors(GREEN_BOOK, 125)
    assert factors[31] == factors[30] / Fraction(103, 100)
    assert factors[76] == factors[75] / Fraction(1025, 1000)
    assert factors[30] == Fraction(1000, 1035) ** 30


def test_an_edited_schedule_is_what_gets_used():
    flat = [RateBand(0, 125, Decimal("0.10"))]
    assert discount_factors(flat, 2)[2] == Fraction(100, 121)


@pytest.mark.parametrize(
    "bands",
    [
        [RateBand(1, 30, Decimal("0.035"))],  # does not start at 0
        [RateBand(0, 30, Decimal("0.035")), RateBand(32, 75, Decimal("0.03"))],  # gap
        [RateBand(0, 30, Decimal("1.5"))],  # not a rate
    ],
)
def test_broken_schedules_are_refused(bands):
    with pytest.raises(ValueError):
        check_schedule(bands)


def test_years_beyond_the_schedule_are_refused():
    with pytest.raises(ValueError, match="between 0 and 125"):
        appraise_exact([CostInput("A", 126, Decimal("1"))], [], GREEN_BOOK)
