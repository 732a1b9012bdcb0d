"""Every staff page: each page in each demo role's console menu, and its main detail page.

万达紫贞 (WDZZ) at its realistic size: the demo's 2,500 merchants with its inspections,
checks and plans, and a year of work orders (the demo's 180 days topped up by
``workorders.demo.bulk_orders``). The pages are enumerated from the real navigation
(``core.navigation.items_for``) for each demo role user; a menu page's first link to one
of its own detail pages (a work order, a plan, a campaign …) is benchmarked too.

1. One table: page, role, queries per request (a test client with
   ``CaptureQueriesContext`` in a subprocess, second request, so caches are as warm as
   under load), p50, p99 and throughput ÷ the trivial view under 16 connections against a
   real server (2 workers), the trivial view re-measured every 10 pages (the machine's
   load drifts). Aims: ≥ 0.3 × trivial and p99 < 250 ms.
2. Growth: the KPI page, the console home, the dispatch board, the merchant list and the
   checker's plan page at 1× and 10× the demo volume (``demo --scale 10``), p50 with one
   client; aim < 2×.
3. Memory: VmRSS / VmHWM of one app server process after the load, and of
   ``shangquan worker`` after it has run for a while.

``--db=sqlite|postgresql|both``; ``--quick`` measures 2 s per page instead of 4;
``--no-growth`` skips item 2, ``--no-pages`` items 1 and 3;
``--only=<substring>`` benchmarks only pages whose path contains it; ``--reuse`` keeps the
databases as they are; ``--profile=<path>[@role]`` prints pyinstrument's call tree of 40
requests to one page (a test client in one process) instead of benchmarking.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

from bench_core import session_cookie
from common import (
    PY,
    ROOT,
    VAR,
    database_urls,
    env_for,
    header,
    load,
    prepare,
    server_process,
)

CODE = "WDZZ"
PG_URL = os.environ.get("SHANGQUAN_BENCH_PAGES_PG",
                        "postgres://postgres@127.0.0.1:5432/bench_pages")
PG_URL_10X = PG_URL + "_10x"
SQLITE = os.environ.get("SHANGQUAN_BENCH_PAGES_SQLITE", str(VAR / "bench_pages.sqlite3"))

# The demo's role users, most privileged first: a page seen by several roles is measured
# as the first of them sees it.
ROLES = ["committee", "street", "dept-scjg", "association", "community", "grid_leader",
         "merchant", "volunteer", "resident"]
TRIVIAL_EVERY = 10
ORDERS_PER_YEAR_PER_MERCHANT = 1.5  # the demo: 0.74 per merchant in 180 days

_ENUMERATE = r"""
import django, json, re, sys
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from shangquan.core.models import District
from shangquan.core.navigation import items_for

code, roles, only = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
# The pages every role opens, which each role sees differently: measured per role.
per_role = {f"/console/{code}/", f"/console/{code}/workorders/", f"/console/{code}/scales/plan/"}
district = District.objects.get(code=code)
User = get_user_model()
seen, pages = set(), []
DETAIL = re.compile(r'href="(/console/%s/[^"?#]*?/\d+/)"' % code)


def measure(client, path):
    client.get(path)  # the first: caches filled, as under load
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, len(ctx.captured_queries)


for role in roles:
    user = User.objects.get(username=f"{code.lower()}-{role}")
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.force_login(user)
    menu = [("console home", f"/console/{code}/")]
    menu += [(str(i["label"]), i["url"]) for i in items_for(user, district)]
    for label, path in menu:
        key = path if path not in per_role else (path, role)
        if key in seen or (only and only not in path):
            continue
        seen.add(key)
        response, queries = measure(client, path)
        location = response.get("Location", "")
        if response.status_code == 302 and location.startswith(f"/console/{code}/"):
            path = location  # e.g. a merchant's own shop page
            response, queries = measure(client, path)
        pages.append({"label": label, "path": path, "role": role,
                      "status": response.status_code, "queries": queries})
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode("utf-8", "replace")
        detail = next((m for m in DETAIL.findall(html)
                       if m.startswith(path) and m != path and m not in seen), None)
        if isinstance(key, tuple) and role != roles[0]:
            detail = None
        if detail is None:
            continue
        seen.add(detail)
        response, queries = measure(client, detail)
        pages.append({"label": label + " › detail", "path": detail, "role": role,
                      "status": response.status_code, "queries": queries})
print("PAGES " + json.dumps(pages, ensure_ascii=False))
"""


_PROFILE = r"""
import django, sys
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from pyinstrument import Profiler

path, username, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(get_user_model().objects.get(username=username))
client.get(path)
profiler = Profiler(interval=0.0005)
with profiler:
    for _ in range(n):
        client.get(path)
print(profiler.output_text(unicode=True, color=False, show_all="--all" in sys.argv))
"""


def profile(url: str, path: str, role: str, n: int = 40) -> str:
    """pyinstrument's call tree of ``n`` requests to ``path`` (a test client, in-process)."""
    return django(url, _PROFILE, path, f"{CODE.lower()}-{role}", str(n),
                  *(["--all"] if os.environ.get("PROFILE_ALL") else []))


