"""Factories for pilots and savings rows (reference rows reuse the loaders' where present)."""

from decimal import Decimal

import factory

from ledger.models import Classification
from pilots.models import (
    EvidenceItem,
    EvidenceKind,
    Initiative,
    InitiativeStatus,
    Pilot,
    PilotKind,
    PilotLead,
    Programme,
)
from savings.models import BenefitFlow, CostLine, UnitCost, ValueType
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
    UserFactory,
)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    period = "2009-10"


class DeepDiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Classification
        django_get_or_create = ["scheme", "code"]

    scheme = "deep_dive"
    code = "children-young-people"
    name = "Children and young people"


class PilotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pilot
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"pilot-{n}")
    name = factory.Sequence(lambda n: f"Pilot {n}")
    programme = factory.SubFactory(ProgrammeFactory)
    kind = PilotKind.PILOT
    lead_organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def places(self, create, extracted, **kwargs):
        if create:
            self.places.set(extracted if extracted is not None else [PlaceFactory()])


class PilotLeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PilotLead

    user = factory.SubFactory(UserFactory)
    pilot = factory.SubFactory(PilotFactory)


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    pilot = factory.SubFactory(PilotFactory)
    title = factory.Sequence(lambda n: f"Initiative {n}")
    summary = "What changes and for whom."
    service_theme = factory.SubFactory(ServiceThemeFactory)
    status = InitiativeStatus.PUBLISHED
    baseline_year = factory.SubFactory(FinancialYearFactory, code="2010-11")


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceItem

    pilot = factory.SubFactory(PilotFactory)
    kind = EvidenceKind.NOTE
    title = factory.Sequence(lambda n: f"Evidence {n}")
    body = "A note."


class UnitCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitCost
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"unit-cost-{n}")
    description = "An outcome"
    unit = "per outcome"
    agency = "NHS"
    value = Decimal("100.00")
    price_year = "2010-11"
    source = "Illustrative (test)"
    is_illustrative = True


class CostLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostLine

    initiative = factory.SubFactory(InitiativeFactory)
    payer = factory.SubFactory(OrganisationFactory)
    year = 0
    amount = Decimal("100.00")


class BenefitFlowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenefitFlow

    initiative = factory.SubFactory(InitiativeFactory)
    beneficiary = factory.SubFactory(OrganisationFactory)
    value_type = ValueType.FISCAL
    amount_per_year = Decimal("30.00")
    lag = 1
    duration = 5


def pilot_admin_form(pilot, *, places) -> dict:
    """The admin's change form for ``pilot`` as posted, with its footprint set to ``places``."""
    return {
        "slug": pilot.slug,
        "name": pilot.name,
        "programme": pilot.programme_id,
        "kind": pilot.kind,
        "status": pilot.status,
        "places": [place.pk for place in places],
        "lead_organisation": pilot.lead_organisation_id,
        "summary": "",
        "leads-TOTAL_FORMS": 0,
        "leads-INITIAL_FORMS": 0,
    }
