"""Issue 11: ``shangquan run`` restarts the worker and the MQTT bridge when they exit."""

from __future__ import annotations

import sys
import time

from shangquan.core.management.commands.run import side_processes
from shangquan.core.supervisor import Child, Supervisor


def test_an_exited_child_is_restarted_with_growing_backoff():
    said = []
    child = Child("flaky", [sys.executable, "-c", "raise SystemExit(3)"], min_backoff=0.2,
                  max_backoff=0.5, say=said.append)
    supervisor = Supervisor([child], tick=0.05).start()
    try:
        deadline = time.monotonic() + 20
        while child.starts < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        supervisor.stop()
    assert child.starts >= 4
    assert "exited with 3" in said[0] and "restarting in 0.2 s" in said[0]
    assert "restarting in 0.4 s" in said[1] and "restarting in 0.5 s" in said[2]  # capped


def test_a_run_that_lasted_resets_the_backoff():
    child = Child("steady", [sys.executable, "-c", "pass"], min_backoff=1, max_backoff=30,
                  stable_after=0.0, say=lambda _m: None)
    child.delay = 16
    child.start()
    child.proc.wait()
    child.check()
    assert child.delay == 1


def test_stop_ends_a_running_child():
    child = Child("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"],
                  say=lambda _m: None)
    supervisor = Supervisor([child]).start()
    proc = child.proc
    supervisor.stop()
    assert proc.poll() is not None


def test_run_supervises_the_worker_and_the_bridge_where_a_broker_is_configured(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    settings.HEALTHZ_MQTT_BRIDGE = True
    children = side_processes(worker=True, mqtt=True, say=print)
    assert [c.name for c in children] == ["worker", "crowd-mqtt"]
    assert children[1].argv[-1] == "crowd-mqtt"
    settings.HEALTHZ_MQTT_BRIDGE = False  # no broker configured: no bridge
    assert [c.name for c in side_processes(worker=True, mqtt=True, say=print)] == ["worker"]
