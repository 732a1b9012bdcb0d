"""Reads, always scoped by district. Staff reads take the user and check the policy;
public reads (map, station page, slots) show nothing personal."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.district_settings import district_settings
from shangquan.core.errors import NotFound
from shangquan.core.models import Department, District
from shangquan.core.selectors import access_scoped
from shangquan.crowd.models import Zone
from shangquan.crowd.selectors import board_data

from .models import (
    COUNTED_KINDS,
    Amenity,
    AmenityFault,
    Booking,
    DutyPost,
    HoursException,
    Loan,
    ParkingReading,
    Room,
    RoomBooking,
    Service,
    Slot,
    Station,
    StationKind,
    Wristband,
)

B = Booking.Status


def _distance_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> float:
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def hours_today(station: Station, exception: HoursException | None
                ) -> tuple[bool, dt.time | None, dt.time | None]:
    """(24 h, opens, closes) for a day; (False, None, None) when closed that day."""
    if exception is not None:
        if exception.closed:
            return False, None, None
        return False, exception.opens_at, exception.closes_at
    return station.open_24h, station.opens_at, station.closes_at


def is_open(station: Station, now: dt.datetime,
            exception: HoursException | None = None) -> bool:
    """Open at ``now`` (local time); hours past midnight (18:00–02:00) count."""
    all_day, opens, closes = hours_today(station, exception)
    if all_day:
        return True
    if opens is None or closes is None:
        return False
    t = timezone.localtime(now).time()
    if opens < closes:
        return opens <= t < closes
    return t >= opens or t < closes


def _today_exceptions(district: District, now: dt.datetime) -> dict[int, HoursException]:
    day = timezone.localtime(now).date()
    return {e.station_id: e for e in HoursException.objects.filter(district=district, day=day)}


def station_cards(*, district: District, kind: str = "", amenity: str = "",
                  open_now: bool = False, lat: float | None = None, lon: float | None = None,
                  now: dt.datetime | None = None) -> list[dict]:
    """The public map and list: every active station with its amenities, whether it is
    open now, free spaces, and the distance from the visitor when given; nearest first."""
    now = now or timezone.now()
    qs = Station.objects.filter(district=district, is_active=True).prefetch_related(
        Prefetch("amenities", queryset=Amenity.objects.order_by("kind")))
    if kind:
        qs = qs.filter(kind=kind)
    if amenity:
        qs = qs.filter(amenities__kind=amenity).distinct()
    exceptions = _today_exceptions(district, now)
    out = []
    for s in qs:
        exc = exceptions.get(s.pk)
        open_ = is_open(s, now, exc)
        if open_now and not open_:
            continue
        all_day, opens, closes = hours_today(s, exc)
        distance = None if lat is None or lon is None else round(
            _distance_m(lat, lon, s.latitude, s.longitude))
        out.append({
            "id": s.pk, "token": s.public_token, "name": s.name, "kind": s.kind,
            "kind_label": s.kind_display, "latitude": float(s.latitude),
            "longitude": float(s.longitude), "address": s.address, "host": s.host_name,
            "open_now": open_, "open_24h": all_day,
            "hours": "24h" if all_day else (f"{opens:%H:%M}–{closes:%H:%M}" if opens else ""),
            "exception": exc.note if exc else "",
            "capacity": s.capacity, "occupancy": s.occupancy if s.capacity is not None
            else None, "free": s.free,
            "amenities": [{"kind": a.kind, "label": str(a.get_kind_display()),
                           "status": a.status} for a in s.amenities.all()],
            "distance_m": distance,
        })
    out.sort(key=lambda c: (c["distance_m"] is None, c["distance_m"] or 0, c["kind"],
                            c["name"]))
    return out


def station_by_token(*, district: District, token: str) -> Station:
    return access_scoped(Station.objects.filter(is_active=True), district=district,
                         public_token=str(token)[:24])


def station_page(*, station: Station, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    exc = HoursException.objects.filter(station=station,
                                        day=timezone.localtime(now).date()).first()
    return {
        "station": station, "open_now": is_open(station, now, exc), "exception": exc,
        "amenities": list(station.amenities.order_by("kind")),
        "services": list(Service.objects.filter(station=station, is_active=True)
                         .select_related("department")),
        "rooms": list(Room.objects.filter(station=station, is_active=True)),
        "duty": duty_posts_public(station=station, now=now),
        "upcoming_exceptions": list(HoursException.objects.filter(
            station=station, day__gt=timezone.localtime(now).date(),
            day__lte=timezone.localtime(now).date() + dt.timedelta(days=30)).order_by("day")),
    }


def amenity_public(*, station: Station, pk: Any) -> Amenity:
    try:
        return Amenity.objects.select_related("station", "district").get(
            station=station, pk=int(pk))
    except (Amenity.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def amenity_public_by_id(*, district: District, pk: Any) -> Amenity:
    """An amenity of an active station, for a visitor's fault report."""
    return access_scoped(Amenity.objects.select_related("station", "station__department",
                                                        "district"),
                         district=district, pk=pk, station__is_active=True)


