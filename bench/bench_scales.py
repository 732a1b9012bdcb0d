"""Scales: the planner at city size, the checker's plan page and spot-check intake.

1. In process: ``planner.plan_day`` over 2,500 and 25,000 instruments (万达紫贞 has about
   2,500 merchants; a city tens of thousands of scales): ms per plan, and the growth ratio
   (aim: about linear, < 12× for 10× the scales).
2. Against a real server (16 connections), 胜阳港 demo: the trivial view (baseline), the
   checker's plan page (phone, department user), and spot-check intake through the API
   (bearer token, each POST its own Idempotency-Key), as req/s and ratio to the baseline.

``--db=sqlite|postgresql|both``. On PostgreSQL the server opens a connection per request
(``SHANGQUAN_DB_CONN_MAX_AGE=0``), see the note in ``main``.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
import uuid
from datetime import date, timedelta

from bench_core import session_cookie
from common import PY, ROOT, database_urls, env_for, header, load, prepare, ratio_line, server

# Our own PostgreSQL database, so this runs beside the other benchmarks.
PG_URL = os.environ.get("SHANGQUAN_BENCH_SCALES_PG",
                        "postgres://postgres@127.0.0.1:5432/bench_scales")
CODE = "SYG"


def planner_figures() -> None:
    from shangquan.scales import planner

    day = date(2026, 11, 2)
    times = {}
    for n in (2500, 25000):
        rng = random.Random(n)
        pool = [planner.Candidate(i, day - timedelta(days=rng.randint(1, 13)),
                                  rng.choice((0, 0, 0, 1)), rng.choice((0, 0, 1)))
                for i in range(n)]
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            plan = planner.plan_day(day=day, district_code="WDZZ", candidates=pool,
                                    window_days=14)
            runs.append(time.perf_counter() - started)
        times[n] = min(runs) * 1000
        print(f"{'plan_day, ' + str(n) + ' instruments':<42} {times[n]:9.1f} ms   "
              f"({len(plan.items)} planned)")
    print(ratio_line("25,000 ÷ 2,500 instruments (time)", times[25000], times[2500],
                     "< 12"))


def django(url: str, code: str) -> str:
    out = subprocess.run([PY, "-c", "import django; django.setup()\n" + code],
                         env=env_for(url), cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return out.stdout.strip().splitlines()[-1]


def checker_token(url: str) -> tuple[str, list[int]]:
    raw = django(url, (
        "from django.contrib.auth import get_user_model\n"
        "from shangquan.core.services import token_issue\n"
        "from shangquan.scales.models import Instrument\n"
        f"u = get_user_model().objects.get(username='{CODE.lower()}-dept-scjg')\n"
        "_t, raw = token_issue(actor=u, user=u, name='bench')\n"
        f"ids = list(Instrument.objects.filter(district__code='{CODE}', status='in_use')"
        ".values_list('pk', flat=True))\n"
        "print(raw + ' ' + ','.join(map(str, ids)))\n"))
    token, ids = raw.split(" ", 1)
    return token, [int(i) for i in ids.split(",") if i]


def main(argv: list[str]) -> None:
    header("scales: planner at city size (in process)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangquan.settings")
    planner_figures()
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    urls = database_urls(which)
    if "postgresql" in urls:
        urls["postgresql"] = PG_URL
    for vendor, url in urls.items():
        header(f"scales: plan page and spot-check intake vs trivial view — {vendor}")
        prepare(url, demo_args=("--only", CODE))
        cookie = session_cookie(url, f"{CODE.lower()}-dept-scjg")
        token, ids = checker_token(url)

        def bodies(n: int, ids: list[int] = ids) -> list[dict]:
            # Passing readings: intake speed, not rectification volume.
            return [{"body": {"instrument_id": ids[i % len(ids)], "load_g": "5000",
                              "indications": ["5000", "5005"]},
                     "headers": {"Idempotency-Key": uuid.uuid4().hex}} for i in range(n)]

        # Each thread of the server's pool keeps its own persistent PostgreSQL connection;
        # on a shared server (max_connections 100) that exhausted it ("too many clients").
        # Connections per request keep the figure about this app, not the pool size.
        extra = {"SHANGQUAN_DB_CONN_MAX_AGE": "0"} if vendor == "postgresql" else {}
        with server(url, workers=2, **extra) as base:
            trivial = load(base, "/bench/trivial", label="trivial view", concurrency=16)
            plan = load(base, f"/console/{CODE}/scales/plan/", label="checker's plan page",
                        concurrency=16, headers={"Cookie": cookie})
            intake = load(base, f"/api/v1/districts/{CODE}/scales/checks",
                          label="spot-check intake (API POST)", concurrency=16,
                          method="POST", body_factory=bodies,
                          headers={"Authorization": f"Bearer {token}",
                                   "Content-Type": "application/json"})
        print(trivial.line())
        print(plan.line())
        print(intake.line())
        print(ratio_line("plan page ÷ trivial (throughput)", plan.rps, trivial.rps))
        print(ratio_line("spot-check intake ÷ trivial (throughput)", intake.rps, trivial.rps))
