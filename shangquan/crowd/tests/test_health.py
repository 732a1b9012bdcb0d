"""/healthz checks the MQTT bridge's heartbeat, only where a broker is configured.

The bridge runs against the real broker (Mosquitto on SHANGQUAN_MQTT_URL), as in
test_mqtt.py; the worker's heartbeat is set up explicitly so only the bridge decides.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from shangquan.core.health import WORKER, heartbeat_record
from shangquan.core.models import Heartbeat
from shangquan.crowd.mqtt import HEARTBEAT, Bridge

from .test_mqtt import broker_up

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _worker_running():
    heartbeat_record(name=WORKER)


@override_settings(HEALTHZ_MQTT_BRIDGE=False)
def test_without_a_configured_broker_the_bridge_is_not_checked(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and HEARTBEAT not in response.json()["checks"]


@override_settings(HEALTHZ_MQTT_BRIDGE=True)
def test_a_configured_bridge_fails_until_it_runs_then_passes_then_goes_stale(client):
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["failing"] == [HEARTBEAT]

    if not broker_up():
        pytest.fail("MQTT broker not reachable: start mosquitto (see README)")
    out = io.StringIO()
    call_command("crowd-mqtt", max_seconds=0.6, stdout=out)
    assert "messages handled" in out.getvalue()
    assert Heartbeat.objects.filter(name=HEARTBEAT).exists()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["checks"][HEARTBEAT] == "OK"

    Heartbeat.objects.filter(name=HEARTBEAT).update(
        beat_at=timezone.now() - timedelta(seconds=91))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["failing"] == [HEARTBEAT]


def test_the_bridge_beats_only_while_on_the_broker():
    bridge = Bridge()
    assert bridge.beat() is False  # never started: no heartbeat
    assert not Heartbeat.objects.filter(name=HEARTBEAT).exists()
    if not broker_up():
        pytest.fail("MQTT broker not reachable: start mosquitto (see README)")
    bridge.start()
    try:
        assert bridge.beat() is True
        assert bridge.beat() is False  # throttled: one write per third of the threshold
    finally:
        bridge.stop()
    bridge.pulse.every = 0
    assert bridge.beat() is False  # disconnected: no heartbeat
