"""Every write of the crowd module: zones, gates, readings, counts, overrides, alerts.

Readings come from two paths (HTTP batches and the MQTT bridge) and both call
:func:`readings_ingest`. Raw readings are not audited one by one (they are the
counters' own log, kept for the retention period); every state change they cause —
a control change, a raised alert — is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from shangquan.core import live, policies
from shangquan.core.actors import SYSTEM, user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.district_settings import district_settings
from shangquan.core.errors import Conflict, PermissionDenied, ValidationFailed
from shangquan.core.models import Device, District, Membership
from shangquan.core.roles import Role
from shangquan.core.services import device_create, notification_send, token_issue

from . import rules
from .models import (
    LEVEL_RANK,
    Alert,
    AlertSubscription,
    Control,
    ControlEvent,
    Gate,
    Level,
    ManualCount,
    MinuteFlow,
    Reading,
    Zone,
)
from .policies import OPERATE
from .selectors import board_channel
from .states import control_move

MAX_BATCH = 1000
MAX_COUNT_PER_READING = 100_000
ZONE_FIELDS = ["name", "kind", "parent", "waiting_zone", "area_m2", "area_per_person",
               "capacity", "capacity_manual", "opens_at", "closes_at", "mean_stay_minutes",
               "sort", "yellow_pct", "orange_pct", "red_pct", "level_margin_pct",
               "limit_at_pct", "open_below_pct", "close_at_pct", "reopen_below_pct",
               "unstable_density", "is_active"]
OVERRIDE_MAX_MINUTES = 12 * 60


def _board_changed(district_id: int) -> None:
    """Every open board of the district sends its new state once this write commits."""
    live.publish(board_channel(district_id))


def _full_clean(obj, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)
    except DjangoValidationError as exc:
        details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        raise ValidationFailed(details=details) from None


def _require(actor: Any, district: District, action: str) -> None:
    policies.require(actor, action, district)


def _check_waiting_zone(waiting: Zone | None, zone: Zone | None) -> None:
    if waiting is None:
        return
    if waiting.kind != Zone.Kind.WAITING or (zone is not None and waiting.pk == zone.pk):
        raise ValidationFailed(_("分流去处须是另一个等候区"), code="not_a_waiting_zone")


def _computed_capacity(zone: Zone) -> int:
    return max(1, int(Decimal(zone.area_m2) / Decimal(zone.area_per_person)))


def _same_district(district: District, *objs) -> None:
    for obj in objs:
        if obj is not None and obj.district_id != district.pk:
            raise ValidationFailed(_("关联对象不属于该商圈"), code="wrong_district")


# --- zones ----------------------------------------------------------------------------
@audited("crowd.zone.create")
@transaction.atomic
def zone_create(*, actor: Any, district: District, name: str, area_m2: Decimal | float | str,
                area_per_person: Decimal | float | str = Decimal("1.00"),
                kind: str = Zone.Kind.SECTION, capacity: int | None = None,
                **fields: Any) -> Zone:
    _require(actor, district, "crowd.manage")
    unknown = set(fields) - set(ZONE_FIELDS)
    if unknown:
        raise ValidationFailed(details={"unknown": sorted(unknown)})
    _same_district(district, fields.get("parent"), fields.get("waiting_zone"))
    _check_waiting_zone(fields.get("waiting_zone"), None)
    zone = Zone(district=district, name=name.strip(), kind=kind, **fields)
    try:
        zone.area_m2 = Decimal(str(area_m2))
        zone.area_per_person = Decimal(str(area_per_person))
    except InvalidOperation:
        raise ValidationFailed(details={"area_m2": [_("请输入数字")]}) from None
    if zone.area_m2 <= 0 or zone.area_per_person <= 0:
        raise ValidationFailed(_("面积和人均面积必须大于 0"), code="area_not_positive")
    zone.capacity_manual = capacity is not None
    zone.capacity = int(capacity) if capacity is not None else _computed_capacity(zone)
    _full_clean(zone)
    zone.save()
    _board_changed(zone.district_id)
    audit_record(actor=actor, district=district, obj=zone, action="crowd.zone.create",
                 after=snapshot(zone))
    return zone


@audited("crowd.zone.update")
@transaction.atomic
def zone_update(*, actor: Any, zone: Zone, **changes: Any) -> Zone:
    """Edit a zone's layout or thresholds; capacity follows the area unless set by hand."""
    _require(actor, zone.district, "crowd.manage")
    unknown = set(changes) - set(ZONE_FIELDS)
    if unknown:
        raise ValidationFailed(details={"unknown": sorted(unknown)})
    zone = Zone.objects.select_for_update(of=("self",)).get(pk=zone.pk)
    before = snapshot(zone)
    _same_district(zone.district, changes.get("parent"), changes.get("waiting_zone"))
    if changes.get("parent") is not None and changes["parent"].pk == zone.pk:
        raise ValidationFailed(_("区域不能以自己为上级"), code="zone_cycle")
    _check_waiting_zone(changes.get("waiting_zone"), zone)
    for name, value in changes.items():
        setattr(zone, name, value)
    if "capacity" in changes and changes["capacity"] is not None and \
            "capacity_manual" not in changes:
        zone.capacity_manual = True
    if not zone.capacity_manual:
        zone.capacity = _computed_capacity(zone)
    _full_clean(zone)
    _evaluate(zone, now=timezone.now(), actor=actor)
    zone.updated_at = timezone.now()
    zone.save()
    _board_changed(zone.district_id)
    audit_record(actor=actor, district=zone.district, obj=zone, action="crowd.zone.update",
                 before=before, after=snapshot(zone))
    return zone


