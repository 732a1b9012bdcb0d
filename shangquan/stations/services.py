"""Every write of the stations app: stations and amenities, faults that open one work
order, loans, parking occupancy (staff or devices), bookings of service-day slots with a
waiting list, rooms, and anti-lost wristbands.

Bookings take the slot row ``FOR UPDATE`` (on SQLite, the IMMEDIATE transaction is the
lock); the database refuses a second booking of a seat and a slot past its capacity
whatever the code does, and a second booking of a room's 30-minute block.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import SYSTEM, user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.district_settings import district_settings
from shangquan.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from shangquan.core.models import Department, Device, District
from shangquan.core.pii import phone_normalize
from shangquan.core.services import device_create, notification_send, token_issue
from shangquan.crowd.models import Zone
from shangquan.merchants.models import Merchant
from shangquan.merchants.policies import owned_merchant_ids, owns_merchant
from shangquan.workorders import services as workorders

from .models import (
    ROOM_BLOCK_MINUTES,
    Amenity,
    AmenityFault,
    AmenityKind,
    Booking,
    DutyPost,
    HoursException,
    Loan,
    ParkingReading,
    Room,
    RoomBlock,
    RoomBooking,
    Service,
    Slot,
    Station,
    Wristband,
    new_code,
)
from .selectors import booking_block
from .states import BOOKING

STATION_FIELDS = {"name", "kind", "kind_label", "latitude", "longitude", "address",
                  "host_kind", "host_name", "merchant", "department", "contact_phone",
                  "open_24h", "opens_at", "closes_at", "capacity", "note", "is_active"}
B = Booking.Status
ACTIVE = (B.BOOKED, B.WAITLISTED, B.ARRIVED)


def _conf(district: District) -> Any:
    return district_settings(district=district, app="stations")


def _full_clean(obj: Any, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)
    except DjangoValidationError as exc:
        details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        raise ValidationFailed(details=details) from None


def _same_district(district: District, *objs: Any) -> None:
    for obj in objs:
        if obj is not None and obj.district_id != district.pk:
            raise ValidationFailed(_("关联对象不属于该商圈"), code="wrong_district")


def _distance_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> float:
    """Great-circle distance in metres (haversine) between two WGS-84 points."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def _check_station(district: District, station: Station) -> None:
    try:
        station.latitude = Decimal(str(station.latitude)).quantize(Decimal("0.000001"))
        station.longitude = Decimal(str(station.longitude)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("坐标格式不正确"), code="outside_district") from None
    if not station.open_24h:
        if station.opens_at is None or station.closes_at is None:
            raise ValidationFailed(_("请填写开放和关闭时间，或选择 24 小时开放"),
                                   code="bad_hours")
        if station.opens_at == station.closes_at:
            raise ValidationFailed(_("开放时间与关闭时间不能相同（全天开放请选 24 小时）"),
                                   code="bad_hours")
    else:
        station.opens_at = station.closes_at = None
    if district.latitude is not None and district.longitude is not None:
        limit = _conf(district)["max_distance_m"]
        far = _distance_m(district.latitude, district.longitude, station.latitude,
                         station.longitude)
        if far > limit:
            raise ValidationFailed(
                _("坐标不在本商圈范围内（距中心 %(d).1f 公里，上限 %(m).1f 公里）")
                % {"d": far / 1000, "m": limit / 1000}, code="outside_district",
                details={"distance_m": round(far), "max_distance_m": limit})
    if station.capacity is not None and station.occupancy > station.capacity:
        station.occupancy = station.capacity
    if station.capacity is None:
        station.occupancy = 0
    if station.contact_phone:
        station.contact_phone = phone_normalize(station.contact_phone)


# --- stations and amenities ---------------------------------------------------------------
@audited("stations.station.create", "stations.amenity.set")
@transaction.atomic
def station_create(*, actor: Any, district: District, name: str, kind: str,
                   latitude: Any, longitude: Any, amenities: Iterable[str] = (),
                   **fields: Any) -> Station:
    policies.require(actor, "stations.manage", district)
    unknown = set(fields) - STATION_FIELDS
    if unknown:
        raise ValidationFailed(details={"unknown": sorted(unknown)})
    _same_district(district, fields.get("merchant"), fields.get("department"))
    station = Station(district=district, name=(name or "").strip(), kind=kind,
                      latitude=latitude, longitude=longitude, **fields)
    _check_station(district, station)
    _full_clean(station, exclude=["public_token"])
    station.save()
    audit_record(actor=actor, district=district, obj=station,
                 action="stations.station.create", after=snapshot(station))
    if amenities:
        amenity_set(actor=actor, station=station, kinds=amenities)
    return station


@audited("stations.station.update")
@transaction.atomic
def station_update(*, actor: Any, station: Station, **changes: Any) -> Station:
    policies.require(actor, "stations.manage", station.district)
    unknown = set(changes) - STATION_FIELDS
    if unknown:
        raise ValidationFailed(details={"unknown": sorted(unknown)})
    station = Station.objects.select_for_update(of=("self",)).select_related("district")\
        .get(pk=station.pk)
    before = snapshot(station)
    _same_district(station.district, changes.get("merchant"), changes.get("department"))
    for key, value in changes.items():
        setattr(station, key, value)
    _check_station(station.district, station)
    _full_clean(station)
    station.save()
    audit_record(actor=actor, district=station.district, obj=station,
                 action="stations.station.update", before=before, after=snapshot(station))
    return station


