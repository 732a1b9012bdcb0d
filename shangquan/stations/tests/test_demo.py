"""The demo stations load through the services and look like the articles."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from shangquan.core.demo import DISTRICTS, DemoContext
from shangquan.core.roles import Role
from shangquan.core.tests.factories import department_factory, district_factory, member_factory
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.stations import demo, selectors
from shangquan.stations.models import Booking, Room, Service, Station

pytestmark = pytest.mark.django_db


def _ctx(code: str) -> DemoContext:
    spec = next(s for s in DISTRICTS if s.code == code)
    district = district_factory(code, spec.name)
    district.latitude, district.longitude = Decimal(str(spec.lat)), Decimal(str(spec.lon))
    district.save()
    departments = {c: department_factory(district, c, n) for c, n in (
        ("scjg", "市场监管"), ("cgzf", "城管执法"), ("zj", "住建"))}
    users = {str(role): member_factory(district, role) for role in (Role.MERCHANT,
                                                                     Role.COMMITTEE)}
    return DemoContext(district=district, spec=spec, rng=random.Random(1), scale=1,
                       users=users, departments=departments,
                       department_users={c: member_factory(district, Role.DEPARTMENT,
                                                           department=d)
                                         for c, d in departments.items()},
                       progress=lambda m: None, logins=[])


def test_wanda_red_station_rider_parking_and_licence_days():
    ctx = _ctx("WDZZ")
    demo.load(ctx)
    demo.load(ctx)  # twice loads once
    stations = Station.objects.filter(district=ctx.district)
    assert stations.filter(kind="rider_parking").count() == 3
    assert stations.filter(kind="charging").count() == 1
    red = stations.get(kind="red_station")
    assert {"microwave", "fridge", "reading"} <= set(red.amenities.values_list("kind", flat=True))
    days = set(Service.objects.filter(district=ctx.district).values_list("day_name", flat=True))
    assert {"城管码上办", "证照快办日"} <= days
    handled = selectors.handled_counts(district=ctx.district)
    assert sum(r["handled"] for r in handled) >= 30
    assert Booking.objects.filter(district=ctx.district, status="booked").count() == 1
    cards = selectors.station_cards(district=ctx.district, amenity="charging", open_now=True)
    assert [c["name"] for c in cards] == ["红色驿站（万达广场）"]


def test_linghe_ten_shop_stations_pioneer_station_and_child_area():
    ctx = _ctx("LHYS")
    for i in range(12):
        merchant_factory(ctx.district, name=f"凌河小吃{i}")
    demo.load(ctx)
    stations = Station.objects.filter(district=ctx.district)
    assert stations.filter(kind="party_station", merchant__isnull=False).count() == 10
    assert stations.filter(kind="pioneer_station").exists()
    assert stations.filter(kind="child_area").exists()
    assert stations.filter(kind="visitor_centre").get().amenities.filter(kind="nursing").exists()


def test_quangang_neighbourhood_centre_rooms():
    ctx = _ctx("YJGC")
    demo.load(ctx)
    rooms = set(Room.objects.filter(district=ctx.district).values_list("name", flat=True))
    assert {"组织生活室", "政务服务室", "商居议事厅", "文化活动室"} <= rooms
