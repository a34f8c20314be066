"""A saving from forecast to cash: each step and who may take it, forecast = realised + gap per
organisation and year to the penny, and the ledger check that flags an impossible saving."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.models import Basis, FinancialYear, Organisation, Role, SpendRollup
from ledger.services.access import membership_grant
from savings.models import Saving, SavingStatus
from savings.selectors.realisation import ledger_checks, realisation, saving_actions
from savings.services.realisation import (
    saving_agree,
    saving_cash,
    saving_not_realised,
    saving_propose,
)
from tests.factories import (
    FinancialYearFactory,
    SpendReturnFactory,
    UserFactory,
)


def _member(organisation, username):
    user = UserFactory(username=username)
    membership_grant(user=user, organisation=organisation, role=Role.FINANCE_OFFICER)
    return user


def _propose(world, forecast="1000.00", **fields):
    return saving_propose(
        initiative=world.initiative,
        actor=world.lead_a,
        payer=world.council,
        receiver=world.nhs,
        financial_year=world.initiative.baseline_year,
        forecast=Decimal(forecast),
        **fields,
    )


def test_a_saving_moves_proposed_agreed_cashed_each_step_recorded(world):
    council_officer, nhs_officer = _member(world.council, "c"), _member(world.nhs, "n")
    saving = _propose(world)
    assert saving.status == SavingStatus.PROPOSED

    saving = saving_agree(saving=saving, actor=council_officer)
    assert saving.status == SavingStatus.PROPOSED  # one side is not enough
    assert saving.payer_agreed_by == council_officer and saving.receiver_agreed_at is None
    assert saving_actions(saving=saving, user=council_officer) == {"not_realised"}
    assert "agree" in saving_actions(saving=saving, user=nhs_officer)

    saving = saving_agree(saving=saving, actor=nhs_officer)
    assert saving.status == SavingStatus.AGREED and saving.receiver_agreed_by == nhs_officer

    nhs_return = SpendReturnFactory(organisation=world.nhs, financial_year=saving.financial_year)
    later = FinancialYearFactory(code="2011-12")
    with pytest.raises(PermissionDenied):  # the payer does not say what the receiver cashed
        saving_cash(saving=saving, actor=council_officer, amount=1, financial_year=later)
    saving = saving_cash(
        saving=saving,
        actor=nhs_officer,
        amount=Decimal("800.00"),
        financial_year=later,
        spend_return=nhs_return,
    )
    assert (saving.status, saving.realised, saving.realised_year) == (
        SavingStatus.CASHED,
        Decimal("800.00"),
        later,
    )
    assert saving.spend_return == nhs_return
    with pytest.raises(ValidationError):  # cashed is the end
        saving_not_realised(saving=saving, actor=nhs_officer, reason="changed our mind")
    events = list(saving.audit_events.order_by("pgh_id").values_list("status", flat=True))
    # The history rows are written by PostgreSQL triggers; SQLite (make run's database) has none.
    if connection.vendor == "postgresql":
        assert events == ["proposed", "proposed", "agreed", "cashed"]


def test_only_members_of_the_two_organisations_may_agree(world, admin_user):
    saving = _propose(world)
    police_officer = _member(world.police, "p")
    for outsider in (world.lead_a, police_officer, admin_user):
        with pytest.raises(PermissionDenied):
            saving_agree(saving=saving, actor=outsider)
    with pytest.raises(PermissionDenied):  # only the pilot's leads propose
        _propose_as(world, police_officer)
    assert Saving.objects.get(pk=saving.pk).payer_agreed_at is None


def _propose_as(world, actor):
    return saving_propose(
        initiative=world.initiative,
        actor=actor,
        payer=world.council,
        receiver=world.nhs,
        financial_year=world.initiative.baseline_year,
        forecast=Decimal("1"),
    )


def test_a_saving_not_realised_needs_a_reason_and_cannot_be_cashed(world):
    saving = _propose(world)
    with pytest.raises(ValidationError):
        saving_not_realised(saving=saving, actor=world.lead_a, reason="  ")
    saving = saving_not_realised(saving=saving, actor=world.lead_a, reason="Service cut")
    assert saving.status == SavingStatus.NOT_REALISED and saving.not_realised_reason
    with pytest.raises(ValidationError):
        saving_agree(saving=saving, actor=_member(world.nhs, "n"))
    with pytest.raises(ValidationError):  # to cash, a saving must be agreed first
        saving_cash(
            saving=_propose(world), actor=None, amount=1, financial_year=saving.financial_year
        )


def test_the_ledger_check_flags_a_saving_larger_than_the_receivers_baseline_spend(world):
    year = world.initiative.baseline_year
    place = world.alpha.places.get()
    common = {"place": place, "theme": world.theme, "basis": Basis.DIRECT, "line_count": 1}
    SpendRollup.objects.create(
        organisation=world.nhs, financial_year=year, amount=Decimal("5000.00"), **common
    )
    later = FinancialYearFactory(code="2011-12")
    SpendRollup.objects.create(
        organisation=world.nhs, financial_year=later, amount=Decimal("4200.00"), **common
    )
    # Someone else's spend on the theme is not the receiver's.
    SpendRollup.objects.create(
        organisation=world.council, financial_year=year, amount=Decimal("90000.00"), **common
    )
    possible, impossible = _propose(world, "4000.00"), _propose(world, "5000.01")
    checks = {c.saving.pk: c for c in ledger_checks(savings=[possible, impossible])}
    assert checks[possible.pk].baseline == Decimal("5000.00")
    assert [(t.financial_year, t.amount) for t in checks[possible.pk].years] == [
        ("2010-11", Decimal("5000.00")),
        ("2011-12", Decimal("4200.00")),
    ]
    assert not checks[possible.pk].impossible and checks[impossible.pk].impossible
    # A receiver with no spend on the theme there cannot save anything on it.
    (police,) = ledger_checks(savings=[_police(world)])
    assert police.baseline == Decimal("0.00") and police.impossible


def _police(world):
    return saving_propose(
        initiative=world.initiative,
        actor=world.lead_a,
        payer=world.council,
        receiver=world.police,
        financial_year=world.initiative.baseline_year,
        forecast=Decimal("0.01"),
    )


def test_the_initiative_page_shows_the_savings_the_flag_and_the_steps(world, client):
    saving = _propose(world, "1000000.00")
    nhs_officer = _member(world.nhs, "n")
    client.force_login(nhs_officer)
    page = client.get(world.initiative.get_absolute_url()).content.decode()
    assert "Savings: forecast, agreed and cashed" in page
    assert "it cannot be a saving on it" in page  # the NHS has no spend on the theme here
    assert f"/savings/{saving.public_id}/agree/" in page
    response = client.post(f"/savings/{saving.public_id}/agree/")
    assert response.status_code == 302
    assert Saving.objects.get(pk=saving.pk).receiver_agreed_by == nhs_officer
    client.force_login(_member(world.police, "p"))
    assert client.post(f"/savings/{saving.public_id}/agree/").status_code == 403


def test_the_not_realised_step_follows_the_pilots_edit_right_on_its_page_and_off_it(world, client):
    """Pilots' page hands savings the edit right (``may_edit``) rather than savings asking
    pilots' rules; savings' own pages ask the rule. Both give the same answer."""
    saving = _propose(world)
    link = f"/savings/{saving.public_id}/not-realised/"
    for lead, may in ((world.lead_a, True), (world.lead_b, False)):  # lead_b: another pilot
        client.force_login(lead)
        assert (link in client.get(world.initiative.get_absolute_url()).content.decode()) is may
        assert ("not_realised" in saving_actions(saving=saving, user=lead)) is may
        assert client.get(link).status_code == (200 if may else 403)
    assert saving_actions(saving=saving, user=world.lead_b, may_edit_pilot=True) == {"not_realised"}


money = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)
statuses = st.sampled_from(["proposed", "agreed", "cashed", "not_realised"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), money, money, statuses), max_size=12)
)
def test_forecast_is_realised_plus_gap_per_organisation_and_year(rows):
    """Forecast = realised + gap per organisation and year, and in total, to the penny."""
    organisations = [Organisation(code=f"O{i}", name=f"Org {i}") for i in range(3)]
    years = [
        FinancialYear(code=f"201{i}-1{i + 1}", start_date=dt.date(2010 + i, 4, 1)) for i in range(3)
    ]
    now = timezone.now()
    savings = []
    for org, year, forecast, realised, status in rows:
        agreed = now if status != "proposed" else None
        savings.append(
            Saving(
                receiver=organisations[org],
                financial_year=years[year],
                forecast=forecast,
                status=status,
                realised=realised if status == "cashed" else None,
                payer_agreed_at=agreed,
                receiver_agreed_at=agreed,
                is_cashable=bool(org % 2),
            )
        )
    table, total = realisation(savings=savings)
    for row in [*table, total]:
        assert row.forecast == row.realised + row.gap
        assert row.forecast == row.cashable + row.non_cashable
    assert total.forecast == sum((s.forecast for s in savings), Decimal("0"))
    assert total.realised == sum(
        (s.realised for s in savings if s.status == "cashed"), Decimal("0")
    )
    assert sum((r.gap for r in table), Decimal("0")) == total.gap
    keys = [(r.organisation, r.financial_year) for r in table]
    assert len(keys) == len(set(keys))  # one row per organisation and year


def test_the_api_proposes_agrees_cashes_and_marks_each_figure(world):
    from rest_framework.test import APIClient

    nhs_officer = _member(world.nhs, "n")
    lead = world.api(world.lead_a)
    created = lead.post(
        "/api/v1/savings/",
        {
            "initiative": str(world.initiative.public_id),
            "payer": "COUNCIL",
            "receiver": "NHS",
            "financial_year": "2010-11",
            "forecast": "10.00",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["figure"]) == ("proposed", "forecast")
    assert body["ledger_check"]["impossible"] is True  # the PCT spends nothing on the theme
    nhs = APIClient()
    nhs.force_authenticate(nhs_officer)
    url = f"/api/v1/savings/{body['id']}/"
    assert nhs.post(url + "agree/").json()["receiver_agreed_at"]
    council = APIClient()
    council.force_authenticate(_member(world.council, "c"))
    assert council.post(url + "agree/").json()["figure"] == "agreed"
    cashed = nhs.post(url + "cash/", {"amount": "7.50", "financial_year": "2010-11"}).json()
    assert (cashed["figure"], cashed["realised"]) == ("cashed", "7.50")
    realised = APIClient().get("/api/v1/savings/realisation/?scope=pilot&key=alpha").json()
    assert realised["total"]["forecast"] == "10.00" and realised["total"]["gap"] == "2.50"
    assert "not transferable" in realised["caveat"]
