"""Crowd flow: reading ingestion throughput, and reading → board delay over SSE.

1. Ingestion: batches of counter readings through ``readings_ingest`` (dedup by
   device + seq, zone lock, minute roll-up, level/control evaluation) against a
   plain ``bulk_create`` of the same rows into the same database. Ratio aim ≥ 0.5.
2. Delay: a real server (uvicorn) streams the board over server-sent events; a
   reading that turns a zone red is sent by HTTP, or published to the MQTT broker for
   ``shangquan crowd-mqtt``; the time until the board event shows red. Aim < 1 s.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlparse

from common import PY, ROOT, database_urls, env_for, header, prepare, ratio_line, server

# Our own PostgreSQL database: helpers and benchmarks run side by side.
os.environ.setdefault("SHANGQUAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432/bench_crowd")
import common

common.PG_URL = os.environ["SHANGQUAN_BENCH_PG"]

BATCHES = 120
BATCH_SIZE = 500
LATENCY_ROUNDS = 15


# --- child processes (Django set up on the bench database) --------------------------------
def _django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_ingest() -> None:
    _django()
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from shangquan.core.actors import SYSTEM
    from shangquan.core.models import District
    from shangquan.core.services import district_create
    from shangquan.crowd import services
    from shangquan.crowd.models import Reading

    district = District.objects.filter(code="BENCH").first() or district_create(
        actor=SYSTEM, code="BENCH", name="基准商圈")
    zone = services.zone_create(actor=SYSTEM, district=district, name=f"区{time.time_ns()}",
                                area_m2=50000, area_per_person=1)
    gate, _raw = services.gate_create(actor=SYSTEM, district=district, zone=zone,
                                      code=f"g{time.time_ns() % 10**9}", name=f"门{time.time_ns()}")
    other, _raw = services.gate_create(actor=SYSTEM, district=district, zone=zone,
                                       code=f"h{time.time_ns() % 10**9}", name=f"门{time.time_ns()}")
    start = timezone.now()

    def batch(k: int) -> list[dict]:
        return [{"seq": k * BATCH_SIZE + i, "ts": start + dt.timedelta(seconds=k * 60 + i // 9),
                 "entries": 3 + i % 4, "exits": 2 + i % 4} for i in range(BATCH_SIZE)]

    batches = [batch(k) for k in range(BATCHES)]
    # Baseline: the same rows, inserted plainly, one transaction per batch.
    t0 = time.perf_counter()
    for rows in batches:
        with transaction.atomic():
            Reading.objects.bulk_create([
                Reading(district=district, device_id=other.device_id, gate=other, seq=r["seq"],
                        ts=r["ts"], entries=r["entries"], exits=r["exits"]) for r in rows])
    plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    for rows in batches:
        services.readings_ingest(device=gate.device, gate=gate, readings=rows)
    ingest = time.perf_counter() - t0
    # A repeat of every batch: all duplicates, nothing written.
    t0 = time.perf_counter()
    for rows in batches[:20]:
        services.readings_ingest(device=gate.device, gate=gate, readings=rows)
    repeat = (time.perf_counter() - t0) / 20 * BATCHES
    n = BATCHES * BATCH_SIZE
    print(json.dumps({"rows": n, "plain": plain, "ingest": ingest, "repeat": repeat}))


def child_setup_latency() -> None:
    _django()
    from shangquan.core.actors import SYSTEM
    from shangquan.core.models import District
    from shangquan.core.roles import Role
    from shangquan.core.services import (
        district_create,
        membership_grant,
        token_issue,
        user_create,
    )
    from shangquan.crowd import services

    district = District.objects.filter(code="BENCHL").first() or district_create(
        actor=SYSTEM, code="BENCHL", name="延迟商圈")
    user = user_create(actor=SYSTEM, username=f"bench-{time.time_ns()}", password="x-bench-pass")
    membership_grant(actor=SYSTEM, district=district, user=user, role=Role.COMMITTEE)
    _t, user_token = token_issue(actor=SYSTEM, user=user, name="bench")
    zone = services.zone_create(actor=SYSTEM, district=district, name=f"区{time.time_ns()}",
                                area_m2=100, area_per_person=1)
    gate, device_token = services.gate_create(actor=SYSTEM, district=district, zone=zone,
                                              code=f"L{time.time_ns() % 10**9}", name=f"闸{time.time_ns()}")
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(json.dumps({"code": district.code, "zone": zone.pk, "gate": gate.code,
                      "device_token": device_token, "user_token": user_token,
                      "cookie": f"sessionid={session.session_key}"}))


def _child(url: str, name: str, **extra: str) -> dict:
    out = subprocess.run([PY, __file__, "--child", name], env=env_for(url, **extra), cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the SSE listener ---------------------------------------------------------------------------
class BoardListener:
    """Reads the board's event stream and queues (arrival time, zone level) pairs."""

    def __init__(self, base: str, code: str, cookie: str, zone: int) -> None:
        parsed = urlparse(base)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        self.conn.request("GET", f"/console/{code}/crowd/stream/", headers={"Cookie": cookie})
        self.response = self.conn.getresponse()
        if self.response.status != 200:
            raise RuntimeError(f"stream answered {self.response.status}")
        self.zone = zone
        self.events: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                line = raw.decode().strip()
                if line.startswith("data: "):
                    data = json.loads(line[6:])
                    level = next(z["level"] for z in data["zones"] if z["id"] == self.zone)
                    self.events.put((time.perf_counter(), level))
        except Exception as exc:  # the waiting side reports it
            self.error = exc

    error: Exception | None = None

    def wait_for(self, level: str, timeout: float = 30.0) -> float:
        deadline = time.perf_counter() + timeout
        while True:
            try:
                at, seen = self.events.get(timeout=max(0.01, deadline - time.perf_counter()))
            except queue.Empty:
                raise RuntimeError(f"no board event with level {level} "
                                   f"(stream error: {self.error!r})") from None
            if seen == level:
                return at

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()


