"""100 merchants race for a slot with 3 desks (see ``race.py``), on SQLite and PostgreSQL:
exactly 3 get a seat, the other 97 are wait-listed in order, and the slot's counter
(a CheckConstraint: booked ≤ capacity) agrees."""

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
PG_URL = os.environ.get("SHANGQUAN_STATIONS_RACE_PG",
                        "postgres://postgres@127.0.0.1:5432/sq_stations_race")


def _pg_up() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 5432), 1):
        return True
    return False


def _race(url: str) -> dict:
    env = {**os.environ, "SHANGQUAN_DATABASE_URL": url, "SHANGQUAN_TESTING": "1",
           "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE",
                                                    "shangquan.settings")}
    done = subprocess.run([sys.executable, "-m", "shangquan.stations.tests.race"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check(result: dict) -> None:
    assert result["clients"] == 100
    assert result["statuses"] == {"201": 100}, result["statuses"]
    assert result["answered_booked"] == 3
    assert result["booked_seats"] == [1, 2, 3]
    assert result["slot_booked"] == 3 and result["slots"] == 1
    assert result["waitlisted"] == 97
    assert result["queue_in_commit_order"] == list(range(1, 98))


def test_slot_race_on_sqlite(tmp_path):
    _check(_race(f"sqlite:///{tmp_path / 'race.sqlite3'}"))


@pytest.mark.skipif(not _pg_up(), reason="PostgreSQL is not running on 127.0.0.1:5432")
def test_slot_race_on_postgresql():
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
