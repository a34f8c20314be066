"""Faults with the real services: a worker killed mid-import, Redis down, approvals racing.

PostgreSQL, Redis and Celery workers are real. Only processes these tests start are killed;
"Redis down" is a web process pointed at a closed port (the shared Redis keeps running).
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.db import connection, connections, transaction
from django.db.models import Sum
from django.test import Client

from ledger.models import (
    ColumnMapping,
    ImportJob,
    ImportJobStatus,
    ImportStagedLine,
    Organisation,
    Role,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
    SpendRollup,
)
from ledger.services.access import api_token_create, membership_grant
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.imports.confirm import import_job_request_confirm
from ledger.services.imports.jobs import import_job_create
from ledger.services.imports.queueing import DELAYED_MESSAGE, import_jobs_requeue
from ledger.services.lines import spend_lines_add
from ledger.services.reconciliation import reconciliation_run
from ledger.services.returns import spend_return_create
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
    UserFactory,
)
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, spend_file
from tests.services import (
    ROOT,
    require_broker,
    require_postgres,
    start_celery_worker,
    worker_database_url,
)

pytestmark = [pytest.mark.services, pytest.mark.slow]
MEDIA = ROOT / "var" / "test-media"
# Six staging chunks of 20,000 (the reader's blocks): the kill lands between two of them. The
# preview on pyarrow stages a chunk in tens of milliseconds, so with three the worker had
# staged them all before the test held the job row (a CI run saw 60,000 of 60,000).
ROWS = 120_000
VISIBILITY_TIMEOUT = 4


@pytest.fixture
def shared_media(settings):
    """Files where another process (a worker, a web server) can read them."""
    settings.MEDIA_ROOT = str(MEDIA)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def own_worker(transactional_db, shared_media):
    """A worker of this test's own (it will be killed), with a short visibility timeout so a
    message a dead worker held comes back quickly; in-process tasks go to its queue."""
    require_postgres()
    from totalplace.celery import app

    workers = []

    def start(queue=None):
        env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
        if queue:
            env["CELERY_TASK_DEFAULT_QUEUE"] = queue
        worker = start_celery_worker(extra_env=env, queue=queue)
        workers.append(worker)
        app.conf.task_always_eager = False
        app.conf.task_default_queue = worker.queue
        return worker

    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()
        app.conf.task_always_eager, app.conf.task_default_queue = previous


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _wait(predicate, what: str, timeout: float = 90, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, pg_blocking_pids(pid), state, wait_event_type, left(query, 80), "
            "pg_backend_pid() FROM pg_stat_activity WHERE datname = current_database()"
        )
        sessions = cursor.fetchall()
    pytest.fail(f"timed out waiting for {what}; other sessions: {sessions}")


def _blocked_on_lock(sql: str) -> bool:
    """A backend of another process is waiting on a row lock, in a statement containing this.

    Containing, not starting with: pghistory prefixes audited statements with its context
    (``SELECT set_config('pghistory.context_id', ...); UPDATE ...``). On this test's database
    only: another xdist worker's (or checkout's) suite may be waiting on the same statement.
    """
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL serves pg_stat_activity from a snapshot: refresh it.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE %s AND pid <> pg_backend_pid() AND datname = current_database()",
            [f"%{sql}%"],
        )
        return cursor.fetchone()[0] > 0


def _leeds_draft():
    from ledger.models import FinancialYear

    leeds = Organisation.objects.by_code("00DA").get()
    return spend_return_create(
        organisation=leeds,
        financial_year=FinancialYear.objects.get(code="2010-11"),
        actor=None,
    )


def _big_file() -> tuple[bytes, Decimal]:
    """Columns recognised by name (not a known layout), so confirming saves their mapping."""
    amounts = [f"{n % 997}.{n % 100:02d}" for n in range(1, ROWS + 1)]
    rows = [["14/01/2011", f"Supplier {n % 50}", amount] for n, amount in enumerate(amounts)]
    return csv_bytes([["Date", "Supplier Name", "Amount"], *rows]), sum(map(Decimal, amounts))


def _job(job: ImportJob, statuses: set, timeout: float = 120) -> ImportJob:
    def done():
        job.refresh_from_db()
        return job.status in statuses

    _wait(done, f"job in {statuses}", timeout)
    return job


# --- 1. a worker killed mid-import ------------------------------------------------------------
def test_a_worker_killed_mid_preview_and_mid_confirm_leaves_no_lines_and_imports_once(
    own_worker, reference_data_tx
):
    worker = own_worker()
    spend_return = _leeds_draft()
    content, total = _big_file()
    job = import_job_create(spend_return=spend_return, file=spend_file(content), actor=None)

    # Preview: once the first chunk is staged, hold the job row so the worker blocks writing
    # its progress after the next chunk; then kill the process running the task (SIGKILL).
    staged = ImportStagedLine.objects.filter(job_id=job.pk)
    _wait(staged.exists, "the first staged chunk", every=0.005)  # before the next chunks
    with transaction.atomic():
        # NO KEY: staging rows' key checks on the job pass; its progress UPDATE waits.
        ImportJob.objects.select_for_update(no_key=True).get(pk=job.pk)
        _wait(lambda: _blocked_on_lock('UPDATE "ledger_importjob"'), "the worker to block")
        (child,) = _children(worker.process.pid)
        os.kill(child, signal.SIGKILL)
        assert 0 < staged.count() < ROWS  # killed half-way through the preview
    # Late acknowledgement + reject on worker lost: the task comes back and starts clean.
    job = _job(job, {ImportJobStatus.READY, ImportJobStatus.FAILED, ImportJobStatus.INVALID})
    assert job.status == ImportJobStatus.READY, (job.errors, worker.log()[-3000:])
    assert (job.staged_count, staged.count(), job.line_total) == (ROWS, ROWS, total)
    assert "WorkerLostError" in worker.log() or "SIGKILL" in worker.log()
    assert not SpendLine.objects.exists()

    # Confirm: the worker inserts every line, then saves the file's column mapping. Holding an
    # uncommitted mapping of that name makes it wait there, with every line inserted but not
    # committed; then the whole worker, main process and child, is killed.
    import_job_request_confirm(job=job, actor=None)
    with transaction.atomic():
        ColumnMapping.objects.create(
            organisation=spend_return.organisation, name=f"Columns of {job.filename}"
        )
        _wait(lambda: _blocked_on_lock('INSERT INTO "ledger_columnmapping"'), "the insert")
        for pid in [*_children(worker.process.pid), worker.process.pid]:
            os.kill(pid, signal.SIGKILL)
        worker.process.wait(timeout=10)
        transaction.set_rollback(True)  # and the mapping held here goes too
    assert not SpendLine.objects.exists()  # the dead worker's transaction never committed
    job.refresh_from_db()
    assert job.status == ImportJobStatus.CONFIRMING

    # A new worker on the same queue finds the unacknowledged message once its visibility
    # timeout has passed, and confirms the job: every line, once.
    time.sleep(VISIBILITY_TIMEOUT + 0.5)
    second = own_worker(queue=worker.queue)
    job = _job(job, {ImportJobStatus.CONFIRMED, ImportJobStatus.INVALID})
    assert job.status == ImportJobStatus.CONFIRMED, (job.message, second.log()[-3000:])
    lines = SpendLine.objects.filter(spend_return=spend_return)
    assert lines.count() == ROWS
    assert lines.aggregate(t=Sum("amount"))["t"] == total
    assert lines.values("source_row").distinct().count() == ROWS
    assert not staged.exists()
    job.file.delete(save=False)


# --- 2. Redis down ------------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe closes


def _web_server(port: int, broker_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "totalplace.settings.base",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{broker_port}/0",
        "CACHE_URL": f"redis://127.0.0.1:{broker_port}/1",
        "MEDIA_ROOT": str(MEDIA),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "totalplace.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_redis_down_pages_and_api_read_and_an_upload_waits_then_imports(
    real_worker, reference_data_tx, shared_media
):
    require_broker()
    from ledger.services.demo import demo_load_cumbria
    from ledger.services.rollups import rollup_rebuild

    demo_load_cumbria()
    rollup_rebuild()
    officer = UserFactory(username="officer-down")
    spend_return = _leeds_draft()
    membership_grant(
        user=officer, organisation=spend_return.organisation, role=Role.FINANCE_OFFICER
    )
    _, key = api_token_create(user=officer, organisation=spend_return.organisation, name="d")
    port, down = _closed_port(), _closed_port()
    server = _web_server(port, down)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _get(f"{base}/api/v1/financial-years/"), "the web server", timeout=60)
        health = requests.get(f"{base}/health/", timeout=30).json()
        assert health["broker"]["status"] == "error" and health["status"] == "degraded"
        for path in (
            "/",
            "/places/cumbria/",
            "/api/v1/places/?limit=5",
            "/api/v1/aggregate/?drilldown=sector",
            "/api/v1/spend-returns/",
        ):
            response = requests.get(base + path, timeout=20)
            assert response.status_code == 200, (path, response.text[:300])
        aggregate = requests.get(f"{base}/api/v1/aggregate/", timeout=20).json()
        expected = Client().get("/api/v1/aggregate/").json()["summary"]  # this process
        assert aggregate["summary"] == expected and Decimal(expected["amount"]) > 0

        started = time.monotonic()
        response = requests.post(
            f"{base}/api/v1/organisation/spend-returns/{spend_return.pk}/imports/",
            headers={"Authorization": f"Token {key}"},
            files={"file": ("jan.csv", csv_bytes([DCLG_HEADER, dclg_row(amount="9.99")]))},
            timeout=30,
        )
        assert time.monotonic() - started < 10  # no long hang on the dead broker
        assert response.status_code == 202, response.text
        body = response.json()
        assert (body["status"], body["delayed"], body["message"]) == (
            "queued",
            True,
            DELAYED_MESSAGE,
        )
    finally:
        server.terminate()
        server.wait(timeout=20)

    # Redis is back (this process and the worker use the real one): the beat task's sweep
    # queues the waiting job, and it is previewed and confirmed as usual.
    job = ImportJob.objects.get(pk=body["id"])
    ImportJob.objects.filter(pk=job.pk).update(delayed_at=job.delayed_at.replace(year=2000))
    assert import_jobs_requeue() == 1
    job = _job(job, {ImportJobStatus.READY, ImportJobStatus.FAILED, ImportJobStatus.INVALID})
    assert job.status == ImportJobStatus.READY, (job.errors, real_worker.log()[-2000:])
    assert (job.delayed_at, job.message) == (None, "")
    import_job_request_confirm(job=job, actor=officer)
    job = _job(job, {ImportJobStatus.CONFIRMED, ImportJobStatus.INVALID})
    assert spend_return.lines.get().amount == Decimal("9.99")
    job.file.delete(save=False)


def _get(url: str) -> bool:
    try:
        return requests.get(url, timeout=15).status_code == 200
    except requests.RequestException:
        return False


# --- 3. two approvals at once -----------------------------------------------------------------
def test_two_versions_approved_at_once_leave_the_newer_approved_and_clean_rollups(transactional_db):
    require_postgres()
    year = FinancialYearFactory(code="2010-11")
    place = PlaceFactory(gss_code="E98000009", name="Raceton", slug="raceton")
    council = OrganisationFactory(code="RACE", name="Raceton Council", home_place=place)
    theme = ServiceThemeFactory(code="race-theme", name="Race theme")
    officer, approvers = UserFactory(username="race-officer"), []
    membership_grant(user=officer, organisation=council, role=Role.FINANCE_OFFICER)
    for n in range(2):
        approvers.append(UserFactory(username=f"race-approver-{n}"))
        membership_grant(user=approvers[-1], organisation=council, role=Role.APPROVER)

    def version(amount: str) -> SpendReturn:
        spend_return = spend_return_create(organisation=council, financial_year=year, actor=None)
        spend_lines_add(
            spend_return=spend_return,
            lines=[SpendLine(place=place, theme=theme, amount=Decimal(amount), source_row=2)],
        )
        return spend_return_submit(spend_return=spend_return, actor=officer)

    spend_return_approve(spend_return=version("100.00"), actor=None)
    outcomes = []
    for round_number in range(6):
        pair = [version(f"{200 + round_number}.00"), version(f"{300 + round_number}.00")]
        barrier = threading.Barrier(2)

        def approve(spend_return, approver):
            try:
                barrier.wait(timeout=10)
                spend_return_approve(spend_return=spend_return, actor=approver)
                outcomes.append("approved")
            except Exception as exc:  # recorded, then asserted: a race must not error
                outcomes.append(f"{type(exc).__name__}: {exc}")
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=approve, args=(spend_return, approver))
            for spend_return, approver in zip(pair, approvers, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        approved = SpendReturn.objects.filter(
            organisation=council, financial_year=year, status=SpendReturnStatus.APPROVED
        )
        assert approved.count() == 1
        # Whichever approval takes the lock first, the newer version counts: an older one
        # approved first is superseded; approved second, it is refused (never the newer undone).
        assert approved.get().pk == pair[1].pk
        assert reconciliation_run() == []
        rollup = SpendRollup.objects.filter(organisation=council).aggregate(t=Sum("amount"))
        assert rollup["t"] == approved.get().lines.aggregate(t=Sum("amount"))["t"]
    refused = [o for o in outcomes if o != "approved"]
    assert all(o.startswith("ValidationError") and "is older" in o for o in refused), outcomes
    assert outcomes.count("approved") + len(refused) == 12, outcomes


@pytest.fixture(autouse=True)
def _join_guard_restored():
    """Celery's "never call result.get() in a task" flag is process-wide, and two threads
    running eager tasks at once can leave it set; later tests call result.get()."""
    from celery._state import _set_task_join_will_block, task_join_will_block

    before = task_join_will_block()
    yield
    _set_task_join_will_block(before)
