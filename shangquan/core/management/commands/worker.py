"""The background worker: runs queued tasks and enqueues the periodic jobs.

Its timer thread also writes the ``worker`` heartbeat that /healthz checks.

Run alone (without ``shangquan run`` supervising it), it survives a lost database: the
task loop's ``OperationalError`` / ``InterfaceError`` closes the connections, waits
(1 s, doubling to ``--max-backoff``) and starts the loop again; the back-off starts over
once a loop has run a minute. The timer thread keeps going meanwhile (its errors are
logged, and the heartbeat resumes when the database is back).
"""

from __future__ import annotations

import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.db import connections as all_connections

from shangquan.core.health import WORKER, Pulse
from shangquan.core.scheduler import enqueue_due_jobs


class Timer:
    """Enqueues due periodic jobs every ``tick`` seconds and beats in between."""

    def __init__(self, *, tick: float, errors=None) -> None:
        self.tick = tick
        self.pulse = Pulse(WORKER)
        self.errors = errors
        self._next_jobs = 0.0

    def step(self) -> None:
        now = time.monotonic()
        try:
            if now >= self._next_jobs:
                self._next_jobs = now + self.tick
                enqueue_due_jobs()
        except Exception as exc:  # keep the timer alive; the log says why
            self._say(f"periodic jobs: {exc}")
        try:
            self.pulse()
        except Exception as exc:
            self._say(f"heartbeat: {exc}")
        finally:
            if not connection.in_atomic_block:  # a long-running loop: drop stale ones
                close_old_connections()

    def run(self) -> None:
        while True:
            self.step()
            time.sleep(min(self.tick, self.pulse.every))

    def _say(self, message: str) -> None:
        if self.errors is not None:
            self.errors.write(message)


class Command(BaseCommand):
    help = "Run queued background tasks (django-tasks-db) and the periodic job timer."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--tick", type=float, default=30.0,
                            help="seconds between checks for due periodic jobs")
        parser.add_argument("--max-backoff", type=float, default=30.0,
                            help="longest wait between retries while the database is away")

    def handle(self, *args, interval, tick, max_backoff, **options):
        timer = Timer(tick=tick, errors=self.stderr)
        threading.Thread(target=timer.run, name="periodic-jobs", daemon=True).start()
        delay = 1.0
        while True:
            started = time.monotonic()
            try:
                call_command("db_worker", interval=interval, startup_delay=False)
                return
            except (OperationalError, InterfaceError) as exc:
                if time.monotonic() - started > 60:
                    delay = 1.0  # it had been running: a fresh outage
                self.stderr.write(f"worker: database unavailable ({type(exc).__name__}: "
                                  f"{str(exc).strip()[:200]}); retrying in {delay:g} s")
                all_connections.close_all()
                time.sleep(delay)
                delay = min(delay * 2, max_backoff)
