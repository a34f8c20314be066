"""`make run` on a fresh machine migrates an empty SQLite database: every migration must apply
there too, not only on the PostgreSQL the rest of the suite uses.

SQLite rebuilds a table to alter or rename its columns, and a table that triggers name cannot be
dropped and renamed under them; migration 0036 once failed just so ("error in trigger
ledger_spendline_references_insert: no such table: main.ledger_spendreturn").
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_migration_applies_to_a_new_sqlite_database(tmp_path):
    database = tmp_path / "first-run.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**env, "DATABASE_URL": f"sqlite:///{database}"},
    )
    assert result.returncode == 0, result.stderr[-3000:]

    with sqlite3.connect(database) as connection:
        triggers = {
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            )
        }
    # The lines' reference checks survive every rebuild of the tables they name.
    assert "ledger_spendline_references_insert" in triggers
