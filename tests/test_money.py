"""The one money formatter and the one largest-remainder routine every app uses."""

from decimal import Decimal
from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ledger.calculations.apportion import apportion, apportion_pence_many
from ledger.templatetags.money import money
from savings.calculations.rounding import round_parts
from totalplace.money import largest_remainder, pounds

shares = st.lists(
    st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=1000), min_size=1, max_size=8
)


def test_pounds_reads_as_people_write_money():
    assert pounds(Decimal("7100000")) == "£7,100,000.00"
    assert pounds(Decimal("-123.455")) == "−£123.46"  # halves to even, a true minus sign
    assert pounds(Decimal("143763000"), pence_if_any=True) == "£143,763,000"
    assert pounds(Decimal("12.50"), pence_if_any=True) == "£12.50"
    assert pounds(Decimal("2.5"), places=0) == "£2"


def test_the_template_filter_is_the_same_formatter():
    assert money(Decimal("-1234.5")) == pounds(Decimal("-1234.5")) == "−£1,234.50"
    assert money("1234.567", 3) == "£1,234.567"
    assert money(None) == "–"


@given(shares, st.integers(min_value=0, max_value=8))
def test_largest_remainder_sums_to_the_total_and_moves_each_part_by_less_than_a_penny(
    values, extra
):
    exact = {i: v for i, v in enumerate(values)}
    floors = {k: v.numerator // v.denominator for k, v in exact.items()}
    total = sum(floors.values()) + min(extra, len(exact))
    parts = largest_remainder(exact, total)
    assert sum(parts.values()) == total
    assert all(parts[k] - floors[k] in (0, 1) for k in exact)
    # Every part rounded up has a remainder at least as large as every part rounded down.
    up = [exact[k] - floors[k] for k in exact if parts[k] > floors[k]]
    down = [exact[k] - floors[k] for k in exact if parts[k] == floors[k]]
    assert not up or not down or min(up) >= max(down)


@given(st.integers(min_value=1, max_value=6), st.integers(min_value=0, max_value=5))
def test_a_tie_goes_to_the_key_given_first(size, leftover):
    leftover = min(leftover, size)
    exact = {key: Fraction(1, 2) for key in reversed(range(size))}  # every remainder ties
    parts = largest_remainder(exact, leftover)
    assert [parts[k] for k in exact] == [1] * leftover + [0] * (size - leftover)


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=6).filter(any),
)
def test_ledger_apportionment_keeps_the_rule_in_its_vectorised_form(pence, weights):
    exact = apportion(Decimal(pence) / 100, dict(enumerate(weights)))
    many = apportion_pence_many(np.array([pence]), np.array(weights))[0]
    assert [int(exact[i] * 100) for i in range(len(weights))] == list(many)
    assert sum(exact.values()) == Decimal(pence) / 100


@given(shares, st.randoms())
def test_savings_rounding_does_not_depend_on_the_order_of_its_parts(values, random):
    exact = {f"ORG{i}": v for i, v in enumerate(values)}
    keys = list(exact)
    random.shuffle(keys)
    assert round_parts({k: exact[k] for k in keys}) == round_parts(exact)