def _post(base: str, path: str, token: str, body: dict) -> None:
    parsed = urlparse(base)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    conn.request("POST", path, json.dumps(body), {"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status >= 300:
        raise RuntimeError(f"POST {path}: {response.status}")


def latency(base: str, cfg: dict, via: str, publisher=None) -> list[float]:
    from datetime import UTC, datetime

    listener = BoardListener(base, cfg["code"], cfg["cookie"], cfg["zone"])
    delays = []
    seq = int(time.time() * 1000)
    api = f"/api/v1/districts/{cfg['code']}/crowd"
    try:
        for _round in range(LATENCY_ROUNDS):
            _post(base, f"{api}/zones/{cfg['zone']}/counts", cfg["user_token"], {"counted": 0})
            listener.wait_for("green")
            time.sleep(0.3)
            seq += 1
            reading = {"seq": seq, "entries": 120, "exits": 0,
                       "ts": datetime.now(UTC).isoformat()}
            t0 = time.perf_counter()
            if via == "http":
                _post(base, f"{api}/readings", cfg["device_token"], {"readings": [reading]})
            else:
                publisher.publish(f"shangquan/{cfg['code']}/gates/{cfg['gate']}/readings",
                                  json.dumps({"token": cfg["device_token"], **reading}), qos=1)
            delays.append(listener.wait_for("red") - t0)
    finally:
        listener.close()
    return delays


def _line(label: str, delays: list[float]) -> str:
    ordered = sorted(delays)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (f"{label:<42} p50 {statistics.median(delays) * 1000:7.0f} ms   "
            f"p95 {p95 * 1000:7.0f} ms   max {max(delays) * 1000:7.0f} ms   (aim < 1000 ms)")


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    for vendor, url in database_urls(which).items():
        header(f"crowd: batched reading ingestion vs plain bulk insert — {vendor}")
        prepare(url, demo_args=None)
        result = _child(url, "ingest")
        plain_rate = result["rows"] / result["plain"]
        ingest_rate = result["rows"] / result["ingest"]
        print(f"{'plain bulk_create (500/batch)':<42} {plain_rate:9.0f} readings/s")
        print(f"{'readings_ingest (500/batch)':<42} {ingest_rate:9.0f} readings/s")
        print(f"{'repeated batches (all duplicates)':<42} "
              f"{result['rows'] / result['repeat']:9.0f} readings/s")
        print(ratio_line("ingest ÷ plain insert (throughput)", ingest_rate, plain_rate,
                         "≥ 0.5"))

        header(f"crowd: reading → red on the board's SSE stream — {vendor}")
        cfg = _child(url, "setup_latency")
        with server(url, workers=2) as base:
            print(_line("via HTTP POST", latency(base, cfg, "http")))
            bridge = subprocess.Popen([PY, "-m", "shangquan.cli", "crowd-mqtt"],
                                      env=env_for(url), cwd=ROOT, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE)
            try:
                sys.path.insert(0, str(ROOT))
                import paho.mqtt.client as mqtt

                publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
                acks: list[bytes] = []
                publisher.on_message = lambda c, u, m, acks=acks: acks.append(m.payload)
                broker = urlparse(os.environ.get("SHANGQUAN_MQTT_URL", "mqtt://127.0.0.1:1883"))
                publisher.connect(broker.hostname or "127.0.0.1", broker.port or 1883)
                publisher.loop_start()
                publisher.subscribe(f"shangquan/{cfg['code']}/gates/+/acks")
                # Wait until the bridge answers (it rejects a probe with a bad token).
                deadline = time.monotonic() + 90
                while not acks and time.monotonic() < deadline:
                    publisher.publish(f"shangquan/{cfg['code']}/gates/{cfg['gate']}/readings",
                                      json.dumps({"token": "probe", "seq": 0, "ts": 0}))
                    time.sleep(0.5)
                if not acks:
                    raise RuntimeError(bridge.stderr.read().decode()[-2000:]
                                       if bridge.poll() is not None else "bridge silent")
                print(_line("via MQTT (crowd-mqtt bridge)", latency(base, cfg, "mqtt",
                                                                   publisher)))
                publisher.loop_stop()
                publisher.disconnect()
            finally:
                bridge.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    bridge.wait(timeout=10)


if __name__ == "__main__":
    if "--child" in sys.argv:
        {"ingest": child_ingest, "setup_latency": child_setup_latency}[
            sys.argv[sys.argv.index("--child") + 1]]()
    else:
        main(sys.argv[1:])
