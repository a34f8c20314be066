"""How fast is the exact appraisal engine? Prints its rate, a float baseline and the ratio.

The baseline computes the same NPV in binary floating point (the way a spreadsheet would): fast,
but not exact, so not what the app uses. The engine works in fractions and rounds to the penny
only at the end. Run: ``.venv/bin/python bench/appraisal_bench.py`` (no database needed).
"""

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from savings.calculations.appraisal import BenefitInput, CostInput, appraise_exact, summarise
from savings.calculations.attribution import attribution_from, fair_share
from savings.calculations.discount import schedule_from_csv

SCHEDULE = schedule_from_csv(
    Path(__file__).resolve().parent.parent / "fixtures/savings/green_book_discount_rates.csv"
)
ORGANISATIONS = [f"ORG{n}" for n in range(8)]


def initiative(rng: random.Random, horizon: int):
    costs = [
        CostInput(
            rng.choice(ORGANISATIONS),
            rng.randrange(0, 4),
            Decimal(rng.randrange(10**7)) / 100,
            Decimal(rng.randrange(0, 30)),
        )
        for _ in range(10)
    ]
    benefits = [
        BenefitInput(
            rng.choice(ORGANISATIONS),
            rng.choice(["fiscal", "economic", "social"]),
            Decimal(rng.randrange(10**6)) / 100,
            lag=rng.randrange(0, 3),
            duration=horizon - 3,
            drop_off=Decimal(rng.randrange(0, 20)),
            deadweight=Decimal(rng.randrange(0, 40)),
            attribution=Decimal(80),
        )
        for _ in range(20)
    ]
    return costs, benefits


def exact(costs, benefits):
    result = appraise_exact(costs, benefits, SCHEDULE)
    attribution = attribution_from(result)
    return summarise(result), fair_share(attribution.net())


def floats(costs, benefits):
    horizon = max([c.year for c in costs] + [b.last_year for b in benefits])
    factors, df = [1.0], 1.0
    for year in range(1, horizon + 1):
        band = next(b for b in SCHEDULE if b.from_year <= year <= b.to_year)
        df /= 1 + float(band.rate)
        factors.append(df)
    npv = -sum(
        float(c.amount) * (1 + float(c.optimism_bias) / 100) * factors[c.year] for c in costs
    )
    for b in benefits:
        base = float(b.gross) * (1 - float(b.deadweight) / 100) * float(b.attribution) / 100
        for year in range(b.lag, b.last_year + 1):
            npv += base * (1 - float(b.drop_off) / 100) ** (year - b.lag) * factors[year]
    return npv


def rate(function, cases, seconds=2.0) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for costs, benefits in cases:
            function(costs, benefits)
        done += len(cases)
    return done / (time.perf_counter() - start)


def main() -> None:
    rng = random.Random(2010)
    for horizon in (10, 30, 125):
        cases = [initiative(rng, horizon) for _ in range(5)]
        engine, baseline = rate(exact, cases), rate(floats, cases)
        print(
            f"{horizon:>3}-year appraisals (10 costs, 20 benefit flows): exact engine "
            f"{engine:,.0f}/s, float baseline {baseline:,.0f}/s, ratio {engine / baseline:.3f}"
        )


if __name__ == "__main__":
    main()
