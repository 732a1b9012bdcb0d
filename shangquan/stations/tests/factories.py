"""Stations test data, built through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.stations import selectors, services
from shangquan.stations.models import Service, Station

_seq = itertools.count(1)
LAT, LON = "41.119200", "121.147700"  # 凌河夜市, WGS-84


def station_factory(district, *, name: str | None = None, kind: str = "party_station",
                    amenities=("water", "charging", "first_aid", "umbrella"),
                    **fields: Any) -> Station:
    fields.setdefault("open_24h", True)
    return services.station_create(actor=SYSTEM, district=district,
                                   name=name or f"党群服务站{next(_seq)}", kind=kind,
                                   latitude=fields.pop("latitude", LAT),
                                   longitude=fields.pop("longitude", LON),
                                   amenities=amenities, **fields)


def next_weekday(weekday: int, *, after: dt.date | None = None) -> dt.date:
    """The next date with ``weekday`` strictly after ``after`` plus one day (beyond the
    minimum notice)."""
    day = (after or timezone.localdate()) + dt.timedelta(days=1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def service_factory(district, *, station: Station | None = None, name: str | None = None,
                    weekday: int = 3, capacity: int = 3, department=None,
                    **fields: Any) -> Service:
    station = station or station_factory(district)
    return services.service_create(
        actor=SYSTEM, station=station, name=name or f"营业执照{next(_seq)}", weekday=weekday,
        starts_at=fields.pop("starts_at", dt.time(9, 0)),
        ends_at=fields.pop("ends_at", dt.time(11, 30)), capacity=capacity,
        department=department, day_name=fields.pop("day_name", "证照快办日"),
        checklist=fields.pop("checklist", ["身份证", "经营场所证明"]), **fields)


def slot_start(service: Service, *, day: dt.date | None = None, index: int = 0) -> dt.datetime:
    day = day or next_weekday(service.weekday)
    return timezone.make_aware(dt.datetime.combine(day, service.slot_starts(day)[index]))


def budget_seed(persona, n: int, tag: str, ids: dict) -> None:
    """Rows for the query-budget tests (core/tests/test_query_budgets.py)."""
    from shangquan.core.roles import Role
    from shangquan.core.tests.factories import member_factory

    district, people = persona.district, persona.people
    stations = [station_factory(district, name=f"驿站{tag}{i}",
                                kind="rider_parking" if i % 4 == 0 else "red_station",
                                capacity=20 if i % 4 == 0 else None)
                for i in range(8)]
    service = service_factory(district, station=stations[1], name=f"证照{tag}",
                              capacity=50, department=persona.department,
                              starts_at=dt.time(8, 0), ends_at=dt.time(18, 0))
    ids["service_id"] = service.pk
    ids["station_id"] = stations[1].pk
    day = next_weekday(service.weekday)
    for i in range(n):
        booker = people[Role.MERCHANT] if i == 0 else member_factory(
            district, Role.MERCHANT, username=f"st{tag.lower()}{district.code.lower()}{i}")
        services.booking_create(actor=booker, service=service,
                                starts_at=slot_start(service, day=day, index=i % 20))
    for i in range(8):
        services.booking_create(actor=people[Role.RESIDENT] if i == 0 else member_factory(
            district, Role.RESIDENT, username=f"str{tag.lower()}{district.code.lower()}{i}"),
            service=service, starts_at=slot_start(service, day=day, index=19 - i))
    # the committee's own (…/bookings/mine): served on past Thursdays
    committee, past = people[Role.COMMITTEE], timezone.localdate() - dt.timedelta(days=1)
    for i in range(8):
        while past.weekday() != service.weekday:
            past -= dt.timedelta(days=1)
        start = slot_start(service, day=past, index=i)
        booking = services.booking_create(actor=committee, service=service, starts_at=start,
                                          now=start - dt.timedelta(days=3))
        booking = services.booking_mark(actor=committee, booking=booking, action="arrive",
                                        now=start)
        services.booking_mark(actor=committee, booking=booking, action="finish",
                              outcome="completed", now=start)
    room = services.room_create(actor=SYSTEM, station=stations[1], name=f"活动室{tag}",
                                kind="activity")
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0)))
    for i in range(8):
        services.room_book(actor=people[Role.COMMITTEE], room=room,
                           starts_at=start + dt.timedelta(hours=i),
                           ends_at=start + dt.timedelta(hours=i, minutes=30),
                           title=f"议事会{tag}{i}")
    for i in range(8):
        services.loan_lend(actor=SYSTEM, station=stations[1], item="umbrella",
                           borrower_name=f"游客{i}", borrower_phone=f"1390000{i:04d}")
    ids["station_token"] = stations[1].public_token
    evening = selectors.evening_of(timezone.now())
    for i in range(n):
        services.duty_post_create(
            actor=SYSTEM, district=district, station=stations[1 + i % 2], day=evening,
            starts_at=dt.time(18, 0), ends_at=dt.time(23, 0), post=f"岗位{tag}{i}",
            unit="凌河区公安分局", person_name=f"民警{tag}{i}", group="police",
            user=people[Role.VOLUNTEER] if i == 0 else None)
    for i in range(8):
        services.hours_exception_set(actor=SYSTEM, station=stations[i],
                                     day=timezone.localdate() + dt.timedelta(days=1 + i),
                                     closed=i % 2 == 0, opens_at=dt.time(10, 0),
                                     closes_at=dt.time(16, 0), note=f"节日{tag}")
    for i in range(8):
        amenity = stations[i].amenities.order_by("kind").first()
        services.amenity_report(actor=SYSTEM, amenity=amenity, note=f"坏了{tag}")
