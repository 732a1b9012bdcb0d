"""Serve with granian (ASGI, multi-process) and supervise the task worker and MQTT bridge.

granian is chosen for what uvicorn cannot do: a read timeout on the request headers
(a half-sent request is closed, not held for ever) beside a bound on concurrent requests
per worker and on the accept backlog. The body's read timeout and size limit are enforced
by ``core.bodyguard`` in front of Django (``shangquan/asgi.py``).

Side processes (``core.supervisor``): ``shangquan worker`` whenever tasks go through the
database queue, and ``shangquan crowd-mqtt`` where a broker is configured
(``SHANGQUAN_MQTT_URL``). Either is restarted with back-off when it exits.
"""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from shangquan.core.supervisor import Child, Supervisor


def side_processes(*, worker: bool, mqtt: bool, say) -> list[Child]:
    backoff = {"min_backoff": float(os.environ.get("SHANGQUAN_SUPERVISE_MIN_BACKOFF", "1")),
               "max_backoff": float(os.environ.get("SHANGQUAN_SUPERVISE_MAX_BACKOFF", "30"))}
    command = [sys.executable, "-m", "shangquan.cli"]
    children = []
    if worker and "django_tasks_db" in settings.TASKS["default"]["BACKEND"]:
        children.append(Child("worker", [*command, "worker"], say=say, **backoff))
    if mqtt and settings.HEALTHZ_MQTT_BRIDGE:
        children.append(Child("crowd-mqtt", [*command, "crowd-mqtt"], say=say, **backoff))
    return children


class Command(BaseCommand):
    help = ("Serve Shangquan on an ASGI server (granian) and keep the background worker "
            "and the MQTT bridge running.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("SHANGQUAN_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SHANGQUAN_PORT",
                                                                           "8000")))
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("SHANGQUAN_WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start the background task worker")
        parser.add_argument("--no-mqtt", action="store_true",
                            help="do not start the MQTT bridge even if a broker is configured")

    def handle(self, *args, host, port, workers, no_worker, no_mqtt, **options):
        from granian import Granian
        from granian.constants import Interfaces
        from granian.http import HTTP1Settings

        # The web workers read the settings afresh: give them a connection pool.
        os.environ.setdefault("SHANGQUAN_DB_POOL_MAX", "8")
        cfg = settings.SHANGQUAN
        header_timeout_ms = int(min(60.0, max(0.001, cfg["BODY_READ_TIMEOUT"])) * 1000)
        children = side_processes(worker=not no_worker, mqtt=not no_mqtt,
                                  say=lambda msg: self.stderr.write(f"run: {msg}"))
        supervisor = Supervisor(children).start()
        names = ", ".join(c.name for c in children) or "no side processes"
        self.stdout.write(f"商圈共治 serving on http://{host}:{port}/ ({workers} workers; "
                          f"{names})")
        self.stdout.flush()
        try:
            Granian("shangquan.asgi:application", address=host, port=port,
                    interface=Interfaces.ASGINL, workers=workers,
                    backlog=max(128, cfg["BACKLOG"]), backpressure=cfg["MAX_CONCURRENCY"],
                    http1_settings=HTTP1Settings(header_read_timeout=header_timeout_ms),
                    respawn_failed_workers=True, workers_kill_timeout=5).serve()
        finally:
            supervisor.stop()
