"""Ratings: publishing a period, and the merchant QR page with its rating section.

1. Publishing: close (evidence, adjustments, results) + publish (flags, titles) for 500,
   1,000 and 2,500 merchants (万达紫贞 at demo scale), each with two staff raters on six
   dimensions and a few resident scores. Aim: 2,500 under 30 s, growing linearly: the
   ratio of per-merchant times, biggest ÷ smallest size, at most 2 (fixed costs make
   small periods dearer per merchant). Runs on an SQLite file of its own
   (``SHANGQUAN_BENCH_RATINGS_DB``, default under /tmp), or on PostgreSQL with
   ``SHANGQUAN_BENCH_RATINGS_URL``.
2. The QR page: a district of 300 merchants with a published period (grades, sub-scores,
   deductions, a flag per association, titles) on a real server (2 workers), under
   16 connections: the trivial view (baseline, same run), one merchant's page, and the
   pages of 64 merchants cycled by every connection. Aim: ≥ 0.5 × the trivial view.
   ``--db sqlite|postgresql|both`` picks the databases (PostgreSQL:
   ``SHANGQUAN_BENCH_PG_RATINGS``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import common
from common import PY, ROOT, env_for, header, load, prepare, ratio_line, server

SIZES = [int(s) for s in os.environ.get("SHANGQUAN_BENCH_RATINGS_SIZES", "500,1000,2500").split(",")]

RUN = r"""
import datetime as dt, json, sys, time
import django; django.setup()
from django.utils import timezone
from shangquan.core import services as core
from shangquan.core.actors import SYSTEM
from shangquan.core.roles import Role
from shangquan.merchants.models import Association, Grid, Merchant
from shangquan.merchants.licences import make_uscc
from shangquan.ratings import services
from shangquan.ratings.models import ResidentScore, Score
n = int(sys.argv[1])
code = f"B{n}"
district = core.district_create(actor=SYSTEM, code=code, name=f"万达紫贞{n}")
users = {}
for role in (Role.COMMITTEE, Role.ASSOCIATION, Role.COMMUNITY):
    user = core.user_create(actor=SYSTEM, username=f"{code.lower()}-{role}", password=None)
    core.membership_grant(actor=SYSTEM, district=district, user=user, role=role)
    users[role] = user
