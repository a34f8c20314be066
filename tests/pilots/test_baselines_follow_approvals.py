"""An approved return refreshes, once its rollups are current, exactly the initiative baselines it
can change: a footprint covering one of its lines' places, with the lines' year as baseline year.
The nightly rebuild of every rollup refreshes every baseline.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from ledger import tasks as ledger_tasks
from ledger.calculations.apportion import apportion
from ledger.models import Basis, PlaceKind, SpendLine, SpendReturnStatus, SpendRollup
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.lines import spend_lines_add
from ledger.services.returns import spend_return_create
from pilots import tasks as pilot_tasks
from pilots.models import Initiative
from pilots.selectors.ledger import initiatives_affected_by_returns
from pilots.tasks import baselines_refresh, baselines_refresh_for_returns
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
)
from tests.pilots.factories import InitiativeFactory, PilotFactory, pilot_admin_form
from tests.services import wait_for

LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def _footprints():
    """A county with a district, a place elsewhere, and initiatives on each (plus one on the
    county for another year), their baselines last refreshed long ago."""
    year, other_year = FinancialYearFactory(code="2010-11"), FinancialYearFactory(code="2009-10")
    county = PlaceFactory(kind=PlaceKind.COUNTY)
    district, elsewhere = PlaceFactory(parent=county), PlaceFactory()
    theme = ServiceThemeFactory()
    on_county, on_elsewhere = PilotFactory(places=[county]), PilotFactory(places=[elsewhere])
    world = SimpleNamespace(
        year=year,
        county=county,
        district=district,
        elsewhere=elsewhere,
        theme=theme,
        council=OrganisationFactory(),
        here=InitiativeFactory(pilot=on_county, service_theme=theme, baseline_year=year),
        other_year=InitiativeFactory(
            pilot=on_county, service_theme=theme, baseline_year=other_year
        ),
        away=InitiativeFactory(pilot=on_elsewhere, service_theme=theme, baseline_year=year),
    )
    Initiative.objects.update(baseline_refreshed_at=LONG_AGO)
    return world


@pytest.fixture
def footprints(db):
    return _footprints()


def _lines(world, *parts, basis=Basis.DIRECT):
    return [
        SpendLine(place=place, theme=world.theme, amount=Decimal(amount), basis=basis)
        for place, amount in parts
    ]


def _approve(world, lines):
    spend_return = spend_return_create(
        organisation=world.council, financial_year=world.year, actor=None
    )
    spend_lines_add(spend_return=spend_return, lines=lines)
    spend_return_submit(spend_return=spend_return, actor=None)
    return spend_return_approve(spend_return=spend_return, actor=None)


def _baseline(initiative):
    initiative.refresh_from_db()
    return (initiative.baseline_ledger_amount, initiative.baseline_ledger_lines)


def _refreshed(initiative) -> bool:
    initiative.refresh_from_db()
    return initiative.baseline_refreshed_at != LONG_AGO


@pytest.mark.django_db
def test_an_approval_in_the_footprint_and_year_refreshes_only_that_baseline(
    footprints, django_capture_on_commit_callbacks
):
    # A district's line counts for a pilot whose footprint is the county above it.
    with django_capture_on_commit_callbacks(execute=True):
        _approve(
            footprints,
            _lines(footprints, (footprints.district, "120.50"), (footprints.district, "-0.25")),
        )
    assert _baseline(footprints.here) == (Decimal("120.25"), 2)
    assert _refreshed(footprints.here)
    # Another place, or the same footprint in another baseline year: not touched at all.
    assert not _refreshed(footprints.away) and not _refreshed(footprints.other_year)
    assert _baseline(footprints.away) == (None, 0)


@pytest.mark.django_db
def test_apportioned_lines_count_for_the_places_they_are_apportioned_to(
    footprints, django_capture_on_commit_callbacks
):
    shares = apportion(Decimal("100.00"), {footprints.district: 2, footprints.elsewhere: 1})
    assert shares == {footprints.district: Decimal("66.67"), footprints.elsewhere: Decimal("33.33")}
    with django_capture_on_commit_callbacks(execute=True):
        _approve(footprints, _lines(footprints, *shares.items(), basis=Basis.APPORTIONED))
    assert _baseline(footprints.here) == (Decimal("66.67"), 1)
    assert _baseline(footprints.away) == (Decimal("33.33"), 1)
    assert not _refreshed(footprints.other_year)


@pytest.mark.django_db
def test_a_new_version_refreshes_the_places_its_superseded_version_counted_in(
    footprints, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _approve(footprints, _lines(footprints, (footprints.district, "50.00")))
    assert _baseline(footprints.here) == (Decimal("50.00"), 1)
    # Version 2 moves the spend elsewhere: the county's baseline loses it, elsewhere's gains it.
    with django_capture_on_commit_callbacks(execute=True):
        _approve(footprints, _lines(footprints, (footprints.elsewhere, "70.00")))
    assert _baseline(footprints.here) == (None, 0)
    assert _baseline(footprints.away) == (Decimal("70.00"), 1)


@pytest.mark.django_db
def test_the_affected_initiatives_are_found_once_and_a_rerun_changes_nothing(
    footprints, django_capture_on_commit_callbacks
):
    # The county and its district both in one footprint: the initiative is listed once.
    both = PilotFactory(places=[footprints.county, footprints.district])
    twice = InitiativeFactory(
        pilot=both, service_theme=footprints.theme, baseline_year=footprints.year
    )
    with django_capture_on_commit_callbacks(execute=True):
        spend_return = _approve(footprints, _lines(footprints, (footprints.district, "10.00")))
    affected = initiatives_affected_by_returns(spend_return_ids=[spend_return.pk])
    assert sorted(affected.values_list("pk", flat=True)) == sorted([footprints.here.pk, twice.pk])
    assert _baseline(twice) == (Decimal("10.00"), 1)

    assert baselines_refresh_for_returns([spend_return.pk]) == 2
    assert _baseline(footprints.here) == _baseline(twice) == (Decimal("10.00"), 1)
    assert baselines_refresh_for_returns([]) == 0


@pytest.mark.django_db
def test_with_the_broker_down_the_approval_stands_and_the_nightly_refresh_catches_up(
    footprints, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        # No error for the officer, though the rollups' task is not queued.
        spend_return = _approve(footprints, _lines(footprints, (footprints.district, "8.00")))
    assert broker.sent == 1 and not _refreshed(footprints.here)
    # The rollups caught up (as the nightly rebuild would) but the broker is still down: the
    # baselines' job is not queued, and the rollups' task does not fail for it.
    with django_capture_on_commit_callbacks(execute=True):
        assert ledger_tasks.rollups_refresh([spend_return.pk])["scopes"] == 1
    assert broker.sent == 2 and not _refreshed(footprints.here)
    assert baselines_refresh() == 3
    assert _baseline(footprints.here) == (Decimal("8.00"), 1)


@pytest.mark.django_db
def test_a_failing_baseline_refresh_never_fails_the_approval_or_its_totals(
    footprints, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("a bug in pilots")

    monkeypatch.setattr(pilot_tasks, "initiative_baselines_refresh_for_returns", broken)
    with django_capture_on_commit_callbacks(execute=True):  # eager: the job runs inline
        spend_return = _approve(footprints, _lines(footprints, (footprints.district, "9.00")))
    spend_return.refresh_from_db()
    assert spend_return.status == SpendReturnStatus.APPROVED
    assert SpendRollup.objects.get().amount == Decimal("9.00")
    assert not _refreshed(footprints.here)


@pytest.mark.services
def test_a_real_worker_refreshes_the_baseline_after_the_rollups(real_worker):
    world = _footprints()
    before = timezone.now()
    _approve(world, _lines(world, (world.district, "42.00")))  # commits, then queues
    wait_for(
        lambda: _baseline(world.here) == (Decimal("42.00"), 1), "refresh the baseline", real_worker
    )
    assert world.here.baseline_refreshed_at > before
    assert "pilots.baselines_refresh_for_returns" in real_worker.log()
    assert not _refreshed(world.away) and not _refreshed(world.other_year)


def _every_baseline_refreshed(world) -> bool:
    return all(_refreshed(i) for i in (world.here, world.other_year, world.away))


@pytest.mark.django_db
def test_the_nightly_rebuild_refreshes_every_baseline_from_the_rebuilt_totals(
    footprints, django_capture_on_commit_callbacks
):
    # Approved, but its rollups' task never ran (the broker was down): nothing moved yet.
    _approve(footprints, _lines(footprints, (footprints.district, "8.00")))
    assert not SpendRollup.objects.exists() and not _refreshed(footprints.here)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert ledger_tasks.rollups_rebuild()["inserted"] == 1
    assert len(queued) == 1  # one job, after the rebuild's commit, not one per initiative
    assert _baseline(footprints.here) == (Decimal("8.00"), 1)
    # Which returns' totals moved is not known after a rebuild: every baseline is read again.
    assert _every_baseline_refreshed(footprints)
    assert _baseline(footprints.away) == (None, 0)


@pytest.mark.django_db
def test_with_the_broker_down_the_rebuild_stands_without_the_baselines(
    footprints, broker, django_capture_on_commit_callbacks
):
    _approve(footprints, _lines(footprints, (footprints.district, "8.00")))
    with django_capture_on_commit_callbacks(execute=True):
        assert ledger_tasks.rollups_rebuild()["residuals"] == 0
    assert broker.sent == 1  # the baselines' refresh, tried once and logged
    assert SpendRollup.objects.get().amount == Decimal("8.00")
    assert not _refreshed(footprints.here)


@pytest.mark.django_db
def test_a_failing_baselines_refresh_never_fails_the_rebuild(
    footprints, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    def broken(**kwargs):
        calls.append(kwargs)
        raise RuntimeError("a bug in pilots")

    monkeypatch.setattr(pilot_tasks, "initiative_baseline_refresh", broken)
    _approve(footprints, _lines(footprints, (footprints.district, "9.00")))
    with django_capture_on_commit_callbacks(execute=True):  # eager: the job runs inline
        assert ledger_tasks.rollups_rebuild()["inserted"] == 1
    assert len(calls) == 1  # it ran, and failed on the first initiative
    assert SpendRollup.objects.get().amount == Decimal("9.00")


@pytest.mark.django_db
def test_a_failing_reconciliation_still_leaves_the_baselines_refreshed(
    footprints, monkeypatch, django_capture_on_commit_callbacks
):
    from ledger.services import reconciliation

    def broken():
        raise RuntimeError("a bug in the reconciliation")

    monkeypatch.setattr(reconciliation, "reconciliation_run", broken)
    _approve(footprints, _lines(footprints, (footprints.district, "7.00")))
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError, match="reconciliation"),
    ):
        ledger_tasks.rollups_rebuild()
    # The rebuilt totals stand, and the baselines were read from them before the failure.
    assert _baseline(footprints.here) == (Decimal("7.00"), 1)


@pytest.mark.services
def test_a_real_worker_refreshes_every_baseline_after_the_nightly_rebuild(real_worker, broker):
    world = _footprints()
    _approve(world, _lines(world, (world.district, "42.00")))  # commits; nothing is queued
    broker.down = False
    ledger_tasks.rollups_rebuild.delay()
    wait_for(lambda: _every_baseline_refreshed(world), "refresh every baseline", real_worker)
    assert _baseline(world.here) == (Decimal("42.00"), 1)
    assert "pilots.baselines_refresh[" in real_worker.log()


@pytest.mark.django_db
def test_the_initiative_page_says_when_its_baseline_was_read(client, footprints):
    """So a reader can tell a baseline that predates a recent approval."""
    initiative = footprints.here
    Initiative.objects.filter(pk=initiative.pk).update(
        baseline_ledger_amount=Decimal("120.25"),
        baseline_ledger_lines=2,
        baseline_refreshed_at=dt.datetime(2026, 11, 21, 3, 30, tzinfo=dt.UTC),
    )
    page = client.get(f"/initiatives/{initiative.public_id}/").content.decode()
    assert '<time datetime="2026-11-21T03:30:00+00:00">21 Nov 2026, 03:30</time>' in page


@pytest.mark.django_db
def test_an_admin_change_of_footprint_refreshes_the_pilots_baselines(
    client, footprints, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    with django_capture_on_commit_callbacks(execute=True):  # its rollups, then baselines
        _approve(footprints, _lines(footprints, (footprints.elsewhere, "75.00")))
    pilot = footprints.here.pilot
    Initiative.objects.update(baseline_refreshed_at=LONG_AGO)
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))
    form = pilot_admin_form(pilot, places=[footprints.elsewhere])  # the county's moves away
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/pilots/pilot/{pilot.pk}/change/", form)
    assert response.status_code == 302
    assert _refreshed(footprints.here)
    assert _baseline(footprints.here) == (Decimal("75.00"), 1)
    assert not _refreshed(footprints.away)  # another pilot's baselines are left alone