@audited("stations.hours.exception")
@transaction.atomic
def hours_exception_set(*, actor: Any, station: Station, day: dt.date, closed: bool = False,
                        opens_at: dt.time | None = None, closes_at: dt.time | None = None,
                        note: str = "") -> HoursException:
    """Holiday hours: closed, or other hours, on one day."""
    policies.require(actor, "stations.manage", station.district)
    if not closed and (opens_at is None or closes_at is None or opens_at == closes_at):
        raise ValidationFailed(_("请填写当日的开放和关闭时间，或设为当日关闭"), code="bad_hours")
    row, _created = HoursException.objects.update_or_create(
        district=station.district, station=station, day=day,
        defaults={"closed": closed, "opens_at": None if closed else opens_at,
                  "closes_at": None if closed else closes_at, "note": note[:60]})
    audit_record(actor=actor, district=station.district, obj=station,
                 action="stations.hours.exception", after=snapshot(row))
    return row


@audited("stations.hours.remove")
@transaction.atomic
def hours_exception_remove(*, actor: Any, exception: HoursException) -> None:
    """Back to the usual hours on that day."""
    policies.require(actor, "stations.manage", exception.district)
    before = snapshot(exception)
    audit_record(actor=actor, district=exception.district, obj=exception.station,
                 action="stations.hours.remove", before=before)
    exception.delete()


@audited("stations.amenity.set")
@transaction.atomic
def amenity_set(*, actor: Any, station: Station, kinds: Iterable[str]) -> list[Amenity]:
    """The station's inventory: adds the missing kinds, removes the ones no longer kept."""
    policies.require(actor, "stations.manage", station.district)
    wanted = list(dict.fromkeys(kinds))
    for kind in wanted:
        if kind not in AmenityKind.values:
            raise ValidationFailed(_("未知的便民设施"), code="unknown_amenity",
                                   details={"kind": kind})
    have = {a.kind: a for a in Amenity.objects.filter(station=station)}
    Amenity.objects.filter(station=station).exclude(kind__in=wanted).delete()
    for kind in wanted:
        if kind not in have:
            Amenity.objects.create(district=station.district, station=station, kind=kind)
    audit_record(actor=actor, district=station.district, obj=station,
                 action="stations.amenity.set", before={"amenities": sorted(have)},
                 after={"amenities": sorted(wanted)})
    return list(Amenity.objects.filter(station=station))


def _is_host(actor: Any, station: Station) -> bool:
    return station.merchant is not None and owns_merchant(actor, station.merchant)


@audited("stations.amenity.mark", "stations.amenity.fault", "*")
@transaction.atomic
def amenity_mark(*, actor: Any, amenity: Amenity, status: str, note: str = "") -> Amenity:
    """Staff or the host set an amenity's status; a fault opens (or joins) its work order."""
    district = amenity.district
    policies.require(actor, "stations.amenity.mark", district)
    if policies.has_role(actor, district, "merchant") and \
            not policies.has_role(actor, district, "committee", "department", "grid_leader") \
            and not _is_host(actor, amenity.station):
        raise PermissionDenied(_("只有站点的承办商户可以修改"))
    if status not in Amenity.Status.values:
        raise ValidationFailed(_("未知的设施状态"), code="unknown_amenity")
    if status != Amenity.Status.OK:
        return _fault(actor=actor, amenity=amenity, status=status, note=note)[0]
    amenity = Amenity.objects.select_for_update(of=("self",)).get(pk=amenity.pk)
    before = snapshot(amenity, ["status", "note"])
    amenity.status, amenity.note = status, note[:120]
    amenity.save(update_fields=["status", "note", "updated_at"])
    AmenityFault.objects.filter(amenity=amenity, resolved_at__isnull=True)\
        .update(resolved_at=timezone.now())
    audit_record(actor=actor, district=district, obj=amenity, action="stations.amenity.mark",
                 before=before, after=snapshot(amenity, ["status", "note"]))
    return amenity


@audited("stations.amenity.fault", "*")
def amenity_report(*, actor: Any, amenity: Amenity, status: str = Amenity.Status.OUT_OF_ORDER,
                   note: str = "", client_key: str = "") -> AmenityFault:
    """A visitor's report from the station's QR page ("饮水机坏了"): once per fault."""
    if status not in (Amenity.Status.OUT_OF_ORDER, Amenity.Status.OUT_OF_STOCK):
        raise ValidationFailed(_("未知的设施状态"), code="unknown_amenity")
    with transaction.atomic():
        return _fault(actor=actor, amenity=amenity, status=status, note=note,
                      client_key=client_key)[1]


def _fault(*, actor: Any, amenity: Amenity, status: str, note: str,
           client_key: str = "") -> tuple[Amenity, AmenityFault]:
    """Lock the amenity: the first report of a fault opens it and its work order; later
    reports of the same open fault only count."""
    amenity = Amenity.objects.select_for_update(of=("self",)).select_related(
        "station", "station__department", "district").get(pk=amenity.pk)
    district = amenity.district
    fault = AmenityFault.objects.filter(amenity=amenity, resolved_at__isnull=True).first()
    before = snapshot(amenity, ["status", "note"])
    if fault is not None:
        fault.reports += 1
        fault.save(update_fields=["reports"])
        audit_record(actor=actor, district=district, obj=fault,
                     action="stations.amenity.fault", after={"reports": fault.reports})
        return amenity, fault
    label = amenity.get_kind_display()
    description = _("%(station)s 的%(amenity)s%(status)s。%(note)s") % {
        "station": amenity.station.name, "amenity": label,
        "status": Amenity.Status(status).label, "note": note.strip()[:150]}
    order = workorders.work_order_submit(
        actor=SYSTEM, district=district, category_code="facilities", description=description,
        channel="resident", latitude=amenity.station.latitude,
        longitude=amenity.station.longitude, address=amenity.station.name,
        client_key=client_key)
    if amenity.station.department is not None:
        order = workorders.work_order_dispatch(
            actor=SYSTEM, district=district, order=order,
            department=amenity.station.department, note=_("便民设施报修，站点自动派单"))
    fault = AmenityFault.objects.create(district=district, amenity=amenity, status=status,
                                        first_note=note[:200], work_order_id=order.pk,
                                        work_order_number=order.number)
    amenity.status, amenity.note = status, note[:120]
    amenity.save(update_fields=["status", "note", "updated_at"])
    audit_record(actor=actor, district=district, obj=amenity, action="stations.amenity.fault",
                 before=before, after={**snapshot(amenity, ["status", "note"]),
                                       "work_order": order.number})
    return amenity, fault


