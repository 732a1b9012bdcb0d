"""A closed-loop HTTP load generator (its own process): reads a JSON spec on stdin."""

import http.client
import json
import sys
import threading
import time
from urllib.parse import urlparse


def main() -> None:
    spec = json.loads(sys.stdin.read())
    parsed = urlparse(spec["base"])
    host, port = parsed.hostname, parsed.port
    stop_at = time.monotonic() + spec["warmup"] + spec["duration"]
    measure_from = time.monotonic() + spec["warmup"]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    bodies = spec.get("bodies")
    counter = [0]

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        local, local_errors = [], 0
        while True:
            now = time.monotonic()
            if now >= stop_at:
                break
            headers = dict(spec["headers"])
            body = None
            if bodies:
                with lock:
                    item = bodies[counter[0] % len(bodies)]
                    counter[0] += 1
                body = json.dumps(item["body"]).encode()
                headers.update(item.get("headers", {}))
                headers.setdefault("Content-Type", "application/json")
            start = time.monotonic()
            try:
                conn.request(spec["method"], spec["path"], body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                ok = False
            end = time.monotonic()
            if start >= measure_from:
                local.append(end - start)
                if not ok:
                    local_errors += 1
        with lock:
            latencies.extend(local)
            errors[0] += local_errors

    threads = [threading.Thread(target=worker) for _ in range(spec["concurrency"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"requests": len(latencies), "errors": errors[0],
                      "seconds": spec["duration"], "latencies": latencies}))


if __name__ == "__main__":
    main()
