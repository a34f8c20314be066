"""Where the savings land: positions, the payer × beneficiary matrix and the fair-share deal.

Only fiscal benefits land in a public budget, so only they count here; economic and social
value shows in the appraisal but cannot repay anyone. All amounts are whole pence (``int``).
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from .appraisal import FISCAL, ExactAppraisal
from .rounding import round_parts, split_pence

NO_PAYER = None  # the matrix row for benefits of an initiative with no recorded cost


@dataclass
class Attribution:
    """Present values by organisation (pence) and the payer × beneficiary matrix."""

    paid: dict[str, int] = field(default_factory=dict)
    received: dict[str, int] = field(default_factory=dict)  # fiscal benefits landing there
    cashable: dict[str, int] = field(default_factory=dict)
    matrix: dict[tuple[str | None, str], int] = field(default_factory=dict)

    def organisations(self) -> list[str]:
        return sorted(set(self.paid) | set(self.received))

    def net(self) -> dict[str, int]:
        return {o: self.received.get(o, 0) - self.paid.get(o, 0) for o in self.organisations()}


def attribution_from(exact: ExactAppraisal) -> Attribution:
    """One initiative's attribution; its totals equal the appraisal's rounded totals."""
    paid = _present_by_organisation(exact, exact.cost, lambda k: k[0])
    received = _present_by_organisation(
        exact,
        {k: v for k, v in exact.benefit.items() if k[1] == FISCAL and k[0] is not None},
        lambda k: k[0],
    )
    cashable = _present_by_organisation(
        exact, {k: v for k, v in exact.cashable.items() if k[0] is not None}, lambda k: k[0]
    )
    result = Attribution(
        paid=_nonzero(round_parts(paid)),
        received=_nonzero(round_parts(received)),
        cashable=_nonzero(round_parts(cashable)),
    )
    result.matrix = matrix_from(result.paid, result.received)
    return result


def _present_by_organisation(exact: ExactAppraisal, values: dict, organisation) -> dict:
    by_organisation: dict = defaultdict(lambda: defaultdict(Fraction))
    for key, value in values.items():
        by_organisation[organisation(key)][key[-1]] += value
    return {o: exact.pv(by_year) for o, by_year in by_organisation.items()}


def _nonzero(values: dict) -> dict:
    return {key: pence for key, pence in values.items() if pence}


def matrix_from(paid: dict[str, int], received: dict[str, int]) -> dict:
    """Each beneficiary's savings shared across payers in proportion to what each paid.

    Columns sum exactly to what each beneficiary receives. With no cost recorded at all, the
    savings sit in a "no recorded payer" row rather than vanishing.
    """
    weights = {payer: Fraction(pence) for payer, pence in paid.items() if pence > 0}
    matrix = {}
    for beneficiary in sorted(received):
        if received[beneficiary] == 0:
            continue
        if not weights:
            matrix[(NO_PAYER, beneficiary)] = received[beneficiary]
            continue
        for payer, pence in split_pence(received[beneficiary], weights).items():
            if pence:
                matrix[(payer, beneficiary)] = pence
    return matrix


def combine(parts: Iterable[Attribution]) -> Attribution:
    """The sum of several initiatives' attributions (a pilot, a place, a programme)."""
    total = Attribution()
    for part in parts:
        for name in ("paid", "received", "cashable", "matrix"):
            into = getattr(total, name)
            for key, pence in getattr(part, name).items():
                into[key] = into.get(key, 0) + pence
    return total


@dataclass
class Deal:
    """Transfers that leave every net payer at least breaking even (when anything can)."""

    possible: bool
    fiscal_net: int  # Σ of net positions: the fiscal NPV of everything in scope
    shortfall: int  # how far the savings fall short of the costs (0 when possible)
    transfers: dict[str, int]  # by organisation: + receives, − pays; sums to zero
    pairs: dict[tuple[str, str], int]  # (from gainer, to payer) → pence


def fair_share(net: dict[str, int]) -> Deal:
    """Net gainers pay net payers' shortfalls, each gainer in proportion to its net gain.

    In proportion to the *net* gain, not the gross savings received: a body that receives much
    but also pays much could otherwise be pushed below break-even itself. When the savings in
    scope are less than the costs (fiscal NPV < 0) no set of transfers can make every payer
    whole, and the deal says so instead.
    """
    needs = {o: -v for o, v in sorted(net.items()) if v < 0}
    gains = {o: v for o, v in sorted(net.items()) if v > 0}
    deficit, surplus = sum(needs.values()), sum(gains.values())
    fiscal_net = surplus - deficit
    if deficit == 0 or surplus < deficit:
        return Deal(
            possible=deficit == 0,
            fiscal_net=fiscal_net,
            shortfall=max(deficit - surplus, 0),
            transfers={o: 0 for o in net},
            pairs={},
        )
    contributions = split_pence(deficit, {o: Fraction(v) for o, v in gains.items()})
    transfers = {o: 0 for o in net}
    transfers.update({o: -p for o, p in contributions.items()})
    transfers.update(needs)
    pairs = _pairs(contributions, needs, deficit)
    return Deal(True, fiscal_net, 0, transfers, pairs)


def _pairs(rows: dict[str, int], cols: dict[str, int], total: int) -> dict[tuple[str, str], int]:
    """Who pays whom: exact shares rounded so each gainer's and each payer's total holds."""
    exact = {(g, p): Fraction(rows[g] * cols[p], total) for g in rows for p in cols}
    cells = {key: math.floor(value) for key, value in exact.items()}
    row_left = {g: rows[g] - sum(cells[(g, p)] for p in cols) for g in rows}
    col_left = {p: cols[p] - sum(cells[(g, p)] for g in rows) for p in cols}
    for key in sorted(exact, key=lambda k: (-(exact[k] - cells[k]), k)):
        g, p = key
        if exact[key] != cells[key] and row_left[g] > 0 and col_left[p] > 0:
            cells[key] += 1
            row_left[g] -= 1
            col_left[p] -= 1
    for g in sorted(rows):  # any pence the first pass could not place (both margins sum equal)
        for p in sorted(cols):
            step = min(row_left[g], col_left[p])
            if step > 0:
                cells[(g, p)] += step
                row_left[g] -= step
                col_left[p] -= step
    return {key: pence for key, pence in sorted(cells.items()) if pence}
