"""Drill-down of the scales indicators: 计量抽检合格率 → the spot checks, 复秤投诉 and 复秤短秤
→ the fair-scale slips, each by grid; district-scoped."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.dashboard import drilldown, selectors
from shangquan.merchants.tests.factories import grid_factory, merchant_factory
from shangquan.scales import services

from .factories import instrument_factory

pytestmark = pytest.mark.django_db

PASS_RATE = "scales.spot_check_pass_rate"
COMPLAINTS = "scales.reweigh_complaints"
SHORT = "scales.reweigh_short"


def _client(user, **kw) -> Client:
    client = Client(**kw)
    client.force_login(user)
    return client


def _check(persona, instrument, reading: str):
    return services.spot_check_record(actor=persona.people[Role.DEPARTMENT],
                                      district=persona.district, instrument=instrument,
                                      load_g="5000", indications=[reading])


def _slip(persona, shop, measured: str, complain: bool = False):
    record = services.reweigh_record(actor=SYSTEM, district=persona.district, merchant=shop,
                                     goods="车厘子", band="premium", claimed_g="1000",
                                     measured_g=measured)
    if complain:
        record = services.reweigh_complain(actor=SYSTEM, district=persona.district,
                                           reweigh=record)
    return record


@pytest.fixture
def data(north, south):
    """East: a passed and a failed check, a short slip made a complaint; west: a passed
    check, a short slip and a full one. South: a failed check and a complaint."""
    east, west = grid_factory(north.district, name="东网格"), grid_factory(north.district,
                                                                        name="西网格")
    a = merchant_factory(north.district, grid=east, name="东边水果摊")
    b = merchant_factory(north.district, grid=west, name="西边干货铺")
    passed = _check(north, instrument_factory(north.district, a), "5005")
    failed = _check(north, instrument_factory(north.district, a), "5050")
    west_check = _check(north, instrument_factory(north.district, b), "5000")
    complaint = _slip(north, a, "950", complain=True)
    short = _slip(north, b, "950")
    _slip(north, b, "1000")
    south_grid = grid_factory(south.district, name="南网格")
    s = merchant_factory(south.district, grid=south_grid, name="南门肉铺")
    foreign_check = _check(south, instrument_factory(south.district, s), "5050")
    foreign_slip = _slip(south, s, "900", complain=True)
    return {"east": east, "west": west, "passed": passed, "failed": failed,
            "west_check": west_check, "complaint": complaint, "short": short,
            "south_grid": south_grid, "foreign_check": foreign_check,
            "foreign_slip": foreign_slip,
            "period": Period.containing("month", timezone.localdate())}


def _url(persona, key, period, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"period": period.label, **params}.items())
    return f"/console/{persona.district.code}/dashboard/drill/{key}/?{query}"


@pytest.mark.parametrize("key,whole", [(PASS_RATE, (2, 3)), (COMPLAINTS, 1), (SHORT, 2)])
def test_breakdown_by_grid_adds_up_to_the_districts_value(north, data, key, whole):
    user = north.people[Role.COMMITTEE]
    indicator = selectors.indicator_get(key=key)
    period = data["period"]
    value = indicator.measure(north.district, period.start, period.end)
    parts = drilldown.breakdown(user=user, district=north.district, indicator=indicator,
                                period=period, by="grid")
    assert data["south_grid"].pk not in {p.key for p in parts}
    if key == PASS_RATE:
        assert (value.numerator, value.denominator) == whole
        assert sum(p.measure.numerator for p in parts) == value.numerator
        assert sum(p.measure.denominator for p in parts) == value.denominator
    else:
        assert value.value == whole
        assert sum(p.measure.value for p in parts) == value.value
    total = 0
    for part in parts:
        rows = drilldown.rows(user=user, district=north.district, indicator=indicator,
                              period=period, by="grid", part=part.key)
        expected = part.measure.denominator if key == PASS_RATE else part.measure.value
        assert rows.total == expected == len(rows.rows)
        total += rows.total
    assert drilldown.rows(user=user, district=north.district, indicator=indicator,
                          period=period).total == total


def test_rows_are_the_checks_and_slips_with_their_pages(north, data):
    user = north.people[Role.COMMITTEE]
    period = data["period"]
    rate = selectors.indicator_get(key=PASS_RATE)
    parts = {p.key: p for p in drilldown.breakdown(user=user, district=north.district,
                                                   indicator=rate, period=period, by="grid")}
    assert parts[data["east"].pk].measure.value == 50.0
    assert parts[data["west"].pk].measure.value == 100.0
    east = drilldown.rows(user=user, district=north.district, indicator=rate, period=period,
                          by="grid", part=data["east"].pk)
    urls = {url for url, _cells in east.rows}
    code = north.district.code
    assert urls == {f"/console/{code}/scales/{data['passed'].instrument_id}/",
                    f"/console/{code}/scales/{data['failed'].instrument_id}/"}
    assert {cells[-1] for _u, cells in east.rows} == {"合格", "不合格"}
    complaints = drilldown.rows(user=user, district=north.district,
                                indicator=selectors.indicator_get(key=COMPLAINTS),
                                period=period)
    assert complaints.total == 1
    url, cells = complaints.rows[0]
    assert url == f"/console/{code}/workorders/{data['complaint'].work_order_id}/"
    assert cells[1] == "东边水果摊" and cells[3] == "车厘子"
    short = drilldown.rows(user=user, district=north.district,
                           indicator=selectors.indicator_get(key=SHORT), period=period,
                           by="grid", part=data["west"].pk)
    assert short.total == 1 and short.rows[0][0] == ""  # no work order: no page
    assert short.rows[0][1][1] == "西边干货铺"
    limited = rate.rows(north.district, period.start, period.end, "", None, 1)
    assert limited.total == 3 and len(limited.rows) == 1


def test_another_districts_grid_is_not_found_through_the_page(north, data):
    client = _client(north.people[Role.COMMITTEE])
    period = data["period"]
    for key in (PASS_RATE, COMPLAINTS, SHORT):
        assert client.get(_url(north, key, period, by="grid")).status_code == 200
        assert client.get(_url(north, key, period, by="grid",
                               part=data["south_grid"].pk)).status_code == 404
    page = client.get(_url(north, PASS_RATE, period, by="grid", part=data["east"].pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="drill-rows"' in body and "东边水果摊" in body and "南门肉铺" not in body


def test_the_drill_pages_in_english(north, data):
    client = _client(north.people[Role.COMMITTEE], HTTP_ACCEPT_LANGUAGE="en")
    period = data["period"]
    checks = client.get(_url(north, PASS_RATE, period, by="grid", part=data["east"].pk))
    assert checks.status_code == 200
    body = checks.content.decode()
    for label in ("Checked at", "Weighing instrument", "Test load", "Error / allowed",
                  "Verdict", "Grid"):
        assert label in body
    for chinese in ("查验时间", "计量器具", "砝码", "误差 / 允许", "结论", "不合格"):
        assert chinese not in body, chinese
    slips = client.get(_url(north, COMPLAINTS, period, by="grid", part=data["east"].pk))
    assert slips.status_code == 200
    body = slips.content.decode()
    for label in ("Goods", "Charged / re-weighed", "Short / allowed", "Complaint",
                  "Work order filed"):
        assert label in body
    for chinese in ("商品", "结算 / 复称", "短少 / 允许", "投诉", "已转工单", "缺斤短两"):
        assert chinese not in body, chinese
