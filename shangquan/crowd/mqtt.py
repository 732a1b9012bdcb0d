"""The MQTT bridge: gate counters publish to the broker, the bridge feeds the same service.

Topic per gate: ``shangquan/<DISTRICT>/gates/<gate code>/readings``. Payload (JSON)::

    {"token": "<device token>", "readings": [{"seq": 41, "ts": "…", "entries": 12, "exits": 9}]}

or a single reading with its token: ``{"token": …, "seq": …, "ts": …, "entries": …,
"exits": …}``. Authentication: the token is the gate counter's device API token (the same
one it would use over HTTP); the bridge accepts the message only if the token's device
is bound to exactly the gate and district named in the topic. (On a shared broker, also
give each counter its own broker user with an ACL limited to its topic — defence in
depth, not required by the bridge.) The answer goes to ``…/gates/<code>/acks``:
``{"accepted", "duplicates", "stale", "level", "control"}`` or ``{"error": code}``.

Network I/O runs in paho's thread; database work runs in the caller's thread
(:meth:`Bridge.process`), which drains the queue and ingests one batch per gate.
"""

from __future__ import annotations

import json
import logging
import queue
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.db import close_old_connections, connection

from shangquan.core.errors import DomainError
from shangquan.core.health import HeartbeatCheck, Pulse
from shangquan.core.services import token_resolve

from . import services
from .models import Gate

logger = logging.getLogger("shangquan.crowd.mqtt")

TOPIC_PREFIX = "shangquan"
TOPIC_FILTER = f"{TOPIC_PREFIX}/+/gates/+/readings"
HEARTBEAT = "crowd-mqtt"


def bridge_health_checks() -> list[HeartbeatCheck]:
    """/healthz checks the bridge's heartbeat only where a broker is configured."""
    return [HeartbeatCheck(component=HEARTBEAT)] if settings.HEALTHZ_MQTT_BRIDGE else []


def readings_topic(district_code: str, gate_code: str) -> str:
    return f"{TOPIC_PREFIX}/{district_code}/gates/{gate_code}/readings"


def acks_topic(district_code: str, gate_code: str) -> str:
    return f"{TOPIC_PREFIX}/{district_code}/gates/{gate_code}/acks"


@dataclass(frozen=True)
class BrokerConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool


def broker_config(url: str | None = None) -> BrokerConfig:
    """``mqtt://user:pass@host:1883`` or ``mqtts://…:8883`` (settings.SHANGQUAN["MQTT_URL"])."""
    parsed = urlparse(url or settings.SHANGQUAN["MQTT_URL"])
    tls = parsed.scheme in ("mqtts", "ssl")
    return BrokerConfig(parsed.hostname or "127.0.0.1", parsed.port or (8883 if tls else 1883),
                        unquote(parsed.username) if parsed.username else None,
                        unquote(parsed.password) if parsed.password else None, tls)


def connect_client(url: str | None = None, *, client_id: str = "", on_message=None,
                   on_connect=None, on_subscribe=None):
    """A paho 2.x client connected (network loop started) to the configured broker."""
    import paho.mqtt.client as mqtt

    cfg = broker_config(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                         client_id=client_id or f"sq-{uuid.uuid4().hex[:10]}")
    if cfg.username:
        client.username_pw_set(cfg.username, cfg.password)
    if cfg.tls:
        client.tls_set()
    if on_message:
        client.on_message = on_message
    if on_connect:
        client.on_connect = on_connect
    if on_subscribe:  # set before connecting: the SUBACK can come back at once
        client.on_subscribe = on_subscribe
    client.connect(cfg.host, cfg.port, keepalive=30)
    client.loop_start()
    return client