@audited("crowd.zone.count")
@transaction.atomic
def manual_count_record(*, actor: Any, zone: Zone, counted: int,
                        counted_at: dt.datetime | None = None, note: str = "") -> ManualCount:
    """Staff counted heads: occupancy becomes the count, drift is recorded.

    Readings stamped before ``counted_at`` that arrive later are stored but no longer
    applied, because the count already includes them.
    """
    _require(actor, zone.district, "crowd.count")
    if counted is None or int(counted) < 0:
        raise ValidationFailed(_("人数不能为负"), code="count_negative")
    now = timezone.now()
    counted_at = counted_at or now
    if counted_at > now + dt.timedelta(minutes=5):
        raise ValidationFailed(_("清点时间不能晚于当前时间"), code="count_in_future")
    zone = Zone.objects.select_for_update(of=("self",)).get(pk=zone.pk)
    if counted_at < zone.reset_at:
        raise Conflict(_("已有更晚的清点或清零记录"), code="count_superseded")
    before = snapshot(zone, ["occupancy", "entries", "exits", "reset_at", "level", "control"])
    count = ManualCount.objects.create(district=zone.district, zone=zone, counted=int(counted),
                                       counted_at=counted_at, occupancy_before=zone.occupancy,
                                       note=note[:200], actor=actor if getattr(actor, "is_authenticated", False) else None)
    # Readings stamped after the count (already applied) still count on top of it.
    later = Reading.objects.filter(district_id=zone.district_id, gate__zone=zone, applied=True,
                                   ts__gte=counted_at).aggregate(e=Sum("entries"),
                                                                 x=Sum("exits"))
    zone.occupancy_at_reset = int(counted)
    zone.entries, zone.exits = later["e"] or 0, later["x"] or 0
    zone.occupancy = max(0, int(counted) + zone.entries - zone.exits)
    zone.reset_at = counted_at
    _evaluate(zone, now=now, actor=actor)
    zone.updated_at = now
    zone.save()
    _board_changed(zone.district_id)
    audit_record(actor=actor, district=zone.district, obj=zone, action="crowd.zone.count",
                 before=before, after={**snapshot(zone, ["occupancy", "entries", "exits",
                                                          "reset_at", "level", "control"]),
                                       "counted": count.counted, "drift": count.drift,
                                       "note": count.note})
    return count