# --- loans ----------------------------------------------------------------------------------
@audited("stations.loan.lend")
@transaction.atomic
def loan_lend(*, actor: Any, station: Station, item: str, borrower_name: str = "",
              borrower_phone: str = "", hours: int | None = None) -> Loan:
    policies.require(actor, "stations.loan.manage", station.district)
    if item not in Loan.Item.values:
        raise ValidationFailed(_("未知的借用物品"), code="unknown_amenity")
    now = timezone.now()
    hours = hours or _conf(station.district)["loan_hours"]
    loan = Loan(district=station.district, station=station, item=item,
                borrower_name=borrower_name.strip()[:40],
                borrower_phone=phone_normalize(borrower_phone) if borrower_phone else "",
                lent_at=now, due_at=now + dt.timedelta(hours=hours), lent_by=user_of(actor))
    loan.save()
    audit_record(actor=actor, district=station.district, obj=loan, action="stations.loan.lend",
                 after=snapshot(loan, ["item", "due_at"]))
    return loan


@audited("stations.loan.return")
@transaction.atomic
def loan_return(*, actor: Any, loan: Loan) -> Loan:
    policies.require(actor, "stations.loan.manage", loan.district)
    loan = Loan.objects.select_for_update(of=("self",)).get(pk=loan.pk)
    if loan.returned_at is not None:
        raise Conflict(_("该物品已归还"), code="already_booked")
    loan.returned_at = timezone.now()
    loan.save(update_fields=["returned_at"])
    audit_record(actor=actor, district=loan.district, obj=loan, action="stations.loan.return",
                 after={"returned_at": loan.returned_at})
    return loan


# --- parking and charging occupancy ---------------------------------------------------------------
@audited("stations.occupancy.set")
@transaction.atomic
def occupancy_set(*, actor: Any, station: Station, occupancy: int) -> Station:
    """Staff count a rider parking point, a car park or the charging cabinet."""
    policies.require(actor, "stations.occupancy.set", station.district)
    station = Station.objects.select_for_update(of=("self",)).get(pk=station.pk)
    if station.capacity is None:
        raise ValidationFailed(_("该站点不统计车位/仓位"), code="not_counted")
    if not 0 <= int(occupancy) <= station.capacity:
        raise ValidationFailed(_("占用数须在 0 到 %(c)d 之间") % {"c": station.capacity},
                               code="occupancy_range")
    before = station.occupancy
    station.occupancy, station.occupancy_at = int(occupancy), timezone.now()
    station.save(update_fields=["occupancy", "occupancy_at"])
    audit_record(actor=actor, district=station.district, obj=station,
                 action="stations.occupancy.set", before={"occupancy": before},
                 after={"occupancy": station.occupancy})
    return station


@audited("stations.device.issue")
@transaction.atomic
def station_device_issue(*, actor: Any, station: Station) -> str:
    """A counter device for a parking point or cabinet; its token is shown once."""
    policies.require(actor, "stations.manage", station.district)
    station = Station.objects.select_for_update(of=("self",)).get(pk=station.pk)
    if station.capacity is None:
        raise ValidationFailed(_("该站点不统计车位/仓位"), code="not_counted")
    if station.device_id is None:
        device, raw = device_create(actor=actor, district=station.district,
                                    name=f"车位计数-{station.pk}", kind=Device.Kind.GATE_COUNTER)
        station.device = device
        station.save(update_fields=["device"])
    else:
        station.device.tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        _token, raw = token_issue(actor=actor, device=station.device,
                                  name=f"device:{station.device.name}")
    audit_record(actor=actor, district=station.district, obj=station,
                 action="stations.device.issue")
    return raw


def _parse_ts(value: Any) -> dt.datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    ts = value if isinstance(value, dt.datetime) else parse_datetime(str(value or ""))
    if ts is None:
        raise ValueError("ts")
    return timezone.make_aware(ts) if timezone.is_naive(ts) else ts


@audited("stations.occupancy.reading")
def parking_readings_ingest(*, device: Device | None,
                            readings: list[Mapping[str, Any]]) -> dict:
    """The crowd gates' protocol: a batch of ``{seq, ts, entries, exits}`` deltas with a
    device token, stored once per (device, seq); occupancy moves within 0..capacity."""
    if device is None:
        raise NotAuthenticated(_("需要设备令牌"), code="device_token_required")
    station = Station.objects.filter(device=device, is_active=True).first()
    if station is None or not device.is_active:
        raise PermissionDenied(_("该设备未绑定车位点"), code="not_a_counter")
    parsed = []
    try:
        for item in readings[:1000]:
            seq, entries, exits = int(item["seq"]), int(item.get("entries", 0)), \
                int(item.get("exits", 0))
            if seq < 0 or not (0 <= entries <= 10_000) or not (0 <= exits <= 10_000):
                raise ValueError("range")
            parsed.append((seq, _parse_ts(item["ts"]), entries, exits))
    except (KeyError, TypeError, ValueError, OverflowError, AttributeError):
        raise ValidationFailed(_("读数格式有误"), code="bad_readings") from None
    accepted = duplicates = 0
    with transaction.atomic():
        station = Station.objects.select_for_update(of=("self",)).get(pk=station.pk)
        known = set(ParkingReading.objects.filter(
            district_id=station.district_id, device=device,
            seq__in=[p[0] for p in parsed]).values_list("seq", flat=True))
        delta, before = 0, station.occupancy
        for seq, ts, entries, exits in parsed:
            if seq in known:
                duplicates += 1
                continue
            known.add(seq)
            ParkingReading.objects.create(district_id=station.district_id, station=station,
                                          device=device, seq=seq, ts=ts, entries=entries,
                                          exits=exits)
            delta += entries - exits
            accepted += 1
        station.occupancy = max(0, min(station.capacity or 0, station.occupancy + delta))
        station.occupancy_at = timezone.now()
        station.save(update_fields=["occupancy", "occupancy_at"])
        if accepted:
            audit_record(actor=SYSTEM, actor_label=f"device:{device.name}", district=station.district,
                         obj=station, action="stations.occupancy.reading",
                         before={"occupancy": before}, after={"occupancy": station.occupancy,
                                                              "readings": accepted})
    return {"station": station.pk, "accepted": accepted, "duplicates": duplicates,
            "occupancy": station.occupancy, "capacity": station.capacity,
            "free": station.free}


