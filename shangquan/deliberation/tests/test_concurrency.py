"""500 voters, each voting three times at once on two channels, give exactly 500 votes
(PostgreSQL: threads in this process; SQLite: threads in a subprocess on a file database,
since the in-memory test database cannot be shared by threads). The tally hidden before
the close is right after it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from .concurrency import run

ROOT = Path(__file__).resolve().parents[3]


def _check(result: dict, n: int) -> None:
    assert result["other"] == [], result
    assert (result["ok"], result["already_voted"]) == (n, 2 * n), result
    assert result["roll"] == result["ballots"] == n, result
    assert result["hidden_before_close"] is True
    assert (result["yes"], result["no"]) == (result["expected_yes"], n - result["expected_yes"])
    assert result["status"] == "adopted"


@pytest.mark.django_db(transaction=True)
def test_vote_race_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("run with SHANGQUAN_DATABASE_URL=postgres://… (the SQLite race runs below)")
    _check(run(500, workers=12), 500)


SCRIPT = """
import json, django
django.setup()
from shangquan.deliberation.tests.concurrency import run
print("RESULT " + json.dumps(run(500, workers=8)))
"""


def test_vote_race_on_sqlite(tmp_path):
    db = tmp_path / "race.sqlite3"
    env = {**os.environ, "SHANGQUAN_DATABASE_URL": f"sqlite:///{db}",
           "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE, "SHANGQUAN_TESTING": "1",
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                   check=True, timeout=600)
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, timeout=900,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "database is locked" not in done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    assert result["vendor"] == "sqlite"
    _check(result, 500)
