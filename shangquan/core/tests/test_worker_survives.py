"""Issue 11 leftover: ``shangquan worker`` run alone (no supervisor) survives a lost database.

The worker runs as a real process on the test's database. The database is then taken
away under it: PostgreSQL ends every session of the worker (``pg_terminate_backend``,
again and again for a few seconds); SQLite's file is moved away (the worker's next
connection finds an empty database) and back. Before the fix the worker's loop died with
``OperationalError`` and the process exited; now it must still be running, beat again,
and run a task that became due after the outage.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from shangquan.core.tests.test_faults import ROOT, Database

pytestmark = pytest.mark.django_db(transaction=True)


def _execute(db: Database, sql: str, params: tuple = ()) -> list[tuple]:
    if db.vendor == "sqlite":
        with contextlib.closing(sqlite3.connect(db.path, timeout=30)) as conn:
            rows = conn.execute(sql, params).fetchall()
            conn.commit()
            return rows
    import psycopg

    with psycopg.connect(**db.params, connect_timeout=5, autocommit=True) as conn:
        cursor = conn.execute(sql.replace("?", "%s"), params)
        return [tuple(r) for r in cursor.fetchall()] if cursor.description else []


def _beat(db: Database):
    with contextlib.suppress(Exception):
        rows = _execute(db, "SELECT beat_at FROM core_heartbeat WHERE name = 'worker'")
        return rows[0][0] if rows else None
    return None


def _wait(predicate, seconds: float, what: str, proc: subprocess.Popen, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc.poll() is not None:
            pytest.fail(f"the worker exited ({proc.returncode}) waiting for {what}:\n"
                        + log.read_text(errors="replace")[-3000:])
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}:\n" + log.read_text(errors="replace")[-3000:])


def _take_the_database_away(db: Database, seconds: float, spare: int | None) -> None:
    if db.vendor == "sqlite":
        away = db.path.with_suffix(".away")
        shutil.move(db.path, away)
        time.sleep(seconds)
        db.path.unlink(missing_ok=True)  # the empty one the worker opened meanwhile
        shutil.move(away, db.path)
        return
    import psycopg

    # New sessions are refused for the whole outage, so the worker cannot slip a
    # reconnection in between two terminations and never notice.
    end = time.monotonic() + seconds
    name = db.params["dbname"]
    quoted = '"' + name.replace('"', '""') + '"'
    # from another database: a session cannot lock out the database it is in
    with psycopg.connect(**{**db.params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {quoted} ALLOW_CONNECTIONS false")
        try:
            while time.monotonic() < end:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = %s AND pid <> %s", [name, spare or 0])
                time.sleep(0.2)
        finally:
            admin.execute(f"ALTER DATABASE {quoted} ALLOW_CONNECTIONS true")


def test_the_worker_alone_survives_a_lost_database_and_runs_tasks_again(tmp_path, settings):
    from shangquan.core import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    # Queued now, due only when the test says so (after the outage).
    queued = tasks.purge_one_time_codes.using(
        run_after=timezone.now() + timedelta(days=1)).enqueue()
    spare = None  # the test's own session (it flushes the database afterwards)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            spare = cursor.fetchone()[0]
    db = Database(tmp_path)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST", "SHANGQUAN_", "DJANGO"))}
    env.update({"SHANGQUAN_DATABASE_URL": db.url, "SHANGQUAN_VAR_DIR": str(tmp_path),
                "SHANGQUAN_DEBUG": "0", "SHANGQUAN_HEARTBEAT_STALE_SECONDS": "3",
                "SHANGQUAN_LOG_LEVEL": "WARNING"})
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "shangquan.cli", "worker", "--interval", "0.2",
             "--tick", "1", "--max-backoff", "1"], env=env, cwd=ROOT, stdout=out,
            stderr=out, start_new_session=True)
    try:
        _wait(lambda: _beat(db), 90, "the first heartbeat", proc, log)
        _take_the_database_away(db, 4, spare)
        back = _beat(db)
        time.sleep(1.5)
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        _wait(lambda: (_beat(db) or back) != back, 30, "a heartbeat after the outage",
              proc, log)
        due = timezone.now() - timedelta(seconds=1)
        if db.vendor == "sqlite":  # Django's own text forms of a UTC time and a UUID
            params = (due.strftime("%Y-%m-%d %H:%M:%S.%f"), str(queued.id).replace("-", ""))
        else:
            params = (due, str(queued.id))
        _execute(db, "UPDATE django_tasks_database_dbtaskresult SET run_after = ? WHERE id = ?",
                 params)
        status = _wait(lambda: next((s for (s,) in _execute(
            db, "SELECT status FROM django_tasks_database_dbtaskresult") if s != "READY"), None),
            30, "the task due after the outage", proc, log)
        assert status == "SUCCESSFUL", log.read_text(errors="replace")[-3000:]
        assert "database unavailable" in log.read_text(errors="replace")
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