# --- services and slots ---------------------------------------------------------------------
@audited("stations.service.create")
@transaction.atomic
def service_create(*, actor: Any, station: Station, name: str, weekday: int,
                   starts_at: dt.time, ends_at: dt.time, department: Department | None = None,
                   slot_minutes: int = 30, capacity: int = 1, checklist: Iterable[str] = (),
                   kind: str = Service.Kind.SERVICE_DAY, day_name: str = "",
                   topic: str = "") -> Service:
    policies.require(actor, "stations.manage", station.district)
    _same_district(station.district, department)
    if ends_at <= starts_at:
        raise ValidationFailed(_("结束时间须晚于开始时间"), code="bad_hours")
    service = Service(district=station.district, station=station, department=department,
                      name=name.strip(), weekday=weekday, starts_at=starts_at,
                      ends_at=ends_at, slot_minutes=slot_minutes, capacity=capacity,
                      checklist=[str(c).strip() for c in checklist if str(c).strip()],
                      kind=kind, day_name=day_name, topic=topic)
    _full_clean(service)
    service.save()
    audit_record(actor=actor, district=station.district, obj=service,
                 action="stations.service.create", after=snapshot(service))
    return service


SERVICE_FIELDS = {"name", "day_name", "kind", "topic", "weekday", "starts_at", "ends_at",
                  "slot_minutes", "capacity", "checklist", "department", "is_active"}


@audited("stations.service.update")
@transaction.atomic
def service_update(*, actor: Any, service: Service, **changes: Any) -> Service:
    """Change a service; slots already made keep their desks (their bookings stand)."""
    policies.require(actor, "stations.manage", service.district)
    unknown = set(changes) - SERVICE_FIELDS
    if unknown:
        raise ValidationFailed(details={"unknown": sorted(unknown)})
    service = Service.objects.select_for_update(of=("self",)).select_related("district")\
        .get(pk=service.pk)
    _same_district(service.district, changes.get("department"))
    before = snapshot(service)
    for key, value in changes.items():
        if key == "checklist":
            value = [str(c).strip() for c in value if str(c).strip()]
        elif key == "name":
            value = str(value).strip()
        setattr(service, key, value)
    if service.ends_at <= service.starts_at:
        raise ValidationFailed(_("结束时间须晚于开始时间"), code="bad_hours")
    _full_clean(service)
    service.save()
    audit_record(actor=actor, district=service.district, obj=service,
                 action="stations.service.update", before=before, after=snapshot(service))
    return service


def _slot_for(service: Service, starts_at: dt.datetime) -> Slot:
    """The slot row (made on first use), locked."""
    local = timezone.localtime(starts_at)
    if local.time() not in service.slot_starts(local.date()) or local.second or \
            local.microsecond:
        raise ValidationFailed(_("该时间不是可预约的时段"), code="not_a_slot")
    start = local.astimezone(dt.UTC)
    end = start + dt.timedelta(minutes=service.slot_minutes)
    try:
        with transaction.atomic():
            Slot.objects.get_or_create(district_id=service.district_id, service=service,
                                       starts_at=start,
                                       defaults={"ends_at": end, "capacity": service.capacity})
    except IntegrityError:
        pass  # made by a concurrent booking: lock it below
    return Slot.objects.select_for_update(of=("self",)).get(
        district_id=service.district_id, service=service, starts_at=start)


def _merchant_of(actor: Any, district: District) -> Merchant | None:
    return Merchant.objects.filter(district=district,
                                   pk__in=owned_merchant_ids(actor, district)).first()


