"""Reads for the pilot pages: programmes, pilots, their spend, initiatives and evidence."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from ledger.calculations.footprint import footprint_spend
from ledger.calculations.places import per_head
from ledger.models import Place
from ledger.selectors.places import place_has_illustrative_data
from pilots.models import EvidenceItem, Initiative, InitiativeStatus, Pilot, Programme

from .access import visible_evidence, visible_initiatives, visible_submissions
from .ledger import footprint_population


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.annotate(
        pilot_count=Count("pilots", distinct=True),
        initiative_count=Count(
            "pilots__initiatives",
            filter=Q(pilots__initiatives__status=InitiativeStatus.PUBLISHED),
            distinct=True,
        ),
    ).select_related("attribution")


def programme_get(*, slug: str) -> Programme:
    return Programme.objects.select_related("attribution").get(slug=slug)


def pilot_list(*, programme: Programme | None = None) -> QuerySet[Pilot]:
    pilots = Pilot.objects.select_related("programme", "lead_organisation", "attribution")
    if programme is not None:
        pilots = pilots.filter(programme=programme)
    return pilots.prefetch_related(Prefetch("places", queryset=Place.objects.order_by("name")))


def pilot_get(*, slug: str) -> Pilot:
    return (
        Pilot.objects.select_related("programme", "lead_organisation", "attribution")
        .prefetch_related("deep_dives", "service_themes")
        .prefetch_related(Prefetch("places", queryset=Place.objects.order_by("name")))
        .get(slug=slug)
    )


@dataclass(frozen=True)
class SpendRow:
    financial_year: str
    amount: Decimal
    lines: int
    population: int | None
    per_head: Decimal | None
    population_illustrative: bool
    # The population's year when the spend year has none (the nearest), as in the ledger's API.
    population_year: str | None = None


def pilot_spend(*, pilot: Pilot) -> list[SpendRow]:
    """Approved spend in the footprint by year, with population and spend per head (from the
    nearest year's population where a year has none, as on the place pages)."""
    places = list(pilot.places.all())
    totals = footprint_spend(places=places)
    found = footprint_population(places=places, years=[t.financial_year for t in totals])
    rows = []
    for total in totals:
        population = found.get(total.financial_year)
        persons = population.persons if population else None
        rows.append(
            SpendRow(
                total.financial_year,
                total.amount,
                total.lines,
                persons,
                per_head(total.amount, persons),
                bool(population and population.illustrative),
                population.year if population and population.year else None,
            )
        )
    return rows


def pilot_spend_is_illustrative(*, pilot: Pilot) -> bool:
    return any(place_has_illustrative_data(place=place) for place in pilot.places.all())


def pilot_initiatives(*, pilot: Pilot, user) -> QuerySet[Initiative]:
    return (
        visible_initiatives(user=user)
        .filter(pilot=pilot)
        .select_related("deep_dive", "service_theme", "baseline_year", "appraisal")
        .order_by("status", "title")
    )


def initiative_get(*, public_id, user) -> Initiative:
    """An initiative the user may see (raises Initiative.DoesNotExist otherwise)."""
    return (
        visible_initiatives(user=user)
        .select_related(
            "pilot__programme",
            "pilot__lead_organisation",
            "deep_dive",
            "service_theme",
            "baseline_year",
            "appraisal",
            "attribution",
        )
        .get(public_id=public_id)
    )


def evidence_for(*, user, pilot: Pilot, initiative: Initiative | None = None, pilot_level=False):
    items = visible_evidence(user=user).filter(pilot=pilot).select_related("initiative")
    if initiative is not None:
        items = items.filter(initiative=initiative)
    elif pilot_level:
        items = items.filter(initiative__isnull=True)
    return items


def evidence_get(*, public_id, user) -> EvidenceItem:
    return (
        visible_evidence(user=user)
        .select_related("pilot", "initiative", "created_by", "updated_by")
        .get(public_id=public_id)
    )


def submissions_for(*, user, pilot: Pilot):
    return visible_submissions(user=user).filter(pilot=pilot).select_related("baseline_year")


def submission_get(*, public_id, user):
    return (
        visible_submissions(user=user)
        .select_related("pilot", "baseline_year")
        .prefetch_related("savings__theme", "savings__organisation", "savings__initiative")
        .get(public_id=public_id)
    )


def place_pilots(*, place: Place) -> QuerySet[Pilot]:
    return pilot_list().filter(places=place)
