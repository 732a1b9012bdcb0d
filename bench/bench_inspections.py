"""Inspections: a campaign evening of joint teams ticking items, and the pages that watch.

1. Answer saves under concurrency (16 connections, each an inspector on its own shop's
   checklist, cycling through the items with alternating answers so every request is a
   real write + audit row): the idempotent ``PUT …/answers/{item}`` of the phone page.
   Then the same with every connection replaying one answer (the retry path: no write).
2. Reads: the risk register API, the campaign page (progress, 清单式 list) and the phone
   checklist page, each as req/s, p50, p99.
Every figure is also given as a ratio to the trivial view measured in the same run.

``--db=sqlite|postgresql|both``.
"""

from __future__ import annotations

import json
import os
import subprocess

from bench_core import session_cookie
from common import (
    PY,
    ROOT,
    VAR,
    LoadResult,
    database_urls,
    env_for,
    header,
    load,
    prepare,
    ratio_line,
    server,
    shangquan,
)

PG_URL = os.environ.get("SHANGQUAN_BENCH_INSPECTIONS_PG",
                        "postgres://postgres@127.0.0.1:5432/bench_inspections")
CODE = "LHYS"
CONNECTIONS = 16

SETUP = f"""
import json
from django.utils import timezone
from shangquan.core.models import District
from shangquan.core.services import token_issue
from django.contrib.auth import get_user_model
from shangquan.inspections import services
from shangquan.inspections.models import Campaign, ChecklistTemplate, Inspection
from shangquan.merchants.models import Merchant
d = District.objects.get(code={CODE!r})
U = get_user_model().objects
committee, dept = U.get(username="lhys-committee"), U.get(username="lhys-dept-scjg")
tpl = list(ChecklistTemplate.objects.filter(district=d, code__in=["gas", "fire", "food"]))
shops = list(Merchant.objects.filter(district=d, status="open").order_by("pk")[:{CONNECTIONS}])
ids = [services.inspection_plan(actor=committee, district=d, templates=tpl, merchant=m,
                                planned_for=timezone.localdate()).pk for m in shops]
items = {{i: list(Inspection.objects.get(pk=i).versions.values_list("items__pk", flat=True))
         for i in ids}}
campaign = Campaign.objects.filter(district=d, status="planned").first()
print(json.dumps({{"dept": token_issue(actor=dept, user=dept)[1],
                  "committee": token_issue(actor=committee, user=committee)[1],
                  "items": items, "campaign": campaign.pk}}))
"""

# The full demo needs every app's loader; if one of them cannot load yet, the apps up
# to inspections are enough for this benchmark.
PARTIAL_DEMO = f"""
import logging
import shangquan.core.demo as demo
from shangquan.core import extensions
wanted = ("org", "merchants", "workorders", "inspections")
demo.app_modules = lambda name: [m for m in extensions.app_modules(name)
                                 if m.__name__.split(".")[1] in wanted]
logging.disable(logging.INFO)
demo.demo_load(codes=[{CODE!r}])
"""


def django(url: str, code: str) -> str:
    out = subprocess.run([PY, "-c", "import django; django.setup()\n" + code],
                         env=env_for(url), cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return out.stdout.strip().splitlines()[-1]


def put_load(base: str, token: str, plans: dict, *, label: str, replay: bool,
             duration: float = 8.0, warmup: float = 1.5) -> LoadResult:
    """Each connection saves answers on its own inspection; a replay re-sends one answer."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    streams = []
    for inspection, items in plans.items():
        cycle = [(items[0], "pass")] if replay else [
            (items[n % len(items)], ("fail", "pass", "na")[(n // len(items)) % 3])
            for n in range(3 * len(items))]
        streams.append([{
            "method": "PUT", "headers": headers,
            "path": f"/api/v1/districts/{CODE}/inspections/{inspection}/answers/{item}",
            "body": json.dumps({"value": value, "note": "" if replay else f"第 {n} 次",
                                "client_time": None}).encode()}
            for n, (item, value) in enumerate(cycle)])
    return load(base, label=label, duration=duration, warmup=warmup, streams=streams)


def our_databases(which: str) -> dict[str, str]:
    """Like common.database_urls, but our own SQLite file and PG database: other
    benchmarks may run at the same time."""
    urls = {}
    for vendor in database_urls(which):
        urls[vendor] = (f"sqlite:///{VAR / 'bench_inspections.sqlite3'}"
                        if vendor == "sqlite" else PG_URL)
    return urls


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    for vendor, url in our_databases(which).items():
        header(f"inspections: campaign evening — {vendor}")
        try:
            prepare(url, demo_args=("--only", CODE))
        except RuntimeError:
            prepare(url, demo_args=None)
            shangquan(url, "shell", "-c", PARTIAL_DEMO)
        setup = json.loads(django(url, SETUP))
        committee_cookie = session_cookie(url, "lhys-committee")
        dept_cookie = session_cookie(url, "lhys-dept-scjg")
        first = next(iter(setup["items"]))
        with server(url, workers=2) as base:
            trivial = load(base, "/bench/trivial", label="trivial view", concurrency=16)
            writes = put_load(base, setup["dept"], setup["items"], replay=False,
                              label="answer PUT (write + audit)")
            replays = put_load(base, setup["dept"], setup["items"], replay=True,
                               label="answer PUT retry (no change)")
            risk = load(base, f"/api/v1/districts/{CODE}/inspections/risk-register",
                        label="risk register API", concurrency=16,
                        headers={"Authorization": f"Bearer {setup['committee']}"})
            campaign = load(base, f"/console/{CODE}/inspections/campaigns/"
                                  f"{setup['campaign']}/", label="campaign page",
                            concurrency=16, headers={"Cookie": committee_cookie})
            sheet = load(base, f"/console/{CODE}/inspections/{first}/",
                         label="phone checklist page", concurrency=16,
                         headers={"Cookie": dept_cookie})
        for result in (trivial, writes, replays, risk, campaign, sheet):
            print(result.line())
        for result in (writes, replays, risk, campaign, sheet):
            print(ratio_line(f"{result.label} ÷ trivial", result.rps, trivial.rps))
