"""Rollups against the real services: a Celery worker through Redis, and PostgreSQL locking."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from ledger.models import Reconciliation, SpendLine, SpendRollup
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.lines import spend_lines_add
from ledger.services.reconciliation import reconciliation_run
from ledger.services.returns import spend_return_create
from ledger.services.rollups import _lock, rollup_rebuild, rollup_refresh
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
)
from tests.ledger.test_rollups import line_totals, rollup_rows
from tests.services import require_postgres

pytestmark = pytest.mark.services


def _return(org, year, place, theme, amounts):
    spend_return = spend_return_create(organisation=org, financial_year=year, actor=None)
    spend_lines_add(
        spend_return=spend_return,
        lines=[SpendLine(place=place, theme=theme, amount=Decimal(a)) for a in amounts],
    )
    spend_return_submit(spend_return=spend_return, actor=None)
    return spend_return


def _wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_approval_refreshes_rollups_through_a_real_worker(real_worker):
    org, year = OrganisationFactory(), FinancialYearFactory(code="2009-10")
    place, theme = PlaceFactory(), ServiceThemeFactory()
    spend_return_approve(
        spend_return=_return(org, year, place, theme, ["12.34", "0.66"]), actor=None
    )
    assert _wait_for(lambda: SpendRollup.objects.filter(organisation=org).exists()), (
        real_worker.log()
    )
    assert SpendRollup.objects.get(organisation=org).amount == Decimal("13.00")
    assert _wait_for(lambda: Reconciliation.objects.filter(organisation=org).exists())
    # A new version supersedes the old one; the worker swaps the totals.
    spend_return_approve(spend_return=_return(org, year, place, theme, ["1.00"]), actor=None)
    assert _wait_for(
        lambda: SpendRollup.objects.filter(organisation=org, amount=Decimal("1.00")).exists()
    ), real_worker.log()
    assert rollup_rows() == line_totals()
    assert Reconciliation.objects.get(organisation=org).residual == 0


def test_a_rebuild_waits_for_a_running_refresh(transactional_db):
    require_postgres()
    org, year = OrganisationFactory(), FinancialYearFactory(code="2009-10")
    spend_return_approve(
        spend_return=_return(org, year, PlaceFactory(), ServiceThemeFactory(), ["5.00"]),
        actor=None,
    )
    holding, release, rebuilt = threading.Event(), threading.Event(), threading.Event()

    def refresh_in_progress():
        with transaction.atomic():
            _lock([(org.pk, year.pk)])  # what a refresh holds while it works
            holding.set()
            release.wait(10)
        connection.close()

    def rebuild():
        holding.wait(10)
        rollup_rebuild()
        rebuilt.set()
        connection.close()

    threads = [threading.Thread(target=refresh_in_progress), threading.Thread(target=rebuild)]
    for t in threads:
        t.start()
    assert holding.wait(10)
    assert not rebuilt.wait(0.7), "the rebuild did not wait for the refresh's lock"
    release.set()
    assert rebuilt.wait(10)
    for t in threads:
        t.join(10)
    assert rollup_rows() == line_totals()


def test_refreshes_rebuilds_and_approvals_at_once_leave_exact_totals(transactional_db):
    require_postgres()
    year = FinancialYearFactory(code="2009-10")
    places = [PlaceFactory() for _ in range(3)]
    theme = ServiceThemeFactory()
    orgs = [OrganisationFactory() for _ in range(3)]
    for n, org in enumerate(orgs):
        spend_return_approve(
            spend_return=_return(org, year, places[n], theme, [f"{n + 1}.00"]), actor=None
        )
    keys = [(o.pk, year.pk) for o in orgs]
    errors, stop = [], threading.Event()

    def run(fn):
        try:
            while not stop.is_set():
                fn()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    def approve_versions():
        try:
            for n in range(8):
                org = orgs[n % 3]
                spend_return_approve(
                    spend_return=_return(org, year, places[n % 3], theme, [f"{n}.0{n}", "0.01"]),
                    actor=None,
                )
        except Exception as exc:
            errors.append(exc)
        finally:
            stop.set()
            connection.close()

    threads = [
        threading.Thread(target=run, args=(rollup_rebuild,)),
        threading.Thread(target=run, args=(lambda: rollup_refresh(keys=keys[:2]),)),
        threading.Thread(target=run, args=(lambda: rollup_refresh(keys=keys[1:]),)),
        threading.Thread(target=approve_versions),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    # Each approval's refresh ran (eagerly) after its commit; whatever the rebuilds and the
    # other refreshes did in between, the last writer read committed lines under the locks.
    assert rollup_rows() == line_totals()
    assert not reconciliation_run()
