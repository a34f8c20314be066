#!/usr/bin/env python
"""Load test: 50 concurrent users mixing page views, API reads and one upload, for 60 seconds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tp_load python bench/load_test.py
    ... CELERY_BROKER_URL=redis://127.0.0.1:6379/11   # the upload goes through a real worker
    ... --users 50 --duration 60                      # the defaults

Prepares the database (migrations, reference data, the Cumbria demo, pilots, rollups, an
officer with an API token), starts gunicorn on 127.0.0.1 only (and a Celery worker when a
broker is given), then drives it with locust, in this process, headless:
  0. a 5-second warm-up (not reported), so no worker answers its first request cold;
  1. baseline: the same users on a bare Django JSON view (bench/urls.py), for 15 seconds;
  2. the mix: analysts and visitors reading pages and the API, and one finance officer who
     uploads a 2,000-line spend file by the API, follows its preview, confirms it and then
     reads like everyone else.
Prints requests, failures, rates and latency percentiles for both, and their ratio; exits
non-zero if any request failed. Everything it starts is stopped at the end.
"""

from gevent import monkey

monkey.patch_all()  # first, before anything imports sockets: locust runs on gevent

import argparse  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import HttpUser, between, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
UPLOAD_LINES = 2_000
CUMBRIA = "E10000006"
SETUP = """
from ledger.models import FinancialYear, Organisation, Role
from ledger.services.access import api_token_create, membership_grant
from ledger.services.reconciliation import reconciliation_run
from ledger.services.rollups import rollup_rebuild
from ledger.services.returns import spend_return_create
from django.contrib.auth import get_user_model

rollup_rebuild()
reconciliation_run()
leeds = Organisation.objects.by_code("00DA").get()
user = get_user_model().objects.create_user(username="load-officer-{run}")
membership_grant(user=user, organisation=leeds, role=Role.FINANCE_OFFICER)
_, key = api_token_create(user=user, organisation=leeds, name="load test")
draft = spend_return_create(
    organisation=leeds, financial_year=FinancialYear.objects.get(code="2010-11"), actor=user
)
print("SETUP", key, draft.pk)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(env: dict, run: str) -> tuple[str, int]:
    """Migrate and load everything the users read; returns the API token and the draft."""
    for command in (
        ["migrate", "--noinput"],
        ["load_demo"],
        ["load_pilots", "--skip-reference"],
    ):
        subprocess.run(
            [PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", SETUP.format(run=run)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    _, key, draft = next(line for line in out.splitlines() if line.startswith("SETUP")).split()
    return key, int(draft)


def spend_file(run: str) -> bytes:
    """A DCLG-layout CSV for Leeds (a fresh one each run: the same file is never imported
    twice)."""
    header = "Body,Body Name,Date,Transaction Number,Amount,Supplier Name,Expense Area\r\n"
    rows = [
        f"00DA,Leeds City Council,14/01/2011,{run}-{n},{n % 900 + 100}.{n % 100:02d},"
        f"Supplier {n % 40},Libraries\r\n"
        for n in range(UPLOAD_LINES)
    ]
    return (header + "".join(rows)).encode()


class Visitor(HttpUser):
    """Someone reading: place pages and lines, comparisons, pilots, and the API."""

    wait_time = between(0.5, 2.0)

    @task(3)
    def home(self):
        self.client.get("/", name="page: home")

    @task(3)
    def place(self):
        self.client.get("/places/cumbria/", name="page: place")

    @task(2)
    def place_lines(self):
        self.client.get("/places/cumbria/lines/", name="page: place lines")

    @task(1)
    def pilots(self):
        self.client.get("/pilots/", name="page: pilots")

    @task(3)
    def api_places(self):
        self.client.get("/api/v1/places/?limit=50", name="api: places")

    @task(3)
    def api_aggregate(self):
        self.client.get(
            f"/api/v1/aggregate/?cut=place:{CUMBRIA}&drilldown=organisation|theme",
            name="api: aggregate",
        )

    @task(2)
    def api_lines(self):
        self.client.get(f"/api/v1/lines/?place={CUMBRIA}&limit=50", name="api: lines")

    @task(1)
    def api_pilots(self):
        self.client.get("/api/v1/pilots/", name="api: pilots")


class Officer(Visitor):
    """The one finance officer: uploads a spend file, waits for its preview, confirms it."""

    fixed_count = 1
    token = ""
    draft = 0
    content = b""

    def on_start(self):
        headers = {"Authorization": f"Token {self.token}"}
        response = self.client.post(
            f"/api/v1/organisation/spend-returns/{self.draft}/imports/",
            headers=headers,
            files={"file": ("load.csv", self.content, "text/csv")},
            name="api: upload",
        )
        job = response.json()["id"]
        self._follow(job, headers, {"ready"})
        self.client.post(
            f"/api/v1/organisation/imports/{job}/confirm/", headers=headers, name="api: confirm"
        )
        self._follow(job, headers, {"confirmed"})
        RESULTS["upload"] = time.monotonic()

    def _follow(self, job: int, headers: dict, done: set) -> None:
        for _ in range(600):
            status = self.client.get(
                f"/api/v1/organisation/imports/{job}/", headers=headers, name="api: import job"
            ).json()
            if status["status"] in done:
                RESULTS.setdefault("jobs", []).append(status)
                return
            if status["status"] in ("invalid", "failed", "needs_mapping"):
                raise RuntimeError(f"the upload failed: {status['message']}")
            gevent.sleep(0.5)
        raise RuntimeError("the upload did not finish")


class Baseline(HttpUser):
    wait_time = between(0.5, 2.0)

    @task
    def bare(self):
        self.client.get("/bench/bare/", name="bare JSON view")


RESULTS: dict = {}


def run(user_classes, host: str, users: int, seconds: int) -> Environment:
    env = Environment(user_classes=user_classes, host=host, events=events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=max(users // 2, 1))
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    return env


def report(title: str, env: Environment, seconds: int) -> dict:
    total = env.stats.total
    figures = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rate": total.num_requests / seconds,
        "p50": total.get_response_time_percentile(0.5),
        "p95": total.get_response_time_percentile(0.95),
        "p99": total.get_response_time_percentile(0.99),
        "max": total.max_response_time,
    }
    print(f"\n== {title}")
    print(f"{'request':<22}{'count':>8}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for entry in sorted(env.stats.entries.values(), key=lambda e: e.name):
        print(
            f"{entry.name:<22}{entry.num_requests:>8}{entry.num_failures:>6}"
            f"{entry.get_response_time_percentile(0.5):>9.0f}"
            f"{entry.get_response_time_percentile(0.95):>9.0f}"
            f"{entry.get_response_time_percentile(0.99):>9.0f}"
        )
    print(
        f"total: {figures['requests']:,} requests, {figures['failures']} failures, "
        f"{figures['rate']:.1f} req/s; latency p50 {figures['p50']:.0f} ms, p95 "
        f"{figures['p95']:.0f} ms, p99 {figures['p99']:.0f} ms, max {figures['max']:.0f} ms"
    )
    for error in env.stats.errors.values():
        print(f"  failure: {error.method} {error.name}: {error.error} ×{error.occurrences}")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds of the mix")
    parser.add_argument("--baseline", type=int, default=15, help="seconds of the baseline")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (it is filled with data).")
    run_id = uuid.uuid4().hex[:8]
    port = free_port()
    queue = f"load-{run_id}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "MEDIA_ROOT": str(ROOT / "var" / "load-media"),
    }
    print("preparing the database (migrations, reference data, demo, pilots, rollups)…")
    started = time.monotonic()
    Officer.token, Officer.draft = prepare(env, run_id)
    Officer.content = spend_file(run_id)
    print(f"  ready in {time.monotonic() - started:.0f} s")
    processes = []
    try:
        if env.get("CELERY_BROKER_URL"):
            processes.append(
                subprocess.Popen(
                    [
                        PYTHON,
                        "-m",
                        "celery",
                        "-A",
                        "totalplace",
                        "worker",
                        "--queues",
                        queue,
                        "--hostname",
                        f"{queue}@%h",
                        "--concurrency",
                        "1",
                        "--loglevel",
                        "WARNING",
                    ],
                    cwd=ROOT,
                    env=env,
                )
            )
        processes.append(
            subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "totalplace.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.workers),
                    "--timeout",
                    "60",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        host = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("gunicorn did not start")
                time.sleep(0.3)
        mode = "a Celery worker" if env.get("CELERY_BROKER_URL") else "eager tasks"
        print(f"gunicorn ({args.workers} workers) on {host}, {mode}; {args.users} users")
        run([Visitor, Baseline], host, 10, 5)  # warm-up, not reported: workers load code
        base = report(
            f"baseline: bare JSON view, {args.users} users, {args.baseline} s",
            run([Baseline], host, args.users, args.baseline),
            args.baseline,
        )
        mix = report(
            f"mix: pages, API reads and one upload, {args.users} users, {args.duration} s",
            run([Visitor, Officer], host, args.users, args.duration),
            args.duration,
        )
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    jobs = RESULTS.get("jobs", [])
    uploaded = len(jobs) == 2 and jobs[-1]["status"] == "confirmed"
    lines = jobs[-1]["staged_count"] if uploaded else 0
    print(f"\nupload: {f'confirmed, {lines:,} lines' if uploaded else 'NOT FINISHED'}")
    print(
        f"ratio: mix {mix['rate']:.1f} req/s / bare view {base['rate']:.1f} req/s = "
        f"{mix['rate'] / base['rate']:.2f} (with think time of 0.5-2 s per user, both are "
        "bounded by the users, not the server, unless latency grows)"
    )
    failed = mix["failures"] or base["failures"] or not uploaded
    print("RESULT:", "FAILED" if failed else "zero errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
