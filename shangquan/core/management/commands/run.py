"""Serve with uvicorn (ASGI, multi-process), and run the task worker beside it."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Shangquan on an ASGI server (uvicorn) with the background worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("SHANGQUAN_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SHANGQUAN_PORT",
                                                                           "8000")))
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("SHANGQUAN_WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start the background task worker")

    def handle(self, *args, host, port, workers, no_worker, **options):
        import uvicorn

        # uvicorn's worker processes read the settings afresh: give them a connection pool.
        os.environ.setdefault("SHANGQUAN_DB_POOL_MAX", "8")
        worker = None
        if not no_worker and "django_tasks_db" in settings.TASKS["default"]["BACKEND"]:
            worker = subprocess.Popen([sys.executable, "-m", "shangquan.cli", "worker"])
        self.stdout.write(f"商圈共治 serving on http://{host}:{port}/ ({workers} workers)")
        try:
            uvicorn.run("shangquan.asgi:application", host=host, port=port, workers=workers,
                        proxy_headers=True, log_level="info", access_log=False,
                        timeout_graceful_shutdown=5)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