@audited("stations.booking.book", "stations.booking.waitlist")
def booking_create(*, actor: Any, service: Service, starts_at: dt.datetime, name: str = "",
                   phone: str = "", now: dt.datetime | None = None) -> Booking:
    """Book a slot: a free seat if one is left, else the next place on its waiting list."""
    district = service.district
    policies.require(actor, "stations.book", district)
    if not service.is_active:
        raise NotFound()
    now = now or timezone.now()
    conf = _conf(district)
    if starts_at < now + dt.timedelta(minutes=conf["min_notice_minutes"]):
        raise ValidationFailed(
            _("请至少提前 %(m)d 分钟预约") % {"m": conf["min_notice_minutes"]},
            code="too_late")
    if starts_at > now + dt.timedelta(days=conf["book_days_ahead"]):
        raise ValidationFailed(
            _("只能预约 %(d)d 天内的时段") % {"d": conf["book_days_ahead"]}, code="too_early")
    until = booking_block(district=district, user=actor, now=now)
    if until is not None:
        raise Conflict(_("近 90 天爽约已达 %(n)d 次，%(t)s 前暂停预约") % {
            "n": conf["no_show_limit"],
            "t": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")},
            code="booking_blocked", details={"until": until.isoformat()})
    merchant = _merchant_of(actor, district)
    phone = phone_normalize(phone) if phone else ""
    with transaction.atomic():
        if merchant is not None:
            # the shop's limit counts every one of its people: its row is the lock (taken
            # before the slot's, always in this order), so two of them booking at once
            # cannot both take the last place
            Merchant.objects.select_for_update(of=("self",)).filter(pk=merchant.pk).first()
        slot = _slot_for(service, starts_at)
        active = Booking.objects.filter(district=district, user=actor, status__in=ACTIVE,
                                        slot__starts_at__gt=now)
        if active.filter(slot=slot).exists():
            raise Conflict(_("您已预约了这个时段"), code="already_booked")
        if active.count() >= conf["max_active_bookings"]:
            raise Conflict(_("每人同时最多 %(n)d 个有效预约，请先办理或取消已有的预约")
                           % {"n": conf["max_active_bookings"]}, code="booking_limit")
        if merchant is not None:
            shop = Booking.objects.filter(district=district, merchant=merchant,
                                          status__in=ACTIVE, slot__starts_at__gt=now).count()
            if shop >= conf["max_active_per_merchant"]:
                raise Conflict(
                    _("商户“%(m)s”已有 %(k)d 个有效预约（每户最多 %(n)d 个），请先办理或取消")
                    % {"m": merchant.name, "k": shop, "n": conf["max_active_per_merchant"]},
                    code="merchant_booking_limit",
                    details={"merchant": merchant.pk, "active": shop,
                             "limit": conf["max_active_per_merchant"]})
        booking = Booking(district=district, slot=slot, user=user_of(actor), merchant=merchant,
                          name=(name or (merchant.name if merchant else "")
                                or actor.get_username())[:60], phone=phone)
        if slot.booked < slot.capacity:
            taken = set(slot.bookings.filter(seat__isnull=False).values_list("seat", flat=True))
            booking.seat = min(set(range(1, slot.capacity + 1)) - taken)
            booking.status = B.BOOKED
            slot.booked += 1
            slot.save(update_fields=["booked"])
            action = "stations.booking.book"
        else:
            last = slot.bookings.aggregate(n=Max("queue_no"))["n"] or 0
            booking.status, booking.queue_no = B.WAITLISTED, last + 1
            action = "stations.booking.waitlist"
        booking.code = _unique_code(Booking, district)
        booking.save()
        audit_record(actor=actor, district=district, obj=booking, action=action,
                     after=snapshot(booking, ["status", "seat", "queue_no", "code"]))
    return booking


def _unique_code(model: Any, district: District) -> str:
    for _i in range(10):
        code = new_code()
        if not model.objects.filter(district=district, code=code).exists():
            return code
    return new_code(8)


def _promote(*, actor: Any, slot: Slot, now: dt.datetime) -> Booking | None:
    """The first on the waiting list takes the freed seat, held for ``hold_minutes``."""
    if slot.booked >= slot.capacity:
        return None
    nxt = slot.bookings.filter(status=B.WAITLISTED).order_by("queue_no").first()
    if nxt is None:
        return None
    taken = set(slot.bookings.filter(seat__isnull=False).values_list("seat", flat=True))
    BOOKING.apply(nxt, "promote")
    nxt.seat, nxt.queue_no = min(set(range(1, slot.capacity + 1)) - taken), None
    nxt.hold_until = now + dt.timedelta(minutes=_conf(slot.district)["hold_minutes"])
    nxt.save()
    slot.booked += 1
    slot.save(update_fields=["booked"])
    audit_record(actor=actor, district=slot.district, obj=nxt,
                 action="stations.booking.promote",
                 after={"seat": nxt.seat, "hold_until": nxt.hold_until})
    if nxt.user_id:
        notification_send(
            district=slot.district, user=nxt.user,
            title=_("候补成功：%(s)s %(t)s") % {
                "s": slot.service.name,
                "t": timezone.localtime(slot.starts_at).strftime("%m-%d %H:%M")},
            body=_("请在 %(h)s 前确认，否则名额让给下一位。确认码 %(c)s") % {
                "h": timezone.localtime(nxt.hold_until).strftime("%m-%d %H:%M"),
                "c": nxt.code})
    return nxt


def _release(*, actor: Any, booking: Booking, action: str, now: dt.datetime) -> Booking:
    """Move a booking off its seat (cancel, no-show, lapsed hold) and promote the next."""
    slot = Slot.objects.select_for_update(of=("self",)).select_related("district", "service")\
        .get(pk=booking.slot_id)
    booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
    before = snapshot(booking, ["status", "seat", "queue_no"])
    had_seat = booking.seat is not None
    BOOKING.apply(booking, {"stations.booking.cancel": "cancel",
                            "stations.booking.no_show": "no_show",
                            "stations.booking.hold_expired": "cancel"}[action])
    booking.seat = booking.queue_no = None
    booking.hold_until = None
    booking.save()
    if had_seat:
        slot.booked -= 1
        slot.save(update_fields=["booked"])
    audit_record(actor=actor, district=slot.district, obj=booking, action=action,
                 before=before, after=snapshot(booking, ["status", "seat", "queue_no"]))
    if had_seat and slot.starts_at > now:
        _promote(actor=actor, slot=slot, now=now)
    return booking


@audited("stations.booking.cancel", "stations.booking.promote")
@transaction.atomic
def booking_cancel(*, actor: Any, booking: Booking, now: dt.datetime | None = None) -> Booking:
    now = now or timezone.now()
    policies.require(actor, "stations.booking.cancel", booking)
    notice = _conf(booking.district)["cancel_notice_minutes"]
    if booking.slot.starts_at - now < dt.timedelta(minutes=notice) and \
            not policies.has_role(actor, booking.district, "committee"):
        raise Conflict(_("开始前 %(m)d 分钟内不能取消") % {"m": notice}, code="cancel_too_late")
    return _release(actor=actor, booking=booking, action="stations.booking.cancel", now=now)


@audited("stations.booking.confirm")
@transaction.atomic
def booking_confirm(*, actor: Any, booking: Booking, now: dt.datetime | None = None) -> Booking:
    """The promoted booker keeps the seat: the hold ends."""
    now = now or timezone.now()
    policies.require(actor, "stations.booking.cancel", booking)  # the same people
    booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
    if booking.status != B.BOOKED or booking.hold_until is None:
        raise Conflict(_("该预约无需确认"), code="hold_expired")
    if booking.hold_until < now:
        raise Conflict(_("保留时间已过"), code="hold_expired")
    booking.hold_until = None
    booking.save(update_fields=["hold_until", "updated_at"])
    audit_record(actor=actor, district=booking.district, obj=booking,
                 action="stations.booking.confirm")
    return booking


@audited("stations.booking.hold_expired", "stations.booking.promote")
@transaction.atomic
def holds_expire(*, now: dt.datetime | None = None) -> int:
    """Promoted bookings not confirmed in time go to the next on the list."""
    now = now or timezone.now()
    n = 0
    for booking in Booking.objects.filter(status=B.BOOKED, hold_until__lt=now)\
            .order_by("pk")[:500]:
        _release(actor=SYSTEM, booking=booking, action="stations.booking.hold_expired", now=now)
        n += 1
    return n


@audited("stations.booking.arrive", "stations.booking.finish", "stations.booking.no_show",
         "stations.booking.promote")
@transaction.atomic
def booking_mark(*, actor: Any, booking: Booking, action: str, outcome: str = "",
                 notes: str = "", now: dt.datetime | None = None) -> Booking:
    """The desk: arrived, done (with an outcome and the expert's notes) or no-show."""
    now = now or timezone.now()
    if action not in ("arrive", "finish", "no_show"):
        raise ValidationFailed(_("未知操作"), code="not_a_slot")
    policies.require(actor, f"stations.booking.{action}", booking)
    if action == "no_show":
        return _release(actor=actor, booking=booking, action="stations.booking.no_show",
                        now=now)
    booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
    before = snapshot(booking, ["status", "outcome"])
    if action == "finish":
        if outcome not in Booking.Outcome.values:
            raise ValidationFailed(_("请选择办理结果"), code="outcome_required")
        booking.outcome, booking.notes = outcome, notes.strip()[:2000]
    BOOKING.apply(booking, action)
    booking.hold_until = None
    booking.save()
    audit_record(actor=actor, district=booking.district, obj=booking,
                 action=f"stations.booking.{action}", before=before,
                 after=snapshot(booking, ["status", "outcome"]))
    return booking


@audited("stations.booking.walk_in")
@transaction.atomic
def booking_walk_in(*, actor: Any, service: Service, name: str, phone: str = "",
                    now: dt.datetime | None = None) -> Booking:
    """A walk-in joins today's queue at the current (or next) slot without taking a seat."""
    policies.require(actor, "stations.desk", service.district)
    now = now or timezone.now()
    local = timezone.localtime(now)
    starts = service.slot_starts(local.date())
    if not starts:
        raise ValidationFailed(_("今天不是该事项的服务日"), code="not_a_slot")
    current = [t for t in starts if dt.datetime.combine(local.date(), t) <= local.replace(
        tzinfo=None)] or starts[:1]
    start = timezone.make_aware(dt.datetime.combine(local.date(), current[-1]))
    slot = _slot_for(service, start)
    booking = Booking.objects.create(
        district=service.district, slot=slot, name=name.strip()[:60] or _("现场"),
        phone=phone_normalize(phone) if phone else "", status=B.ARRIVED, walk_in=True,
        code=_unique_code(Booking, service.district))
    audit_record(actor=actor, district=service.district, obj=booking,
                 action="stations.booking.walk_in", after={"code": booking.code})
    return booking


@audited("stations.booking.remind")
@transaction.atomic
def reminders_send(*, now: dt.datetime | None = None) -> int:
    """24 h and 1 h before: one in-app message (and SMS to a verified phone) each."""
    now = now or timezone.now()
    sent = 0
    for hours, flag in ((24, "reminded_24h"), (1, "reminded_1h")):
        due = Booking.objects.select_for_update(of=("self",)).filter(
            status=B.BOOKED, user__isnull=False, slot__starts_at__gt=now,
            slot__starts_at__lte=now + dt.timedelta(hours=hours), **{flag: False})\
            .select_related("slot__service__station", "district", "user")[:500]
        for booking in due:
            slot = booking.slot
            notification_send(
                district=booking.district, user=booking.user, sms=True,
                title=_("预约提醒：%(s)s %(t)s") % {
                    "s": slot.service.name,
                    "t": timezone.localtime(slot.starts_at).strftime("%m-%d %H:%M")},
                body=_("地点：%(p)s。确认码 %(c)s。请带齐材料：%(l)s") % {
                    "p": slot.service.station.name, "c": booking.code,
                    "l": "、".join(slot.service.checklist) or _("无")})
            setattr(booking, flag, True)
            if hours == 24:
                booking.reminded_24h = True
            booking.save(update_fields=["reminded_24h", "reminded_1h"])
            audit_record(actor=SYSTEM, district=booking.district, obj=booking,
                         action="stations.booking.remind", after={"hours": hours})
            sent += 1
    return sent


# --- rooms ---------------------------------------------------------------------------------------
@audited("stations.room.create")
@transaction.atomic
def room_create(*, actor: Any, station: Station, name: str, kind: str,
                seats: int = 10) -> Room:
    policies.require(actor, "stations.room.manage", station.district)
    room = Room(district=station.district, station=station, name=name.strip(), kind=kind,
                seats=seats)
    _full_clean(room)
    room.save()
    audit_record(actor=actor, district=station.district, obj=room,
                 action="stations.room.create", after=snapshot(room))
    return room


ROOM_FIELDS = {"name", "kind", "seats", "is_active"}


@audited("stations.room.update")
@transaction.atomic
def room_update(*, actor: Any, room: Room, **changes: Any) -> Room:
    """Rename, resize or close a room; bookings already made stand."""
    policies.require(actor, "stations.room.manage", room.district)
    unknown = set(changes) - ROOM_FIELDS
    if unknown:
        raise ValidationFailed(details={"unknown": sorted(unknown)})
    room = Room.objects.select_for_update(of=("self",)).select_related("district")\
        .get(pk=room.pk)
    before = snapshot(room)
    for key, value in changes.items():
        setattr(room, key, value.strip() if key == "name" else value)
    _full_clean(room)
    room.save()
    audit_record(actor=actor, district=room.district, obj=room, action="stations.room.update",
                 before=before, after=snapshot(room))
    return room


def _blocks(starts_at: dt.datetime, ends_at: dt.datetime) -> list[dt.datetime]:
    step = dt.timedelta(minutes=ROOM_BLOCK_MINUTES)
    if starts_at.second or starts_at.microsecond or starts_at.minute % ROOM_BLOCK_MINUTES \
            or ends_at.second or ends_at.microsecond or ends_at.minute % ROOM_BLOCK_MINUTES:
        raise ValidationFailed(_("场地按半小时预订（整点或半点开始和结束）"), code="room_time")
    if ends_at <= starts_at or ends_at - starts_at > dt.timedelta(hours=12):
        raise ValidationFailed(_("结束须晚于开始，且一次最多 12 小时"), code="room_time")
    out, t = [], starts_at
    while t < ends_at:
        out.append(t)
        t += step
    return out


@audited("stations.room.book")
def room_book(*, actor: Any, room: Room, starts_at: dt.datetime, ends_at: dt.datetime,
              title: str, source: str = "", now: dt.datetime | None = None) -> RoomBooking:
    """Book a room; an overlap with any booking is refused (the blocks' unique index)."""
    district = room.district
    policies.require(actor, "stations.room.book", district)
    now = now or timezone.now()
    if not room.is_active:
        raise NotFound()
    blocks = _blocks(starts_at, ends_at)
    if starts_at < now:
        raise ValidationFailed(_("不能预订过去的时间"), code="room_time")
    if not title.strip():
        raise ValidationFailed(_("请填写用途"), code="room_time")
    try:
        with transaction.atomic():
            Room.objects.select_for_update(of=("self",)).filter(pk=room.pk).first()
            if RoomBlock.objects.filter(room=room, starts_at__in=blocks).exists():
                raise IntegrityError("taken")
            booking = RoomBooking.objects.create(
                district=district, room=room, user=user_of(actor), title=title.strip()[:80],
                source=source[:60], starts_at=starts_at, ends_at=ends_at,
                code=_unique_code(RoomBooking, district))
            RoomBlock.objects.bulk_create([RoomBlock(district=district, room=room,
                                                     booking=booking, starts_at=b)
                                           for b in blocks])
            audit_record(actor=actor, district=district, obj=booking,
                         action="stations.room.book",
                         after=snapshot(booking, ["title", "starts_at", "ends_at", "code"]))
    except IntegrityError:
        raise Conflict(_("该时段场地已被预订"), code="room_taken") from None
    return booking


@audited("stations.room.cancel")
@transaction.atomic
def room_cancel(*, actor: Any, booking: RoomBooking) -> RoomBooking:
    district = booking.district
    if booking.user_id != getattr(actor, "pk", None):
        policies.require(actor, "stations.room.manage", district)
    booking = RoomBooking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
    if booking.status == RoomBooking.Status.CANCELLED:
        return booking
    booking.status = RoomBooking.Status.CANCELLED
    booking.save(update_fields=["status"])
    booking.blocks.all().delete()
    audit_record(actor=actor, district=district, obj=booking, action="stations.room.cancel")
    return booking


# --- wristbands ---------------------------------------------------------------------------------
def _evening_end(now: dt.datetime) -> dt.datetime:
    """06:00 the next morning (the evening's end, as the crowd report day)."""
    local = timezone.localtime(now)
    day = local.date() + dt.timedelta(days=1 if local.hour >= 6 else 0)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(6, 0)))


