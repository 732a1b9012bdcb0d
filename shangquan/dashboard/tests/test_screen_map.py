"""The big screen's map: grids coloured by open orders, stations, crowd zones by level,
today's orders as points; no personal data in the payload; absent apps add nothing."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from shangquan.core.roles import Role
from shangquan.crowd.tests.factories import zone_factory
from shangquan.dashboard import layouts, screen, screen_map, screen_panels
from shangquan.merchants.models import Grid
from shangquan.merchants.tests.factories import grid_factory
from shangquan.stations.tests.factories import station_factory
from shangquan.workorders.models import OPEN_STATUSES
from shangquan.workorders.tests.factories import advance, order_factory

pytestmark = pytest.mark.django_db

NAME, PHONE, TEXT = "张秀英", "13812345678", "楼下烧烤摊油烟熏到三楼"


def test_open_states_are_the_work_orders_own():
    assert set(screen_map.OPEN_STATUSES) == {str(s) for s in OPEN_STATUSES}


def test_grid_levels():
    assert [screen_map.grid_level(n) for n in (0, 1, 2, 3, 5, 6)] == [
        "green", "yellow", "yellow", "orange", "orange", "red"]


def test_layers_and_no_personal_data(north):
    district = north.district
    busy = grid_factory(district, name="夜市东区")
    calm = grid_factory(district, name="夜市西区")
    Grid.objects.filter(pk=busy.pk).update(latitude=Decimal("41.1190"),
                                           longitude=Decimal("121.1470"))
    for _i in range(3):
        order_factory(north, grid=busy, latitude=Decimal("41.119123"),
                      longitude=Decimal("121.147456"), reporter_name=NAME,
                      reporter_phone=PHONE, description=TEXT)
    advance(north, order_factory(north, grid=calm, latitude=Decimal("41.1195"),
                                 longitude=Decimal("121.1460")), "closed")
    station_factory(district, name="夜市党群服务站")
    zone_factory(district, name="美食街")
    data = screen_map.map_data(user=north.people[Role.COMMITTEE], district=district)
    grids = {g["name"]: g for g in data["grids"]}
    assert grids["夜市东区"]["open"] == 3 and grids["夜市东区"]["level"] == "orange"
    assert grids["夜市西区"]["open"] == 0 and grids["夜市西区"]["level"] == "green"
    assert grids["夜市东区"]["lat"] == 41.119 and grids["夜市西区"]["lat"] is None
    assert data["open_total"] == 3
    assert [s["name"] for s in data["stations"]] == ["夜市党群服务站"]
    assert data["stations_open"] == 1
    assert [z["name"] for z in data["zones"]] == ["美食街"]
    assert data["zones"][0]["level"] == "green" and data["zones"][0]["lat"] is not None
    assert data["orders_total"] == 4 and len(data["orders"]) == 4
    point = next(o for o in data["orders"] if o["open"])
    assert point["lat"] == 41.119 and point["lon"] == 121.147  # rounded: a private place
    body = json.dumps(data, ensure_ascii=False)
    for secret in (NAME, PHONE, TEXT, "138"):
        assert secret not in body
    assert "reporter" not in body and "description" not in body and "host" not in body


def test_a_department_sees_its_own_orders_on_the_map(north):
    grid = grid_factory(north.district, name="夜市东区")
    advance(north, order_factory(north, grid=grid), "dispatched")
    order_factory(north, grid=grid)  # not dispatched: not the department's
    mine = screen_map.map_data(user=north.people[Role.DEPARTMENT], district=north.district)
    everyone = screen_map.map_data(user=north.people[Role.COMMITTEE], district=north.district)
    assert mine["open_total"] == 1 and everyone["open_total"] == 2
    assert screen_panels.viewer(north.people[Role.DEPARTMENT], north.district) != "all"


def test_the_map_panel_is_on_the_default_screen_and_in_the_stream_data(north):
    order_factory(north, latitude=Decimal("41.1192"), longitude=Decimal("121.1477"))
    data = screen.screen_data(user=north.people[Role.COMMITTEE], district=north.district,
                              fresh=True)
    panel = next(p for p in data["panels"] if p["kind"] == "map")
    assert panel["width"] == 2 and panel["height"] == 2
    assert len(panel["data"]["orders"]) == 1


def test_today_resets_at_midnight(north):
    user = north.people[Role.COMMITTEE]
    tz = timezone.get_current_timezone()
    evening = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1),
                                  dt.time(23, 59, 30), tzinfo=tz)
    with time_machine.travel(evening, tick=False):
        order_factory(north, latitude=Decimal("41.1192"), longitude=Decimal("121.1477"))
        before = screen.screen_data(user=user, district=north.district)
        sig = screen.screen_signature(districts=[north.district])
    tiles = {t["key"]: t for t in before["panels"][0]["data"]["tiles"]}
    assert tiles["workorders.total"]["value"] == 1
    with time_machine.travel(evening + dt.timedelta(minutes=1), tick=False):
        after = screen.screen_data(user=user, district=north.district)  # cached panels too
        assert screen.screen_signature(districts=[north.district]) != sig
    assert after["today"] != before["today"]
    tiles = {t["key"]: t for t in after["panels"][0]["data"]["tiles"]}
    assert tiles["workorders.total"]["value"] == 0
    assert tiles["workorders.total"]["previous"] == 1  # yesterday's figure
    the_map = next(p for p in after["panels"] if p["kind"] == "map")["data"]
    assert the_map["orders"] == [] and the_map["open_total"] == 1


def test_each_panel_keeps_its_figures_for_its_interval(north):
    user = north.people[Role.COMMITTEE]
    start = timezone.now().replace(microsecond=0)
    tiles = layouts.DEFAULT_LAYOUT[0]  # 10 s
    month = layouts.DEFAULT_LAYOUT[3]  # 300 s
    assert tiles.refresh == 10 and month.refresh == 300
    with time_machine.travel(start.replace(second=(start.second // 10) * 10), tick=False):
        first = screen_panels.panel_cached(tiles, user=user, district=north.district,
                                           districts=[north.district])
        screen_panels.panel_cached(month, user=user, district=north.district,
                                   districts=[north.district])
        order_factory(north)
        again = screen_panels.panel_cached(tiles, user=user, district=north.district,
                                           districts=[north.district])
        assert again is first  # within its interval: the same figures
    later = start.replace(second=(start.second // 10) * 10) + dt.timedelta(seconds=11)
    with time_machine.travel(later, tick=False):
        fresh = screen_panels.panel_cached(tiles, user=user, district=north.district,
                                           districts=[north.district])
    total = {t["key"]: t for t in fresh["tiles"]}["workorders.total"]["value"]
    assert total == 1


def test_open_orders_per_grid_follow_every_change(north):
    grid = grid_factory(north.district, name="夜市东区")
    order = order_factory(north, grid=grid)
    user = north.people[Role.COMMITTEE]
    first = screen_map.map_data(user=user, district=north.district)
    assert first["open_total"] == 1
    assert screen_map.map_data(user=user, district=north.district)["open_total"] == 1  # cached
    advance(north, order, "closed")
    assert screen_map.map_data(user=user, district=north.district)["open_total"] == 0
    order_factory(north, grid=grid)
    again = screen_map.map_data(user=user, district=north.district)
    assert {g["name"]: g["open"] for g in again["grids"]}["夜市东区"] == 1
