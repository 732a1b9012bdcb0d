"""Work orders: intake throughput and the KPI page at 100,000 and 1,000,000 orders.

1. Intake under concurrency (16 connections) against a real server: the public report
   API (JSON, each request with its own Idempotency-Key) and the multipart form with one
   photo (EXIF-stripped and re-encoded), each as orders/s and as a ratio to the trivial
   view measured in the same run.
2. The KPI page (committee console, last 180 days; as opened and its by-grid tab) of 万达紫贞 with 100,000 orders and
   again with 1,000,000 (bulk-loaded by ``workorders.demo.bulk_orders``): p50 of both and
   their ratio (aims: < 300 ms, < 2× growth).

``--db=sqlite|postgresql|both``; ``--quick`` uses 10,000 / 100,000 orders.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import time
import uuid

from bench_core import session_cookie
from common import (
    PY,
    ROOT,
    LoadResult,
    database_urls,
    env_for,
    header,
    load,
    prepare,
    ratio_line,
    server,
)

# Our own PostgreSQL database, so this runs beside other benchmarks.
PG_URL = os.environ.get("SHANGQUAN_BENCH_WORKORDERS_PG",
                        "postgres://postgres@127.0.0.1:5432/bench_workorders")

CODE = "WDZZ"
REPORTS = f"/api/v1/public/workorders/{CODE}/reports"


def _bodies(n: int) -> list[dict]:
    return [{"body": {"category": ["oil_fume", "noise", "sanitation", "parking"][i % 4],
                      "description": f"压测反映第 {i} 条：烧烤摊油烟很大",
                      "latitude": 32.0688 + (i % 50) * 1e-4, "longitude": 112.1722,
                      "address": "万达广场北门"},
             "headers": {"Idempotency-Key": uuid.uuid4().hex}} for i in range(n)]


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1280, 960), (180, 60, 40)).save(out, format="JPEG", quality=85)
    return out.getvalue()


def multipart_load(base: str, path: str, *, label: str, concurrency: int = 16,
                   duration: float = 8.0, warmup: float = 1.5) -> LoadResult:
    """Closed-loop multipart POSTs with one photo each, every one a new report."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in (("category", "sanitation"), ("description", "垃圾桶满溢无人清运"),
                        ("latitude", "32.0688"), ("longitude", "112.1722")):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                     f"\r\n\r\n{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
                 f'filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode() + _jpeg()
                 + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    request = {"method": "POST", "path": path, "body": b"".join(parts),
               "headers": {"Content-Type": f"multipart/form-data; boundary={boundary}"}}
    return load(base, label=label, duration=duration, warmup=warmup,
                streams=[[request]] * concurrency, fresh_idempotency_key=True)


def django(url: str, code: str) -> str:
    out = subprocess.run([PY, "-c", "import django; django.setup()\n" + code],
                         env=env_for(url), cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return out.stdout.strip()


def order_count(url: str) -> int:
    return int(django(url, "from shangquan.workorders.models import WorkOrder\n"
                           f"print(WorkOrder.objects.filter(district__code='{CODE}').count())"))


def grow_to(url: str, target: int) -> float:
    """Bulk-load orders until the district has ``target``; seconds taken."""
    missing = target - order_count(url)
    started = time.monotonic()
    if missing > 0:
        django(url, "from shangquan.core.models import District\n"
                    "from shangquan.workorders.demo import bulk_orders\n"
                    f"bulk_orders(district=District.objects.get(code='{CODE}'), "
                    f"count={missing}, seed='bench{target}')")
    return time.monotonic() - started


def kpi_pages(url: str, cookie: str) -> tuple[LoadResult, LoadResult]:
    """The KPI page as opened (by department) and its by-grid tab."""
    with server(url, workers=1) as base:
        page = f"/console/{CODE}/workorders/kpi/"
        default = load(base, page, label="KPI page (1 client)", concurrency=1, duration=6,
                       warmup=2, headers={"Cookie": cookie})
        grid = load(base, page + "?by=grid", label="KPI page, by-grid tab (1 client)",
                    concurrency=1, duration=6, warmup=2, headers={"Cookie": cookie})
    return default, grid


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    small, large = (10_000, 100_000) if "--quick" in argv else (100_000, 1_000_000)
    urls = database_urls(which)
    if "postgresql" in urls:
        urls["postgresql"] = PG_URL
    if "sqlite" in urls:  # our own file too
        urls["sqlite"] = urls["sqlite"].replace("bench.sqlite3", "bench_workorders.sqlite3")
    for vendor, url in urls.items():
        header(f"workorders: intake and KPI page — {vendor}")
        prepare(url, demo_args=("--only", CODE))
        with server(url, workers=2) as base:
            trivial = load(base, "/bench/trivial", label="trivial view", concurrency=16)
            intake = load(base, REPORTS, label="intake JSON (orders/s)", concurrency=16,
                          method="POST", body_factory=_bodies)
            photo = multipart_load(base, REPORTS + "/form", label="intake + 1 photo (orders/s)")
        for r in (trivial, intake, photo):
            print(r.line())
        print(ratio_line("intake JSON ÷ trivial", intake.rps, trivial.rps))
        print(ratio_line("intake + photo ÷ trivial", photo.rps, trivial.rps))
        cookie = session_cookie(url, f"{CODE.lower()}-committee")
        results, grids = {}, {}
        for target in (small, large):
            took = grow_to(url, target)
            results[target], grids[target] = kpi_pages(url, cookie)
            print(f"{CODE} orders: {order_count(url):>9,}  (bulk load {took:6.1f} s)")
            print("  " + results[target].line())
            print("  " + grids[target].line())
        print(ratio_line(f"KPI page p50 {large:,} ÷ {small:,}", results[large].p50,
                         results[small].p50, aim="< 2"))
        print(ratio_line(f"by-grid tab p50 {large:,} ÷ {small:,}", grids[large].p50,
                         grids[small].p50, aim="< 2"))
        print(f"KPI page p50 at {large:,} orders: {results[large].p50:.1f} ms, by-grid tab "
              f"{grids[large].p50:.1f} ms (aim < 300 ms)")
        print(json.dumps({"vendor": vendor, "trivial_rps": trivial.rps,
                          "intake_rps": intake.rps, "photo_rps": photo.rps,
                          "kpi_p50_small": results[small].p50,
                          "kpi_p50_large": results[large].p50,
                          "grid_p50_small": grids[small].p50, "grid_p50_large": grids[large].p50}))
