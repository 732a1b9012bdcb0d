"""Issue 11: slow and oversized clients against the real server (``shangquan run``).

Half-sent headers are closed after the read timeout, half-sent bodies are answered 408,
oversized bodies 413 in the API's error format — at the limit, not after reading it all.
The server runs with a 1 s read timeout and no database work (the guard answers first).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TIMEOUT = 1.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "SHANGQUAN_"))}
    env.update({"SHANGQUAN_DATABASE_URL": f"sqlite:///{tmp / 'empty.sqlite3'}",
                "SHANGQUAN_VAR_DIR": str(tmp), "SHANGQUAN_READ_TIMEOUT": str(TIMEOUT),
                "SHANGQUAN_REQUEST_MAX_BYTES": str(2 * 1024 * 1024)})
    log = open(tmp / "run.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "shangquan.cli", "run", "--no-worker",
                             "--no-mqtt", "--workers", "1", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert proc.poll() is None and time.monotonic() < deadline, \
                (tmp / "run.log").read_text()
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)


def _exchange(port: int, data: bytes, *, wait: float = TIMEOUT + 5) -> tuple[bytes, float]:
    """Send ``data`` and read until the server answers and closes (or ``wait`` passes)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), 5) as s:
        s.settimeout(wait)
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            s.sendall(data)
        chunks = []
        with contextlib.suppress(ConnectionResetError):
            while chunk := s.recv(65536):
                chunks.append(chunk)
    return b"".join(chunks), time.monotonic() - started


def _json_body(answer: bytes) -> dict:
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])


def test_half_sent_headers_are_closed_after_the_read_timeout(server):
    answer, took = _exchange(server, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half")
    assert took < TIMEOUT + 3  # closed by the server, not held for 75 s
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408")


def test_half_sent_body_is_answered_408_and_closed(server):
    head = (b"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n")
    answer, took = _exchange(server, head + b'{"username": ')
    assert took < TIMEOUT + 3
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert _json_body(answer)["code"] == "request_timeout"


def test_declared_oversized_body_is_413_before_it_is_sent(server):
    head = (b"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n")
    answer, took = _exchange(server, head)  # not one byte of the body
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert took < TIMEOUT  # answered at once, not after a read timeout
    body = _json_body(answer)
    assert body["code"] == "payload_too_large" and body["message"]


def test_streamed_upload_stops_at_the_limit(server):
    """A chunked multipart upload (no length declared) is refused once it passes the
    limit (2 MB here): the server answers 413 while the client is still sending."""
    head = (b"POST /api/v1/public/workorders/NORTH/reports/form HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=xx\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    sent = 0
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server), 5) as s:
        s.settimeout(10)
        s.sendall(head)
        answer = b""
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            while sent < 50 * 1024 * 1024:  # a 50 MB "photo"
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                s.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    answer += s.recv(65536)
                s.setblocking(True)
                s.settimeout(10)
                if answer:
                    break
        with contextlib.suppress(ConnectionResetError, OSError):
            while chunk_in := s.recv(65536):
                answer += chunk_in
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert _json_body(answer)["code"] == "payload_too_large"
    assert sent < 10 * 1024 * 1024, sent  # stopped near the limit, not at 50 MB
    assert time.monotonic() - started < 10