def django(url: str, code: str, *args: str) -> str:
    out = subprocess.run([PY, "-c", code, *args], env=env_for(url), cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return out.stdout


def enumerate_pages(url: str, only: str = "") -> list[dict]:
    out = django(url, _ENUMERATE, CODE, json.dumps(ROLES), only)
    line = next(ln for ln in out.splitlines() if ln.startswith("PAGES "))
    return json.loads(line[len("PAGES "):])


def top_up_orders(url: str, per_merchant: float) -> int:
    """Bulk-load work orders up to ``per_merchant`` a merchant; the count afterwards."""
    return int(django(url, (
        "import django; django.setup()\n"
        "from shangquan.core.models import District\n"
        "from shangquan.merchants.models import Merchant\n"
        "from shangquan.workorders.models import WorkOrder\n"
        "from shangquan.workorders.demo import bulk_orders\n"
        f"d = District.objects.get(code='{CODE}')\n"
        f"target = round(Merchant.objects.filter(district=d).count() * {per_merchant})\n"
        "missing = target - WorkOrder.objects.filter(district=d).count()\n"
        "if missing > 0:\n"
        "    bulk_orders(district=d, count=missing, seed='pages')\n"
        "print(WorkOrder.objects.filter(district=d).count())\n")).strip().splitlines()[-1])


def volumes(url: str) -> str:
    return django(url, (
        "import django; django.setup()\n"
        "from django.apps import apps\n"
        "from shangquan.core.models import District\n"
        f"d = District.objects.get(code='{CODE}')\n"
        "names = ['merchants.Merchant', 'workorders.WorkOrder', 'inspections.Inspection',"
        " 'scales.SpotCheck', 'scales.Instrument']\n"
        "out = []\n"
        "for n in names:\n"
        "    try:\n"
        "        out.append(f\"{n.split('.')[1]} {apps.get_model(n).objects.filter(district=d).count():,}\")\n"
        "    except LookupError:\n"
        "        pass\n"
        "print(', '.join(out))\n")).strip()


def rss(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in MB."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) // 1024
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def descendants(pid: int) -> list[int]:
    out = []
    for child in children(pid):
        out.append(child)
        out.extend(descendants(child))
    return out


def app_server_memory(pid: int) -> tuple[int, int, int]:
    """(pid, VmRSS, VmHWM) of the largest server process under ``pid`` (its workers)."""
    best = (pid, *rss(pid))
    for child in descendants(pid):
        try:
            m = (child, *rss(child))
        except OSError:
            continue
        if m[1] > best[1]:
            best = m
    return best


def worker_memory(url: str, seconds: float) -> tuple[int, int]:
    proc = subprocess.Popen([PY, "-m", "shangquan.cli", "worker"], env=env_for(url), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(seconds)
        pids = [proc.pid, *descendants(proc.pid)]
        measures = [rss(p) for p in pids]
        return max(m[0] for m in measures), max(m[1] for m in measures)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def table(rows: list[dict]) -> None:
    print(f"{'page':<34} {'role':<12} {'path':<46} {'q/req':>5} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'÷ triv':>6}  ok")
    misses = 0
    for r in rows:
        ratio = r["rps"] / r["trivial_rps"] if r["trivial_rps"] else float("nan")
        ok = ratio >= 0.3 and r["p99"] < 250 and r["status"] == 200 and not r["errors"]
        misses += not ok
        flag = "" if ok else ("  ✗" if r["status"] == 200 else f"  ✗ HTTP {r['status']}")
        print(f"{r['label'][:34]:<34} {r['role'][:12]:<12} {r['path'][:46]:<46} "
              f"{r['queries']:>5} {r['p50']:7.1f} {r['p99']:7.1f} {ratio:6.2f}{flag}")
    print(f"{len(rows)} pages; {len(rows) - misses} meet ≥ 0.3 × trivial and p99 < 250 ms")


def bench_pages(url: str, vendor: str, *, seconds: float, only: str) -> None:
    header(f"pages: every staff page of {CODE} — {vendor}")
    print(volumes(url))
    pages = enumerate_pages(url, only)
    cookies = {role: session_cookie(url, f"{CODE.lower()}-{role}")
               for role in {p["role"] for p in pages}}
    rows = []
    with server_process(url, workers=2) as (base, pid):
        trivial = load(base, "/bench/trivial", label="trivial view", concurrency=16,
                       duration=seconds * 1.5, warmup=1)
        print(trivial.line(), flush=True)
        # The floor of any staff page: session, user and membership, no query of its own
        # and no template. No page can beat it; its ratio bounds what caching could give.
        floor = load(base, f"/bench/signed-in/{CODE}", label="signed-in floor",
                     concurrency=16, duration=seconds * 1.5, warmup=1,
                     headers={"Cookie": cookies[pages[0]["role"]]})
        print(floor.line() + f"   ÷ trivial {floor.rps / trivial.rps:.2f}", flush=True)
        # The machine's load drifts over a run of 100 pages: the trivial view is measured
        # again every TRIVIAL_EVERY pages, and each page is compared with the trivial
        # runs either side of it (the mean of their throughputs).
        trivials, block = [trivial.rps], []
        for n, page in enumerate(pages, 1):
            result = load(base, page["path"], concurrency=16, duration=seconds, warmup=0.5,
                          headers={"Cookie": cookies[page["role"]]})
            block.append({**page, "rps": result.rps, "p50": result.p50,
                          "p99": result.pct(99), "errors": result.errors})
            if n % TRIVIAL_EVERY == 0 or n == len(pages):
                again = load(base, "/bench/trivial", concurrency=16, duration=seconds / 2,
                             warmup=0.5)
                for row in block:
                    row["trivial_rps"] = (trivials[-1] + again.rps) / 2
                trivials.append(again.rps)
                rows += block
                block = []
        server_pid, vm_rss, vm_hwm = app_server_memory(pid)
    print(f"trivial view, re-measured every {TRIVIAL_EVERY} pages: "
          + " ".join(f"{t:.0f}" for t in trivials) + " req/s")
    table(rows)
    print(f"app server process {server_pid} after the load: VmRSS {vm_rss} MB, "
          f"VmHWM {vm_hwm} MB (aim < 250 MB)")
    worker_rss, worker_hwm = worker_memory(url, 20)
    print(f"shangquan worker after 20 s: VmRSS {worker_rss} MB, VmHWM {worker_hwm} MB")
    ratios = sorted(r["rps"] / r["trivial_rps"] for r in rows if r["trivial_rps"]) or [0.0]
    print(json.dumps({"vendor": vendor, "trivial_rps": round(trivial.rps, 1),
                      "floor_ratio": round(floor.rps / trivial.rps, 3),
                      "pages": len(rows), "ratio_min": round(ratios[0], 3),
                      "ratio_median": round(ratios[len(ratios) // 2], 3),
                      "server_rss_mb": vm_rss, "server_hwm_mb": vm_hwm,
                      "worker_rss_mb": worker_rss, "worker_hwm_mb": worker_hwm}))


GROWTH = [("KPI page", "/console/{c}/workorders/kpi/", "committee"),
          ("console home", "/console/{c}/", "committee"),
          ("dispatch board", "/console/{c}/workorders/", "committee"),
          ("merchant list", "/console/{c}/merchants/", "committee"),
          ("checker's plan page", "/console/{c}/scales/plan/", "dept-scjg")]


def growth_pages(url: str) -> dict[str, float]:
    out = {}
    cookies = {}
    with server_process(url, workers=1) as (base, _pid):
        for label, path, role in GROWTH:
            if role not in cookies:
                cookies[role] = session_cookie(url, f"{CODE.lower()}-{role}")
            r = load(base, path.format(c=CODE), concurrency=1, duration=4, warmup=1,
                     headers={"Cookie": cookies[role]})
            out[label] = r.p50 if r.errors == 0 else float("nan")
    return out


def bench_growth(urls: dict[str, str], vendor: str, *, reuse: bool) -> None:
    header(f"pages: growth at 1× and 10× the demo volume of {CODE} — {vendor}")
    small, large = urls["1x"], urls["10x"]
    if not reuse:
        prepare(large, demo_args=("--only", CODE, "--scale", "10"))
        top_up_orders(large, ORDERS_PER_YEAR_PER_MERCHANT)
    print("1×:  " + volumes(small))
    print("10×: " + volumes(large))
    p1, p10 = growth_pages(small), growth_pages(large)
    print(f"{'page':<24} {'p50 1×':>9} {'p50 10×':>9} {'10× ÷ 1×':>9}")
    for label, _path, _role in GROWTH:
        ratio = p10[label] / p1[label] if p1[label] else float("nan")
        flag = "" if ratio < 2 else "  ✗"
        print(f"{label:<24} {p1[label]:8.1f}ms {p10[label]:8.1f}ms {ratio:9.2f}{flag}"
              "   (aim < 2)")


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    only = next((a.split("=", 1)[1] for a in argv if a.startswith("--only=")), "")
    quick = "--quick" in argv
    profiled = next((a.split("=", 1)[1] for a in argv if a.startswith("--profile=")), "")
    urls = database_urls(which)
    if "postgresql" in urls:
        urls["postgresql"] = PG_URL
    if "sqlite" in urls:
        urls["sqlite"] = f"sqlite:///{SQLITE}"
    if profiled:  # --profile=<path>[@role]: pyinstrument, no load
        path, _, role = profiled.partition("@")
        for url in urls.values():
            print(profile(url, path, role or "committee"))
        return
    for vendor, url in urls.items():
        if "--reuse" not in argv:
            prepare(url, demo_args=("--only", CODE))
            top_up_orders(url, ORDERS_PER_YEAR_PER_MERCHANT)
        if "--no-pages" not in argv:
            bench_pages(url, vendor, seconds=2 if quick else 4, only=only)
        if "--no-growth" not in argv:
            large = (PG_URL_10X if vendor == "postgresql"
                     else f"sqlite:///{SQLITE.replace('.sqlite3', '_10x.sqlite3')}")
            bench_growth({"1x": url, "10x": large}, vendor, reuse="--reuse" in argv)


if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
