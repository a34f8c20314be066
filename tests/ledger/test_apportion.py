from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.calculations.apportion import apportion

amounts = st.decimals(
    min_value=Decimal("-1000000000"),
    max_value=Decimal("1000000000"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
weights = st.dictionaries(
    st.text(min_size=1, max_size=4),
    st.integers(min_value=0, max_value=10_000_000),
    min_size=1,
    max_size=30,
).filter(lambda w: sum(w.values()) > 0)


@given(amounts, weights)
def test_parts_sum_exactly_to_the_whole(total, drivers):
    parts = apportion(total, drivers)
    assert sum(parts.values()) == total
    assert list(parts) == list(drivers)


@given(amounts, weights)
def test_each_part_is_within_a_penny_of_its_exact_share(total, drivers):
    parts = apportion(total, drivers)
    weight_total = sum(drivers.values())
    for key, part in parts.items():
        exact = total * drivers[key] / weight_total
        assert abs(part - exact) < Decimal("0.01")
        assert part == part.quantize(Decimal("0.01"))
        assert part == 0 or (part > 0) == (total > 0)


def test_zero_weight_gets_nothing_and_the_remainder_goes_to_the_largest_fraction():
    assert apportion(Decimal("10.00"), {"a": 1, "b": 1, "c": 1, "d": 0}) == {
        "a": Decimal("3.34"),
        "b": Decimal("3.33"),
        "c": Decimal("3.33"),
        "d": Decimal("0.00"),
    }
    assert apportion(Decimal("-0.05"), {"a": 2, "b": 1}) == {
        "a": Decimal("-0.03"),
        "b": Decimal("-0.02"),
    }


@pytest.mark.parametrize("drivers", [{}, {"a": 0}, {"a": -1, "b": 2}])
def test_impossible_splits_are_refused(drivers):
    with pytest.raises(ValueError):
        apportion(Decimal("1.00"), drivers)


def test_fractions_of_a_penny_are_refused():
    with pytest.raises(ValueError):
        apportion(Decimal("1.005"), {"a": 1})


# Top-down estimates split a region's figures over its authorities many at a time: the
# vectorised split must be the same rule, penny for penny, and conserve every penny.
pence_amounts = st.lists(
    st.integers(min_value=-(10**13), max_value=10**13), min_size=1, max_size=20
)
driver_weights = st.lists(
    st.integers(min_value=0, max_value=10_000_000), min_size=1, max_size=40
).filter(lambda w: sum(w) > 0)


@given(pence_amounts, driver_weights)
def test_the_vectorised_split_conserves_every_penny_by_the_same_rule(amounts, weights):
    import numpy as np

    from ledger.calculations.apportion import apportion_pence_many
    from ledger.models.fields import from_pence, to_pence

    parts = apportion_pence_many(np.array(amounts, dtype=np.int64), np.array(weights))
    assert parts.shape == (len(amounts), len(weights))
    assert parts.sum(axis=1).tolist() == amounts
    for amount, row in zip(amounts, parts.tolist(), strict=True):
        reference = apportion(from_pence(amount), dict(enumerate(weights)))
        assert row == [to_pence(reference[i]) for i in range(len(weights))]
