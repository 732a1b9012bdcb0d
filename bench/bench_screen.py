"""The 数据大屏: each panel's data for 万达紫贞 (2,500 merchants) with 1,000,000 work orders.

Every panel of the default district layout (today's tiles, the 14-day trend, the month's
rates, crowd zones, the map) plus a one-indicator panel, the street screen's ranking and
the public lite screen, each timed on its own: its data function called directly, no
panel cache, p50 of several runs — cold (every shared cache emptied first: the KPI
measures, the open orders per grid) and at its next refresh with nothing changed (the
shared caches kept). Aim: < 200 ms per panel.

The orders are bulk-loaded by ``workorders.demo.bulk_orders`` (180 days of history).
The prepared database is kept between runs (own SQLite file
``SHANGQUAN_BENCH_SCREEN_SQLITE``, own PostgreSQL database ``SHANGQUAN_BENCH_SCREEN_PG``);
``--fresh`` starts again from an empty one.

``--db=sqlite|postgresql|both``; ``--quick`` uses 100,000 orders and fewer runs;
``--prepare-only`` loads the data and stops.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

from common import PY, ROOT, VAR, env_for, header, pg_available, prepare, shangquan

CODE = "WDZZ"
SQLITE = os.environ.get("SHANGQUAN_BENCH_SCREEN_SQLITE", str(VAR / "bench_screen.sqlite3"))
PG_URL = os.environ.get("SHANGQUAN_BENCH_SCREEN_PG",
                        "postgres://postgres@127.0.0.1:5432/shangquan_bench_screen")
AIM_MS = 200.0


def database_urls(which: str) -> dict[str, str]:
    VAR.mkdir(parents=True, exist_ok=True)
    urls = {}
    if which in ("both", "sqlite"):
        urls["sqlite"] = f"sqlite:///{SQLITE}"
    if which in ("both", "postgresql") and pg_available():
        urls["postgresql"] = PG_URL
    return urls


def django(url: str, code: str) -> str:
    out = subprocess.run([PY, "-c", "import django; django.setup()\n" + code],
                         env=env_for(url), cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return out.stdout.strip()


def order_count(url: str) -> int:
    return int(django(url, "from shangquan.workorders.models import WorkOrder\n"
                           f"print(WorkOrder.objects.filter(district__code='{CODE}').count())"))


def ready(url: str) -> bool:
    """The database holds the demo district already (then it is only migrated)."""
    try:
        shangquan(url, "migrate", "--verbosity", "0")
        return django(url, "from shangquan.core.models import District\n"
                           f"print(District.objects.filter(code='{CODE}').exists())") == "True"
    except RuntimeError:
        return False


def grow_to(url: str, target: int) -> float:
    missing = target - order_count(url)
    started = time.monotonic()
    if missing > 0:
        django(url, "from shangquan.core.models import District\n"
                    "from shangquan.workorders.demo import bulk_orders\n"
                    f"bulk_orders(district=District.objects.get(code='{CODE}'), "
                    f"count={missing}, seed='screen{target}')")
    return time.monotonic() - started


RUN = r"""
import json, statistics, time
import django; django.setup()
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from shangquan.core.models import District, Membership
from shangquan.core.roles import Role
from shangquan.dashboard import screen_panels, screen_public

RUNS = __RUNS__
district = District.objects.get(code="__CODE__")
member = (Membership.objects.filter(district=district, role=Role.COMMITTEE, is_active=True)
          .select_related("user").first())
user = member.user
from shangquan.merchants import selectors as merchants
print(json.dumps({"info": {"merchants": merchants.merchant_list(district=district).count()}}))
for panel in screen_panels.bench_panels(district=district):
    times, warm, cpu, queries = [], [], [], 0
    for i in range(RUNS):
        cache.clear()  # the KPI cache too: a cold panel each run
        with CaptureQueriesContext(connection) as captured:
            t, c = time.perf_counter(), time.process_time()
            screen_panels.panel_data(panel, user=user, district=district,
                                     districts=[district])
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        queries = len(captured)
    for i in range(RUNS):  # its next refresh: shared caches kept (no order changed)
        t = time.perf_counter()
        screen_panels.panel_data(panel, user=user, district=district, districts=[district])
        warm.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"panel": panel.title, "kind": panel.kind, "p50": statistics.median(times),
                      "max": max(times), "queries": queries,
                      "warm": statistics.median(warm), "cpu": statistics.median(cpu)}),
          flush=True)
times = []
for i in range(RUNS):
    t = time.perf_counter()
    screen_public.lite_data(district=district)
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"panel": "public lite screen", "kind": "lite",
                  "p50": statistics.median(times), "max": max(times), "queries": 0,
                  "warm": statistics.median(times), "cpu": 0.0}))
"""


def time_panels(url: str, runs: int) -> list[dict]:
    out = subprocess.run([PY, "-c", RUN.replace("__RUNS__", str(runs)).replace("__CODE__", CODE)],
                         env=env_for(url, SHANGQUAN_DEBUG_QUERIES="1"), cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    quick = "--quick" in argv
    target, runs = (100_000, 5) if quick else (1_000_000, 7)
    for vendor, url in database_urls(which).items():
        header(f"dashboard: the big screen's panels, {CODE} with {target:,} orders — {vendor}")
        started = time.monotonic()
        if "--fresh" in argv or not ready(url):
            prepare(url, demo_args=("--only", CODE))
            print(f"demo loaded in {time.monotonic() - started:.0f} s", flush=True)
        took = grow_to(url, target)
        print(f"{CODE} orders: {order_count(url):,} (bulk load {took:.0f} s)", flush=True)
        if "--prepare-only" in argv:
            continue
        rows = time_panels(url, runs)
        summary = {"vendor": vendor, "orders": target, "panels": {}}
        for row in rows:
            if "info" in row:
                print(f"merchants: {row['info']['merchants']:,}")
                summary["merchants"] = row["info"]["merchants"]
                continue
            flag = "ok" if row["p50"] < AIM_MS else "SLOW"
            print(f"  {row['panel']:<30} cold p50 {row['p50']:7.1f} ms  max {row['max']:7.1f} ms"
                  f"  cpu {row['cpu']:6.1f} ms  queries {row['queries']:3d}"
                  f"  next refresh p50 {row['warm']:7.1f} ms  "
                  f"{flag} (aim < {AIM_MS:.0f} ms)")
            summary["panels"][row["panel"]] = {"cold": round(row["p50"], 1),
                                               "cpu": round(row["cpu"], 1),
                                               "next": round(row["warm"], 1)}
        print(json.dumps(summary, ensure_ascii=False))
