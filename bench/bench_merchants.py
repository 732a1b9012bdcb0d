"""Public merchant page (what a QR code opens) under concurrency, vs the trivial view.

Seeds one district (凌河夜市, its merchants, grids and today's stewards) with only the
org and merchants demo loaders, then on a real server measures:
- the trivial view (baseline, same run),
- one popular merchant's page (everyone at the same stall),
- eight merchants' pages at once (visitors spread along the street).
Prints req/s, p50/p99 and the ratios to the trivial view (aim ≥ 0.5).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading

import common
from common import PY, ROOT, env_for, header, load, prepare, ratio_line, server

# Our own PostgreSQL database, so concurrent benchmarks do not trample each other.
common.PG_URL = os.environ.get("SHANGQUAN_BENCH_PG_MERCHANTS",
                               "postgres://postgres@127.0.0.1:5432/bench_merchants")

SEED = """
import json, random
import django; django.setup()
from django.db import transaction
from shangquan.core import demo as core_demo
from shangquan.merchants import demo as merchants_demo
from shangquan.merchants.models import Merchant
from shangquan.org import demo as org_demo
spec = next(s for s in core_demo.DISTRICTS if s.code == "LHYS")
logins = []
with transaction.atomic():
    district, departments, users, dusers = core_demo._district_base(spec, 0, logins)
for module in (org_demo, merchants_demo):
    module.load(core_demo.DemoContext(
        district=district, spec=spec, rng=random.Random(f"2026:{spec.code}:{module.__name__}"),
        scale=1, users=users, departments=departments, department_users=dusers,
        progress=lambda m: None, logins=logins))
tokens = list(Merchant.objects.filter(district=district, status="open", is_party_member=True)
              .order_by("id").values_list("public_token", flat=True)[:8])
print(json.dumps(tokens))
"""


def seed(url: str) -> list[str]:
    out = subprocess.run([PY, "-c", SEED], env=env_for(url), cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def spread(base: str, tokens: list[str], concurrency: int, duration: float):
    """Several merchants' pages at the same time: one load generator per page."""
    results = [None] * len(tokens)

    def run(i: int) -> None:
        results[i] = load(base, f"/m/{tokens[i]}/", concurrency=max(1, concurrency // len(tokens)),
                          duration=duration)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rps = sum(r.rps for r in results)
    errors = sum(r.errors for r in results)
    latencies = [x for r in results for x in r.latencies]
    return common.LoadResult(f"{len(tokens)} merchants' pages at once", len(latencies), errors,
                             duration, latencies), rps


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    duration = 8.0
    for vendor, url in common.database_urls(which).items():
        header(f"merchants: public QR page vs trivial view — {vendor}")
        prepare(url, demo_args=None)
        tokens = seed(url)
        with server(url, workers=2) as base:
            trivial = load(base, "/bench/trivial", label="trivial view", concurrency=16,
                           duration=duration)
            hot = load(base, f"/m/{tokens[0]}/", label="merchant page (one stall)",
                       concurrency=16, duration=duration)
            many, many_rps = spread(base, tokens, 16, duration)
        print(trivial.line())
        print(hot.line())
        many.label = f"{len(tokens)} merchants' pages at once"
        print(f"{many.label:<42} {many_rps:9.1f} req/s   p50 {many.p50:7.1f} ms   "
              f"p99 {many.pct(99):7.1f} ms   errors {many.errors}")
        print(ratio_line("merchant page ÷ trivial (one stall)", hot.rps, trivial.rps, "≥ 0.5"))
        print(ratio_line("merchant pages ÷ trivial (spread)", many_rps, trivial.rps, "≥ 0.5"))
