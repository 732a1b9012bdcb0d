"""``shangquan crowd-sim``: drive a realistic evening through the HTTP API or MQTT."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.links import site_url
from shangquan.core.models import District
from shangquan.core.services import token_issue, token_revoke
from shangquan.crowd import services
from shangquan.crowd.models import Gate, Reading, Zone
from shangquan.crowd.mqtt import connect_client, readings_topic
from shangquan.crowd.simulate import SimZone, evening


class Command(BaseCommand):
    help = ("Simulate an evening of gate counts (arrivals peak 19:00–21:00) and send "
            "them through the API (--via http), the broker (--via mqtt) or the service.")

    def add_arguments(self, parser):
        parser.add_argument("--district", default="LHYS")
        parser.add_argument("--via", choices=["http", "mqtt", "direct"], default="http")
        parser.add_argument("--base-url", default=site_url(),
                            help="SHANGQUAN_SITE_URL, else http://127.0.0.1:$SHANGQUAN_PORT")
        parser.add_argument("--mqtt-url", default=None)
        parser.add_argument("--speed", type=float, default=60.0,
                            help="simulated seconds per real second (0: as fast as possible)")
        parser.add_argument("--date", default="", help="evening date YYYY-MM-DD (today)")
        parser.add_argument("--start", default="17:00")
        parser.add_argument("--end", default="23:30")
        parser.add_argument("--peak", type=float, default=1.2,
                            help="peak occupancy as a share of capacity")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--no-reset", action="store_true",
                            help="do not reset the zones at the start of the evening")

    def handle(self, *args, **o):
        district = District.objects.filter(code=o["district"].upper()).first()
        if district is None:
            raise CommandError(f"no district {o['district']}")
        day = dt.date.fromisoformat(o["date"]) if o["date"] else timezone.localdate()
        start, end = dt.time.fromisoformat(o["start"]), dt.time.fromisoformat(o["end"])
        gates = list(Gate.objects.filter(district=district, is_active=True,
                                         device__isnull=False).select_related("zone", "device"))
        if not gates:
            raise CommandError("no active gates with counters in this district")
        zones: dict[int, SimZone] = {}
        for gate in gates:
            zone = gate.zone
            sim = zones.setdefault(zone.pk, SimZone(zone.pk, zone.capacity,
                                                    zone.mean_stay_minutes, [], o["peak"]))
            sim.gates.append(gate.code)
        by_code = {g.code: g for g in gates}
        tokens = {g.code: token_issue(actor=SYSTEM, device=g.device, name="crowd-sim")
                  for g in gates}
        seq = {g.code: (Reading.objects.filter(device=g.device).aggregate(m=Max("seq"))["m"]
                        or 0) + 1 for g in gates}
        if not o["no_reset"]:
            reset_at = timezone.make_aware(dt.datetime.combine(day, start))
            for zone in Zone.objects.filter(pk__in=list(zones)):
                services.zone_reset(actor=SYSTEM, zone=zone, at=reset_at,
                                    note="crowd-sim")
        client, acked = None, []
        if o["via"] == "mqtt":
            def on_ack(_client, _userdata, message):
                data = json.loads(message.payload)
                acked.append(sum(data.get(k, 0) for k in ("accepted", "duplicates", "stale"))
                             if "error" not in data else 0)

            client = connect_client(o["mqtt_url"], on_message=on_ack)
            client.subscribe(f"shangquan/{district.code}/gates/+/acks", qos=1)
        self.stdout.write(f"crowd-sim {district.code}: {len(gates)} gates, {len(zones)} zones, "
                          f"{day} {start}–{end} via {o['via']} at ×{o['speed'] or '∞'}")
        began = time.monotonic()
        sent = 0
        try:
            for tick in evening(list(zones.values()), day=day, start=start, end=end,
                                seed=o["seed"]):
                for code, (ins, outs) in tick.readings.items():
                    reading = {"seq": seq[code], "ts": tick.ts.isoformat(), "entries": ins,
                               "exits": outs}
                    seq[code] += 1
                    self._send(o, district.code, by_code[code], tokens[code][1], reading,
                               client)
                    sent += 1
                if tick.minute % 30 == 0:
                    self.stdout.write(f"  {timezone.localtime(tick.ts):%H:%M}  {sent} readings")
                if o["speed"]:
                    delay = began + (tick.minute + 1) * 60 / o["speed"] - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
            if client is not None:
                # The tokens are revoked at the end: wait until the bridge has answered.
                deadline = time.monotonic() + 60
                while sum(acked) < sent and time.monotonic() < deadline:
                    time.sleep(0.1)
                self.stdout.write(f"crowd-sim: bridge acknowledged {sum(acked)} readings")
        finally:
            if client is not None:
                client.loop_stop()
                client.disconnect()
            for token, _raw in tokens.values():
                token_revoke(actor=SYSTEM, token=token)
        self.stdout.write(f"crowd-sim: {sent} readings sent")

    def _send(self, o, district_code, gate, raw_token, reading, client) -> None:
        if o["via"] == "direct":
            services.readings_ingest(device=gate.device, gate=gate, readings=[reading])
        elif o["via"] == "mqtt":
            client.publish(readings_topic(district_code, gate.code),
                           json.dumps({"token": raw_token, **reading}), qos=1)
        else:
            request = urllib.request.Request(
                f"{o['base_url'].rstrip('/')}/api/v1/districts/{district_code}/crowd/readings",
                data=json.dumps({"readings": [reading]}).encode(), method="POST",
                headers={"Authorization": f"Bearer {raw_token}",
                         "Content-Type": "application/json",
                         "Idempotency-Key": f"{gate.device_id}-{reading['seq']}"})
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