class Bridge:
    """Subscribes to every gate's readings topic and ingests what arrives."""

    def __init__(self, url: str | None = None, *, client_id: str = "") -> None:
        self.url = url
        self.client_id = client_id or f"sq-bridge-{uuid.uuid4().hex[:8]}"
        self.inbox: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.subscribed = False
        self.client = None
        self.handled = 0
        self.pulse = Pulse(HEARTBEAT)

    def beat(self) -> bool:
        """The bridge's heartbeat (throttled), written only while it is on the broker."""
        if self.client is None or not self.subscribed or not self.client.is_connected():
            return False
        if not self.pulse.due():
            return False
        if not connection.in_atomic_block:  # a long-running loop: drop broken connections
            close_old_connections()
        try:
            return self.pulse()
        except Exception:  # the stale heartbeat is the report; keep bridging
            logger.exception("MQTT bridge heartbeat failed")
            return False

    def start(self, timeout: float = 10.0) -> Bridge:
        def on_connect(client, userdata, flags, reason_code, properties):
            client.subscribe(TOPIC_FILTER, qos=1)

        def on_subscribe(client, userdata, mid, reason_codes, properties):
            self.subscribed = True

        def on_message(client, userdata, message):
            self.inbox.put((message.topic, message.payload))

        self.client = connect_client(self.url, client_id=self.client_id,
                                     on_message=on_message, on_connect=on_connect,
                                     on_subscribe=on_subscribe)
        deadline = time.monotonic() + timeout
        while not self.subscribed and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self.subscribed:
            raise RuntimeError("MQTT bridge could not subscribe in time")
        return self

    def stop(self) -> None:
        if self.client is not None:
            self.client.loop_stop()
            self.client.disconnect()

    def process(self, timeout: float = 1.0, max_messages: int = 500) -> int:
        """Wait up to ``timeout`` for messages, then ingest all waiting ones; returns count."""
        try:
            first = self.inbox.get(timeout=timeout)
        except queue.Empty:
            return 0
        messages = [first]
        while len(messages) < max_messages:
            try:
                messages.append(self.inbox.get_nowait())
            except queue.Empty:
                break
        if not connection.in_atomic_block:  # a long-running loop: drop broken connections
            close_old_connections()
        # One batch per gate keeps the zone lock short and the roll-up cheap.
        batches: dict[tuple[str, str], tuple[Gate, Any, list]] = {}
        for topic, payload in messages:
            try:
                gate, device, readings = self._authenticate(topic, payload)
            except DomainError as exc:
                self._ack_error(topic, exc.code)
                continue
            key = (gate.district.code, gate.code)
            batches.setdefault(key, (gate, device, []))[2].extend(readings)
        for (district_code, gate_code), (gate, device, readings) in batches.items():
            try:
                for start in range(0, len(readings), services.MAX_BATCH):
                    result = services.readings_ingest(
                        device=device, gate=gate,
                        readings=readings[start:start + services.MAX_BATCH])
                self._publish(acks_topic(district_code, gate_code), result.as_dict())
            except DomainError as exc:
                self._publish(acks_topic(district_code, gate_code), {"error": exc.code})
        self.handled += len(messages)
        return len(messages)

    def _authenticate(self, topic: str, payload: bytes) -> tuple[Gate, Any, list]:
        parts = topic.split("/")
        if len(parts) != 5 or parts[0] != TOPIC_PREFIX or parts[2] != "gates":
            raise DomainError(code="bad_topic")
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            raise DomainError(code="bad_payload") from None
        if not isinstance(data, dict):
            raise DomainError(code="bad_payload")
        token = token_resolve(raw=str(data.get("token") or ""))
        if token is None or token.device_id is None:
            raise DomainError(code="not_authenticated")
        gate = services.device_gate(device=token.device)
        if gate.district.code != parts[1] or gate.code != parts[3]:
            raise DomainError(code="topic_not_allowed")
        readings = data.get("readings")
        if readings is None:
            readings = [{k: data.get(k) for k in ("seq", "ts", "entries", "exits")}]
        if not isinstance(readings, list):
            raise DomainError(code="bad_payload")
        return gate, token.device, readings

    def _ack_error(self, topic: str, code: str) -> None:
        logger.warning("rejected MQTT message on %s: %s", topic, code)
        parts = topic.split("/")
        if len(parts) == 5:
            self._publish(acks_topic(parts[1], parts[3]), {"error": code})

    def _publish(self, topic: str, data: dict) -> None:
        if self.client is not None:
            self.client.publish(topic, json.dumps(data), qos=0)
