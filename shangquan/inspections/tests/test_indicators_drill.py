"""Drill-down of the inspection indicators: 整改按时完成率 and 下发整改单 by grid and by
responsible department, down to the rectification orders; district-scoped, role-limited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shangquan.core.models import Department
from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory
from shangquan.dashboard import drilldown, selectors
from shangquan.inspections import services
from shangquan.inspections.models import Rectification
from shangquan.merchants.tests.factories import grid_factory, merchant_factory

from .factories import photo

pytestmark = pytest.mark.django_db

ON_TIME = "inspections.rectification_on_time"
ISSUED = "inspections.rectifications_issued"


def _client(user, **kw) -> Client:
    client = Client(**kw)
    client.force_login(user)
    return client


def _issue(actor, district, shop, deadline, title="灭火器压力不足"):
    return services.rectification_issue(actor=actor, district=district, merchant=shop,
                                        title=title, severity="general", source="inspection",
                                        deadline=deadline)


@pytest.fixture
def orders(north, south):
    """East: one verified in time, one open; west: one verified late, one open by 城管执法."""
    deadline = timezone.now() + timedelta(hours=2)
    east, west = grid_factory(north.district, name="东网格"), grid_factory(north.district,
                                                                        name="西网格")
    owner = north.people[Role.MERCHANT]
    a = merchant_factory(north.district, grid=east, owner=owner)
    b = merchant_factory(north.district, grid=west)
    inspector = north.people[Role.DEPARTMENT]
    cgzf = Department.objects.get(district=north.district, code="cgzf")
    other = member_factory(north.district, Role.DEPARTMENT, department=cgzf)
    done = _issue(inspector, north.district, a, deadline)
    services.rectification_evidence_submit(actor=owner, district=north.district,
                                           rectification=done, note="已更换", photos=[photo()])
    services.rectification_verify(actor=inspector, district=north.district, rectification=done)
    still_open = _issue(inspector, north.district, a, deadline, title="线路老化")
    late = _issue(inspector, north.district, b, deadline, title="通道堵塞")
    Rectification.objects.filter(pk=late.pk).update(  # verified after its deadline
        status=Rectification.Status.VERIFIED, verified_at=deadline + timedelta(minutes=5))
    by_other = _issue(other, north.district, b, deadline, title="占道经营")
    south_grid = grid_factory(south.district, name="南网格")
    foreign = _issue(south.people[Role.DEPARTMENT], south.district,
                     merchant_factory(south.district, grid=south_grid), deadline)
    period = Period.containing("month", timezone.localdate(deadline))
    return {"east": east, "west": west, "cgzf": cgzf, "done": done, "open": still_open,
            "late": late, "other": by_other, "south_grid": south_grid, "foreign": foreign,
            "period": period}


def _url(persona, key, period, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"period": period.label, **params}.items())
    return f"/console/{persona.district.code}/dashboard/drill/{key}/?{query}"


@pytest.mark.parametrize("key", [ON_TIME, ISSUED])
@pytest.mark.parametrize("by", ["grid", "department"])
def test_breakdown_adds_up_to_the_districts_value(north, orders, key, by):
    user = north.people[Role.COMMITTEE]
    indicator = selectors.indicator_get(key=key)
    period = orders["period"]
    whole = indicator.measure(north.district, period.start, period.end)
    parts = drilldown.breakdown(user=user, district=north.district, indicator=indicator,
                                period=period, by=by)
    if key == ON_TIME:
        assert (whole.numerator, whole.denominator) == (1, 4)
        assert sum(p.measure.numerator for p in parts) == whole.numerator
        assert sum(p.measure.denominator for p in parts) == whole.denominator
    else:
        assert whole.value == 4
        assert sum(p.measure.value for p in parts) == whole.value
    for part in parts:
        rows = drilldown.rows(user=user, district=north.district, indicator=indicator,
                              period=period, by=by, part=part.key)
        expected = part.measure.denominator if key == ON_TIME else part.measure.value
        assert rows.total == expected == len(rows.rows)


def test_rows_are_the_orders_of_the_part_with_their_pages(north, orders):
    user = north.people[Role.COMMITTEE]
    indicator = selectors.indicator_get(key=ON_TIME)
    period = orders["period"]
    parts = {p.key: p for p in drilldown.breakdown(user=user, district=north.district,
                                                   indicator=indicator, period=period,
                                                   by="grid")}
    assert set(parts) == {orders["east"].pk, orders["west"].pk}
    assert parts[orders["east"].pk].measure.value == 50.0
    assert parts[orders["west"].pk].measure.value == 0.0  # late and open: none on time
    assert parts[orders["east"].pk].label == "东网格"
    east = drilldown.rows(user=user, district=north.district, indicator=indicator,
                          period=period, by="grid", part=orders["east"].pk)
    numbers = {cells[0] for _url, cells in east.rows}
    assert numbers == {orders["done"].number, orders["open"].number}
    url, _cells = east.rows[0]
    assert url.startswith(f"/console/{north.district.code}/inspections/rectifications/")
    whole = drilldown.rows(user=user, district=north.district, indicator=indicator,
                           period=period)
    assert whole.total == 4
    assert orders["foreign"].number not in {cells[0] for _u, cells in whole.rows}
    # the department split: 市场监管 issued three, 城管执法 one
    depts = {p.key: p for p in drilldown.breakdown(user=user, district=north.district,
                                                   indicator=indicator, period=period,
                                                   by="department")}
    assert depts[north.department.pk].measure.denominator == 3
    assert depts[orders["cgzf"].pk].measure.denominator == 1


def test_rows_are_limited(north, orders):
    indicator = selectors.indicator_get(key=ISSUED)
    period = orders["period"]
    rows = indicator.rows(north.district, period.start, period.end, "", None, 2)
    assert rows.total == 4 and len(rows.rows) == 2


def test_another_districts_part_is_not_found_through_the_page(north, orders):
    client = _client(north.people[Role.COMMITTEE])
    period = orders["period"]
    ok = client.get(_url(north, ON_TIME, period, by="grid", part=orders["east"].pk))
    assert ok.status_code == 200
    body = ok.content.decode()
    assert 'id="drill-rows"' in body and orders["done"].number in body
    assert body.count(f"/console/{north.district.code}/inspections/rectifications/") >= 2
    for key in (ON_TIME, ISSUED):
        assert client.get(_url(north, key, period, by="grid",
                               part=orders["south_grid"].pk)).status_code == 404
        south_dept = orders["foreign"].department_id
        assert client.get(_url(north, key, period, by="department",
                               part=south_dept)).status_code == 404


def test_a_department_reads_its_own_orders_only(north, orders):
    client = _client(north.people[Role.DEPARTMENT])
    period = orders["period"]
    assert client.get(_url(north, ON_TIME, period, by="grid")).status_code == 404
    parts = client.get(_url(north, ON_TIME, period, by="department")).content.decode()
    assert north.department.name in parts and "城管执法" not in parts
    own = client.get(_url(north, ON_TIME, period, by="department", part=north.department.pk))
    assert own.status_code == 200
    body = own.content.decode()
    assert orders["done"].number in body and orders["other"].number not in body
    assert client.get(_url(north, ON_TIME, period, by="department",
                           part=orders["cgzf"].pk)).status_code == 404


def test_the_drill_page_in_english(north, orders):
    client = _client(north.people[Role.COMMITTEE], HTTP_ACCEPT_LANGUAGE="en")
    period = orders["period"]
    for key, extra in ((ON_TIME, ("Verification",)), (ISSUED, ("Order issued",))):
        page = client.get(_url(north, key, period, by="grid", part=orders["west"].pk))
        assert page.status_code == 200
        body = page.content.decode()
        for label in ("Number", "Hazard", "Responsible department", "Deadline", *extra):
            assert label in body
        for chinese in ("编号", "隐患", "责任部门", "整改期限", "下发整改", "验收", "等级",
                        "未指定", "待整改", "已整改"):
            assert chinese not in body, chinese
