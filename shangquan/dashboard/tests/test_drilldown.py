"""Drill-down: indicator → breakdown by grid/department → the orders; district-scoped and
role-limited (a department sees its own part only)."""

import pytest
from django.test import Client
from django.utils import timezone

from shangquan.core.models import Department
from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.dashboard import drilldown, selectors
from shangquan.merchants.tests.factories import grid_factory
from shangquan.workorders.tests.factories import advance, order_factory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(persona, key="workorders.total", **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/console/{persona.district.code}/dashboard/drill/{key}/?{query}"


@pytest.fixture
def orders(north, south):
    east, west = grid_factory(north.district, name="东网格"), grid_factory(north.district,
                                                                        name="西网格")
    advance(north, order_factory(north, grid=east), "closed", rating="satisfied")
    advance(north, order_factory(north, grid=east), "dispatched")
    order_factory(north, grid=west)
    south_grid = grid_factory(south.district, name="南网格")
    order_factory(south, grid=south_grid)
    return east, west, south_grid


def test_breakdown_by_grid_adds_up_to_the_district_and_lists_the_orders(north, orders):
    east, west, _south_grid = orders
    user = north.people[Role.COMMITTEE]
    indicator = selectors.indicator_get(key="workorders.total")
    month = Period.containing("month", timezone.localdate())
    parts = {p.key: p for p in drilldown.breakdown(user=user, district=north.district,
                                                   indicator=indicator, period=month, by="grid")}
    assert parts[east.pk].measure.value == 2 and parts[west.pk].measure.value == 1
    assert parts[east.pk].label == "东网格"
    rows = drilldown.rows(user=user, district=north.district, indicator=indicator, period=month,
                          by="grid", part=east.pk)
    assert rows.total == 2 and len(rows.rows) == 2
    whole = drilldown.rows(user=user, district=north.district, indicator=indicator,
                           period=month)
    assert whole.total == 3
    # 响应率's rows are the dispatched orders only (its denominator)
    rate = selectors.indicator_get(key="workorders.response_rate")
    assert drilldown.rows(user=user, district=north.district, indicator=rate,
                          period=month).total == 2


def test_drill_pages_walk_down_to_an_order(north, orders):
    east, _west, _ = orders
    client = _client(north.people[Role.COMMITTEE])
    page = client.get(_url(north))
    assert page.status_code == 200
    assert "按网格" in page.content.decode()
    parts = client.get(_url(north, by="grid")).content.decode()
    assert "东网格" in parts and f"part={east.pk}" in parts
    rows = client.get(_url(north, by="grid", part=east.pk))
    assert rows.status_code == 200
    body = rows.content.decode()
    assert body.count(f"/console/{north.district.code}/workorders/") >= 2  # links to orders
    assert 'id="drill-rows"' in body


def test_other_districts_ids_are_not_found(north, south, orders):
    _east, _west, south_grid = orders
    client = _client(north.people[Role.COMMITTEE])
    # another district's grid id: 404, like an id that does not exist
    assert client.get(_url(north, by="grid", part=south_grid.pk)).status_code == 404
    assert client.get(_url(north, by="grid", part=999999)).status_code == 404
    # another district's code: 404 (the committee of north is no member of south)
    assert client.get(_url(south, by="grid")).status_code == 404
    # an unknown indicator and an unknown dimension
    assert client.get(_url(north, key="nope.nothing")).status_code == 404
    assert client.get(_url(north, by="colour")).status_code == 404


def test_a_department_sees_its_own_department_only(north, orders):
    dept_user = north.people[Role.DEPARTMENT]
    client = _client(dept_user)
    own = north.department.pk
    assert client.get(_url(north, by="grid")).status_code == 404  # not its breakdown
    page = client.get(_url(north, by="department")).content.decode()
    assert north.department.name in page
    assert "城管执法" not in page
    assert client.get(_url(north, by="department", part=own)).status_code == 200
    other = Department.objects.get(district=north.district, name="城管执法")
    # the committee may read the other department's part; a department may not
    assert client.get(_url(north, by="department", part=other.pk)).status_code == 404
    # no whole-district rows for a department
    body = client.get(_url(north)).content.decode()
    assert 'id="drill-rows"' not in body


def test_roles_without_the_dashboard_are_refused(north, orders):
    for role in (Role.MERCHANT, Role.RESIDENT, Role.GRID_LEADER):
        assert _client(north.people[role]).get(_url(north)).status_code in (403, 404)


def test_ratings_and_stations_indicators_measure_and_drill(north):
    month = Period.containing("month", timezone.localdate())
    user = north.people[Role.COMMITTEE]
    for key in ("ratings.outdoor_compliance", "stations.bookings_handled",
                "stations.no_show_rate"):
        indicator = selectors.indicator_get(key=key)
        v = selectors.value(indicator=indicator, districts=[north.district], period=month)
        assert v.current.value in (None, 0)
        assert drilldown.rows(user=user, district=north.district, indicator=indicator,
                              period=month).total == 0
    quarter = Period.containing("quarter", timezone.localdate())
    share = selectors.indicator_get(key="ratings.excellent_share")
    assert selectors.value(indicator=share, districts=[north.district],
                           period=quarter).current.value is None
