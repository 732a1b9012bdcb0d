"""The KPIs on a hand-checked example.

Ten orders in one district, all submitted today:

 #  category   fate                                   disp resp  resol rating
 1  oil_fume   closed, 满意                            1    1     1     满意
 2  oil_fume   closed, 满意                            1    1     1     满意
 3  noise      closed, 基本满意                        1    1     1     基本满意
 4  noise      closed, 不满意→reopened (not resolved)  1    1     0     不满意
 5  noise      closed, 基本满意, marked unreasonable   1    1     1     (excluded)
 6  price      accepted late (response overdue)         1    0     0
 7  price      dispatched, resolution overdue too       1    0     0
 8  parking    submitted                                0
 9  parking    rejected                                 (not counted)
10  sanitation merged into 8                            (not counted)

dispatched = 7; responded on time = 5 → response rate 5/7
resolved = 4 (1, 2, 3, 5) → resolution rate 4/7
rated = 4 kept (满意 2, 基本满意 1, 不满意 1), 1 excluded
satisfaction = (2 + 0.9 × 1) / 4 = 0.725
composite = 100 × (0.1 × 5/7 + 0.5 × 4/7 + 0.4 × 0.725) = 64.7428…
overdue: response 2 (6, 7), resolution 1 (7) → 3
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core.district_settings import district_settings_update
from shangquan.core.roles import Role
from shangquan.workorders import kpi, rollup, services
from shangquan.workorders.models import WorkOrder

from .factories import advance, order_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(north):
    c = north.people[Role.COMMITTEE]
    d = north.district
    o = [order_factory(north, category_code=code) for code in (
        "oil_fume", "oil_fume", "noise", "noise", "noise", "price", "price", "parking",
        "parking", "sanitation")]
    advance(north, o[0], "closed", rating="satisfied")
    advance(north, o[1], "closed", rating="satisfied")
    advance(north, o[2], "closed", rating="basic")
    advance(north, o[3], "closed", rating="unsatisfied")
    advance(north, o[4], "closed", rating="basic")
    services.rating_mark_unreasonable(actor=c, district=d, order=o[4], reason="与办理无关")
    advance(north, o[5], "dispatched")
    advance(north, o[6], "dispatched")
    # 6: response limit passes, then it is accepted late; 7: both limits pass
    services.overdue_check(now=timezone.now() + dt.timedelta(hours=30))
    services.work_order_accept(actor=north.people[Role.DEPARTMENT], district=d, order=o[5])
    WorkOrder.objects.filter(pk=o[6].pk).update(
        resolution_due_at=timezone.now() - dt.timedelta(minutes=1))
    services.overdue_check()
    services.work_order_reject(actor=c, district=d, order=o[8], reason="非本商圈事项")
    services.work_order_merge(actor=c, district=d, order=o[9], into=o[7], reason="同一问题")
    return north


def test_rates_match_the_hand_computation(example):
    today = timezone.localdate()
    totals = kpi.kpi_totals(district=example.district, start=today, end=today)
    assert totals.total == 10
    assert totals.dispatched == 7
    assert totals.response_rate == pytest.approx(5 / 7)
    assert totals.resolution_rate == pytest.approx(4 / 7)
    assert totals.rated == 4 and totals.excluded == 1
    assert totals.satisfaction_rate == pytest.approx(0.725)
    assert totals.overdue == 3
    assert totals.composite == pytest.approx(100 * (0.1 * 5 / 7 + 0.5 * 4 / 7 + 0.4 * 0.725))


def test_by_category_and_rebuild_agree(example):
    today = timezone.localdate()
    rows = {r.label: r for r in kpi.kpi_by(district=example.district, dim="category",
                                          start=today, end=today)}
    assert rows["噪音"].dispatched == 3 and rows["噪音"].satisfaction_rate == pytest.approx(
        (0 + 0.9) / 2)
    assert rows["噪音"].excluded == 1
    assert rows["价格"].response_rate == 0
    assert rows["停车"].total == 2 and rows["停车"].dispatched == 0
    before = {r.label: r.as_dict() for r in kpi.kpi_by(district=example.district, dim="grid",
                                                      start=today, end=today)}
    rollup.rebuild(district=example.district)
    after = {r.label: r.as_dict() for r in kpi.kpi_by(district=example.district, dim="grid",
                                                     start=today, end=today)}
    assert before == after


def test_composite_weights_are_configurable(example):
    district_settings_update(actor=example.people[Role.COMMITTEE], district=example.district,
                             app="workorders", values={"weight_response": 0,
                                                       "weight_resolution": 0,
                                                       "weight_satisfaction": 1})
    today = timezone.localdate()
    totals = kpi.kpi_totals(district=example.district, start=today, end=today)
    assert totals.composite == pytest.approx(72.5)


def test_kpi_page_shows_excluded_ratings(example, client):
    from django.urls import reverse

    from shangquan.core.tests.factories import PASSWORD

    client.login(username=example.people[Role.COMMITTEE].username, password=PASSWORD)
    r = client.get(reverse("workorders:kpi", kwargs={"code": example.district.code}))
    text = r.content.decode()
    assert 'id="kpi-excluded">1<' in text
    assert "72.5%" in text and "71.4%" in text and "57.1%" in text
