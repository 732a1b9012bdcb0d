"""Keep ``shangquan run``'s side processes alive: the task worker and the MQTT bridge.

A child that exits (the database went away under the worker, the broker under the bridge)
is started again after a back-off that doubles from ``min_backoff`` up to ``max_backoff``
seconds, and falls back to ``min_backoff`` once a run lasted ``stable_after`` seconds.
Each child writes its own heartbeat (``core.health``), so /healthz fails while it is down
and recovers when the restarted child beats again. On Linux a child is told to stop when
``shangquan run`` itself dies, so a crash leaves no orphan behind.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child, between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class Child:
    """One supervised process: ``check()`` notices an exit and schedules the restart."""

    def __init__(self, name: str, argv: Sequence[str], *, min_backoff: float = 1.0,
                 max_backoff: float = 30.0, stable_after: float = 60.0,
                 say: Callable[[str], object] = print) -> None:
        self.name, self.argv = name, list(argv)
        self.min_backoff, self.max_backoff, self.stable_after = (min_backoff, max_backoff,
                                                                 stable_after)
        self.say = say
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        self.next_start = 0.0
        self.delay = 0.0
        self.starts = 0

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, preexec_fn=_die_with_parent)
        self.started_at = time.monotonic()
        self.starts += 1

    def check(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if self.proc is None:
            if now >= self.next_start:
                self.start()
            return
        code = self.proc.poll()
        if code is None:
            return
        ran = now - self.started_at
        if ran >= self.stable_after:
            self.delay = self.min_backoff
        else:
            self.delay = min(self.max_backoff, self.delay * 2 if self.delay else self.min_backoff)
        self.say(f"{self.name} exited with {code} after {ran:.1f} s; "
                 f"restarting in {self.delay:.1f} s")
        self.proc = None
        self.next_start = now + self.delay

    def stop(self, timeout: float = 10.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Supervisor:
    """Checks every child each ``tick`` seconds in a background thread."""

    def __init__(self, children: Sequence[Child], *, tick: float = 0.5) -> None:
        self.children = list(children)
        self.tick = tick
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="supervisor", daemon=True)

    def start(self) -> Supervisor:
        for child in self.children:
            child.start()
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stopping.wait(self.tick):
            for child in self.children:
                try:
                    child.check()
                except OSError as exc:  # could not even spawn: try again later
                    child.say(f"{child.name}: {exc}")
                    child.next_start = time.monotonic() + child.max_backoff

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        for child in self.children:
            child.stop()
