"""Writes under load: every write the apps expose, in one table beside the trivial view.

Against a real server (``common.server``, 2 workers) with 16 keep-alive connections, in
one run: the trivial view (before and after the writes: the baseline is their mean), then

- report intake, JSON (public API, each request its own Idempotency-Key) and with one
  photo (multipart): ``bench_workorders``' loads;
- inspection answer save (``PUT …/answers/{item}``, each connection its own inspection,
  alternating answers: every request a real write + audit row): ``bench_inspections``;
- spot check (scales API, bearer token, passing readings): ``bench_scales``' token;
- crowd reading batch (device token, 10 readings per batch, fresh sequence numbers);
- vote (deliberation, distinct voters whose token is used for the first time):
  ``bench_deliberation``'s voters and streams;
- redemption (points: distinct residents redeeming one item, ample stock);
- booking (stations: distinct residents, each a different 5-minute slot).

Queries per write are counted in a child process: one write of each kind through the
test client under ``CaptureQueriesContext`` (after one warm-up write of the same kind),
counting every statement except transaction control (BEGIN, SAVEPOINT, RELEASE, COMMIT).

Prints one table: write, queries per write, writes/s, p50, p99, ratio to trivial, aim.
``--db=sqlite|postgresql|both``; own databases (``SHANGQUAN_BENCH_WRITES_SQLITE``,
``SHANGQUAN_BENCH_WRITES_PG``). ``--only=intake,vote`` measures some writes only;
``--reuse-demo`` (SQLite) starts from the demo an earlier run loaded; ``-v`` prints the SQL.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import bench_crowd
import bench_deliberation
import bench_inspections
import bench_scales
import bench_workorders
import common
from common import PY, ROOT, VAR, env_for, header, load, prepare, server

PG_URL = os.environ.get("SHANGQUAN_BENCH_WRITES_PG",
                        "postgres://postgres@127.0.0.1:5432/bench_writes")
SQLITE = os.environ.get("SHANGQUAN_BENCH_WRITES_SQLITE", str(VAR / "bench_writes.sqlite3"))
CONNECTIONS = 16
DURATION, WARMUP = 8.0, 1.5
WO = bench_workorders.CODE  # 万达紫贞

# (label, aim as a ratio to the trivial view, query budget or None)
WRITES = [
    ("intake", "report intake, JSON", 0.25, 6),
    ("photo", "report intake + 1 photo", 0.15, 6),
    ("answer", "inspection answer save", 0.2, None),
    ("spotcheck", "spot check (scales API)", 0.2, None),
    ("readings", "crowd reading batch (10, device)", 0.2, None),
    ("vote", "vote (deliberation)", 0.2, None),
    ("redeem", "redemption (points)", 0.2, None),
    ("booking", "booking (stations)", 0.2, None),
]

POINTS_SETUP = r"""
import json, secrets
import django; django.setup()
from django.utils import timezone
from shangquan.core import services as core
from shangquan.core.actors import SYSTEM
from shangquan.core.models import ApiToken
from shangquan.core.roles import Role
from shangquan.points.models import Category, EarningRule
from shangquan.points.services import ledger, shop
d = core.district_create(actor=SYSTEM, code="WPTS", name="积分写入")
EarningRule.objects.get_or_create(district=d, code="bench", defaults={{
    "name": "基准", "source_type": "bench", "category": Category.OTHER, "points_per_unit": 1}})
item = shop.item_create(actor=SYSTEM, district=d, name="雨伞", price=10, stock=10**6,
                        limit_per_month=1000)
raws = []
for i in range({people}):
    u = core.user_create(actor=SYSTEM, username=f"wp-{{i}}", password=None)
    core.membership_grant(actor=SYSTEM, district=d, user=u, role=Role.RESIDENT)
    ledger.award_post(actor=SYSTEM, district=d, rule_code="bench", source_type="bench",
                      source_id=i, user=u, quantity=100000)
    raw = "sq_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=u, name="bench", prefix=raw[:10],
                            key_hash=ApiToken.hash_key(raw), last_used_at=timezone.now())
    raws.append(raw)
print(json.dumps({{"item": item.pk, "tokens": raws}}))
"""

STATIONS_SETUP = r"""
import datetime as dt, json, secrets
import django; django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from shangquan.core import services as core
from shangquan.core.actors import SYSTEM
from shangquan.core.models import ApiToken, Membership
from shangquan.stations import services
d = core.district_create(actor=SYSTEM, code="WSTN", name="预约写入")
station = services.station_create(actor=SYSTEM, district=d, name="党群服务站", kind="party_station",
                                  latitude="32.07", longitude="112.17", open_24h=True)
