"""The street's view over 100 districts: 胜阳港街道 (``demo --street-districts 100``).

The demo's 胜阳港商圈 plus 99 smaller siblings in the same street, every app's demo data
in each (a year of snapshots included), the street user ``syg-street`` overseeing all.
Timed:

1. ``dashboard.selectors.street_view`` in-process, for the KPI page's default (this
   month: live values, last month's snapshots) and for last week (both periods frozen):
   cold (cache emptied first) and warm (p50 of repeated calls), and every indicator in
   turn cold (the worst case: a street user stepping through all of them).
2. The street's view page over HTTP (``/console/SYG/dashboard/kpis/?street=<key>``) with
   the street user's session, 1 client: p50 (aim < 500 ms) and the trivial view as the
   baseline of the same run.

``--db=sqlite|postgresql|both``; ``--quick``: 20 districts instead of 100.
``SHANGQUAN_BENCH_STREET_SQLITE`` / ``SHANGQUAN_BENCH_STREET_PG`` pick the databases.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

from bench_core import session_cookie
from common import PY, ROOT, VAR, env_for, header, load, pg_available, prepare, ratio_line, server

SQLITE = os.environ.get("SHANGQUAN_BENCH_STREET_SQLITE", str(VAR / "bench_street.sqlite3"))
PG_URL = os.environ.get("SHANGQUAN_BENCH_STREET_PG",
                        "postgres://postgres@127.0.0.1:5432/bench_street")
KEY = "workorders.total"

TIMING = r"""
import json, statistics, sys, time
import django; django.setup()
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from shangquan.core.periods import Period
from shangquan.dashboard import selectors

n_expected, key = int(sys.argv[1]), sys.argv[2]
user = get_user_model().objects.get(username="syg-street")
today = timezone.localdate()
periods = {"this month (page default)": Period.containing("month", today),
           "last week (frozen)": Period.containing("week", today).previous()}
out = {"districts": len(selectors.overseen_districts(user=user)),
       "indicators": len(selectors.indicators()), "views": {}}
assert out["districts"] >= n_expected, out

def timed(period, k):
    user.__dict__.pop("_shangquan_memberships", None)  # a new request's user
    with CaptureQueriesContext(connection) as q:
        t = time.perf_counter()
        view = selectors.street_view(user=user, key=k, period=period)
        took = (time.perf_counter() - t) * 1000
    assert len(view["rows"]) == out["districts"]
    return took, len(q)

for label, period in periods.items():
    cache.clear()
    cold, cold_q = timed(period, key)
    warm = [timed(period, key) for _ in range(15)]
    cache.clear()
    every = [timed(period, i.key) for i in selectors.indicators()
             if period.finer_or_equal(i.period)]
    out["views"][label] = {
        "cold_ms": cold, "cold_queries": cold_q,
        "warm_p50_ms": statistics.median(t for t, _q in warm), "warm_queries": warm[0][1],
        "every_indicator_cold_p50_ms": statistics.median(t for t, _q in every),
        "every_indicator_cold_max_ms": max(t for t, _q in every)}
print(json.dumps(out))
"""


def urls(which: str) -> dict[str, str]:
    VAR.mkdir(parents=True, exist_ok=True)
    out = {}
    if which in ("both", "sqlite"):
        out["sqlite"] = f"sqlite:///{SQLITE}"
    if which in ("both", "postgresql") and pg_available():
        out["postgresql"] = PG_URL
    return out


def in_process(url: str, districts: int) -> dict:
    result = subprocess.run([PY, "-c", TIMING, str(districts), KEY], env=env_for(url),
                            cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    districts = 20 if "--quick" in argv else 100
    keep = "--keep" in argv  # reuse an already loaded database (same district count)
    for vendor, url in urls(which).items():
        header(f"dashboard: the street's view over {districts} districts — {vendor}")
        started = time.monotonic()
        if not keep:
            prepare(url, demo_args=("--only", "SYG", "--street-districts", str(districts)))
        print(f"demo load (SYG + {districts - 1} siblings): {time.monotonic() - started:.0f} s")
        figures = in_process(url, districts)
        print(f"districts overseen by syg-street: {figures['districts']}, "
              f"indicators: {figures['indicators']}")
        for label, v in figures["views"].items():
            print(f"street_view, {label:<26} cold {v['cold_ms']:7.1f} ms "
                  f"({v['cold_queries']} queries)   warm p50 {v['warm_p50_ms']:6.1f} ms "
                  f"({v['warm_queries']} queries)")
            print(f"  every indicator in turn, cold: p50 {v['every_indicator_cold_p50_ms']:7.1f}"
                  f" ms, max {v['every_indicator_cold_max_ms']:7.1f} ms")
        cookie = session_cookie(url, "syg-street")
        page = f"/console/SYG/dashboard/kpis/?street={KEY}"
        with server(url, workers=1) as base:
            trivial = load(base, "/bench/trivial", label="trivial view (1 client)",
                           concurrency=1, duration=4, warmup=1)
            view = load(base, page, label=f"street's view page, {districts} districts",
                        concurrency=1, duration=8, warmup=2, headers={"Cookie": cookie})
        print(trivial.line())
        print(view.line())
        print(ratio_line("street page ÷ trivial (p50)", view.p50, trivial.p50))
        print(f"street's view page p50 over {districts} districts: {view.p50:.1f} ms "
              f"(aim < 500 ms)")
        print(json.dumps({"vendor": vendor, "districts": figures["districts"],
                          "page_p50_ms": view.p50, "page_errors": view.errors,
                          "trivial_p50_ms": trivial.p50, **{
                              f"{label}": v for label, v in figures["views"].items()}},
                         ensure_ascii=False))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
