"""A closed-loop HTTP load generator (its own process): reads a JSON spec on stdin.

Either every connection sends the same request (``path``, ``method``, ``headers``, and
optionally rotating JSON ``bodies``), or each connection cycles through its own list of
requests (``streams``: one list per connection of ``{method, path, headers, body_b64}``).
``fresh_idempotency_key`` gives every request a new ``Idempotency-Key``.
"""

import base64
import http.client
import json
import sys
import threading
import time
import uuid
from urllib.parse import urlparse


def _shared_requests(spec: dict):
    """One endless request source shared by all connections (the simple mode)."""
    bodies = spec.get("bodies")
    lock = threading.Lock()
    counter = [0]

    def next_request(_stream: int, _n: int):
        headers = dict(spec["headers"])
        body = None
        if bodies:
            with lock:
                item = bodies[counter[0] % len(bodies)]
                counter[0] += 1
            body = json.dumps(item["body"]).encode()
            headers.update(item.get("headers", {}))
            headers.setdefault("Content-Type", "application/json")
        return spec["method"], spec["path"], headers, body

    return next_request


def _stream_requests(spec: dict):
    streams = [[(r.get("method", "GET"), r["path"], r.get("headers", {}),
                 base64.b64decode(r["body_b64"]) if r.get("body_b64") else None)
                for r in stream] for stream in spec["streams"]]

    def next_request(stream: int, n: int):
        method, path, headers, body = streams[stream][n % len(streams[stream])]
        return method, path, dict(headers), body

    return next_request


def main() -> None:
    spec = json.loads(sys.stdin.read())
    parsed = urlparse(spec["base"])
    host, port = parsed.hostname, parsed.port
    streams = spec.get("streams")
    next_request = _stream_requests(spec) if streams else _shared_requests(spec)
    connections = len(streams) if streams else spec["concurrency"]
    stop_at = time.monotonic() + spec["warmup"] + spec["duration"]
    measure_from = time.monotonic() + spec["warmup"]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(stream: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        local, local_errors, n = [], 0, 0
        while time.monotonic() < stop_at:
            method, path, headers, body = next_request(stream, n)
            n += 1
            if spec.get("fresh_idempotency_key"):
                headers["Idempotency-Key"] = uuid.uuid4().hex
            start = time.monotonic()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                ok = False
            end = time.monotonic()
            if start >= measure_from:
                local.append(end - start)
                if not ok:
                    local_errors += 1
        with lock:
            latencies.extend(local)
            errors[0] += local_errors

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"requests": len(latencies), "errors": errors[0],
                      "seconds": spec["duration"], "latencies": latencies}))


if __name__ == "__main__":
    main()
