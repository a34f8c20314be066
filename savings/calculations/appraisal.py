"""Appraisal of one initiative: net benefits by year, present values, NPV, ROI and payback.

Net benefit in year t = gross × (1 − deadweight) × attribution × (1 − optimism bias)
× (1 − drop-off)^(t − lag), from the lag for ``duration`` years and zero outside them.
A cost in year t = amount × (1 + optimism bias): the Green Book adjusts costs upwards.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from totalplace.money import round_pence

from .discount import MAX_YEAR, RateBand, discount_factors
from .rounding import round_parts, to_decimal, to_fraction

FISCAL, ECONOMIC, SOCIAL = "fiscal", "economic", "social"
VALUE_TYPES = (FISCAL, ECONOMIC, SOCIAL)
HUNDRED = Fraction(100)


@dataclass(frozen=True)
class CostInput:
    """A cost paid by ``payer`` (an organisation code) in year ``year`` (0 = now)."""

    payer: str
    year: int
    amount: Decimal
    optimism_bias: Decimal = Decimal(0)  # percent
    kind: str = "revenue"

    def in_year(self) -> Fraction:
        return to_fraction(self.amount) * (1 + to_fraction(self.optimism_bias) / HUNDRED)


@dataclass(frozen=True)
class BenefitInput:
    """A benefit of ``gross`` a year landing with ``beneficiary`` (None: not a public body)."""

    beneficiary: str | None
    value_type: str
    gross: Decimal  # a year, before adjustments: amount, or outcomes × unit cost
    lag: int = 1  # first year the benefit arrives
    duration: int = 1  # years it lasts
    drop_off: Decimal = Decimal(0)  # percent lost each year after the first
    deadweight: Decimal = Decimal(0)  # percent that would have happened anyway
    attribution: Decimal = Decimal(100)  # percent due to this initiative
    optimism_bias: Decimal = Decimal(0)  # percent
    cashable: Decimal = Decimal(100)  # percent of a fiscal benefit that is cashable

    @property
    def last_year(self) -> int:
        return self.lag + self.duration - 1

    def in_year(self, year: int) -> Fraction:
        return dict(self.by_year()).get(year, Fraction(0))

    def by_year(self):
        """(year, net benefit) for each year the benefit arrives."""
        pct = lambda value: to_fraction(value) / HUNDRED  # noqa: E731
        value = (
            to_fraction(self.gross)
            * (1 - pct(self.deadweight))
            * pct(self.attribution)
            * (1 - pct(self.optimism_bias))
        )
        kept = 1 - pct(self.drop_off)
        for year in range(self.lag, self.last_year + 1):
            yield year, value
            value *= kept


@dataclass
class ExactAppraisal:
    """Exact (Fraction) nominal values keyed by organisation and year, and the factors.

    Present values are sums of value × DF_t. The factors' denominators grow with t (1035^t at
    3.5%), so rather than add fractions with huge denominators we scale every factor to a whole
    number over one common denominator and divide once: the same exact result, much faster.
    """

    factors: list[Fraction]
    cost: dict[tuple[str, int], Fraction] = field(default_factory=dict)  # (payer, year)
    benefit: dict[tuple[str | None, str, int], Fraction] = field(default_factory=dict)
    cashable: dict[tuple[str | None, int], Fraction] = field(default_factory=dict)

    def __post_init__(self):
        self.scale = math.lcm(*(f.denominator for f in self.factors))
        self.weights = [int(f * self.scale) for f in self.factors]

    @property
    def horizon(self) -> int:
        return len(self.factors) - 1

    def pv(self, by_year: dict[int, Fraction]) -> Fraction:
        """Present value of nominal amounts by year."""
        total = sum((v * self.weights[y] for y, v in by_year.items()), Fraction(0))
        return total / self.scale

    def npv(self) -> Fraction:
        benefits = _by(self.benefit, lambda k: k[-1])
        return self.pv(benefits) - self.pv(_by(self.cost, lambda k: k[-1]))


def appraise_exact(
    costs: Iterable[CostInput], benefits: Iterable[BenefitInput], bands: list[RateBand]
) -> ExactAppraisal:
    """Exact values for every organisation and year; sums of fractions ignore input order."""
    costs, benefits = list(costs), list(benefits)
    horizon = max([c.year for c in costs] + [b.last_year for b in benefits] + [0])
    if horizon > MAX_YEAR or any(c.year < 0 for c in costs) or any(b.lag < 0 for b in benefits):
        raise ValueError(f"years must be between 0 and {MAX_YEAR}")
    result = ExactAppraisal(factors=discount_factors(bands, horizon))
    cost: dict = defaultdict(Fraction)
    for line in costs:
        cost[(line.payer, line.year)] += line.in_year()
    benefit: dict = defaultdict(Fraction)
    cashable: dict = defaultdict(Fraction)
    for flow in benefits:
        if flow.value_type not in VALUE_TYPES:
            raise ValueError(f"unknown value type {flow.value_type!r}")
        cashable_share = to_fraction(flow.cashable) / HUNDRED
        for year, value in flow.by_year():
            benefit[(flow.beneficiary, flow.value_type, year)] += value
            if flow.value_type == FISCAL:
                cashable[(flow.beneficiary, year)] += value * cashable_share
    result.cost, result.benefit, result.cashable = dict(cost), dict(benefit), dict(cashable)
    return result


def _by(values: dict, key) -> dict:
    grouped: dict = defaultdict(Fraction)
    for k, v in values.items():
        grouped[key(k)] += v
    return dict(grouped)


def _ratio(numerator: int, denominator: int) -> Decimal | None:
    return None if denominator == 0 else to_decimal(Fraction(numerator, denominator), 4)


def _payback(benefit_by_year: dict[int, Fraction], cost_by_year: dict[int, Fraction], n: int):
    """First year cumulative fiscal benefits ≥ cumulative costs, once a cost has been paid."""
    if not any(cost_by_year.values()):
        return 0 if any(benefit_by_year.values()) else None
    cumulative_benefit = cumulative_cost = Fraction(0)
    for year in range(n + 1):
        cumulative_benefit += benefit_by_year.get(year, 0)
        cumulative_cost += cost_by_year.get(year, 0)
        if cumulative_cost > 0 and cumulative_benefit >= cumulative_cost:
            return year
    return None


def summarise(exact: ExactAppraisal) -> dict:
    """Pence totals, ratios, payback and the year-by-year table, all adding up to the penny.

    Each total is the exact value rounded to the penny; the parts of a table (years, types,
    organisations) are rounded so they sum to that total. Total benefits and NPV are sums and
    differences of the rounded totals, so every figure on a page reconciles.
    """
    n = exact.horizon
    nominal = {
        "costs": _by(exact.cost, lambda k: k[1]),
        "cashable": _by(exact.cashable, lambda k: k[1]),
    }
    for value_type in VALUE_TYPES:
        of_type = {k: v for k, v in exact.benefit.items() if k[1] == value_type}
        nominal[value_type] = _by(of_type, lambda k: k[2])
    totals = {name: round_pence(exact.pv(by_year)) for name, by_year in nominal.items()}
    totals["benefits"] = sum(totals[t] for t in VALUE_TYPES)
    totals["npv"] = totals["benefits"] - totals["costs"]
    totals["fiscal_npv"] = totals[FISCAL] - totals["costs"]
    totals["net_budget_impact"] = totals["cashable"] - totals["costs"]
    present = {
        name: {y: v * exact.factors[y] for y, v in by_year.items()}
        for name, by_year in nominal.items()
        if name != "cashable"
    }
    return {
        "horizon": n,
        "totals": totals,
        "financial_roi": _ratio(totals[FISCAL], totals["costs"]),
        "public_value_roi": _ratio(totals["benefits"], totals["costs"]),
        "payback_year": _payback(nominal[FISCAL], nominal["costs"], n),
        "payback_year_discounted": _payback(present[FISCAL], present["costs"], n),
        "years": _year_table(exact, nominal, present),
    }


def _year_table(exact: ExactAppraisal, nominal: dict, present: dict) -> list[dict]:
    years = range(exact.horizon + 1)
    columns = {"costs": nominal["costs"], "pv_costs": present["costs"]}
    for value_type in VALUE_TYPES:
        columns[value_type] = nominal[value_type]
        columns[f"pv_{value_type}"] = present[value_type]
    rounded = {
        name: round_parts({year: values.get(year, Fraction(0)) for year in years})
        for name, values in columns.items()
    }
    rows, cumulative, cumulative_pv = [], 0, 0
    for year in years:
        row = {"year": year, "discount_factor": to_decimal(exact.factors[year], 6)}
        row.update({name: rounded[name][year] for name in columns})
        row["benefits"] = sum(row[t] for t in VALUE_TYPES)
        row["pv_benefits"] = sum(row[f"pv_{t}"] for t in VALUE_TYPES)
        row["net"] = row["benefits"] - row["costs"]
        row["pv_net"] = row["pv_benefits"] - row["pv_costs"]
        cumulative += row[FISCAL] - row["costs"]
        cumulative_pv += row[f"pv_{FISCAL}"] - row["pv_costs"]
        row["cumulative_fiscal_net"], row["cumulative_fiscal_pv_net"] = cumulative, cumulative_pv
        rows.append(row)
    return rows