@audited("stations.wristband.register")
@transaction.atomic
def wristband_register(*, actor: Any, station: Station, number: str, guardian_phone: str,
                       child_note: str = "", now: dt.datetime | None = None) -> Wristband:
    policies.require(actor, "stations.wristband.register", station.district)
    now = now or timezone.now()
    number = (number or "").strip().upper()
    if not number or len(number) > 12:
        raise ValidationFailed(_("请填写手环编号"), code="wristband_number")
    phone = phone_normalize(guardian_phone)
    try:
        with transaction.atomic():
            band = Wristband.objects.create(district=station.district, station=station,
                                            number=number, guardian_phone=phone,
                                            child_note=child_note.strip()[:40],
                                            purge_after=_evening_end(now))
    except IntegrityError:
        raise Conflict(_("该手环编号今晚已登记"), code="wristband_taken") from None
    audit_record(actor=actor, district=station.district, obj=band,
                 action="stations.wristband.register", after={"number": number})
    return band


@audited("stations.wristband.lookup")
def wristband_lookup(*, actor: Any, district: District, number: str) -> Wristband:
    """Staff who found a child read the guardian's phone; every look-up is audited,
    found or not (the row commits before "not found" is answered)."""
    policies.require(actor, "stations.wristband.lookup", district)
    number = (number or "").strip().upper()[:12]
    with transaction.atomic():
        band = Wristband.objects.filter(district=district, number=number)\
            .select_related("station").first()
        audit_record(actor=actor, district=district, obj=band,
                     object_type="stations.wristband", object_id=number,
                     action="stations.wristband.lookup", after={"found": band is not None})
        if band is not None and band.found_at is None:
            band.found_at = timezone.now()
            band.save(update_fields=["found_at"])
    if band is None:
        raise NotFound(_("没有找到该手环编号"))
    return band


