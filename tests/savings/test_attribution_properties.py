"""Invariants of where the savings land, checked on random initiatives (hypothesis)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from savings.calculations.appraisal import BenefitInput, CostInput, appraise_exact, summarise
from savings.calculations.attribution import (
    NO_PAYER,
    attribution_from,
    combine,
    fair_share,
)
from savings.calculations.discount import RateBand

GREEN_BOOK = [
    RateBand(0, 30, Decimal("0.035")),
    RateBand(31, 75, Decimal("0.030")),
    RateBand(76, 125, Decimal("0.025")),
]
ORGANISATIONS = ["COUNCIL", "PCT", "POLICE", "DWP", "PROBATION"]
money = st.decimals(min_value=0, max_value=Decimal("5000000"), places=2)
percent = st.decimals(min_value=0, max_value=100, places=2)

costs = st.builds(
    CostInput,
    payer=st.sampled_from(ORGANISATIONS),
    year=st.integers(0, 12),
    amount=money,
    optimism_bias=percent,
)
benefits = st.builds(
    BenefitInput,
    beneficiary=st.sampled_from(ORGANISATIONS),
    value_type=st.sampled_from(["fiscal", "fiscal", "economic", "social"]),
    gross=money,
    lag=st.integers(0, 8),
    duration=st.integers(1, 10),
    drop_off=percent,
    deadweight=percent,
    attribution=percent,
    optimism_bias=percent,
    cashable=percent,
)
nets = st.dictionaries(
    st.sampled_from(ORGANISATIONS + ["FIRE", "HMCS", "NHS-TRUST"]),
    st.integers(-(10**12), 10**12),
    max_size=8,
)


@given(nets)
def test_transfers_sum_to_zero(net):
    deal = fair_share(net)
    assert sum(deal.transfers.values()) == 0
    assert sum(deal.pairs.values()) == sum(p for p in deal.transfers.values() if p > 0)


@given(nets)
def test_every_payer_breaks_even_when_the_fiscal_npv_is_not_negative(net):
    deal = fair_share(net)
    assert deal.fiscal_net == sum(net.values())
    if deal.fiscal_net >= 0:
        assert deal.possible and deal.shortfall == 0
        for organisation, position in net.items():
            after = position + deal.transfers[organisation]
            assert after >= 0
            if position > 0:  # a gainer never gives away more than it gains
                assert after <= position
    else:
        assert not deal.possible and deal.shortfall == -deal.fiscal_net
        assert not any(deal.transfers.values())


@given(nets)
def test_who_pays_whom_matches_each_organisations_transfer(net):
    deal = fair_share(net)
    for organisation, transfer in deal.transfers.items():
        paid = sum(p for (giver, _), p in deal.pairs.items() if giver == organisation)
        received = sum(p for (_, taker), p in deal.pairs.items() if taker == organisation)
        assert received - paid == transfer


@settings(max_examples=60, deadline=None)
@given(st.lists(costs, max_size=6), st.lists(benefits, max_size=6), st.randoms())
def test_results_do_not_depend_on_the_order_lines_were_entered(cost_lines, flows, rng):
    def everything(c, b):
        exact = appraise_exact(c, b, GREEN_BOOK)
        attribution = attribution_from(exact)
        return summarise(exact), attribution, fair_share(attribution.net())

    shuffled_costs, shuffled_flows = list(cost_lines), list(flows)
    rng.shuffle(shuffled_costs)
    rng.shuffle(shuffled_flows)
    assert everything(cost_lines, flows) == everything(shuffled_costs, shuffled_flows)


@settings(max_examples=60, deadline=None)
@given(st.lists(costs, max_size=6), st.lists(benefits, max_size=6))
def test_an_initiative_pays_its_payers_back_when_its_fiscal_npv_is_not_negative(c, b):
    exact = appraise_exact(c, b, GREEN_BOOK)
    summary, attribution = summarise(exact), attribution_from(exact)
    # The attribution adds up to the appraisal's totals, to the penny.
    assert sum(attribution.paid.values()) == summary["totals"]["costs"]
    assert sum(attribution.received.values()) == summary["totals"]["fiscal"]
    for beneficiary, received in attribution.received.items():
        column = sum(p for (_, b2), p in attribution.matrix.items() if b2 == beneficiary)
        assert column == received
    if attribution.paid:
        assert all(payer is not NO_PAYER for payer, _ in attribution.matrix)
    deal = fair_share(attribution.net())
    assert sum(deal.transfers.values()) == 0
    if summary["totals"]["fiscal_npv"] >= 0:
        net = attribution.net()
        assert all(net[o] + deal.transfers[o] >= 0 for o in net)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.lists(costs, max_size=3), st.lists(benefits, max_size=3)), max_size=4))
def test_a_pilot_is_the_sum_of_its_initiatives(initiatives):
    parts = [attribution_from(appraise_exact(c, b, GREEN_BOOK)) for c, b in initiatives]
    total = combine(parts)
    assert sum(total.paid.values()) == sum(sum(p.paid.values()) for p in parts)
    assert sum(total.matrix.values()) == sum(total.received.values())