def station_list(*, user: Any, district: District) -> QuerySet[Station]:
    policies.require(user, "stations.view", district)
    return Station.objects.filter(district=district).select_related("department", "merchant")\
        .annotate(n_amenities=Count("amenities", distinct=True),
                  n_faults=Count("amenities", filter=~Q(amenities__status="ok"),
                                 distinct=True))


def access_station(*, user: Any, district: District, pk: Any) -> Station:
    policies.require(user, "stations.view", district)
    return access_scoped(Station.objects.select_related("district"), district=district, pk=pk)


def access_amenity(*, user: Any, district: District, pk: Any) -> Amenity:
    if not policies.is_member(user, district):
        raise NotFound()
    return access_scoped(Amenity.objects.select_related("station", "station__merchant",
                                                        "district"), district=district, pk=pk)


def service_list(*, district: District) -> QuerySet[Service]:
    return Service.objects.filter(district=district, is_active=True)\
        .select_related("station", "department")


def service_get(*, district: District, pk: Any) -> Service:
    return access_scoped(Service.objects.select_related("station", "department", "district"),
                         district=district, pk=pk, is_active=True)


def service_slots(*, service: Service, now: dt.datetime | None = None) -> list[dict]:
    """The bookable days ahead: each slot with its free seats and waiting list."""
    now = now or timezone.now()
    conf = district_settings(district=service.district, app="stations")
    earliest = now + dt.timedelta(minutes=conf["min_notice_minutes"])
    last = now + dt.timedelta(days=conf["book_days_ahead"])
    today = timezone.localtime(now).date()
    made = {s.starts_at: s for s in Slot.objects.filter(
        service=service, starts_at__gte=now, starts_at__lte=last).annotate(
        waiting=Count("bookings", filter=Q(bookings__status=B.WAITLISTED)))}
    days = []
    for offset in range(conf["book_days_ahead"] + 1):
        day = today + dt.timedelta(days=offset)
        slots = []
        for t in service.slot_starts(day):
            start = timezone.make_aware(dt.datetime.combine(day, t))
            if not earliest <= start <= last:
                continue
            row = made.get(start)
            booked = row.booked if row else 0
            capacity = row.capacity if row else service.capacity
            slots.append({"starts_at": start, "label": f"{t:%H:%M}",
                          "free": max(0, capacity - booked), "capacity": capacity,
                          "waiting": getattr(row, "waiting", 0) if row else 0})
        if slots:
            days.append({"day": day, "slots": slots})
    return days