@audited("crowd.zone.reset")
@transaction.atomic
def zone_reset(*, actor: Any, zone: Zone, at: dt.datetime | None = None,
               note: str = "") -> Zone:
    """Start of an evening: occupancy zero from ``at``; earlier readings no longer count.

    Unlike a manual count, a reset may move the reference time backwards (re-running an
    evening); the level and control follow from the new occupancy at once.
    """
    _require(actor, zone.district, "crowd.manage")
    now = timezone.now()
    zone = Zone.objects.select_for_update(of=("self",)).select_related("district").get(pk=zone.pk)
    fields = ["occupancy", "entries", "exits", "reset_at", "level", "control"]
    before = snapshot(zone, fields)
    zone.occupancy = zone.occupancy_at_reset = zone.entries = zone.exits = 0
    zone.reset_at = at or now
    zone.last_reading_at = None
    _evaluate(zone, now=now, actor=actor)
    zone.level = Level.GREEN  # a reset starts the evening afresh, no hysteresis carried
    zone.updated_at = now
    zone.save()
    _board_changed(zone.district_id)
    audit_record(actor=actor, district=zone.district, obj=zone, action="crowd.zone.reset",
                 before=before, after={**snapshot(zone, fields), "note": note})
    return zone


@audited("crowd.zone.override")
@transaction.atomic
def zone_override(*, actor: Any, zone: Zone, control: str, note: str,
                  minutes: int = 30) -> Zone:
    """Staff take over entry control for ``minutes``; automatic control resumes after."""
    _require(actor, zone.district, "crowd.override")
    if control not in Control.values:
        raise ValidationFailed(_("未知管控状态"), code="unknown_control")
    if not (note or "").strip():
        raise ValidationFailed(_("人工接管须填写说明"), code="note_required")
    if not 1 <= int(minutes) <= OVERRIDE_MAX_MINUTES:
        raise ValidationFailed(_("接管时长须在 1 到 720 分钟之间"), code="override_minutes")
    zone = Zone.objects.select_for_update(of=("self",)).get(pk=zone.pk)
    before = snapshot(zone, ["control", "control_mode", "override_until", "override_note"])
    now = timezone.now()
    previous = zone.control
    if control != previous:  # holding the current control is a change of mode only
        control_move(zone, control)
    zone.control_mode = Zone.Mode.MANUAL
    zone.override_until = now + dt.timedelta(minutes=int(minutes))
    zone.override_note = note.strip()[:200]
    zone.updated_at = now
    zone.save()
    _board_changed(zone.district_id)
    _control_event(zone, previous, "override", detail=zone.override_note, actor=actor, now=now)
    audit_record(actor=actor, district=zone.district, obj=zone, action="crowd.zone.override",
                 before=before, after=snapshot(zone, ["control", "control_mode",
                                                      "override_until", "override_note"]))
    return zone


@audited("crowd.zone.release")
@transaction.atomic
def zone_release(*, actor: Any, zone: Zone, note: str = "") -> Zone:
    """End a staff override now: the automatic rules decide again at once."""
    _require(actor, zone.district, "crowd.override")
    zone = Zone.objects.select_for_update(of=("self",)).get(pk=zone.pk)
    if zone.control_mode != Zone.Mode.MANUAL:
        raise Conflict(_("该区域未处于人工接管"), code="not_overridden")
    before = snapshot(zone, ["control", "control_mode", "override_until", "override_note"])
    now = timezone.now()
    _return_to_auto(zone, reason="override_released", detail=note, actor=actor, now=now)
    _evaluate(zone, now=now, actor=actor)
    zone.updated_at = now
    zone.save()
    _board_changed(zone.district_id)
    audit_record(actor=actor, district=zone.district, obj=zone, action="crowd.zone.release",
                 before=before, after=snapshot(zone, ["control", "control_mode",
                                                      "override_until", "override_note"]))
    return zone


