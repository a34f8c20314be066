"""The pilot page's headline: the latest year's spend, and what that year holds."""

from dataclasses import dataclass

from pilots.models import Pilot

from .ledger import footprint_coverage
from .pages import SpendRow

# Up to this many bodies, a part picture names them; beyond it, it counts them.
NAMED_BODIES = 5


@dataclass(frozen=True)
class Headline:
    """The latest year's row. Where that year counts fewer bodies than another (a year that so
    far holds one dataset, say), ``fuller`` is the latest year counting the most, so the page
    can say the headline is a part picture rather than let it read as a fall in spending."""

    row: SpendRow
    bodies: list[str]
    part_year: str  # "part year (n of 12 months)", or ""
    fuller: SpendRow | None = None
    fuller_bodies: int = 0

    @property
    def named_bodies(self) -> list[str]:
        return self.bodies if len(self.bodies) <= NAMED_BODIES else []


def pilot_headline(*, pilot: Pilot, spend: list[SpendRow]) -> Headline | None:
    """The headline for ``pilot_spend``'s rows (None when there is no spend)."""
    if not spend:
        return None
    coverage = footprint_coverage(places=pilot.places.all())
    # A body serving two of the footprint's places is one body.
    counted = {
        code: {b.organisation.pk: b.organisation.name for b in year.bodies}
        for code, year in coverage.items()
    }
    latest = spend[-1]
    bodies = counted.get(latest.financial_year, {})
    most = max(
        spend, key=lambda row: (len(counted.get(row.financial_year, {})), row.financial_year)
    )
    fuller = most if len(counted.get(most.financial_year, {})) > len(bodies) else None
    year = coverage.get(latest.financial_year)
    return Headline(
        row=latest,
        bodies=sorted(bodies.values()),
        part_year=year.label if year else "",
        fuller=fuller,
        fuller_bodies=len(counted[fuller.financial_year]) if fuller else 0,
    )
