"""A small world: two pilots, each with its own lead, and one appraised initiative (fixture)."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from ledger.models import Role, Sector
from ledger.services.access import api_token_create, membership_grant
from pilots.models import InitiativeStatus, Pilot
from pilots.services.access import pilot_lead_grant
from pilots.services.initiatives import initiative_create
from savings.services.inputs import benefit_flow_create, cost_line_create
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
    UserFactory,
)
from tests.pilots.factories import PilotFactory, ProgrammeFactory


@dataclass
class World:
    alpha: Pilot
    beta: Pilot
    lead_a: object
    lead_b: object
    council: object
    nhs: object
    police: object
    initiative: object  # alpha's published initiative
    theme: object

    def api(self, user=None) -> APIClient:
        """An API client authenticated by token as ``user`` (anonymous when None)."""
        client = APIClient()
        if user is not None:
            membership_grant(user=user, organisation=self.council, role=Role.FINANCE_OFFICER)
            _, key = api_token_create(user=user, organisation=self.council, name="test")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client


@pytest.fixture
def world(db, django_capture_on_commit_callbacks) -> World:
    FinancialYearFactory(code="2010-11")
    programme = ProgrammeFactory(slug="test-programme", name="Test programme")
    council = OrganisationFactory(code="COUNCIL", name="Testshire Council")
    nhs = OrganisationFactory(code="NHS", name="Testshire PCT", sector=Sector.NHS)
    police = OrganisationFactory(code="POLICE", name="Testshire Police", sector=Sector.POLICE)
    theme = ServiceThemeFactory(code="family-support", name="Family support")
    alpha = PilotFactory(
        slug="alpha",
        name="Alpha",
        programme=programme,
        lead_organisation=council,
        places=[PlaceFactory(gss_code="E99000001", name="Alphaton", slug="alphaton")],
    )
    beta = PilotFactory(
        slug="beta",
        name="Beta",
        programme=programme,
        lead_organisation=council,
        places=[PlaceFactory(gss_code="E99000002", name="Betaville", slug="betaville")],
    )
    lead_a, lead_b = UserFactory(username="lead-a"), UserFactory(username="lead-b")
    pilot_lead_grant(pilot=alpha, user=lead_a)
    pilot_lead_grant(pilot=beta, user=lead_b)
    with django_capture_on_commit_callbacks(execute=True):
        initiative = initiative_create(
            pilot=alpha,
            actor=lead_a,
            title="Family key workers",
            summary="Key workers for families.",
            service_theme=theme,
            status=InitiativeStatus.PUBLISHED,
            baseline_entered_amount=Decimal("1000000.00"),
            baseline_entered_source="Council budget book 2010-11",
        )
        cost_line_create(
            initiative=initiative, actor=lead_a, payer=council, year=0, amount=Decimal("100.00")
        )
        benefit_flow_create(
            initiative=initiative,
            actor=lead_a,
            beneficiary=nhs,
            amount_per_year=Decimal("20.00"),
            lag=1,
            duration=5,
        )
        benefit_flow_create(
            initiative=initiative,
            actor=lead_a,
            beneficiary=police,
            amount_per_year=Decimal("10.00"),
            lag=1,
            duration=5,
            cashable_percent=Decimal("50"),
        )
    return World(alpha, beta, lead_a, lead_b, council, nhs, police, initiative, theme)
