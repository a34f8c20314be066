"""Reads for coverage: which months each body's figures cover in a place's count, per year.

A body's figures in the count come from its approved returns or a dataset edition (the
rollups' ``edition_id`` says which); each holds its months (``SpendReturn.months`` and
``declared_months``, ``DatasetEdition.months``), recorded when it was submitted or loaded, so
this reads a few numbers and never a line. A year's total is a part year when any body
counted in it covers part of the year; it covers the months every body covers
(``ledger.calculations.coverage.combine``).
"""

from dataclasses import dataclass, field

from ledger.calculations.coverage import (
    combine,
    effective_months,
    is_part_year,
    mask_to_months,
    months_label,
    part_year_label,
)
from ledger.calculations.cuts import place_subtree_ids
from ledger.calculations.precedence import place_tree
from ledger.models import (
    DatasetEdition,
    FinancialYear,
    Organisation,
    Place,
    SpendReturn,
    SpendReturnStatus,
    SpendRollup,
)


@dataclass
class BodyCoverage:
    """One body's months in a place's count for a year (None: not known)."""

    organisation: Organisation
    months: int | None

    @property
    def label(self) -> str:
        return months_label(self.months)

    @property
    def month_numbers(self) -> list[int] | None:
        return None if self.months is None else mask_to_months(self.months)

    @property
    def part_year(self) -> bool:
        return is_part_year(self.months)


@dataclass
class YearCoverage:
    """The bodies counted in a place for a year, each with its months, and the year's total's."""

    year: FinancialYear
    bodies: list[BodyCoverage] = field(default_factory=list)

    @property
    def months(self) -> int | None:
        return combine(b.months for b in self.bodies)

    @property
    def part_year(self) -> bool:
        return any(b.part_year for b in self.bodies)

    @property
    def part_year_bodies(self) -> list[BodyCoverage]:
        """The bodies whose months fall short of the year, named beside a part-year total."""
        return [b for b in self.bodies if b.part_year]

    @property
    def label(self) -> str:
        """ "part year (n of 12 months)", n the months every counted body covers; or ""."""
        return part_year_label(self.months) if self.part_year else ""

    @property
    def summary(self) -> str:
        """For the year's total: "part year (n of 12 months)", "all year" or not known."""
        return self.label or months_label(self.months)

    def of(self, organisation_id: int) -> BodyCoverage | None:
        return next((b for b in self.bodies if b.organisation.pk == organisation_id), None)


def _or(masks: list[int | None]) -> int | None:
    known = [m for m in masks if m is not None]
    result = 0
    for mask in known:
        result |= mask
    return result if known else None


def place_coverage(
    *, place: Place, years: list[FinancialYear] | None = None
) -> dict[int, YearCoverage]:
    """Financial year id → the months each body counted in ``place`` (and below) covers.

    Three small queries: the sources the rollups use, the approved returns' months and the
    editions' months. A body's return for one place counts only where that place is in view.
    """
    subtree = place_subtree_ids([place.pk])
    rollups = SpendRollup.objects.filter(place_id__in=subtree)
    if years is not None:
        rollups = rollups.filter(financial_year_id__in=[y.pk for y in years])
    sources = set(
        rollups.values_list("organisation_id", "financial_year_id", "edition_id")
        .distinct()
        .order_by()
    )
    if not sources:
        return {}
    in_view = set(subtree) | set(place_tree().ancestors(place.pk))
    # Every counted body is listed, its months unknown until a source says otherwise.
    masks: dict[tuple[int, int], list[int | None]] = {(o, y): [] for o, y, _ in sources}
    from_returns = {(o, y) for o, y, e in sources if not e}
    if from_returns:
        returns = SpendReturn.objects.filter(
            status=SpendReturnStatus.APPROVED,
            organisation_id__in={o for o, _ in from_returns},
            financial_year_id__in={y for _, y in from_returns},
        ).values_list(
            "organisation_id", "financial_year_id", "place_id", "months", "declared_months"
        )
        for organisation_id, year_id, place_id, months, declared in returns:
            key = (organisation_id, year_id)
            if key in from_returns and (place_id is None or place_id in in_view):
                masks[key].append(effective_months(computed=months, declared=declared))
    editions = dict(
        DatasetEdition.objects.filter(pk__in={e for _, _, e in sources if e}).values_list(
            "pk", "months"
        )
    )
    for organisation_id, year_id, edition_id in sources:
        if edition_id:
            masks[(organisation_id, year_id)].append(editions.get(edition_id))
    organisations = Organisation.objects.in_bulk({o for o, _, _ in sources})
    financial_years = FinancialYear.objects.in_bulk({y for _, y, _ in sources})
    result: dict[int, YearCoverage] = {}
    for (organisation_id, year_id), found in masks.items():
        coverage = result.setdefault(year_id, YearCoverage(financial_years[year_id]))
        coverage.bodies.append(BodyCoverage(organisations[organisation_id], _or(found)))
    for coverage in result.values():
        coverage.bodies.sort(key=lambda b: (b.organisation.name, b.organisation.code))
    return result


@dataclass
class ReturnCoverage:
    """The months a spend return covers, and whether its officer declared them."""

    months: int | None
    declared: bool

    @property
    def label(self) -> str:
        return months_label(self.months)

    @property
    def badge(self) -> str:
        """ "part year (n of 12 months)", or "" for a whole or unknown year."""
        return part_year_label(self.months)


def spend_return_coverage(*, spend_return: SpendReturn) -> ReturnCoverage:
    """What its page shows: the declaration, else its lines' dates (recorded once submitted;
    counted afresh while it is a draft whose lines may change, as its line summary is)."""
    from ledger.services.coverage import spend_return_months

    computed = spend_return.months
    if spend_return.declared_months is None and spend_return.status in SpendReturnStatus.editable():
        computed = spend_return_months(spend_return)
    return ReturnCoverage(
        effective_months(computed=computed, declared=spend_return.declared_months),
        declared=spend_return.declared_months is not None,
    )
