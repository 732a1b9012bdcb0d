"""Demo crowd data: zone layouts with gates and counters, and last evening's history.

凌河夜市 follows its article: a waiting area at the main entrance for segmented flow
limiting, a children's waiting area by the rescue team, and the market's sections.
解放碑 and 万达 get their busiest public spaces. Last evening is simulated in memory
with the same rules as the live service and stored in bulk (readings, minute roll-ups,
control events, acknowledged alerts), so reports have something to show.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.demo import DemoContext

from . import rules, services
from .models import LEVEL_RANK, Alert, Control, ControlEvent, Level, MinuteFlow, Reading, Zone
from .simulate import SimZone, evening
from .states import control_action

# (name, kind, area m², m² per person, mean stay, parent, peak share, gates[(code, name)])
Layout = list[tuple[str, str, int, str, int, str | None, float, list[tuple[str, str]]]]

LAYOUTS: dict[str, Layout] = {
    "LHYS": [
        ("凌河夜市（全场）", "market", 16000, "1.5", 100, None, 0.9,
         [("LH-N", "北主入口"), ("LH-E", "东入口"), ("LH-W", "西入口")]),
        ("主入口等候区", "waiting", 900, "0.8", 12, None, 0.55, [("LH-WAIT", "等候区闸口")]),
        ("儿童等候区", "waiting", 160, "1.2", 15, None, 0.4, [("LH-KID", "救援队服务点")]),
        ("小吃区", "section", 4200, "1.2", 55, "凌河夜市（全场）", 1.22,
         [("XC-N", "小吃区北口"), ("XC-S", "小吃区南口")]),
        ("服饰区", "section", 3600, "1.5", 40, "凌河夜市（全场）", 0.95, [("FS-1", "服饰区入口")]),
        ("游乐区", "section", 2500, "2.0", 35, "凌河夜市（全场）", 1.05, [("YL-1", "游乐区入口")]),
        ("文创区", "section", 1800, "1.5", 30, "凌河夜市（全场）", 0.6, [("WC-1", "文创区入口")]),
    ],
    "JFB": [
        ("解放碑步行街", "market", 24000, "1.5", 80, None, 0.8,
         [("JFB-1", "民族路口"), ("JFB-2", "邹容路口"), ("JFB-3", "八一路口")]),
        ("洪崖洞观景平台", "section", 1200, "1.0", 25, None, 1.06,
         [("HYD-1", "沧白路入口"), ("HYD-2", "嘉陵江滨江路入口")]),
        ("朝天门广场", "section", 8000, "1.5", 40, None, 0.7, [("CTM-1", "广场东入口")]),
        ("洪崖洞候梯区", "waiting", 300, "0.8", 10, None, 0.5, [("HYD-Q", "候梯区闸口")]),
    ],
    "WDZZ": [
        ("万达广场中庭", "market", 6000, "2.0", 70, None, 0.78,
         [("WD-1", "南门"), ("WD-2", "北门")]),
        ("金街步行街", "section", 9000, "1.5", 60, None, 1.0, [("JJ-1", "金街东口")]),
        ("体育运动中心广场", "section", 12000, "2.0", 45, None, 0.6, [("TY-1", "广场入口")]),
    ],
}


def load(ctx: DemoContext) -> None:
    layout = LAYOUTS.get(ctx.district.code)
    if not layout or Zone.objects.filter(district=ctx.district).exists():
        return
    ctx.progress("  crowd: zones, gates and last evening")
    with transaction.atomic():
        zones, peaks, gates = {}, {}, {}
        for order, (name, kind, area, app, stay, parent, peak, gate_specs) in enumerate(layout):
            zone = services.zone_create(actor=SYSTEM, district=ctx.district, name=name, kind=kind,
                                        area_m2=area, area_per_person=Decimal(app),
                                        mean_stay_minutes=stay, sort=order,
                                        parent=zones.get(parent))
            zones[name], peaks[zone.pk] = zone, peak
            for code, gate_name in gate_specs:
                gate, _raw = services.gate_create(actor=SYSTEM, district=ctx.district, zone=zone,
                                                  code=code, name=gate_name)
                gates.setdefault(zone.pk, []).append(gate)
        waiting = next((z for z in zones.values() if z.kind == Zone.Kind.WAITING), None)
        if waiting is not None:
            Zone.objects.filter(district=ctx.district).exclude(kind=Zone.Kind.WAITING)\
                .update(waiting_zone=waiting)
        day = timezone.localdate() - dt.timedelta(days=1)
        _last_evening(ctx, list(zones.values()), gates, peaks, day)


def _last_evening(ctx: DemoContext, zones: list[Zone], gates: dict[int, list],
                  peaks: dict[int, float], day: dt.date) -> None:
    sims = {z.pk: SimZone(z.pk, z.capacity, z.mean_stay_minutes,
                          [g.code for g in gates[z.pk]], peak_ratio=peaks[z.pk]) for z in zones}
    gate_by_code = {g.code: g for gs in gates.values() for g in gs}
    state = {z.pk: {"occ": 0, "in": 0, "out": 0, "level": Level.GREEN,
                    "control": Control.OPEN, "last": None} for z in zones}
    by_pk = {z.pk: z for z in zones}
    seq = dict.fromkeys(gate_by_code, 0)
    readings, minutes, events, alerts = [], [], [], []
    responder = ctx.users.get("committee")
    start_ts = None
    for tick in evening(list(sims.values()), day=day, seed=ctx.rng.randrange(10**6)):
        start_ts = start_ts or tick.ts.replace(second=0)
        for zone_pk, sim in sims.items():
            zone, s = by_pk[zone_pk], state[zone_pk]
            ins = outs = 0
            for code in sim.gates:
                entries, exits = tick.readings[code]
                seq[code] += 1
                gate = gate_by_code[code]
                readings.append(Reading(district=ctx.district, device_id=gate.device_id,
                                        gate=gate, seq=seq[code], ts=tick.ts, entries=entries,
                                        exits=exits, received_at=tick.ts))
                ins, outs = ins + entries, outs + exits
            s["occ"] = max(0, s["occ"] + ins - outs)
            s["in"], s["out"], s["last"] = s["in"] + ins, s["out"] + outs, tick.ts
            _step(ctx, zone, s, tick.ts, events, alerts, responder)
            minutes.append(MinuteFlow(district=ctx.district, zone=zone,
                                      minute=tick.ts.replace(second=0), entries=ins,
                                      exits=outs, occupancy_max=s["occ"],
                                      occupancy_end=s["occ"], level_max=s["level"]))
    Reading.objects.bulk_create(readings, batch_size=2000)
    MinuteFlow.objects.bulk_create(minutes, batch_size=2000)
    ControlEvent.objects.bulk_create(events)
    Alert.objects.bulk_create(alerts)
    for zone_pk, s in state.items():
        Zone.objects.filter(pk=zone_pk).update(
            occupancy=s["occ"], entries=s["in"], exits=s["out"], level=s["level"],
            control=s["control"], reset_at=start_ts - dt.timedelta(minutes=1),
            last_reading_at=s["last"], updated_at=timezone.now())


def _step(ctx: DemoContext, zone: Zone, s: dict, ts: dt.datetime, events: list, alerts: list,
          responder) -> None:
    """The live service's rules applied to one simulated minute (without its queries)."""
    t = rules.Thresholds.of(zone)
    pct = rules.percent(s["occ"], zone.capacity)
    dens = rules.density(s["occ"], zone.area_m2)
    level, reason = rules.level_for(pct, dens, s["level"], t)
    if LEVEL_RANK[Level(level)] > LEVEL_RANK[Level(s["level"])]:
        alerts.append(Alert(district=ctx.district, zone=zone, level=level, reason=reason,
                            occupancy=s["occ"], percent=rules.shown_percent(pct),
                            density=rules.shown_density(dens), raised_at=ts,
                            acknowledged_at=ts + dt.timedelta(minutes=2),
                            acknowledged_by=responder, ack_note="已通知疏散组到位"))
    s["level"] = level
    control, reason = rules.control_for(pct, dens, s["control"], t)
    if control != s["control"]:
        control_action(s["control"], control)  # the history follows ENTRY_CONTROL too
        events.append(ControlEvent(district=ctx.district, zone=zone, from_state=s["control"],
                                   to_state=control, mode=Zone.Mode.AUTO, reason=reason,
                                   detail=f"{rules.shown_percent(pct)}% · "
                                          f"{rules.shown_density(dens)}/㎡",
                                   occupancy=s["occ"], percent=rules.shown_percent(pct),
                                   created_at=ts))
        s["control"] = control