# --- gates and devices ----------------------------------------------------------------
@audited("crowd.gate.create")
@transaction.atomic
def gate_create(*, actor: Any, district: District, zone: Zone, code: str, name: str,
                device: Device | None = None, new_device: bool = True) -> tuple[Gate, str | None]:
    """A gate with its counter. Returns the new device's raw token once (else None)."""
    _require(actor, district, "crowd.manage")
    _same_district(district, zone, device)
    raw = None
    if device is None and new_device:
        device, raw = device_create(actor=actor, district=district,
                                    name=f"{name}计数器"[:80], kind=Device.Kind.GATE_COUNTER)
    if device is not None and device.kind != Device.Kind.GATE_COUNTER:
        raise ValidationFailed(_("只能绑定闸机计数器"), code="device_kind")
    gate = Gate(district=district, zone=zone, code=code.strip(), name=name.strip(),
                device=device)
    _full_clean(gate)
    gate.save()
    audit_record(actor=actor, district=district, obj=gate, action="crowd.gate.create",
                 after=snapshot(gate))
    return gate, raw


@audited("crowd.gate.update")
@transaction.atomic
def gate_update(*, actor: Any, gate: Gate, **changes: Any) -> Gate:
    _require(actor, gate.district, "crowd.manage")
    allowed = {"name", "zone", "is_active"}
    if set(changes) - allowed:
        raise ValidationFailed(details={"unknown": sorted(set(changes) - allowed)})
    _same_district(gate.district, changes.get("zone"))
    before = snapshot(gate)
    for name, value in changes.items():
        setattr(gate, name, value)
    _full_clean(gate)
    gate.save()
    audit_record(actor=actor, district=gate.district, obj=gate, action="crowd.gate.update",
                 before=before, after=snapshot(gate))
    return gate


@audited("crowd.gate.rotate_token")
@transaction.atomic
def gate_token_rotate(*, actor: Any, gate: Gate) -> str:
    """Revoke the counter's tokens and issue a new one (shown once)."""
    _require(actor, gate.district, "crowd.manage")
    if gate.device is None:
        raise Conflict(_("该出入口没有计数设备"), code="no_device")
    gate.device.tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    _token, raw = token_issue(actor=actor, device=gate.device, name=f"device:{gate.device.name}")
    audit_record(actor=actor, district=gate.district, obj=gate, action="crowd.gate.rotate_token")
    return raw


# --- readings ---------------------------------------------------------------------------
@dataclass
class IngestResult:
    gate: str
    accepted: int = 0
    duplicates: int = 0
    stale: int = 0  # stored, but older than the zone's last count/reset
    occupancy: int = 0
    level: str = Level.GREEN
    control: str = Control.OPEN
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"gate": self.gate, "accepted": self.accepted, "duplicates": self.duplicates,
                "stale": self.stale, "occupancy": self.occupancy, "level": str(self.level),
                "control": str(self.control)}