svcs = [services.service_create(actor=SYSTEM, station=station, name=f"证照快办{{w}}", weekday=w,
                                starts_at=dt.time(0, 0), ends_at=dt.time(23, 55), slot_minutes=5,
                                capacity=2, day_name="证照快办日") for w in range(7)]
now = timezone.now()
slots = []
for offset in range(1, 13):
    day = timezone.localdate() + dt.timedelta(days=offset)
    for s in svcs:
        if s.weekday != day.weekday():
            continue
        for t in s.slot_starts(day):
            at = timezone.make_aware(dt.datetime.combine(day, t))
            if at > now + dt.timedelta(hours=3):
                slots += [[s.pk, at.isoformat()]] * 2
User = get_user_model()
users = User.objects.bulk_create([User(username=f"ws{{i}}") for i in range({people})])
users = list(User.objects.filter(username__startswith="ws").order_by("pk"))
Membership.objects.bulk_create([Membership(district=d, user=u, role="resident") for u in users])
raws, tokens = [], []
for u in users:
    raw = "sq_" + secrets.token_urlsafe(32)
    raws.append(raw)
    tokens.append(ApiToken(user=u, name="bench", prefix=raw[:10], key_hash=ApiToken.hash_key(raw),
                           last_used_at=now))
ApiToken.objects.bulk_create(tokens, batch_size=2000)
print(json.dumps({{"slots": slots, "tokens": raws}}))
"""

COUNT_CHILD = r"""
import base64, json, sys
import django; django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")
out = {}
for name, requests in json.loads(sys.stdin.read()).items():
    counts = []
    for r in requests:  # the first warms this process (caches), the last is counted
        body = base64.b64decode(r["body_b64"]) if r.get("body_b64") else b""
        headers = dict(r.get("headers", {}))
        ct = headers.pop("Content-Type", "application/json")
        with CaptureQueriesContext(connection) as ctx:
            response = Client().generic(r["method"], r["path"], body, content_type=ct,
                                        headers=headers, REMOTE_ADDR=f"10.9.{len(counts)}.1")
        if response.status_code >= 400:
            raise SystemExit(f"{name}: {response.status_code} {response.content[:300]!r}")
        sql = [q["sql"] for q in ctx.captured_queries
               if not q["sql"].lstrip().upper().startswith(CONTROL)]
        counts.append((len(sql), sql))
    out[name] = {"queries": counts[-1][0], "sql": counts[-1][1]}
print(json.dumps(out))
"""


def databases(which: str) -> dict[str, str]:
    urls = {}
    for vendor in common.database_urls(which):
        urls[vendor] = f"sqlite:///{SQLITE}" if vendor == "sqlite" else PG_URL
    return urls


def _json(url: str, code: str) -> dict:
    out = subprocess.run([PY, "-c", code], env=env_for(url), cwd=ROOT, capture_output=True,
                         text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _req(method: str, path: str, body: bytes | dict | None = None, **headers: str) -> dict:
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    return {"method": method, "path": path, "headers": headers, "body": body}


def _address(k: int) -> str:
    """A resident's address: reports are rate-limited per client (behind the proxy)."""
    return f"10.{k // 65536 % 256}.{k // 256 % 256}.{k % 256}"


def _intake_bodies(n: int) -> list[dict]:
    bodies = bench_workorders._bodies(n)
    for k, b in enumerate(bodies):
        b["headers"]["X-Forwarded-For"] = _address(k)
    return bodies


def _bodies(requests: list[dict]) -> list[list[dict]]:
    """Split a list of distinct requests into one stream per connection."""
    return [requests[k::CONNECTIONS] for k in range(CONNECTIONS)]


def setup(url: str) -> dict:
    """Every write's data and its request streams (and two spare requests to count)."""
    cfg: dict = {}
    insp = json.loads(bench_inspections.django(url, bench_inspections.SETUP))
    cfg["answer"] = insp
    cfg["scales"] = bench_scales.checker_token(url)
    cfg["crowd"] = bench_crowd._child(url, "setup_latency")
    # bench_deliberation's voters, on a database that also holds the demo: their phone
    # numbers must not be the demo residents'.
    setup_code = bench_deliberation.SETUP
    bench_deliberation.SETUP = setup_code.replace('phone=f"139{{i:08d}}"',
                                                  'phone=f"166{{i:08d}}"')
    try:
        cfg["vote"] = bench_deliberation._setup(url)
    finally:
        bench_deliberation.SETUP = setup_code
    cfg["points"] = _json(url, POINTS_SETUP.format(people=400))
    cfg["stations"] = _json(url, STATIONS_SETUP.format(people=3000))
    return cfg


