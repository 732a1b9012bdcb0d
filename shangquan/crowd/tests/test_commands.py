"""The simulator and the bridge as management commands."""

import datetime as dt
import io
import json
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.models import ApiToken
from shangquan.crowd.models import MinuteFlow, Reading
from shangquan.crowd.mqtt import connect_client, readings_topic

from .factories import gate_factory, zone_factory


def _setup(district):
    zone = zone_factory(district, name="游乐区", area_m2=150, mean_stay_minutes=30)
    gate_factory(district, zone, code="Y1")
    gate_factory(district, zone, code="Y2")
    return zone


@pytest.mark.django_db
def test_crowd_sim_direct_drives_an_evening_and_revokes_its_tokens(north):
    zone = _setup(north.district)
    out = io.StringIO()
    call_command("crowd-sim", district=north.district.code, via="direct", speed=0,
                 start="19:00", end="20:00", date="2026-11-20", stdout=out)
    assert "120 readings sent" in out.getvalue()
    assert Reading.objects.filter(gate__zone=zone).count() == 120
    assert MinuteFlow.objects.filter(zone=zone).count() == 60
    zone.refresh_from_db()
    assert zone.occupancy > 0 and zone.entries > 0
    assert not ApiToken.objects.filter(name="crowd-sim", revoked_at__isnull=True).exists()
    # a second run continues the counters' sequence numbers instead of colliding
    call_command("crowd-sim", district=north.district.code, via="direct", speed=0,
                 start="19:00", end="19:10", date="2026-11-21", stdout=io.StringIO())
    assert Reading.objects.filter(gate__zone=zone).count() == 140


@pytest.mark.django_db(transaction=True)
def test_crowd_sim_over_http_against_a_live_server(live_server, north):
    zone = _setup(north.district)
    call_command("crowd-sim", district=north.district.code, via="http", speed=0,
                 start="20:00", end="20:05", date="2026-11-20", base_url=live_server.url,
                 stdout=io.StringIO())
    assert Reading.objects.filter(gate__zone=zone).count() == 10


@pytest.mark.django_db(transaction=True)
def test_crowd_mqtt_command_bridges_until_its_time_is_up(north):
    zone = _setup(north.district)
    from shangquan.crowd import services

    gate = zone.gates.get(code="Y1")
    raw = services.gate_token_rotate(actor=SYSTEM, gate=gate)
    out = io.StringIO()
    runner = threading.Thread(target=call_command, args=("crowd-mqtt",),
                              kwargs={"max_seconds": 4, "stdout": out})
    runner.start()
    client = connect_client()
    try:
        deadline = timezone.now() + dt.timedelta(seconds=3)
        payload = {"token": raw, "seq": 1, "entries": 5, "exits": 1,
                   "ts": (timezone.now() + dt.timedelta(seconds=1)).isoformat()}
        while timezone.now() < deadline and not Reading.objects.exists():
            client.publish(readings_topic(north.district.code, "Y1"), json.dumps(payload),
                           qos=1).wait_for_publish(2)
            runner.join(0.3)
    finally:
        client.loop_stop()
        client.disconnect()
        runner.join()
    zone.refresh_from_db()
    assert zone.occupancy == 4 and Reading.objects.count() == 1
    assert "messages handled" in out.getvalue()