def booking_block(*, district: District, user: Any, now: dt.datetime | None = None
                  ) -> dt.datetime | None:
    """Until when ``user`` may not book (three no-shows in 90 days block 30 days)."""
    now = now or timezone.now()
    conf = district_settings(district=district, app="stations")
    misses = list(Booking.objects.filter(
        district=district, user=user, status=B.NO_SHOW,
        slot__starts_at__gte=now - dt.timedelta(days=90)).order_by("-slot__starts_at")
        .values_list("slot__starts_at", flat=True)[:conf["no_show_limit"]])
    if len(misses) < conf["no_show_limit"]:
        return None
    until = misses[0] + dt.timedelta(days=conf["block_days"])
    return until if until > now else None


def booking_list_mine(*, user: Any, district: District) -> QuerySet[Booking]:
    if not getattr(user, "is_authenticated", False):
        return Booking.objects.none()
    return Booking.objects.filter(district=district, user=user)\
        .select_related("slot__service__station").order_by("-slot__starts_at", "-id")


def booking_get(*, user: Any, district: District, pk: Any) -> Booking:
    """A booking its booker or the desk may see; anyone else gets 404."""
    booking = access_scoped(Booking.objects.select_related(
        "slot__service__station", "slot__service__department", "district"),
        district=district, pk=pk)
    if booking.user_id == getattr(user, "pk", None) or \
            policies.can(user, "stations.desk", district):
        return booking
    raise NotFound()


def desk_queue(*, user: Any, district: District, day: dt.date | None = None,
               service: Service | None = None) -> QuerySet[Booking]:
    """The day's queue at the desk: booked, arrived and walk-ins, in slot and seat order;
    a department sees its own services."""
    policies.require(user, "stations.desk", district)
    day = day or timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    qs = Booking.objects.filter(district=district, slot__starts_at__gte=start,
                                slot__starts_at__lt=start + dt.timedelta(days=1))\
        .select_related("slot__service__station", "slot__service__department", "merchant",
                        "district")
    if service is not None:
        qs = qs.filter(slot__service=service)
    if not policies.has_role(user, district, "committee"):
        qs = qs.filter(slot__service__department_id__in=policies.departments_of(user, district))
    return qs.order_by("slot__starts_at", "walk_in", "seat", "queue_no", "id")


def booking_list(*, user: Any, district: District) -> QuerySet[Booking]:
    policies.require(user, "stations.desk", district)
    qs = Booking.objects.filter(district=district).select_related("slot__service__station")
    if not policies.has_role(user, district, "committee"):
        qs = qs.filter(slot__service__department_id__in=policies.departments_of(user, district))
    return qs.order_by("-slot__starts_at", "id")


def handled_counts(*, district: District) -> list[dict]:
    """Done bookings per service and month ("30 余家商户办理许可")."""
    rows = Booking.objects.filter(district=district, status=B.DONE)\
        .annotate(month=TruncMonth("slot__starts_at"))\
        .values("slot__service__name", "month").annotate(n=Count("id"),
                                                        merchants=Count("merchant",
                                                                        distinct=True))\
        .order_by("-month", "slot__service__name")
    return [{"service": r["slot__service__name"], "month": r["month"].strftime("%Y-%m")
             if r["month"] else "", "handled": r["n"], "merchants": r["merchants"]}
            for r in rows]


def room_list(*, district: District) -> QuerySet[Room]:
    return Room.objects.filter(district=district, is_active=True).select_related("station")


def room_get(*, district: District, pk: Any) -> Room:
    return access_scoped(Room.objects.select_related("station", "district"), district=district,
                         pk=pk, is_active=True)


def room_day(*, room: Room, day: dt.date) -> list[RoomBooking]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return list(RoomBooking.objects.filter(room=room, status=RoomBooking.Status.BOOKED,
                                           starts_at__lt=start + dt.timedelta(days=1),
                                           ends_at__gt=start))


def room_booking_list(*, user: Any, district: District) -> QuerySet[RoomBooking]:
    if policies.can(user, "stations.view", district):
        qs = RoomBooking.objects.filter(district=district)
    elif policies.is_member(user, district):
        qs = RoomBooking.objects.filter(district=district, user=user)
    else:
        raise NotFound()
    return qs.select_related("room__station").order_by("-starts_at", "-id")