def _parse_ts(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        ts = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        ts = dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    else:
        ts = parse_datetime(str(value or ""))
        if ts is None:
            raise ValueError("ts")
    if timezone.is_naive(ts):
        ts = timezone.make_aware(ts)
    return ts


def _parse_readings(readings: Iterable[Mapping[str, Any]]) -> list[tuple[int, dt.datetime, int, int]]:
    parsed, errors = [], []
    for index, item in enumerate(readings):
        try:
            seq = int(item["seq"])
            entries, exits = int(item.get("entries", 0)), int(item.get("exits", 0))
            if seq < 0 or not (0 <= entries <= MAX_COUNT_PER_READING) or \
                    not (0 <= exits <= MAX_COUNT_PER_READING):
                raise ValueError("range")
            parsed.append((seq, _parse_ts(item["ts"]), entries, exits))
        except (KeyError, TypeError, ValueError, OverflowError, AttributeError):
            errors.append({"index": index, "msg": "seq, ts, entries, exits required"})
    if errors:
        raise ValidationFailed(_("读数格式有误"), code="bad_readings", details=errors[:20])
    return parsed


def device_gate(*, device: Device) -> Gate:
    """The active gate a counter device reports for."""
    if device is None or device.kind != Device.Kind.GATE_COUNTER or not device.is_active:
        raise PermissionDenied(_("只有闸机计数器可以上报读数"), code="not_a_gate_counter")
    gate = Gate.objects.select_related("district").filter(device=device, is_active=True).first()
    if gate is None:
        raise Conflict(_("该设备未绑定出入口"), code="device_not_assigned")
    return gate


def readings_ingest(*, device: Device, readings: list[Mapping[str, Any]],
                    gate: Gate | None = None) -> IngestResult:
    """Store a batch of counter readings once each and update the gate's zone.

    Idempotent by (device, seq): repeats are counted as duplicates and change nothing.
    Readings are deltas, so their order does not matter; readings stamped before the
    zone's last count are stored but not applied. Rolls the batch up by minute and
    re-evaluates the zone's level and entry control.
    """
    gate = gate or device_gate(device=device)
    if len(readings) > MAX_BATCH:
        raise ValidationFailed(_("每批最多 1000 条读数"), code="batch_too_large")
    parsed = _parse_readings(readings)
    result = IngestResult(gate=gate.code)
    try:
        with transaction.atomic():
            _ingest_locked(gate, device, parsed, result)
    except IntegrityError:
        # A concurrent batch from the same device won the race for a sequence number;
        # retrying sees its rows as duplicates.
        result = IngestResult(gate=gate.code)
        with transaction.atomic():
            _ingest_locked(gate, device, parsed, result)
    return result


def _ingest_locked(gate: Gate, device: Device, parsed: list, result: IngestResult) -> None:
    # The zone lock serialises batches of every gate of the zone (and so of this device).
    zone = Zone.objects.select_for_update(of=("self",)).get(pk=gate.zone_id)
    seqs = {p[0] for p in parsed}
    # A range scan on the (district, device, seq) index: for batches that arrive in
    # order it finds nothing at once, and it needs two parameters, not one per reading.
    known = set(Reading.objects.filter(
        district_id=gate.district_id, device=device, seq__gte=min(seqs, default=0),
        seq__lte=max(seqs, default=-1)).values_list("seq", flat=True)) & seqs
    fresh: dict[int, tuple] = {}
    for item in parsed:
        if item[0] in known or item[0] in fresh:
            result.duplicates += 1
        else:
            fresh[item[0]] = item
    now = timezone.now()
    rows = [Reading(district_id=gate.district_id, device=device, gate=gate, seq=seq, ts=ts,
                    entries=entries, exits=exits, applied=ts >= zone.reset_at, received_at=now)
            for seq, ts, entries, exits in fresh.values()]
    if rows:
        Reading.objects.bulk_create(rows)
    applied = sorted((r for r in rows if r.applied), key=lambda r: (r.ts, r.seq))
    result.accepted = len(applied)
    result.stale = len(rows) - len(applied)
    if applied:
        minutes: dict[dt.datetime, list[int]] = {}
        occupancy = zone.occupancy
        for r in applied:
            occupancy = max(0, occupancy + r.entries - r.exits)
            flow = minutes.setdefault(r.ts.replace(second=0, microsecond=0), [0, 0])
            flow[0] += r.entries
            flow[1] += r.exits
        zone.occupancy = occupancy
        zone.entries += sum(r.entries for r in applied)
        zone.exits += sum(r.exits for r in applied)
        latest = applied[-1].ts
        if zone.last_reading_at is None or latest > zone.last_reading_at:
            zone.last_reading_at = latest
        _evaluate(zone, now=now, actor=SYSTEM)
        zone.updated_at = now
        zone.save(update_fields=["occupancy", "entries", "exits", "last_reading_at", "level",
                                 "control", "control_mode", "override_until", "override_note",
                                 "updated_at"])
        _board_changed(zone.district_id)
        _rollup(zone, minutes)
    result.occupancy, result.level, result.control = zone.occupancy, zone.level, zone.control


def _rollup(zone: Zone, minutes: dict[dt.datetime, list[int]]) -> None:
    """Add the batch's flows to the zone's minutes, then recompute occupancy per minute.

    Occupancy per minute is the running sum of net flow since the zone's last reset
    (or count), recomputed from the earliest minute the batch touched. So a backlog a
    counter sends late, or batches of several gates covering the same minutes, still
    give the right history. The peak within a minute is taken from its endpoints.
    """
    t = rules.Thresholds.of(zone)
    first = min(minutes)
    reset_minute = zone.reset_at.replace(second=0, microsecond=0)
    rows = {r.minute: r for r in MinuteFlow.objects.filter(
        district_id=zone.district_id, zone=zone, minute__gte=first)}
    create = []
    for minute, (entries, exits) in minutes.items():
        row = rows.get(minute)
        if row is None:
            row = rows[minute] = MinuteFlow(district_id=zone.district_id, zone=zone,
                                            minute=minute, level_max=Level.GREEN)
            create.append(row)
        row.entries += entries
        row.exits += exits
    previous = MinuteFlow.objects.filter(
        district_id=zone.district_id, zone=zone, minute__lt=first,
        minute__gte=reset_minute).order_by("-minute").values_list("occupancy_end",
                                                                  flat=True).first()
    running = zone.occupancy_at_reset if previous is None else previous
    ordered = sorted(rows.values(), key=lambda r: r.minute)
    for row in ordered:
        if row.minute < reset_minute:
            continue
        start = running
        running = max(0, running + row.entries - row.exits)
        row.occupancy_end = running
        row.occupancy_max = max(start, running)
        level, _reason = rules.level_for(rules.percent(row.occupancy_max, zone.capacity),
                                         rules.density(row.occupancy_max, zone.area_m2),
                                         Level.GREEN, t)
        if row is ordered[-1] and LEVEL_RANK[Level(zone.level)] > LEVEL_RANK[Level(level)]:
            level = zone.level  # the live level, held by hysteresis
        if LEVEL_RANK[Level(level)] > LEVEL_RANK[Level(row.level_max)]:
            row.level_max = level
    if create:
        MinuteFlow.objects.bulk_create(create)
    update = [r for r in ordered if r.pk is not None]
    if update:
        MinuteFlow.objects.bulk_update(update, ["entries", "exits", "occupancy_max",
                                                "occupancy_end", "level_max"])


# --- evaluation: level, alerts, entry control ------------------------------------------
def _control_event(zone: Zone, previous: str, reason: str, *, detail: str = "",
                   actor: Any = SYSTEM, now: dt.datetime) -> ControlEvent:
    return ControlEvent.objects.create(
        district_id=zone.district_id, zone=zone, from_state=previous, to_state=zone.control,
        mode=zone.control_mode, reason=reason, detail=detail[:200], occupancy=zone.occupancy,
        percent=rules.shown_percent(rules.percent(zone.occupancy, zone.capacity)),
        actor=actor if getattr(actor, "is_authenticated", False) else None, created_at=now)


def _return_to_auto(zone: Zone, *, reason: str, detail: str, actor: Any,
                    now: dt.datetime) -> None:
    zone.control_mode = Zone.Mode.AUTO
    zone.override_until = None
    zone.override_note = ""
    _control_event(zone, zone.control, reason, detail=detail, actor=actor, now=now)


def _evaluate(zone: Zone, *, now: dt.datetime, actor: Any) -> None:
    """Recompute the zone's level and control; record alerts and control events.

    The caller holds the zone's row lock and saves the zone afterwards.
    """
    t = rules.Thresholds.of(zone)
    pct = rules.percent(zone.occupancy, zone.capacity)
    dens = rules.density(zone.occupancy, zone.area_m2)
    level, level_reason = rules.level_for(pct, dens, zone.level, t)
    if LEVEL_RANK[Level(level)] > LEVEL_RANK[Level(zone.level)]:
        alert = Alert.objects.create(district_id=zone.district_id, zone=zone, level=level,
                                     reason=level_reason, occupancy=zone.occupancy,
                                     percent=rules.shown_percent(pct),
                                     density=rules.shown_density(dens), raised_at=now)
        audit_record(actor=SYSTEM, district=zone.district, obj=alert, action="crowd.alert.raise",
                     after=snapshot(alert), actor_label="system")
        if level in (Level.ORANGE, Level.RED):
            transaction.on_commit(lambda: alert_notify(alert=alert))
    zone.level = level
    if zone.control_mode == Zone.Mode.MANUAL:
        if zone.override_until and zone.override_until > now:
            return
        before = snapshot(zone, ["control", "control_mode", "override_until"])
        _return_to_auto(zone, reason="override_expired", detail="", actor=SYSTEM, now=now)
        audit_record(actor=SYSTEM, district=zone.district, obj=zone,
                     action="crowd.zone.override_expired", before=before,
                     after=snapshot(zone, ["control", "control_mode", "override_until"]),
                     actor_label="system")
    control, reason = rules.control_for(pct, dens, zone.control, t)
    if control != zone.control:
        previous = control_move(zone, control)
        _control_event(zone, previous, reason, detail=f"{rules.shown_percent(pct)}% · {rules.shown_density(dens)}/㎡",
                       actor=actor,
                       now=now)
        audit_record(actor=actor, district=zone.district, obj=zone,
                     action="crowd.zone.control", before={"control": previous},
                     after={"control": control, "reason": reason,
                            "percent": rules.shown_percent(pct),
                            "occupancy": zone.occupancy},
                     actor_label="" if getattr(actor, "is_authenticated", False) else "system")


@audited("crowd.zone.override_expired", "crowd.zone.control", "crowd.alert.raise")
def overrides_expire(*, now: dt.datetime | None = None) -> int:
    """Return zones whose override ran out to automatic control (periodic job)."""
    now = now or timezone.now()
    done = 0
    for pk in Zone.objects.filter(control_mode=Zone.Mode.MANUAL,
                                  override_until__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            zone = Zone.objects.select_for_update(of=("self",)).select_related("district").get(pk=pk)
            if zone.control_mode != Zone.Mode.MANUAL or zone.override_until > now:
                continue
            _evaluate(zone, now=now, actor=SYSTEM)
            zone.updated_at = now
            zone.save()
            _board_changed(zone.district_id)
            done += 1
    return done


# --- alerts -----------------------------------------------------------------------------
def _alert_recipients(*, alert: Alert) -> list:
    """The committee on duty, and whoever took this zone (or every zone) from this level
    up. A department or a grid leader who did not subscribe is not disturbed."""
    district_id, rank = alert.district_id, LEVEL_RANK[Level(alert.level)]
    on_duty = {m.user for m in Membership.objects.filter(
        district_id=district_id, role=str(Role.COMMITTEE), is_active=True,
        user__is_active=True).select_related("user")}
    active = set(Membership.objects.filter(district_id=district_id, is_active=True,
                                           role__in=[str(r) for r in OPERATE])
                 .values_list("user_id", flat=True))
    for sub in (AlertSubscription.objects.filter(district_id=district_id)
                .filter(Q(zone__isnull=True) | Q(zone_id=alert.zone_id)).select_related("user")):
        if LEVEL_RANK[Level(sub.min_level)] <= rank and sub.user_id in active \
                and sub.user.is_active:
            on_duty.add(sub.user)
    return sorted(on_duty, key=lambda u: u.pk)


def alert_notify(*, alert: Alert) -> int:
    """Tell the people responsible for the zone (in-app; the sender carries it further)."""
    from django.urls import reverse

    district = alert.zone.district
    users = _alert_recipients(alert=alert)
    title = _("%(zone)s %(level)s：在场 %(n)s 人（%(pct)s%%）") % {
        "zone": alert.zone.name, "level": Level(alert.level).label, "n": alert.occupancy,
        "pct": alert.percent}
    link = reverse("crowd:board", kwargs={"code": district.code})
    for user in users:
        notification_send(district=district, user=user, title=title, link=link)
    return len(users)


@audited("crowd.subscription.set")
@transaction.atomic
def alert_subscription_set(*, actor: Any, district: District, zone: Zone | None,
                           min_level: str) -> AlertSubscription:
    """Take a zone's alerts (no zone: every zone) from ``min_level`` up."""
    policies.require(actor, "crowd.subscribe", district)
    if zone is not None and zone.district_id != district.pk:
        raise ValidationFailed(code="zone_unknown")
    if min_level not in (Level.YELLOW, Level.ORANGE, Level.RED):
        raise ValidationFailed(_("请选择预警等级"), code="level_unknown")
    sub, _created = AlertSubscription.objects.update_or_create(
        district=district, user=user_of(actor), zone=zone, defaults={"min_level": min_level})
    audit_record(actor=actor, district=district, obj=sub, action="crowd.subscription.set",
                 after={"zone": zone.pk if zone else None, "min_level": min_level})
    return sub


@audited("crowd.subscription.clear")
@transaction.atomic
def alert_subscription_clear(*, actor: Any, district: District, subscription_id: int) -> None:
    policies.require(actor, "crowd.subscribe", district)
    sub = AlertSubscription.objects.filter(district=district, user=user_of(actor),
                                           pk=subscription_id).first()
    if sub is None:
        return
    audit_record(actor=actor, district=district, obj=sub, action="crowd.subscription.clear",
                 before={"zone": sub.zone_id, "min_level": sub.min_level})
    sub.delete()


@audited("crowd.alert.acknowledge")
@transaction.atomic
def alert_acknowledge(*, actor: Any, alert: Alert, note: str = "") -> Alert:
    _require(actor, alert.district, "crowd.acknowledge")
    # Locks in the order every crowd write takes them: the zone, then its alerts.
    Zone.objects.select_for_update(of=("self",)).filter(pk=alert.zone_id).first()
    alert = Alert.objects.select_for_update(of=("self",)).get(pk=alert.pk)
    if alert.acknowledged_at is not None:
        raise Conflict(_("该预警已确认"), code="already_acknowledged")
    before = snapshot(alert, ["acknowledged_at", "acknowledged_by", "ack_note"])
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = user_of(actor)
    alert.ack_note = note.strip()[:200]
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "ack_note"])
    # The same zone's earlier open alerts at lower or equal levels are covered by this one.
    lower = [lvl for lvl, rank in LEVEL_RANK.items() if rank <= LEVEL_RANK[Level(alert.level)]]
    covered = list(Alert.objects.select_for_update(of=("self",)).filter(
        district_id=alert.district_id, zone_id=alert.zone_id, acknowledged_at__isnull=True,
        raised_at__lte=alert.raised_at, level__in=lower).order_by("pk").values_list("pk", flat=True))
    Alert.objects.filter(pk__in=covered).update(
        acknowledged_at=alert.acknowledged_at, acknowledged_by=user_of(actor),
        ack_note=_("随 #%(id)s 一并确认") % {"id": alert.pk})
    Zone.objects.filter(pk=alert.zone_id).update(updated_at=alert.acknowledged_at)
    _board_changed(alert.district_id)
    audit_record(actor=actor, district=alert.district, obj=alert,
                 action="crowd.alert.acknowledge", before=before,
                 after={**snapshot(alert, ["acknowledged_at", "acknowledged_by", "ack_note"]),
                        "also_acknowledged": covered})
    return alert


