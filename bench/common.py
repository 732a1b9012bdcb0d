"""Shared benchmark tools: a database to run against, a real server, a load generator.

Benchmarks never assert timings: they print figures and, above all, ratios to a
baseline measured in the same run, because machines are noisy.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PY = sys.executable
PG_URL = os.environ.get("SHANGQUAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432/shangquan_bench")


def database_urls(which: str = "both") -> dict[str, str]:
    """The databases a benchmark runs on: {"sqlite": url, "postgresql": url}."""
    VAR.mkdir(parents=True, exist_ok=True)
    urls = {}
    if which in ("both", "sqlite"):
        urls["sqlite"] = f"sqlite:///{os.environ.get('SHANGQUAN_BENCH_SQLITE', VAR / 'bench.sqlite3')}"
    if which in ("both", "postgresql") and pg_available():
        urls["postgresql"] = PG_URL
    return urls


def pg_available() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 5432), 1):
        return True
    return False


def env_for(url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"SHANGQUAN_DATABASE_URL": url, "SHANGQUAN_LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "shangquan.settings"}, **extra)
    env.pop("SHANGQUAN_TESTING", None)
    return env


def shangquan(url: str, *args: str, check: bool = True, **extra: str) -> str:
    result = subprocess.run([PY, "-m", "shangquan.cli", *args], env=env_for(url, **extra),
                            cwd=ROOT, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"shangquan {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def reset_database(url: str) -> None:
    """Start from an empty database (the file removed, or the PG database recreated)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.path + suffix).unlink(missing_ok=True)
        return
    name = parsed.path.lstrip("/")
    base = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432),
            "-U", parsed.username or "postgres"]
    subprocess.run(["dropdb", *base, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *base, name], check=True)


def prepare(url: str, *, demo_args: tuple[str, ...] = ("--only", "LHYS")) -> None:
    """An empty database, migrated, with (part of) the demo data."""
    reset_database(url)
    shangquan(url, "migrate", "--verbosity", "0")
    shangquan(url, "createcachetable")
    if demo_args is not None:
        shangquan(url, "demo", *demo_args)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(url: str, *, workers: int = 2, **extra: str):
    """A real uvicorn server (``shangquan run``) on a free loopback port."""
    with server_process(url, workers=workers, **extra) as (base, _pid):
        yield base


@contextlib.contextmanager
def server_process(url: str, *, workers: int = 2, **extra: str):
    """``server``, yielding ``(base, pid)``: the pid of ``shangquan run`` (its workers are
    its child processes), e.g. to read their resident memory from ``/proc``."""
    port = free_port()
    proc = subprocess.Popen([PY, "-m", "shangquan.cli", "run", "--no-worker", "--port",
                             str(port), "--workers", str(workers)],
                            env=env_for(url, DEBUG="0", **extra), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                # Serving is enough; /healthz also wants the worker, which runs elsewhere.
                conn.request("GET", "/bench/trivial")
                if conn.getresponse().status == 200:
                    break
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-3000:])
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)


@dataclass
class LoadResult:
    label: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    def line(self) -> str:
        return (f"{self.label:<42} {self.rps:9.1f} req/s   p50 {self.p50:7.1f} ms   "
                f"p99 {self.pct(99):7.1f} ms   errors {self.errors}")


def load(base: str, path: str = "", *, label: str = "", concurrency: int = 16,
         duration: float = 8.0, warmup: float = 1.5, method: str = "GET",
         headers: dict | None = None, body_factory=None,
         streams: list[list[dict]] | None = None,
         fresh_idempotency_key: bool = False) -> LoadResult:
    """Closed-loop load from ``concurrency`` keep-alive connections for ``duration`` s.

    ``streams`` gives each connection its own cycle of requests instead (one list per
    connection of ``{"method", "path", "headers", "body": bytes}``). Runs in its own
    process (``bench/loadgen.py``) so the generator shares no interpreter with the rest.
    """
    import base64
    import json

    spec = {"base": base, "path": path, "concurrency": concurrency, "duration": duration,
            "warmup": warmup, "method": method, "headers": headers or {},
            "bodies": body_factory(20000) if body_factory else None,
            "fresh_idempotency_key": fresh_idempotency_key}
    if streams is not None:
        spec["streams"] = [[{"method": r.get("method", "GET"), "path": r["path"],
                             "headers": r.get("headers", {}),
                             "body_b64": base64.b64encode(r["body"]).decode()
                             if r.get("body") is not None else None}
                            for r in stream] for stream in streams]
    result = subprocess.run([PY, str(Path(__file__).with_name("loadgen.py"))],
                            input=json.dumps(spec), capture_output=True, text=True, check=True)
    data = json.loads(result.stdout)
    return LoadResult(label or path, data["requests"], data["errors"], data["seconds"],
                      data["latencies"])


def ratio_line(label: str, value: float, baseline: float, aim: str = "") -> str:
    ratio = value / baseline if baseline else float("nan")
    return f"{label:<42} ratio {ratio:6.2f}{('   (aim ' + aim + ')') if aim else ''}"


def header(title: str) -> None:
    print()
    print("=" * 78)
    print(title)
    print("=" * 78, flush=True)


def background(fn, *args):
    thread = threading.Thread(target=fn, args=args, daemon=True)
    thread.start()
    return thread