def room_booking_get(*, user: Any, district: District, pk: Any) -> RoomBooking:
    booking = access_scoped(RoomBooking.objects.select_related("room__station", "district"),
                            district=district, pk=pk)
    if booking.user_id == getattr(user, "pk", None) or \
            policies.can(user, "stations.view", district):
        return booking
    raise NotFound()


def loan_list(*, user: Any, district: District, open_only: bool = False) -> QuerySet[Loan]:
    policies.require(user, "stations.loan.manage", district)
    qs = Loan.objects.filter(district=district).select_related("station")
    if open_only:
        qs = qs.filter(returned_at__isnull=True)
    return qs.order_by("returned_at", "-lent_at")


def access_loan(*, user: Any, district: District, pk: Any) -> Loan:
    policies.require(user, "stations.loan.manage", district)
    return access_scoped(Loan.objects.select_related("district"), district=district, pk=pk)


def wristband_list(*, user: Any, district: District) -> QuerySet[Wristband]:
    """Tonight's registrations (phones are shown masked in the list)."""
    policies.require(user, "stations.wristband.lookup", district)
    return Wristband.objects.filter(district=district).select_related("station")


def visitor_info(*, district: District, now: dt.datetime | None = None) -> dict:
    """The visitor page: each entrance's crowd level and waiting state (levels only, no
    counts), stations open now, car parks and rider parking with free spaces, and the
    children's waiting area."""
    now = now or timezone.now()
    board = board_data(district=district)
    zones = [{"name": z["name"], "level": z["level"], "level_label": z["level_label"],
              "control": z["control"], "control_label": z.get("control_label", ""),
              "waiting": z["kind"] == "waiting"}
             for z in board["zones"]]
    cards = station_cards(district=district, now=now)
    return {
        "zones": zones,
        "open": [c for c in cards if c["open_now"] and c["kind"] not in COUNTED_KINDS
                 and c["kind"] != StationKind.CHILD_AREA],
        "parking": [c for c in cards if c["kind"] in COUNTED_KINDS],
        "children": [c for c in cards if c["kind"] == StationKind.CHILD_AREA],
        "duty": [_duty_public(p, now) for p in DutyPost.objects.filter(
            district=district, day=evening_of(now), zone__isnull=False)
            .select_related("zone", "station").order_by("zone__name", "starts_at", "post")],
    }


# --- duty posts ------------------------------------------------------------------------------
def evening_of(now: dt.datetime) -> dt.date:
    """The evening ``now`` belongs to: before 06:00 it is still the previous day's."""
    local = timezone.localtime(now)
    return local.date() - dt.timedelta(days=1 if local.hour < 6 else 0)


def _on_duty_now(post: DutyPost, now: dt.datetime) -> bool:
    start = timezone.make_aware(dt.datetime.combine(post.day, post.starts_at))
    end_day = post.day + dt.timedelta(days=1 if post.ends_at <= post.starts_at else 0)
    end = timezone.make_aware(dt.datetime.combine(end_day, post.ends_at))
    return start <= now < end


def _duty_public(post: DutyPost, now: dt.datetime) -> dict:
    """What a visitor sees: the post, the unit, the hours and a masked name (张*)."""
    return {"post": post.post, "place": post.place, "group": post.group,
            "group_label": str(post.get_group_display()), "unit": post.unit,
            "person": post.name_masked, "starts_at": post.starts_at, "ends_at": post.ends_at,
            "hours": f"{post.starts_at:%H:%M}–{post.ends_at:%H:%M}",
            "on_duty_now": _on_duty_now(post, now),
            "checked_in": post.checked_in_at is not None}


def duty_posts_public(*, station: Station, now: dt.datetime | None = None) -> list[dict]:
    """Who is on duty at a station this evening (值班/坐班), for its public page."""
    now = now or timezone.now()
    return [_duty_public(p, now) for p in DutyPost.objects.filter(
        district_id=station.district_id, station=station, day=evening_of(now))
        .select_related("station", "zone").order_by("starts_at", "post", "id")]