# --- retention ----------------------------------------------------------------------------
@audited("crowd.history.purge")
@transaction.atomic
def history_purge(*, actor: Any = SYSTEM, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete raw readings and minute roll-ups past their retention (periodic job).

    Each district's ``crowd.reading_retention_days`` (default 30) for raw readings and
    ``crowd.minute_retention_days`` (default 400) for the roll-ups that reports use.
    One audit row per run: the totals and what was deleted in each district.
    """
    now = now or timezone.now()
    readings = minutes = 0
    by_district: dict[str, dict[str, int]] = {}
    for district in District.objects.all():
        conf = district_settings(district=district, app="crowd")
        r = Reading.objects.filter(
            district=district,
            ts__lt=now - dt.timedelta(days=conf.reading_retention_days)).delete()[0]
        m = MinuteFlow.objects.filter(
            district=district,
            minute__lt=now - dt.timedelta(days=conf.minute_retention_days)).delete()[0]
        readings, minutes = readings + r, minutes + m
        if r or m:
            by_district[district.code] = {"readings": r, "minutes": m}
    audit_record(actor=actor, district=None, action="crowd.history.purge",
                 object_type="crowd.reading", object_id="*",
                 after={"readings": readings, "minutes": minutes, "by_district": by_district})
    return {"readings": readings, "minutes": minutes}
