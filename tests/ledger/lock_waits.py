"""Races on two connections (real PostgreSQL): start a second connection's work in a thread and
wait until PostgreSQL shows it waiting for a lock the test's transaction holds."""

import threading
import time

from django.db import connection


def backend_pid() -> int:
    """This thread's PostgreSQL backend (a thread has its own connection)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def start_until_it_waits(target, backend: list[int], outcome: list, what: str) -> threading.Thread:
    """Start ``target`` in a thread (it appends its ``backend_pid()`` to ``backend`` first) and
    return once it waits for a lock; fails if it ends or never waits (``what`` says what)."""
    thread = threading.Thread(target=target)
    thread.start()
    deadline = time.monotonic() + 20
    while not (backend and _waiting_for_a_lock(backend[0])):
        assert time.monotonic() < deadline, f"{what} never waited for the lock"
        assert thread.is_alive(), outcome
        time.sleep(0.05)
    return thread
