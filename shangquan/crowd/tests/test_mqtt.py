"""A simulated evening through the real MQTT broker (Mosquitto on SHANGQUAN_MQTT_URL)."""

import datetime as dt
import json
import socket
import threading
import time

import pytest
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.crowd.models import Alert, Control, ControlEvent, Level, Reading
from shangquan.crowd.mqtt import Bridge, broker_config, connect_client, readings_topic
from shangquan.crowd.simulate import SimZone, evening

from .factories import gate_factory, zone_factory

pytestmark = pytest.mark.django_db


def broker_up() -> bool:
    cfg = broker_config()
    try:
        socket.create_connection((cfg.host, cfg.port), 1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def bridge():
    if not broker_up():
        pytest.fail("MQTT broker not reachable: start mosquitto (see README)")
    b = Bridge().start()
    yield b
    b.stop()


@pytest.fixture
def publisher():
    client = connect_client()
    yield client
    client.loop_stop()
    client.disconnect()


def send(publisher, bridge, messages: list[tuple[str, dict]]) -> None:
    """Publish and wait until the bridge has ingested exactly these messages."""
    for topic, payload in messages:
        publisher.publish(topic, json.dumps(payload), qos=1).wait_for_publish(5)
    handled = 0
    while handled < len(messages):
        got = bridge.process(timeout=5)
        assert got, "the bridge received nothing within 5 s"
        handled += got


def test_an_evening_through_mqtt_goes_green_to_red_and_back_without_flapping(
        north, bridge, publisher):
    day = timezone.localdate() - dt.timedelta(days=1)
    zone = zone_factory(north.district, name="游乐区", area_m2=300, area_per_person="1.5",
                        mean_stay_minutes=60)  # capacity 200
    gate_a, token_a = gate_factory(north.district, zone, code="YL1")
    gate_b, token_b = gate_factory(north.district, zone, code="YL2")
    tokens = {"YL1": token_a, "YL2": token_b}
    from shangquan.crowd import services
    services.zone_reset(actor=SYSTEM, zone=zone, at=timezone.make_aware(
        dt.datetime.combine(day, dt.time(16, 59))))
    sim = SimZone(zone.pk, zone.capacity, zone.mean_stay_minutes, ["YL1", "YL2"],
                  peak_ratio=1.12)
    seq = {"YL1": 0, "YL2": 0}
    levels, controls = [], []
    for tick in evening([sim], day=day, seed=11):
        messages = []
        for code, (ins, outs) in tick.readings.items():
            seq[code] += 1
            messages.append((readings_topic(north.district.code, code), {
                "token": tokens[code], "seq": seq[code], "ts": tick.ts.isoformat(),
                "entries": ins, "exits": outs}))
        send(publisher, bridge, messages)
        zone.refresh_from_db()
        levels.append(zone.level)
        controls.append(zone.control)
    assert Reading.objects.filter(district=north.district).count() == sum(seq.values())
    assert Level.RED in levels and levels[-1] == Level.GREEN
    assert controls[-1] == Control.OPEN
    transitions = list(ControlEvent.objects.filter(zone=zone).exclude(reason="override")
                       .order_by("created_at", "id").values_list("from_state", "to_state"))
    assert transitions == [(Control.OPEN, Control.LIMITED), (Control.LIMITED, Control.CLOSED),
                           (Control.CLOSED, Control.LIMITED), (Control.LIMITED, Control.OPEN)]
    raised = list(Alert.objects.filter(zone=zone).order_by("raised_at", "id")
                  .values_list("level", flat=True))
    assert raised == [Level.YELLOW, Level.ORANGE, Level.RED]
    # level changes form one rise and one fall: never back up once falling
    changes = [lvl for i, lvl in enumerate(levels) if i == 0 or lvl != levels[i - 1]]
    assert changes == [Level.GREEN, Level.YELLOW, Level.ORANGE, Level.RED, Level.ORANGE,
                       Level.YELLOW, Level.GREEN]


def test_mqtt_rejects_wrong_tokens_and_foreign_topics_and_ignores_repeats(
        north, bridge, publisher):
    zone = zone_factory(north.district, area_m2=100)
    _gate_a, token_a = gate_factory(north.district, zone, code="M1")
    _gate_b, _token_b = gate_factory(north.district, zone, code="M2")
    acks = []
    ready = threading.Event()
    listener = connect_client(on_message=lambda c, u, m: acks.append(json.loads(m.payload)),
                              on_subscribe=lambda *args: ready.set())
    listener.subscribe(f"shangquan/{north.district.code}/gates/+/acks", qos=1)
    assert ready.wait(5)
    try:
        ts = (timezone.now() + dt.timedelta(seconds=1)).isoformat()
        reading = {"seq": 1, "ts": ts, "entries": 7, "exits": 0}
        send(publisher, bridge, [
            (readings_topic(north.district.code, "M1"), {"token": "sq_wrong", **reading}),
            (readings_topic(north.district.code, "M2"), {"token": token_a, **reading}),
            (readings_topic("OTHER", "M1"), {"token": token_a, **reading}),
        ])
        zone.refresh_from_db()
        assert zone.occupancy == 0 and not Reading.objects.exists()
        batch = {"token": token_a, "readings": [reading, reading]}
        send(publisher, bridge, [(readings_topic(north.district.code, "M1"), batch)] * 2)
        zone.refresh_from_db()
        assert zone.occupancy == 7 and Reading.objects.count() == 1
        deadline = time.monotonic() + 5
        while len(acks) < 3 and time.monotonic() < deadline:  # acks travel asynchronously
            time.sleep(0.05)
    finally:
        listener.loop_stop()
        listener.disconnect()
    errors = [a.get("error") for a in acks if "error" in a]
    assert {"not_authenticated", "topic_not_allowed"} <= set(errors)