assocs = Association.objects.bulk_create([Association(district=district, name=f"商会{i}") for i in range(8)])
grids = Grid.objects.bulk_create([Grid(district=district, name=f"网格{i}") for i in range(n // 10 + 1)])
Merchant.objects.bulk_create([Merchant(district=district, name=f"商户{i}",
    licence_no=make_uscc(f"92350100MA{i:07d}"), category="餐饮", association=assocs[i % 8],
    grid=grids[i // 10]) for i in range(n)], batch_size=1000)
merchants = list(Merchant.objects.filter(district=district).values_list("pk", flat=True))
period = services.period_create(actor=users[Role.COMMITTEE], district=district)
services.period_open(actor=users[Role.COMMITTEE], period=period)
codes = [d["code"] for d in period.dimensions]
rows = []
for k, pk in enumerate(merchants):
    for role, party in ((Role.ASSOCIATION, "association"), (Role.COMMUNITY, "community")):
        for j, c in enumerate(codes):
            rows.append(Score(district=district, period=period, merchant_id=pk, dimension=c,
                              party=party, rater=users[role], value=60 + (k * 7 + j * 3) % 40))
Score.objects.bulk_create(rows, batch_size=2000)
ResidentScore.objects.bulk_create([ResidentScore(district=district, period=period, merchant_id=pk,
    phone_key=f"{pk}-{r}", stars=1 + (pk + r) % 5) for pk in merchants for r in range(3)], batch_size=2000)
t0 = time.perf_counter()
services.period_close(actor=users[Role.COMMITTEE], period=period)
t1 = time.perf_counter()
services.period_publish(actor=users[Role.COMMITTEE], period=period, force=True)
t2 = time.perf_counter()
print(json.dumps({"n": n, "close": t1 - t0, "publish": t2 - t1}))
"""


def publish_bench() -> bool:
    header("ratings: close + publish a period")
    url = os.environ.get("SHANGQUAN_BENCH_RATINGS_URL")
    results = []
    for n in SIZES:
        db = url
        if db is None:
            path = Path(os.environ.get("SHANGQUAN_BENCH_RATINGS_DB",
                                       Path(tempfile.gettempdir()) / f"bench_ratings_{n}.sqlite3"))
            path.unlink(missing_ok=True)
            db = f"sqlite:///{path}"
        else:
            common.reset_database(db)
        common.shangquan(db, "migrate", "--verbosity", "0")
        out = subprocess.run([PY, "-c", RUN, str(n)], env=env_for(db), cwd=ROOT,
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr[-3000:])
            return False
        row = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(row)
        total = row["close"] + row["publish"]
        print(f"{n:>6} merchants: close {row['close']:.2f} s, publish {row['publish']:.2f} s, "
              f"total {total:.2f} s, {1000 * total / n:.2f} s per 1,000", flush=True)
    biggest = results[-1]
    total = biggest["close"] + biggest["publish"]
    per = [(r["close"] + r["publish"]) / r["n"] for r in results]
    growth = per[-1] / per[0]
    linear = growth <= 2.0
    print(f"aim: {biggest['n']} under 30 s → {'ok' if total < 30 else 'MISSED'} ({total:.1f} s)")
    print(f"per-merchant time, {results[-1]['n']} ÷ {results[0]['n']} merchants: ratio "
          f"{growth:.2f} (aim ≤ 2: at most linear) → {'ok' if linear else 'MISSED'}")
    return total < 30 and linear


QR_MERCHANTS = 300
QR_SPREAD = 64

QR_SEED = RUN.replace("print(json.dumps({\"n\": n, \"close\": t1 - t0, \"publish\": t2 - t1}))", """
from shangquan.ratings.models import Result, TitleKind
kind = TitleKind.objects.filter(district=district).first()
for m in Merchant.objects.filter(district=district).order_by("pk")[:20]:
    title = services.title_propose(actor=users[Role.COMMITTEE], district=district, merchant=m,
                                   kind=kind)
    services.title_transition(actor=users[Role.COMMITTEE], title=title, action="list")
tokens = list(Merchant.objects.filter(district=district).order_by("pk")
              .values_list("public_token", flat=True))
print(json.dumps({"tokens": tokens, "results": Result.objects.filter(period=period).count()}))
""")


COLD = r"""
import json, sys, time
import django; django.setup()
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from shangquan.merchants import public
from shangquan.merchants.models import Merchant
from shangquan.ratings.merchant_sections import sections
merchants = list(Merchant.objects.filter(district__code=f"B{sys.argv[1]}").order_by("pk")[100:140])
request = RequestFactory().get("/")
public.page_fragment(request, merchants[0].public_token)
t = time.perf_counter()
for m in merchants[1:]:
    public.page_fragment(request, m.public_token)
page = (time.perf_counter() - t) / (len(merchants) - 1)
t = time.perf_counter()
for m in merchants[1:]:
    sections(m)
section = (time.perf_counter() - t) / (len(merchants) - 1)
with CaptureQueriesContext(connection) as queries:
    sections(merchants[1])
print(json.dumps({"n": len(merchants) - 1, "page_ms": page * 1000, "section_ms": section * 1000,
                  "section_queries": len(queries)}))
"""


def qr_bench(argv: list[str]) -> bool:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    common.PG_URL = os.environ.get("SHANGQUAN_BENCH_PG_RATINGS",
                                   "postgres://postgres@127.0.0.1:5432/bench_ratings")
    duration, ok = 8.0, True
    urls = common.database_urls(which)
    if "sqlite" in urls:  # a file of its own: other benchmarks reset the shared one
        urls["sqlite"] = f"sqlite:///{common.VAR / 'bench_ratings_qr.sqlite3'}"
    for vendor, url in urls.items():
        header(f"ratings: merchant QR page with its rating section vs trivial view — {vendor}")
        prepare(url, demo_args=None)
        out = subprocess.run([PY, "-c", QR_SEED, str(QR_MERCHANTS)], env=env_for(url),
                             cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr[-3000:])
            return False
        seeded = json.loads(out.stdout.strip().splitlines()[-1])
        tokens = seeded["tokens"]
        print(f"{len(tokens)} merchants, {seeded['results']} published results, 20 titles")
        with server(url, workers=2) as base:
            with urllib.request.urlopen(f"{base}/m/{tokens[0]}/", timeout=30) as page:
                html = page.read().decode()
            assert "rating-section" in html, "the QR page shows no rating section"
            trivial = load(base, "/bench/trivial", label="trivial view", concurrency=16,
                           duration=duration)
            hot = load(base, f"/m/{tokens[0]}/", label="merchant page (one shop)",
                       concurrency=16, duration=duration)
            spread = tokens[:QR_SPREAD]
            # warm: each page rendered once in each worker (pages stay cached 45 s), so the
            # load below measures the page a crowd sees; the cold cost is measured apart
            for token in spread:
                for _ in range(4):
                    with urllib.request.urlopen(f"{base}/m/{token}/", timeout=30) as page:
                        page.read()
            streams = [[{"path": f"/m/{spread[(i * 7 + k) % len(spread)]}/"}
                        for k in range(len(spread))] for i in range(16)]
            many = load(base, label=f"{len(spread)} merchants' pages, cycled", streams=streams,
                        duration=duration)
        for result in (trivial, hot, many):
            print(result.line())
        cold = subprocess.run([PY, "-c", COLD, str(QR_MERCHANTS)], env=env_for(url), cwd=ROOT,
                              capture_output=True, text=True)
        if cold.returncode == 0:
            c = json.loads(cold.stdout.strip().splitlines()[-1])
            print(f"cold render (in process, {c['n']} pages): whole page {c['page_ms']:.1f} ms, "
                  f"rating section {c['section_ms']:.1f} ms ({c['section_queries']} queries)")
        else:
            print(cold.stderr[-2000:])
        print(ratio_line("merchant page ÷ trivial (one shop)", hot.rps, trivial.rps, "≥ 0.5"))
        print(ratio_line("merchant pages ÷ trivial (spread)", many.rps, trivial.rps, "≥ 0.5"))
        errors = trivial.errors + hot.errors + many.errors
        ok = ok and errors == 0 and min(hot.rps, many.rps) >= 0.5 * trivial.rps
    return ok


def main(argv: list[str] | None = None) -> int:
    argv = list(argv or [])
    only = next((a.split("=", 1)[1] for a in argv if a.startswith("--part=")), "")
    ok = True
    if only in ("", "publish"):
        ok = publish_bench() and ok
    if only in ("", "qr"):
        ok = qr_bench(argv) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