def requests_for(cfg: dict) -> dict[str, dict]:
    """For each write: ``count`` (2 requests for the query count) and ``streams``."""
    out: dict[str, dict] = {}
    reports = f"/api/v1/public/workorders/{WO}/reports"
    # The same category twice: the count is the steady state (the category cached).
    intake = [_req("POST", reports, b["body"], **b["headers"])
              for b in bench_workorders._bodies(5)[::4]]
    out["intake"] = {"count": intake}
    photo = bench_workorders._jpeg()
    boundary = uuid.uuid4().hex
    form = (f'--{boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\nsanitation'
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n'
            f'垃圾桶满溢无人清运\r\n--{boundary}\r\nContent-Disposition: form-data; '
            f'name="photos"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n').encode() \
        + photo + f"\r\n--{boundary}--\r\n".encode()
    photos = [_req("POST", reports + "/form", form, **{
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Idempotency-Key": uuid.uuid4().hex, "X-Forwarded-For": _address(k)})
        for k in range(CONNECTIONS * 20 + 2)]
    out["photo"] = {"count": photos[-2:], "streams": _bodies(photos[:-2])}

    insp = cfg["answer"]
    auth = {"Authorization": f"Bearer {insp['dept']}"}
    # Count on an inspection the load does not use: the committee's spare one is not
    # planned, so use the last item of the first inspection with two new values.
    first, items = next(iter(insp["items"].items()))
    out["answer"] = {"count": [
        _req("PUT", f"/api/v1/districts/LHYS/inspections/{first}/answers/{items[-1]}",
             {"value": v, "note": f"计数 {v}", "client_time": None}, **auth)
        for v in ("fail", "pass")]}

    token, ids = cfg["scales"]
    scode = bench_scales.CODE
    checks = [_req("POST", f"/api/v1/districts/{scode}/scales/checks",
                   {"instrument_id": ids[i % len(ids)], "load_g": "5000",
                    "indications": ["5000", "5005"]},
                   Authorization=f"Bearer {token}", **{"Idempotency-Key": uuid.uuid4().hex})
              for i in range(20000)]
    out["spotcheck"] = {"count": checks[-2:], "streams": _bodies(checks[:-2])}

    crowd = cfg["crowd"]
    seq = int(datetime.now(UTC).timestamp() * 1000)
    now = datetime.now(UTC).isoformat()
    batches = []
    for b in range(20000):
        readings = [{"seq": seq + b * 10 + i, "entries": 1, "exits": 1, "ts": now}
                    for i in range(10)]
        batches.append(_req("POST", f"/api/v1/districts/{crowd['code']}/crowd/readings",
                            {"readings": readings},
                            Authorization=f"Bearer {crowd['device_token']}"))
    out["readings"] = {"count": batches[-2:], "streams": _bodies(batches[:-2])}

    vote = cfg["vote"]
    vote_path = f"/api/v1/public/deliberation/BNCH/conventions/{vote['live']}/votes"
    fresh = vote["tokens"][:bench_deliberation.VOTERS // 2]
    out["vote"] = {"count": [_req("POST", vote_path, b'{"choice": "yes"}', **{
        "Authorization": f"Bearer {t}", "Content-Type": "application/json"})
        for t in fresh[-2:]],
        "streams": bench_deliberation._streams(fresh[:-2], vote_path, CONNECTIONS)}

    points = cfg["points"]
    redeem = f"/api/v1/districts/WPTS/points/items/{points['item']}/redeem"
    people = points["tokens"]
    redemptions = [_req("POST", redeem, b"{}", **{
        "Authorization": f"Bearer {people[k % len(people)]}",
        "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})
        for k in range(20000)]
    out["redeem"] = {"count": redemptions[-2:], "streams": _bodies(redemptions[:-2])}

    stations = cfg["stations"]
    bookings = [_req("POST", "/api/v1/districts/WSTN/stations/bookings",
                     {"service_id": slot[0], "starts_at": slot[1]},
                     Authorization=f"Bearer {tok}")
                for slot, tok in zip(stations["slots"], stations["tokens"], strict=False)]
    out["booking"] = {"count": bookings[-2:], "streams": _bodies(bookings[:-2])}
    return out


def count_queries(url: str, reqs: dict[str, dict]) -> dict[str, dict]:
    spec = {name: [{"method": r["method"], "path": r["path"], "headers": r["headers"],
                    "body_b64": base64.b64encode(r["body"] or b"").decode()}
                   for r in item["count"]] for name, item in reqs.items()}
    out = subprocess.run([PY, "-c", COUNT_CHILD], input=json.dumps(spec), env=env_for(url),
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:] + out.stdout[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(base: str, name: str, item: dict, cfg: dict) -> common.LoadResult:
    label = dict((w[0], w[1]) for w in WRITES)[name]
    if name == "intake":
        return load(base, f"/api/v1/public/workorders/{WO}/reports", label=label,
                    concurrency=CONNECTIONS, method="POST", duration=DURATION, warmup=WARMUP,
                    body_factory=_intake_bodies)
    if name == "answer":
        insp = cfg["answer"]
        return bench_inspections.put_load(base, insp["dept"], insp["items"], label=label,
                                          replay=False, duration=DURATION, warmup=WARMUP)
    return load(base, label=label, duration=DURATION, warmup=WARMUP, streams=item["streams"],
                fresh_idempotency_key=name == "photo")


def table(vendor: str, trivial: float, results: dict, counts: dict) -> None:
    print(f"\nwrites on {vendor}: 16 connections, 2 workers; trivial view {trivial:.0f} req/s")
    print(f"{'write':<34} {'queries':>7} {'writes/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'÷ trivial':>9}   aim")
    for name, label, aim, budget in WRITES:
        if name not in results:
            continue
        r = results[name]
        q = counts.get(name, {}).get("queries", "?")
        ratio = r.rps / trivial if trivial else float("nan")
        ok = "ok" if ratio >= aim and (budget is None or q == "?" or q <= budget) else "MISS"
        aim_text = f"≥ {aim:.2f}×" + (f", ≤ {budget} queries" if budget else "")
        print(f"{label:<34} {q:>7} {r.rps:9.1f} {r.p50:8.1f} {r.pct(99):8.1f} {ratio:9.2f}   "
              f"{aim_text} {ok}" + (f"  ({r.errors} errors)" if r.errors else ""), flush=True)


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    only = next((a.split("=", 1)[1].split(",") for a in argv if a.startswith("--only=")), None)
    names = [w[0] for w in WRITES if only is None or w[0] in only]
    for vendor, url in databases(which).items():
        header(f"writes: every write under 16 connections vs the trivial view — {vendor}")
        demo = SQLITE + ".demo"
        if vendor == "sqlite" and "--reuse-demo" in argv and os.path.exists(demo):
            common.reset_database(url)
            shutil.copyfile(demo, SQLITE)  # the demo as loaded by an earlier run
        else:
            prepare(url, demo_args=("--only", f"{WO},LHYS,{bench_scales.CODE}"))
            if vendor == "sqlite":
                shutil.copyfile(SQLITE, demo)
        cfg = setup(url)
        reqs = requests_for(cfg)
        counts = count_queries(url, {n: reqs[n] for n in names})
        if "-v" in argv:
            for name in names:
                print(f"-- {name}: {counts[name]['queries']} queries")
                for sql in counts[name]["sql"]:
                    print("   ", sql[:160])
        # Residents behind the proxy (each report its own address, as a crowd's would be).
        extra = {"SHANGQUAN_TRUSTED_PROXIES": "127.0.0.1/32"}
        results = {}
        with server(url, workers=2, **extra) as base:
            before = load(base, "/bench/trivial", label="trivial view", concurrency=CONNECTIONS,
                          duration=DURATION, warmup=WARMUP)
            for name in names:
                results[name] = measure(base, name, reqs[name], cfg)
            after = load(base, "/bench/trivial", label="trivial view (again)",
                         concurrency=CONNECTIONS, duration=DURATION, warmup=WARMUP)
        print(before.line())
        print(after.line())
        table(vendor, (before.rps + after.rps) / 2, results, counts)
        print(json.dumps({"vendor": vendor, "trivial_rps": (before.rps + after.rps) / 2,
                          **{n: {"rps": r.rps, "p50": r.p50, "p99": r.pct(99),
                                 "queries": counts[n]["queries"]}
                             for n, r in results.items()}}))


if __name__ == "__main__":
    main(sys.argv[1:])
