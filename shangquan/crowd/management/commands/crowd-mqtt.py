"""``shangquan crowd-mqtt``: bridge gate counters on the MQTT broker to the readings service."""

from __future__ import annotations

import signal
import threading
import time

from django.core.management.base import BaseCommand

from shangquan.crowd.mqtt import TOPIC_FILTER, Bridge, broker_config


class Command(BaseCommand):
    help = ("Subscribe to shangquan/<district>/gates/<gate>/readings on the broker "
            "(SHANGQUAN_MQTT_URL) and ingest the readings; acks go to …/acks.")

    def add_arguments(self, parser):
        parser.add_argument("--url", default=None, help="broker URL (default: settings)")
        parser.add_argument("--max-seconds", type=float, default=0,
                            help="stop after this many seconds (0: run until stopped)")

    def handle(self, *args, url, max_seconds, **options):
        cfg = broker_config(url)
        bridge = Bridge(url).start()
        self.stdout.write(f"crowd-mqtt: {TOPIC_FILTER} on {cfg.host}:{cfg.port}")
        stopping = []
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *a: stopping.append(1))
        started = time.monotonic()
        try:
            while not stopping:
                bridge.process(timeout=0.5)
                bridge.beat()  # /healthz: the bridge is on the broker and draining
                if max_seconds and time.monotonic() - started > max_seconds:
                    break
        except KeyboardInterrupt:
            pass
        finally:
            bridge.stop()
        self.stdout.write(f"crowd-mqtt: {bridge.handled} messages handled")