@audited("stations.wristband.purge")
@transaction.atomic
def wristbands_purge(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    old = Wristband.objects.filter(purge_after__lte=now)
    per_district: dict[int, int] = {}
    for district_id in old.values_list("district_id", flat=True):
        per_district[district_id] = per_district.get(district_id, 0) + 1
    if not per_district:
        return 0
    n = old.delete()[0]
    for district_id, count in per_district.items():
        audit_record(actor=SYSTEM, district=District.objects.get(pk=district_id),
                     action="stations.wristband.purge", object_type="stations.wristband",
                     after={"purged": count})
    return n


# --- duty posts -----------------------------------------------------------------------------------
def _duty_window(post: DutyPost, early_minutes: int = 60) -> tuple[dt.datetime, dt.datetime]:
    """From an hour before the post starts until it ends (past midnight: the next day)."""
    start = timezone.make_aware(dt.datetime.combine(post.day, post.starts_at))
    end_day = post.day + dt.timedelta(days=1 if post.ends_at <= post.starts_at else 0)
    end = timezone.make_aware(dt.datetime.combine(end_day, post.ends_at))
    return start - dt.timedelta(minutes=early_minutes), end


@audited("stations.duty.create")
@transaction.atomic
def duty_post_create(*, actor: Any, district: District, day: dt.date, starts_at: dt.time,
                     ends_at: dt.time, post: str, unit: str, person_name: str,
                     group: str = DutyPost.Group.STATION, station: Station | None = None,
                     zone: Zone | None = None, user: Any = None) -> DutyPost:
    """Who stands where, from which unit, on one evening: at a station or a waiting line."""
    policies.require(actor, "stations.duty.manage", district)
    _same_district(district, station, zone)
    if station is None and zone is None:
        raise ValidationFailed(_("请选择站点或等候区"), code="duty_post_incomplete")
    post, unit, person_name = (post or "").strip(), (unit or "").strip(), \
        (person_name or "").strip()
    if not post or not unit or not person_name:
        raise ValidationFailed(_("请填写岗位、单位和值班人员"), code="duty_post_incomplete")
    if starts_at == ends_at:
        raise ValidationFailed(_("上岗与下岗时间不能相同"), code="bad_hours")
    if group not in DutyPost.Group.values:
        raise ValidationFailed(_("未知的队伍"), code="duty_post_incomplete")
    if user is not None and not policies.is_member(user, district):
        raise ValidationFailed(_("关联对象不属于该商圈"), code="wrong_district")
    row = DutyPost(district=district, station=station, zone=zone, day=day, starts_at=starts_at,
                   ends_at=ends_at, post=post[:60], unit=unit[:60],
                   person_name=person_name[:40], group=group, user=user)
    if DutyPost.objects.filter(district=district, day=day, post=row.post,
                               person_name=row.person_name, starts_at=starts_at).exists():
        raise Conflict(_("该人员已安排在这个岗位和时间"), code="duty_post_exists")
    _full_clean(row, exclude=["user", "checked_in_by"])
    row.save()
    audit_record(actor=actor, district=district, obj=row, action="stations.duty.create",
                 after=snapshot(row, ["day", "starts_at", "ends_at", "post", "group", "unit",
                                      "person_name"]))
    return row


@audited("stations.duty.check_in")
@transaction.atomic
def duty_post_check_in(*, actor: Any, post: DutyPost,
                       now: dt.datetime | None = None) -> DutyPost:
    """到岗: the person on the post (or the committee for them), within its hours."""
    now = now or timezone.now()
    policies.require(actor, "stations.duty.check_in", post)
    post = DutyPost.objects.select_for_update(of=("self",)).select_related("district")\
        .get(pk=post.pk)
    if post.checked_in_at is not None:
        raise Conflict(_("已到岗签到"), code="already_checked_in")
    opens, closes = _duty_window(post)
    if not opens <= now <= closes:
        raise ValidationFailed(
            _("只能在上岗前 1 小时至下岗之间签到（%(a)s–%(b)s）") % {
                "a": timezone.localtime(opens).strftime("%m-%d %H:%M"),
                "b": timezone.localtime(closes).strftime("%m-%d %H:%M")},
            code="duty_not_now")
    post.checked_in_at, post.checked_in_by = now, user_of(actor)
    post.save(update_fields=["checked_in_at", "checked_in_by"])
    audit_record(actor=actor, district=post.district, obj=post,
                 action="stations.duty.check_in", after={"checked_in_at": now})
    return post


@audited("stations.duty.remove")
@transaction.atomic
def duty_post_remove(*, actor: Any, post: DutyPost) -> None:
    policies.require(actor, "stations.duty.manage", post.district)
    audit_record(actor=actor, district=post.district, obj=post, action="stations.duty.remove",
                 before=snapshot(post, ["day", "starts_at", "post", "unit", "person_name"]))
    post.delete()
