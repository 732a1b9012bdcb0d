"""Crowd API under /api/v1/districts/{code}/crowd/… (people) and …/crowd/readings (devices)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, FilterSchema, Path, Query, Router, Schema, Status

from shangquan.core.apibase import Id, Rows, paginate, request_device
from shangquan.core.errors import NotAuthenticated, NotFound
from shangquan.core.selectors import access_district, district_get_public

from . import selectors, services
from .models import Control, Zone

router = Router(tags=["crowd"])
# The district code comes from the mount prefix /districts/{code}/.
PathStr = Path[str]


class ZoneIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    kind: Zone.Kind = Zone.Kind.SECTION
    area_m2: Decimal = Field(..., gt=0)
    area_per_person: Decimal = Field(Decimal("1.00"), gt=0)
    capacity: int | None = Field(None, ge=1, description="leave empty: area ÷ area per person")
    parent_id: Id | None = None
    waiting_zone_id: Id | None = None
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    mean_stay_minutes: int | None = Field(None, ge=1, le=1440)


class ZonePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    kind: Zone.Kind | None = None
    area_m2: Decimal | None = Field(None, gt=0)
    area_per_person: Decimal | None = Field(None, gt=0)
    capacity: int | None = Field(None, ge=1)
    capacity_manual: bool | None = None
    parent_id: Id | None = None
    waiting_zone_id: Id | None = None
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    mean_stay_minutes: int | None = Field(None, ge=1, le=1440)
    yellow_pct: int | None = Field(None, ge=1, le=300)
    orange_pct: int | None = Field(None, ge=1, le=300)
    red_pct: int | None = Field(None, ge=1, le=300)
    level_margin_pct: int | None = Field(None, ge=0, le=50)
    limit_at_pct: int | None = Field(None, ge=1, le=300)
    open_below_pct: int | None = Field(None, ge=1, le=300)
    close_at_pct: int | None = Field(None, ge=1, le=300)
    reopen_below_pct: int | None = Field(None, ge=1, le=300)
    unstable_density: Decimal | None = Field(None, gt=0, le=10)
    is_active: bool | None = None


class ZoneOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    waiting_zone_id: int | None
    area_m2: Decimal
    area_per_person: Decimal
    capacity: int
    capacity_manual: bool
    daily_capacity: int
    opens_at: dt.time
    closes_at: dt.time
    mean_stay_minutes: int
    yellow_pct: int
    orange_pct: int
    red_pct: int
    level_margin_pct: int
    limit_at_pct: int
    open_below_pct: int
    close_at_pct: int
    reopen_below_pct: int
    unstable_density: Decimal
    occupancy: int
    reset_at: dt.datetime
    level: str
    control: str
    control_mode: str
    override_until: dt.datetime | None
    override_note: str
    is_active: bool


class GateIn(Schema):
    zone_id: Id
    code: str = Field(..., pattern=r"^[A-Za-z0-9_-]{1,24}$")
    name: str = Field(..., min_length=1, max_length=60)


class GatePatch(Schema):
    zone_id: Id | None = None
    name: str | None = Field(None, min_length=1, max_length=60)
    is_active: bool | None = None


class GateOut(Schema):
    id: int
    zone_id: int
    code: str
    name: str
    device_id: int | None
    is_active: bool
    topic: str


class GateCreated(GateOut):
    device_token: str | None = Field(None, description="shown once")


class ReadingIn(Schema):
    seq: int = Field(..., ge=0)
    ts: dt.datetime
    entries: int = Field(0, ge=0, le=services.MAX_COUNT_PER_READING)
    exits: int = Field(0, ge=0, le=services.MAX_COUNT_PER_READING)


class ReadingBatch(Schema):
    readings: list[ReadingIn] = Field(..., max_length=services.MAX_BATCH)


class IngestOut(Schema):
    gate: str
    accepted: int
    duplicates: int
    stale: int
    occupancy: int
    level: str
    control: str


class CountIn(Schema):
    counted: int = Field(..., ge=0)
    counted_at: dt.datetime | None = None
    note: str = Field("", max_length=200)


class CountOut(Schema):
    id: int
    zone_id: int
    counted: int
    counted_at: dt.datetime
    occupancy_before: int
    drift: int
    note: str


class OverrideIn(Schema):
    control: Control
    note: str = Field(..., min_length=1, max_length=200)
    minutes: int = Field(30, ge=1, le=services.OVERRIDE_MAX_MINUTES)


class ZoneNoteIn(Schema):
    note: str = Field("", max_length=200)


class EventFilter(FilterSchema):
    zone_id: Id | None = None


class AlertFilter(FilterSchema):
    open_only: bool = False


class GateTokenOut(Schema):
    device_token: str


class BoardZone(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    parent: int | None
    waiting_zone: str
    occupancy: int
    capacity: int
    percent: float
    density: float
    los: str
    level: str
    level_label: str
    control: str
    control_label: str
    control_mode: str
    override_until: str | None
    arrivals_per_minute: float
    forecast_15: int
    flow: list[int]
    last_reading_at: str | None


class BoardAlert(Schema):
    id: int
    zone: str
    level: str
    level_label: str
    percent: float
    occupancy: int
    raised_at: str
    raised_label: str
    pending: int


class BoardSeries(Schema):
    name: str
    data: list[int | None]


class BoardTrend(Schema):
    labels: list[str]
    series: list[BoardSeries]


class BoardOut(Schema):
    district: str
    generated_at: str
    generated_label: str
    level: str
    level_label: str
    occupancy: int
    arrivals_per_minute: float
    zones: list[BoardZone]
    alerts: list[BoardAlert]
    trend: BoardTrend


class EveningZone(Schema):
    zone: str
    zone_id: int
    capacity: int
    peak: int
    peak_at: dt.datetime | None
    entries: int
    exits: int
    minutes: dict[str, int]
    peak_percent: float


class EveningReportOut(Schema):
    day: dt.date
    start: dt.datetime
    end: dt.datetime
    zones: list[EveningZone]
    control_events: int
    alerts: int


class AlertOut(Schema):
    id: int
    zone_id: int
    level: str
    reason: str
    occupancy: int
    percent: Decimal
    density: Decimal
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    ack_note: str


class EventOut(Schema):
    id: int
    zone_id: int
    from_state: str
    to_state: str
    mode: str
    reason: str
    detail: str
    occupancy: int
    percent: Decimal
    created_at: dt.datetime


def _gate_out(gate) -> dict:
    return {"id": gate.pk, "zone_id": gate.zone_id, "code": gate.code, "name": gate.name,
            "device_id": gate.device_id, "is_active": gate.is_active,
            "topic": f"shangquan/{gate.district.code}/gates/{gate.code}/readings"}


def _zone_ref(user, district, pk: int | None):
    return selectors.zone_get(user=user, district=district, pk=pk) if pk else None


# --- zones -----------------------------------------------------------------------------
@router.get("crowd/zones", response=list[ZoneOut])
@paginate
def zones_list(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.zone_list(user=request.user, district=district)


@router.post("crowd/zones", response={201: ZoneOut})
def zones_create(request, code: PathStr, payload: ZoneIn):
    district = access_district(user=request.user, code=code)
    data = payload.dict(exclude_none=True)
    parent = _zone_ref(request.user, district, data.pop("parent_id", None))
    waiting = _zone_ref(request.user, district, data.pop("waiting_zone_id", None))
    extra = {k: v for k, v in data.items() if k not in {"name", "area_m2", "area_per_person",
                                                        "kind", "capacity"}}
    zone = services.zone_create(actor=request.user, district=district, name=data["name"],
                                kind=data["kind"], area_m2=data["area_m2"],
                                area_per_person=data["area_per_person"],
                                capacity=data.get("capacity"), parent=parent,
                                waiting_zone=waiting, **extra)
    return Status(201, zone)


@router.get("crowd/zones/{zone_id}", response=ZoneOut)
def zones_get(request, code: PathStr, zone_id: Id):
    district = access_district(user=request.user, code=code)
    return selectors.zone_get(user=request.user, district=district, pk=zone_id)


@router.patch("crowd/zones/{zone_id}", response=ZoneOut)
def zones_update(request, code: PathStr, zone_id: Id, payload: ZonePatch):
    district = access_district(user=request.user, code=code)
    zone = selectors.zone_get(user=request.user, district=district, pk=zone_id)
    changes = payload.dict(exclude_unset=True)
    for ref, name in (("parent_id", "parent"), ("waiting_zone_id", "waiting_zone")):
        if ref in changes:
            changes[name] = _zone_ref(request.user, district, changes.pop(ref))
    changes = {k: v for k, v in changes.items() if v is not None or k in ("parent",
                                                                         "waiting_zone")}
    return services.zone_update(actor=request.user, zone=zone, **changes)


@router.post("crowd/zones/{zone_id}/counts", response={201: CountOut})
def zones_count(request, code: PathStr, zone_id: Id, payload: CountIn):
    district = access_district(user=request.user, code=code)
    zone = selectors.zone_get(user=request.user, district=district, pk=zone_id)
    count = services.manual_count_record(actor=request.user, zone=zone,
                                         counted=payload.counted,
                                         counted_at=payload.counted_at, note=payload.note)
    return Status(201, {"id": count.pk, "zone_id": zone.pk, "counted": count.counted,
                        "counted_at": count.counted_at,
                        "occupancy_before": count.occupancy_before, "drift": count.drift,
                        "note": count.note})


@router.get("crowd/zones/{zone_id}/counts", response=list[CountOut])
@paginate
def zones_counts(request, code: PathStr, zone_id: Id) -> Any:
    district = access_district(user=request.user, code=code)
    zone = selectors.zone_get(user=request.user, district=district, pk=zone_id)
    return selectors.manual_count_list(user=request.user, district=district, zone=zone)


@router.post("crowd/zones/{zone_id}/reset", response=ZoneOut)
def zones_reset(request, code: PathStr, zone_id: Id, payload: ZoneNoteIn):
    """Occupancy to zero from now (before opening); earlier readings no longer count."""
    district = access_district(user=request.user, code=code)
    zone = selectors.zone_get(user=request.user, district=district, pk=zone_id)
    return services.zone_reset(actor=request.user, zone=zone, note=payload.note)


@router.post("crowd/zones/{zone_id}/override", response=ZoneOut)
def zones_override(request, code: PathStr, zone_id: Id, payload: OverrideIn):
    district = access_district(user=request.user, code=code)
    zone = selectors.zone_get(user=request.user, district=district, pk=zone_id)
    return services.zone_override(actor=request.user, zone=zone, control=payload.control,
                                  note=payload.note, minutes=payload.minutes)


@router.post("crowd/zones/{zone_id}/release", response=ZoneOut)
def zones_release(request, code: PathStr, zone_id: Id, payload: ZoneNoteIn):
    district = access_district(user=request.user, code=code)
    zone = selectors.zone_get(user=request.user, district=district, pk=zone_id)
    return services.zone_release(actor=request.user, zone=zone, note=payload.note)


@router.get("crowd/events", response=list[EventOut])
@paginate
def events_list(request, code: PathStr, filters: Query[EventFilter]) -> Any:
    district = access_district(user=request.user, code=code)
    zone = _zone_ref(request.user, district, filters.zone_id)
    return selectors.control_event_list(user=request.user, district=district, zone=zone)


# --- gates -----------------------------------------------------------------------------
@router.get("crowd/gates", response=list[GateOut])
@paginate
def gates_list(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)

    def row(gate):
        gate.district = district
        return _gate_out(gate)

    return Rows(selectors.gate_list(user=request.user, district=district), row)


@router.post("crowd/gates", response={201: GateCreated})
def gates_create(request, code: PathStr, payload: GateIn):
    district = access_district(user=request.user, code=code)
    zone = selectors.zone_get(user=request.user, district=district, pk=payload.zone_id)
    gate, raw = services.gate_create(actor=request.user, district=district, zone=zone,
                                     code=payload.code, name=payload.name)
    return Status(201, {**_gate_out(gate), "device_token": raw})


@router.patch("crowd/gates/{gate_id}", response=GateOut)
def gates_update(request, code: PathStr, gate_id: Id, payload: GatePatch):
    district = access_district(user=request.user, code=code)
    gate = selectors.gate_get(user=request.user, district=district, pk=gate_id)
    changes = payload.dict(exclude_none=True)
    if "zone_id" in changes:
        changes["zone"] = _zone_ref(request.user, district, changes.pop("zone_id"))
    return _gate_out(services.gate_update(actor=request.user, gate=gate, **changes))


@router.post("crowd/gates/{gate_id}/token", response={201: GateTokenOut})
def gates_token(request, code: PathStr, gate_id: Id):
    district = access_district(user=request.user, code=code)
    gate = selectors.gate_get(user=request.user, district=district, pk=gate_id)
    return Status(201, {"device_token": services.gate_token_rotate(actor=request.user,
                                                                   gate=gate)})


# --- readings (device tokens) -------------------------------------------------------------
@router.post("crowd/readings", response=IngestOut)
def readings_post(request, code: PathStr, payload: ReadingBatch):
    """A gate counter posts a batch of readings with its device token.

    Each reading is the people in and out since the counter's previous reading.
    Idempotent by (device, seq); a whole-request retry with the same
    ``Idempotency-Key`` gets the first answer.
    """
    device = request_device(request)
    if device is None:
        raise NotAuthenticated(_("需要设备令牌"), code="device_token_required")
    district = district_get_public(code=code)
    if device.district_id != district.pk:
        raise NotFound()
    result = services.readings_ingest(device=device,
                                      readings=[r.dict() for r in payload.readings])
    return result.as_dict()


# --- board, alerts, reports ------------------------------------------------------------------
@router.get("crowd/board", response=BoardOut)
def board(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.board(user=request.user, district=district)


@router.get("crowd/alerts", response=list[AlertOut])
@paginate
def alerts_list(request, code: PathStr, filters: Query[AlertFilter]) -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.alert_list(user=request.user, district=district,
                                open_only=filters.open_only)


@router.post("crowd/alerts/{alert_id}/ack", response=AlertOut)
def alerts_ack(request, code: PathStr, alert_id: Id, payload: ZoneNoteIn):
    district = access_district(user=request.user, code=code)
    alert = selectors.alert_get(user=request.user, district=district, pk=alert_id)
    return services.alert_acknowledge(actor=request.user, alert=alert, note=payload.note)


@router.get("crowd/report", response=EveningReportOut)

def report(request, code: PathStr, day: dt.date | None = None) -> Any:
    district = access_district(user=request.user, code=code)
    day = day or selectors.latest_evening(district=district)
    data = selectors.evening_report(user=request.user, district=district, day=day)
    for item in data["zones"]:
        item["minutes"] = {str(k): v for k, v in item["minutes"].items()}
    return data