def duty_post_list(*, user: Any, district: District, day: dt.date | None = None
                   ) -> QuerySet[DutyPost]:
    policies.require(user, "stations.duty.view", district)
    qs = DutyPost.objects.filter(district=district).select_related("station", "zone", "user",
                                                                   "district")
    if day is not None:
        qs = qs.filter(day=day)
    return qs.order_by("day", "starts_at", "post", "id")


def access_duty_post(*, user: Any, district: District, pk: Any) -> DutyPost:
    policies.require(user, "stations.duty.view", district)
    return access_scoped(DutyPost.objects.select_related("station", "zone", "district"),
                         district=district, pk=pk)


def zone_choices(*, district: District) -> list[Zone]:
    """The crowd app's zones (waiting lines first), for placing duty posts."""
    return list(Zone.objects.filter(district=district).order_by("-kind", "name"))


def access_zone(*, district: District, pk: Any) -> Zone:
    return access_scoped(Zone, district=district, pk=pk)


def access_hours_exception(*, user: Any, district: District, pk: Any) -> HoursException:
    policies.require(user, "stations.view", district)
    return access_scoped(HoursException.objects.select_related("station", "district"),
                         district=district, pk=pk)


def hours_exception_list(*, user: Any, district: District,
                         since: dt.date | None = None) -> QuerySet[HoursException]:
    policies.require(user, "stations.view", district)
    since = since or timezone.localdate()
    return HoursException.objects.filter(district=district, day__gte=since)\
        .select_related("station").order_by("day", "station__name")


def service_list_staff(*, user: Any, district: District) -> QuerySet[Service]:
    """Every service (inactive too), for the console."""
    policies.require(user, "stations.view", district)
    return Service.objects.filter(district=district).select_related("station", "department")\
        .order_by("station__name", "weekday", "starts_at", "name")


def access_service(*, user: Any, district: District, pk: Any) -> Service:
    policies.require(user, "stations.view", district)
    return access_scoped(Service.objects.select_related("station", "department", "district"),
                         district=district, pk=pk)


def room_list_staff(*, user: Any, district: District) -> QuerySet[Room]:
    policies.require(user, "stations.view", district)
    return Room.objects.filter(district=district).select_related("station")


def access_room(*, user: Any, district: District, pk: Any) -> Room:
    policies.require(user, "stations.view", district)
    return access_scoped(Room.objects.select_related("station", "district"),
                         district=district, pk=pk)


def access_department(*, district: District, pk: Any) -> Department | None:
    """A department of this district named by request input (None when not given)."""
    return None if pk in (None, "") else access_scoped(Department, district=district, pk=pk)


# --- exports ---------------------------------------------------------------------------------
def loans_for_export(*, user: Any, district: District) -> QuerySet[Loan]:
    policies.require(user, "stations.loan.export", district)
    return loan_list(user=user, district=district)


def room_bookings_for_export(*, user: Any, district: District) -> QuerySet[RoomBooking]:
    policies.require(user, "stations.room.export", district)
    return room_booking_list(user=user, district=district)


def fault_list(*, user: Any, district: District) -> QuerySet[AmenityFault]:
    policies.require(user, "stations.fault.export", district)
    return AmenityFault.objects.filter(district=district)\
        .select_related("amenity__station").order_by("-opened_at", "-id")


def parking_list(*, user: Any, district: District) -> QuerySet[Station]:
    policies.require(user, "stations.parking.export", district)
    return Station.objects.filter(district=district, capacity__isnull=False)\
        .order_by("kind", "name")


def parking_readings(*, user: Any, district: District) -> QuerySet[ParkingReading]:
    policies.require(user, "stations.parking.export", district)
    return ParkingReading.objects.filter(district=district).select_related("station")\
        .order_by("-ts", "-id")
