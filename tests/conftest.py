"""Fixtures shared by the whole suite.

Tests marked ``services`` need the real PostgreSQL, Redis and a Celery worker. Run with
``TOTALPLACE_REQUIRE_SERVICES=1`` (as ``.ci/run`` does) a missing service fails the test instead
of skipping it, so CI can never go green without them.
"""

import os

import pytest
from django.db import transaction

from tests.services import require_postgres, start_celery_worker

pytest_plugins = [
    "tests.ledger.returns_fixtures",
    "tests.ledger.profiles_fixtures",
    "tests.browser_fixtures",
]


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_guards():
    """Let a transactional test's flush (TRUNCATE of every table) past the history tables' guards.

    Those guards refuse TRUNCATE for everyone (audit.guards); the suite's flush skips every
    trigger for its transaction with ``session_replication_role = replica``, which only a
    superuser may set (the suite connects as one; the app's role cannot: see test_guards.py).
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return flush(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = flush


@pytest.fixture(scope="session")
def reference_data(django_db_setup, django_db_blocker):
    """England's places, themes, crosswalks and national bodies, loaded once per session.

    Loaded inside the session's blocker so every test (transactional or not) sees it; tests that
    use ``transactional_db`` must not depend on it, because a flush removes it.
    """
    from ledger.services.reference import reference_load_all

    with django_db_blocker.unblock():
        reference_load_all()


@pytest.fixture
def reference_data_tx(transactional_db):
    """Reference data for a ``transactional_db`` test (committed, so other processes see it)."""
    from ledger.services.reference import reference_load_all

    reference_load_all()


@pytest.fixture(scope="module")
def cumbria_demo(django_db_setup, django_db_blocker, reference_data):
    """The Cumbria demo, loaded once per module (the costliest fixture in the suite), in a
    transaction rolled back when the module's tests are done (as ``tests/permissions/world.py``).

    Each test still runs in its own savepoint, so what a test writes is gone for the next. The
    demo stays loaded until the module's last test: a module that uses it holds no test that
    needs a ledger without it.
    """
    from ledger.services.demo import demo_load_cumbria

    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load_cumbria()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def cumbria_totals(cumbria_demo, django_db_blocker):
    """The demo with its rollups built and reconciled, as the nightly job would leave them
    (in the demo's module transaction)."""
    from ledger.services.reconciliation import reconciliation_run
    from ledger.services.rollups import rollup_rebuild

    with django_db_blocker.unblock():
        rollup_rebuild()
        reconciliation_run()
    return cumbria_demo


@pytest.fixture
def broker(monkeypatch):
    """A switch: while ``down`` is set, every publish fails as it does with Redis gone.

    (The real outage, a web process pointed at a closed port, is in ``tests/test_faults.py``.)
    """
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    class Broker:
        down = True
        sent = 0

    state = Broker()
    real_apply_async = Task.apply_async

    def apply_async(task, args=(), kwargs=None, **options):
        state.sent += 1
        if state.down:
            raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")
        return real_apply_async(task, args, kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", apply_async)
    return state


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real ``celery -A totalplace worker`` process on the test database and the real broker.

    Each test session gets its own queue name, so a developer's worker (or another checkout's
    suite on the same Redis) never takes our tasks.
    """
    with django_db_blocker.unblock():
        require_postgres()
    worker = start_celery_worker()
    yield worker
    worker.stop()


@pytest.fixture
def real_worker(celery_worker_process, transactional_db):
    """Send tasks through Redis to the worker (not eagerly) for the duration of one test."""
    from totalplace.celery import app

    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = celery_worker_process.queue
    try:
        yield celery_worker_process
    finally:
        celery_worker_process.wait_idle()  # before the teardown's flush
        app.conf.task_always_eager, app.conf.task_default_queue = previous


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the transactional tests last, the slowest of them first, after the tests without a
    database.

    pytest-django orders database tests, then transactional ones, then the rest; that keeps the
    session's reference data (and the groups and grades migrations seed) for every database test
    until the first flush. Under pytest-xdist a worker takes its tests in this order, topping up
    its queue by about an eighth of what is left: ending on the quick tests without a database
    left one worker holding minutes of browser tests while the other stopped (646 s against
    402 s of work). Ending on the transactional tests, longest first, leaves a few quick ones to
    even out the end. None of them may use the session's ``reference_data``: a flush removes it.
    """
    needs_flush = [item for item in items if _transactional(item)]
    wrong = [item.nodeid for item in needs_flush if "reference_data" in item.fixturenames]
    if wrong:
        raise pytest.UsageError(
            "transactional tests cannot use the session's reference_data (a flush removes it; "
            f"use reference_data_tx): {', '.join(wrong)}"
        )
    last = set(map(id, needs_flush))
    needs_flush.sort(key=lambda item: item.get_closest_marker("slow") is None)
    items[:] = [item for item in items if id(item) not in last] + needs_flush


def _transactional(item) -> bool:
    """As pytest-django decides it: the test commits, and a flush empties the tables after it."""
    from pytest_django.plugin import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker and any(validate_django_db(marker)[:2]):  # transaction, reset_sequences
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.TOTALPLACE_REAL_BROKER_URL or "none (eager)"
    required = os.environ.get("TOTALPLACE_REQUIRE_SERVICES") == "1"
    return f"totalplace: database={engine} broker={broker} services-required={required}"
