"""For the benchmarks: count this process's SQL statements into a file.

Off unless ``SHANGQUAN_QUERY_COUNT_DIR`` is set; then every database connection counts
its statements and the process writes the running total to ``<dir>/<pid>`` twice a
second, so a benchmark can read queries per second from outside the server.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

_count = 0
_lock = threading.Lock()
_flusher_pid = 0


def _counter(execute, sql, params, many, context):
    global _count, _flusher_pid
    with _lock:
        _count += 1
        # Threads do not survive a fork (the server's workers): one flusher per process.
        if _flusher_pid != os.getpid():
            _flusher_pid = os.getpid()
            threading.Thread(target=_flusher, daemon=True, name="querycount").start()
    return execute(sql, params, many, context)


def _flush() -> None:
    directory = os.environ.get("SHANGQUAN_QUERY_COUNT_DIR")
    if directory:
        Path(directory, str(os.getpid())).write_text(str(_count))


def _flusher() -> None:
    while True:
        time.sleep(0.5)
        _flush()


def install() -> None:
    if not os.environ.get("SHANGQUAN_QUERY_COUNT_DIR"):
        return
    from django.db.backends.signals import connection_created

    def add(sender, connection, **kwargs) -> None:
        if _counter not in connection.execute_wrappers:
            connection.execute_wrappers.append(_counter)

    connection_created.connect(add, weak=False)


def total(directory: str | Path) -> int:
    """Every process's count so far (read by the benchmark)."""
    return sum(int(p.read_text() or 0) for p in Path(directory).iterdir() if p.is_file())
