"""Live boards without polling per viewer: 50 and then 500 SSE viewers on the crowd board.

For each number of viewers, against a real server (one web worker, ASGI):
- the SQL statements per second the server runs while the viewers wait (counted in the
  server process, ``SHANGQUAN_QUERY_COUNT_DIR``): must not grow with the viewers;
- a reading that turns the zone red, posted by HTTP: the time until each viewer has the
  red board; p50/p95 over viewers and rounds. Aim: the 500th viewer within 1 s (p95).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import bench_crowd
import common
from common import database_urls, header, prepare, server

# Our own databases (bench_crowd, imported above, has already claimed SHANGQUAN_BENCH_PG).
os.environ.setdefault("SHANGQUAN_BENCH_SQLITE", str(common.VAR / "bench_live.sqlite3"))
PG_URL = os.environ.get("SHANGQUAN_BENCH_LIVE_PG", "postgres://postgres@127.0.0.1:5432/bench_live")

QUIET_SECONDS = 6.0
ROUNDS = 5


class Viewer:
    # Every viewer receives the same bytes for one event: parse them once, so the 500
    # viewers' client (one event loop) is not what the figure measures.
    _parsed: dict[bytes, str] = {}

    def level_in(self, line: bytes) -> str:
        level = self._parsed.get(line)
        if level is None:
            data = json.loads(line[6:])
            level = next(z["level"] for z in data["zones"] if z["id"] == self.zone)
            if len(self._parsed) > 64:
                self._parsed.clear()
            self._parsed[line] = level
        return level

    def __init__(self, zone: int) -> None:
        self.zone = zone
        self.level = ""
        self.changed = asyncio.Event()
        self.red_at: float | None = None

    async def run(self, host: str, port: int, code: str, cookie: str,
                  connected: asyncio.Event, counter: list[int], total: int) -> None:
        reader, writer = await asyncio.open_connection(host, port, limit=2**22)
        writer.write((f"GET /console/{code}/crowd/stream/ HTTP/1.1\r\nHost: {host}\r\n"
                      f"Cookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n").encode())
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(f"stream answered {status!r}")
        first = True
        buffer = b""
        try:
            while True:
                # Whole reads, split into events here: one wake-up per event per viewer
                # (not one per line), so the client keeps up with 500 streams.
                chunk = await reader.read(1 << 20)
                if not chunk:
                    return
                buffer += chunk
                *events, buffer = buffer.split(b"\n\n")
                for event in events:
                    for line in event.split(b"\n"):
                        if not line.startswith(b"data: "):
                            continue
                        level = self.level_in(line)
                        if level == "red" and self.level != "red":
                            self.red_at = time.perf_counter()
                        self.level = level
                        self.changed.set()
                        if first:
                            first = False
                            counter[0] += 1
                            if counter[0] == total:
                                connected.set()
        finally:
            writer.close()


async def _post(host: str, port: int, path: str, token: str, body: dict) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    payload = json.dumps(body).encode()
    writer.write((f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                  "Connection: close\r\n\r\n").encode() + payload)
    await writer.drain()
    status = await reader.readline()
    await reader.read()
    writer.close()
    if b" 20" not in status:
        raise RuntimeError(f"POST {path}: {status!r}")


async def _until(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.01)
    return predicate()


async def measure(base: str, cfg: dict, viewers: int, counts: Path) -> dict:
    parsed = urlparse(base)
    host, port = parsed.hostname, parsed.port
    api = f"/api/v1/districts/{cfg['code']}/crowd"
    await _post(host, port, f"{api}/zones/{cfg['zone']}/counts", cfg["user_token"],
                {"counted": 0})
    connected, counter = asyncio.Event(), [0]
    crowd = [Viewer(cfg["zone"]) for _ in range(viewers)]
    tasks = [asyncio.create_task(v.run(host, port, cfg["code"], cfg["cookie"], connected,
                                       counter, viewers)) for v in crowd]
    try:
        await asyncio.wait_for(connected.wait(), 120)
        await asyncio.sleep(1.5)  # let the counters settle after the connection burst
        before = common_total(counts)
        await asyncio.sleep(QUIET_SECONDS)
        quiet_qps = (common_total(counts) - before) / QUIET_SECONDS
        delays: list[float] = []
        seq = int(time.time() * 1000)
        for _round in range(ROUNDS):
            await _post(host, port, f"{api}/zones/{cfg['zone']}/counts", cfg["user_token"],
                        {"counted": 0})
            if not await _until(lambda: all(v.level == "green" for v in crowd), 30):
                raise RuntimeError("viewers did not all see the count")
            for v in crowd:
                v.red_at = None
            seq += 1
            t0 = time.perf_counter()
            await _post(host, port, f"{api}/readings", cfg["device_token"], {"readings": [
                {"seq": seq, "entries": 120, "exits": 0, "ts": datetime.now(UTC).isoformat()}]})
            if not await _until(lambda: all(v.red_at for v in crowd), 30):
                raise RuntimeError("viewers did not all see red")
            delays += [v.red_at - t0 for v in crowd]
        return {"viewers": viewers, "quiet_qps": quiet_qps, "delays": delays}
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def common_total(counts: Path) -> int:
    from shangquan.core.querycount import total

    return total(counts)


def _line(result: dict) -> str:
    ordered = sorted(result["delays"])
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (f"{result['viewers']:>4} viewers   quiet {result['quiet_qps']:6.1f} queries/s   "
            f"reading → every viewer: p50 {statistics.median(ordered) * 1000:6.0f} ms   "
            f"p95 {p95 * 1000:6.0f} ms   max {ordered[-1] * 1000:6.0f} ms")


def main(argv: list[str]) -> None:
    which = next((a.split("=", 1)[1] for a in argv if a.startswith("--db=")), "both")
    for vendor, url in database_urls(which).items():
        url = PG_URL if vendor == "postgresql" else url
        header(f"live: SSE viewers on the crowd board, one web worker — {vendor}")
        prepare(url, demo_args=None)
        cfg = bench_crowd._child(url, "setup_latency")
        with tempfile.TemporaryDirectory() as counts:
            with server(url, workers=1, SHANGQUAN_QUERY_COUNT_DIR=counts) as base:
                results = [asyncio.run(measure(base, cfg, n, Path(counts))) for n in (50, 500)]
            for result in results:
                print(_line(result))
            few, many = results
            print(f"{'queries/s, 500 viewers ÷ 50 viewers':<42} "
                  f"{many['quiet_qps'] / max(few['quiet_qps'], 0.1):6.2f}   (aim ≈ 1, not 10)")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
