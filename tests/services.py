"""Reaching the real services from tests: skip locally without them, fail in CI."""

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = os.environ.get("TOTALPLACE_REQUIRE_SERVICES") == "1"
WORKER_START_TIMEOUT = 60


def missing(reason: str):
    """Skip when running without services; fail when CI said they must be there."""
    if REQUIRED:
        pytest.fail(f"{reason} (TOTALPLACE_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


def require_postgres() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        missing("needs PostgreSQL: set DATABASE_URL=postgres://...")


def require_broker() -> str:
    from django.conf import settings

    url = settings.TOTALPLACE_REAL_BROKER_URL
    if not url:
        missing("needs Redis: set CELERY_BROKER_URL=redis://...")
    return url


def worker_database_url() -> str:
    """A URL for the database the test run created (test_<name>), for other processes."""
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    queue: str
    log_path: Path
    hostname: str = ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_idle(self, seconds: float = 30) -> None:
        """Wait until nothing waits in the queue and the worker runs or holds no task.

        A test ends once what it checks has committed, but a task it queued may still be
        running (a recompute after the last one it waited for). The test's teardown truncates
        every table, and doing so under a task's open transaction deadlocked once.
        """
        from totalplace.celery import app

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.process.poll() is None:
            with app.connection_for_write() as connection:
                queued = connection.default_channel.queue_declare(self.queue)  # 0 if none left
            inspect = app.control.inspect(destination=[self.hostname], timeout=1)
            active, reserved = inspect.active(), inspect.reserved()
            if (
                not queued.message_count
                and active is not None
                and reserved is not None
                and not any(active.values())
                and not any(reserved.values())
            ):
                return
            time.sleep(0.2)


def start_celery_worker(
    extra_env: dict | None = None, concurrency: int = 1, queue: str | None = None
) -> WorkerProcess:
    """Start a worker subprocess on the test database and wait until it answers a ping.

    ``queue``: consume an existing queue (a replacement for a worker a test killed).
    """
    broker = require_broker()
    queue = queue or f"test-{uuid.uuid4().hex[:10]}"
    node = f"{queue}-{uuid.uuid4().hex[:4]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "totalplace.settings.base",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", str(ROOT / "var" / "test-media")),
        **(extra_env or {}),
    }
    (ROOT / "var").mkdir(exist_ok=True)
    log_path = ROOT / "var" / f"worker-{node}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "totalplace",
            "worker",
            "--queues",
            queue,
            "--hostname",
            f"{node}@%h",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    worker = WorkerProcess(process, queue, log_path, f"{node}@{os.uname().nodename}")
    from totalplace.celery import app

    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Celery worker exited at start:\n{worker.log()}", pytrace=False)
        if app.control.ping(destination=[worker.hostname], timeout=0.5):
            return worker
    worker.stop()
    pytest.fail(f"Celery worker did not answer within {WORKER_START_TIMEOUT}s:\n{worker.log()}")


def wait_for(predicate, what: str, worker: WorkerProcess, seconds: float = 60) -> None:
    """Poll until ``predicate()`` holds; fail with the worker's log if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"the worker did not {what} within {seconds}s:\n{worker.log()[-3000:]}")
