"""200 clients race to redeem the last 10 units (see ``race.py``), on SQLite and PostgreSQL.

Each person can afford exactly one redemption; every fifth client sends its request twice
with the same Idempotency-Key. Exactly 10 reservations are made and fulfilled, no balance
is negative, the stock ends at 0 (never below: a CheckConstraint), retries get the first
answer, and the ledger audit finds nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PG_URL = os.environ.get("SHANGQUAN_RACE_PG", "postgres://postgres@127.0.0.1:5432/sq_points_race")


def _pg_up() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 5432), 1):
        return True
    return False


def _race(url: str) -> dict:
    env = {**os.environ, "SHANGQUAN_DATABASE_URL": url, "SHANGQUAN_TESTING": "1",
           "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE",
                                                    "shangquan.settings")}
    done = subprocess.run([sys.executable, "-m", "shangquan.points.tests.race"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check(result: dict) -> None:
    assert result["clients"] == 200
    assert result["reserved_answers"] == 10, result
    assert result["redemptions"] == 10
    assert result["fulfilled"] == result["fulfilled_rows"] == 10
    assert result["stock"] == 0
    assert result["negative"] == 0
    assert result["merchant_balance"] == 10 * 100
    assert result["retries_same_answer"] is True
    assert set(result["statuses"]) <= {"201", "409"}, result["statuses"]
    assert result["ledger_ok"], result["problems"]


def test_last_units_race_on_sqlite(tmp_path):
    _check(_race(f"sqlite:///{tmp_path / 'race.sqlite3'}"))


@pytest.mark.skipif(not _pg_up(), reason="PostgreSQL is not running on 127.0.0.1:5432")
def test_last_units_race_on_postgresql():
    name = PG_URL.rsplit("/", 1)[1]
    base = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *base, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *base, name], check=True)
    try:
        result = _race(PG_URL)
        assert result["vendor"] == "postgresql"
        _check(result)
    finally:
        subprocess.run(["dropdb", *base, "--if-exists", "--force", name], check=False)
