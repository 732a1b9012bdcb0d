"""The background worker: runs queued tasks and enqueues the periodic jobs."""

from __future__ import annotations

import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections


class Command(BaseCommand):
    help = "Run queued background tasks (django-tasks-db) and the periodic job timer."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--tick", type=float, default=30.0,
                            help="seconds between checks for due periodic jobs")

    def handle(self, *args, interval, tick, **options):
        from shangquan.core.scheduler import enqueue_due_jobs

        def timer():
            while True:
                try:
                    enqueue_due_jobs()
                except Exception as exc:  # keep the timer alive; the log says why
                    self.stderr.write(f"periodic jobs: {exc}")
                finally:
                    close_old_connections()
                time.sleep(tick)

        threading.Thread(target=timer, name="periodic-jobs", daemon=True).start()
        call_command("db_worker", interval=interval, startup_delay=False)
