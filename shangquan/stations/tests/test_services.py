"""Stations services: validation, faults that open one work order, bookings with their
waiting list and limits, the desk, reminders, rooms, wristbands, parking readings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from shangquan.core.models import AuditLog, Notification
from shangquan.core.roles import Role
from shangquan.core.tests.factories import department_factory, member_factory
from shangquan.stations import selectors, services
from shangquan.stations.models import Amenity, AmenityFault, Booking, Slot, Wristband
from shangquan.workorders.models import WorkOrder

from .factories import next_weekday, service_factory, slot_start, station_factory

pytestmark = pytest.mark.django_db
B = Booking.Status


def _merchants(district, n):
    return [member_factory(district, Role.MERCHANT) for _ in range(n)]


# --- stations ------------------------------------------------------------------------------
def test_station_hours_must_be_given_or_24h(north):
    with pytest.raises(ValidationFailed) as exc:
        station_factory(north.district, open_24h=False)
    assert exc.value.code == "bad_hours"
    with pytest.raises(ValidationFailed) as exc:
        station_factory(north.district, open_24h=False, opens_at=dt.time(9),
                        closes_at=dt.time(9))
    assert exc.value.code == "bad_hours"
    night = station_factory(north.district, open_24h=False, opens_at=dt.time(18),
                            closes_at=dt.time(2))
    late = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(1, 0)))
    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12, 0)))
    assert selectors.is_open(night, late) and not selectors.is_open(night, noon)


def test_station_far_from_the_district_is_refused_with_the_distance(north):
    district = north.district
    district.latitude, district.longitude = Decimal("41.1192"), Decimal("121.1477")
    district.save()
    with pytest.raises(ValidationFailed) as exc:
        station_factory(district, latitude="39.9042", longitude="116.4074")  # Beijing
    assert exc.value.code == "outside_district"
    assert exc.value.details["distance_m"] > 400_000
    assert station_factory(district).pk  # 凌河夜市 itself is fine


def test_the_database_refuses_invalid_hours_and_overfull_parking(north):
    station = station_factory(north.district, kind="rider_parking", capacity=3)
    station.open_24h = False
    with pytest.raises(IntegrityError), transaction.atomic():
        station.save()
    station.refresh_from_db()
    station.occupancy = 4
    with pytest.raises(IntegrityError), transaction.atomic():
        station.save()


def test_holiday_closure_shows_the_station_closed(north):
    station = station_factory(north.district)
    services.hours_exception_set(actor=SYSTEM, station=station, day=timezone.localdate(),
                                 closed=True, note="春节闭站")
    cards = selectors.station_cards(district=north.district)
    assert cards[0]["open_now"] is False and cards[0]["exception"] == "春节闭站"
    assert selectors.station_cards(district=north.district, open_now=True) == []


def test_map_filters_by_amenity_and_sorts_by_distance(north):
    near = station_factory(north.district, name="近站", amenities=("charging",),
                           latitude="41.119300", longitude="121.147700")
    station_factory(north.district, name="远站", amenities=("water",),
                    latitude="41.129200", longitude="121.147700")
    cards = selectors.station_cards(district=north.district, lat=41.1192, lon=121.1477)
    assert [c["name"] for c in cards] == ["近站", "远站"]
    assert 5 < cards[0]["distance_m"] < 20 and 1000 < cards[1]["distance_m"] < 1200
    only = selectors.station_cards(district=north.district, amenity="charging")
    assert [c["id"] for c in only] == [near.pk]


# --- amenities and faults ------------------------------------------------------------------------
def test_ten_reports_of_one_broken_dispenser_open_one_work_order(north, south):
    station = station_factory(north.district, department=north.department)
    water = station.amenities.get(kind="water")
    faults = [services.amenity_report(actor=SYSTEM, amenity=water, note="饮水机坏了")
              for _ in range(10)]
    assert len({f.pk for f in faults}) == 1 and faults[-1].reports == 10
    orders = WorkOrder.objects.filter(district=north.district)
    assert orders.count() == 1
    order = orders.get()
    assert order.category.code == "facilities" and order.department_id == north.department.pk
    assert "饮水" in order.description
    water.refresh_from_db()
    assert water.status == Amenity.Status.OUT_OF_ORDER
    # fixed: the next fault is a new one, with a new order
    services.amenity_mark(actor=north.people[Role.COMMITTEE], amenity=water, status="ok")
    services.amenity_report(actor=SYSTEM, amenity=water)
    assert orders.count() == 2
    assert AmenityFault.objects.filter(amenity=water, resolved_at__isnull=True).count() == 1


def test_one_open_fault_per_amenity_is_a_database_rule(north):
    water = station_factory(north.district).amenities.get(kind="water")
    AmenityFault.objects.create(district=north.district, amenity=water, status="out_of_order")
    with pytest.raises(IntegrityError), transaction.atomic():
        AmenityFault.objects.create(district=north.district, amenity=water,
                                    status="out_of_order")


def test_only_the_host_merchant_marks_its_station(north):
    from shangquan.merchants.tests.factories import merchant_factory

    owner = north.people[Role.MERCHANT]
    shop = merchant_factory(north.district, owner=owner)
    mine = station_factory(north.district, merchant=shop, host_kind="merchant")
    other = station_factory(north.district)
    services.amenity_mark(actor=owner, amenity=mine.amenities.get(kind="umbrella"),
                          status="out_of_stock")
    with pytest.raises(PermissionDenied):
        services.amenity_mark(actor=owner, amenity=other.amenities.get(kind="umbrella"),
                              status="out_of_stock")


# --- loans ------------------------------------------------------------------------------------------
def test_loan_lent_returned_and_overdue(north):
    station = station_factory(north.district)
    staff = north.people[Role.GRID_LEADER]
    loan = services.loan_lend(actor=staff, station=station, item="power_bank",
                              borrower_phone="13900001111", hours=1)
    assert loan.due_at - loan.lent_at == dt.timedelta(hours=1)
    assert loan.phone_masked == "139****1111"
    services.loan_return(actor=staff, loan=loan)
    with pytest.raises(Conflict):
        services.loan_return(actor=staff, loan=loan)
    with pytest.raises(PermissionDenied):
        services.loan_lend(actor=north.people[Role.MERCHANT], station=station, item="umbrella")


# --- bookings -------------------------------------------------------------------------------------
def test_booking_takes_seats_then_waitlists_in_order(north):
    service = service_factory(north.district, capacity=2)
    start = slot_start(service)
    people = _merchants(north.district, 4)
    bookings = [services.booking_create(actor=p, service=service, starts_at=start)
                for p in people]
    assert [b.status for b in bookings] == [B.BOOKED, B.BOOKED, B.WAITLISTED, B.WAITLISTED]
    assert [b.seat for b in bookings[:2]] == [1, 2]
    assert [b.queue_no for b in bookings[2:]] == [1, 2]
    assert len({b.code for b in bookings}) == 4
    slot = Slot.objects.get(service=service)
    assert slot.booked == 2
    # a cancellation promotes the first on the list, with a hold and a message
    services.booking_cancel(actor=people[0], booking=bookings[0])
    promoted = Booking.objects.get(pk=bookings[2].pk)
    assert promoted.status == B.BOOKED and promoted.seat == 1 and promoted.hold_until
    assert Notification.objects.filter(user=people[2]).exists()
    assert Booking.objects.get(pk=bookings[3].pk).queue_no == 2
    # not confirmed in time: the seat goes to the next
    services.holds_expire(now=promoted.hold_until + dt.timedelta(minutes=1))
    assert Booking.objects.get(pk=promoted.pk).status == B.CANCELLED
    assert Booking.objects.get(pk=bookings[3].pk).status == B.BOOKED
    assert AuditLog.objects.filter(action="stations.booking.hold_expired").count() == 1


def test_confirming_the_hold_keeps_the_seat(north):
    service = service_factory(north.district, capacity=1)
    start = slot_start(service)
    a, b = _merchants(north.district, 2)
    first = services.booking_create(actor=a, service=service, starts_at=start)
    second = services.booking_create(actor=b, service=service, starts_at=start)
    services.booking_cancel(actor=a, booking=first)
    services.booking_confirm(actor=b, booking=second)
    second.refresh_from_db()
    assert second.hold_until is None
    assert services.holds_expire(now=timezone.now() + dt.timedelta(days=1)) == 0


def test_booking_limits_say_why(north):
    service = service_factory(north.district, capacity=5)
    merchant = north.people[Role.MERCHANT]
    day = next_weekday(service.weekday)
    services.booking_create(actor=merchant, service=service, starts_at=slot_start(service, day=day))
    with pytest.raises(Conflict) as exc:
        services.booking_create(actor=merchant, service=service,
                                starts_at=slot_start(service, day=day))
    assert exc.value.code == "already_booked"
    services.booking_create(actor=merchant, service=service,
                            starts_at=slot_start(service, day=day, index=1))
    with pytest.raises(Conflict) as exc:
        services.booking_create(actor=merchant, service=service,
                                starts_at=slot_start(service, day=day, index=2))
    assert exc.value.code == "booking_limit" and "2" in str(exc.value.message)
    with pytest.raises(ValidationFailed) as exc:
        services.booking_create(actor=merchant, service=service,
                                starts_at=slot_start(service, day=day) + dt.timedelta(minutes=7))
    assert exc.value.code == "not_a_slot"
    far = next_weekday(service.weekday, after=timezone.localdate() + dt.timedelta(days=20))
    with pytest.raises(ValidationFailed) as exc:
        services.booking_create(actor=north.people[Role.RESIDENT], service=service,
                                starts_at=slot_start(service, day=far))
    assert exc.value.code == "too_early"
    soon = slot_start(service, day=day)
    with pytest.raises(ValidationFailed) as exc:
        services.booking_create(actor=north.people[Role.RESIDENT], service=service,
                                starts_at=soon, now=soon - dt.timedelta(minutes=30))
    assert exc.value.code == "too_late"


def test_cancellation_closes_an_hour_before(north):
    service = service_factory(north.district)
    start = slot_start(service)
    merchant = north.people[Role.MERCHANT]
    booking = services.booking_create(actor=merchant, service=service, starts_at=start)
    with pytest.raises(Conflict) as exc:
        services.booking_cancel(actor=merchant, booking=booking,
                                now=start - dt.timedelta(minutes=30))
    assert exc.value.code == "cancel_too_late"
    with pytest.raises(PermissionDenied):
        services.booking_cancel(actor=north.people[Role.RESIDENT], booking=booking)


def test_three_no_shows_in_90_days_block_booking_for_30_days(north):
    desk = north.people[Role.COMMITTEE]
    merchant = north.people[Role.MERCHANT]
    services_ = [service_factory(north.district, weekday=d, capacity=1) for d in range(3)]
    for s in services_:
        booking = services.booking_create(actor=merchant, service=s, starts_at=slot_start(s))
        services.booking_mark(actor=desk, booking=booking, action="no_show")
    other = service_factory(north.district, weekday=4)
    with pytest.raises(Conflict) as exc:
        services.booking_create(actor=merchant, service=other, starts_at=slot_start(other))
    assert exc.value.code == "booking_blocked" and "爽约" in str(exc.value.message)
    later = timezone.now() + dt.timedelta(days=40)
    assert selectors.booking_block(district=north.district, user=merchant, now=later) is None


def test_the_desk_serves_a_booking_and_counts_it(north):
    dept_user = north.people[Role.DEPARTMENT]
    service = service_factory(north.district, department=north.department)
    merchant = north.people[Role.MERCHANT]
    booking = services.booking_create(actor=merchant, service=service,
                                      starts_at=slot_start(service))
    with pytest.raises(InvalidTransition):
        services.booking_mark(actor=dept_user, booking=booking, action="finish")  # not arrived
    booking = services.booking_mark(actor=dept_user, booking=booking, action="arrive")
    with pytest.raises(ValidationFailed) as exc:
        services.booking_mark(actor=dept_user, booking=booking, action="finish")
    assert exc.value.code == "outcome_required"
    booking = services.booking_mark(actor=dept_user, booking=booking, action="finish",
                                    outcome="completed", notes="当场发证")
    assert booking.status == B.DONE and booking.seat == 1
    counts = selectors.handled_counts(district=north.district)
    assert counts[0]["handled"] == 1 and counts[0]["service"] == service.name
    # another department's staff may not mark it
    other = member_factory(north.district, Role.DEPARTMENT,
                           department=department_factory(north.district, code="cgzf",
                                                         name="城管执法"))
    second = services.booking_create(actor=north.people[Role.RESIDENT], service=service,
                                     starts_at=slot_start(service, index=1))
    with pytest.raises(PermissionDenied):
        services.booking_mark(actor=other, booking=second, action="arrive")
    assert list(selectors.desk_queue(user=other, district=north.district,
                                     day=timezone.localtime(second.slot.starts_at).date())) == []


def test_walk_ins_join_todays_queue(north):
    today = timezone.localdate()
    service = service_factory(north.district, weekday=today.weekday(),
                              starts_at=dt.time(0, 0), ends_at=dt.time(23, 30))
    booking = services.booking_walk_in(actor=north.people[Role.COMMITTEE], service=service,
                                       name="现场商户")
    assert booking.walk_in and booking.status == B.ARRIVED and booking.seat is None
    queue = list(selectors.desk_queue(user=north.people[Role.COMMITTEE],
                                      district=north.district))
    assert booking in queue


def test_reminders_go_out_24h_and_1h_before_once_each(north):
    service = service_factory(north.district)
    start = slot_start(service)
    merchant = north.people[Role.MERCHANT]
    services.booking_create(actor=merchant, service=service, starts_at=start)
    assert services.reminders_send(now=start - dt.timedelta(hours=30)) == 0
    assert services.reminders_send(now=start - dt.timedelta(hours=23)) == 1
    assert services.reminders_send(now=start - dt.timedelta(hours=22)) == 0
    assert services.reminders_send(now=start - dt.timedelta(minutes=50)) == 1
    titles = list(Notification.objects.filter(user=merchant).values_list("title", flat=True))
    assert len(titles) == 2 and all("预约提醒" in t for t in titles)


def test_seat_uniqueness_and_capacity_are_database_rules(north):
    service = service_factory(north.district, capacity=1)
    booking = services.booking_create(actor=north.people[Role.MERCHANT], service=service,
                                      starts_at=slot_start(service))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(district=north.district, slot=booking.slot, name="x",
                               status=B.BOOKED, seat=1, code="ZZZZZZ")
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=booking.slot_id).update(booked=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(district=north.district, slot=booking.slot, name="x",
                               status=B.BOOKED, seat=None, code="YYYYYY")


# --- rooms -------------------------------------------------------------------------------------------
def test_rooms_refuse_overlaps_and_free_on_cancel(north):
    station = station_factory(north.district, kind="neighbourhood")
    room = services.room_create(actor=SYSTEM, station=station, name="议事厅", kind="meeting")
    day = timezone.localdate() + dt.timedelta(days=2)
    at = lambda h, m=0: timezone.make_aware(dt.datetime.combine(day, dt.time(h, m)))  # noqa: E731
    committee = north.people[Role.COMMITTEE]
    first = services.room_book(actor=committee, room=room, starts_at=at(14), ends_at=at(16),
                               title="商居议事会", source="deliberation.meeting:1")
    with pytest.raises(Conflict) as exc:
        services.room_book(actor=committee, room=room, starts_at=at(15, 30), ends_at=at(17),
                           title="主题党日")
    assert exc.value.code == "room_taken"
    services.room_book(actor=committee, room=room, starts_at=at(16), ends_at=at(17),
                       title="主题党日")  # back to back is fine
    with pytest.raises(ValidationFailed) as exc:
        services.room_book(actor=committee, room=room, starts_at=at(9, 10), ends_at=at(10),
                           title="x")
    assert exc.value.code == "room_time"
    services.room_cancel(actor=committee, booking=first)
    services.room_book(actor=committee, room=room, starts_at=at(15), ends_at=at(16),
                       title="文化活动")


# --- wristbands -----------------------------------------------------------------------------------------
def test_wristband_lookup_is_audited_and_purged_after_the_evening(north):
    area = station_factory(north.district, name="儿童等候区", kind="child_area")
    volunteer = north.people[Role.VOLUNTEER]
    band = services.wristband_register(actor=volunteer, station=area, number="a017",
                                       guardian_phone="138 0000 1234")
    assert band.number == "A017" and band.phone_masked == "138****1234"
    with pytest.raises(Conflict):
        services.wristband_register(actor=volunteer, station=area, number="A017",
                                    guardian_phone="13800001235")
    found = services.wristband_lookup(actor=north.people[Role.GRID_LEADER],
                                      district=north.district, number="A017")
    assert found.guardian_phone == "13800001234"
    with pytest.raises(NotFound):
        services.wristband_lookup(actor=volunteer, district=north.district, number="B999")
    rows = AuditLog.objects.filter(action="stations.wristband.lookup")
    assert rows.count() == 2
    assert all("13800001234" not in str(r.after) for r in rows)
    with pytest.raises(PermissionDenied):
        services.wristband_lookup(actor=north.people[Role.MERCHANT], district=north.district,
                                  number="A017")
    assert services.wristbands_purge(now=band.purge_after - dt.timedelta(minutes=1)) == 0
    assert services.wristbands_purge(now=band.purge_after) == 1
    assert not Wristband.objects.exists()


# --- parking readings ----------------------------------------------------------------------------------
def test_parking_counter_readings_are_idempotent_and_bounded(north):
    station = station_factory(north.district, kind="rider_parking", capacity=10, amenities=())
    services.station_device_issue(actor=SYSTEM, station=station)
    station.refresh_from_db()
    now = timezone.now().isoformat()
    out = services.parking_readings_ingest(device=station.device, readings=[
        {"seq": 1, "ts": now, "entries": 4, "exits": 0},
        {"seq": 2, "ts": now, "entries": 3, "exits": 1}])
    assert out["occupancy"] == 6 and out["free"] == 4 and out["accepted"] == 2
    again = services.parking_readings_ingest(device=station.device, readings=[
        {"seq": 2, "ts": now, "entries": 3, "exits": 1},
        {"seq": 3, "ts": now, "entries": 30, "exits": 0}])
    assert again["duplicates"] == 1 and again["occupancy"] == 10
    with pytest.raises(ValidationFailed):
        services.parking_readings_ingest(device=station.device, readings=[{"seq": "x"}])
    services.occupancy_set(actor=north.people[Role.VOLUNTEER], station=station, occupancy=2)
    with pytest.raises(ValidationFailed) as exc:
        services.occupancy_set(actor=north.people[Role.VOLUNTEER], station=station,
                               occupancy=11)
    assert exc.value.code == "occupancy_range"
