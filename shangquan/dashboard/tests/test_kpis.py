"""The KPI service: a hand-checked example, comparisons, the street's view, bad input."""

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core import services as core_services
from shangquan.core.actors import SYSTEM
from shangquan.core.errors import NotFound, PermissionDenied, ValidationFailed
from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.dashboard import selectors
from shangquan.workorders.kpi import kpi_totals
from shangquan.workorders.tests.factories import advance, order_factory

pytestmark = pytest.mark.django_db


def _four_orders(persona):
    """Hand-checked: 4 submitted, 3 dispatched, 2 accepted in time and closed —
    one 满意, one 基本满意.

    响应率 = 2 / 3 = 66.67 %; 解决率 = 2 / 3 = 66.67 %;
    满意率 = (1 + 0.9 × 1) / 2 = 95 %; 工单总量 = 4; 超期 = 0.
    """
    advance(persona, order_factory(persona), "closed", rating="satisfied")
    advance(persona, order_factory(persona), "closed", rating="basic")
    advance(persona, order_factory(persona), "dispatched")
    order_factory(persona)


def _by_key(values):
    return {v.indicator.key: v for v in values}


def test_every_installed_app_contributes_and_keys_are_unique():
    keys = [i.key for i in selectors.indicators()]
    assert len(keys) == len(set(keys))
    for expected in ("workorders.response_rate", "workorders.overdue",
                     "inspections.rectification_on_time", "scales.spot_check_pass_rate",
                     "scales.reweigh_complaints", "crowd.peak_vs_capacity", "crowd.minutes_red"):
        assert expected in keys
    for indicator in selectors.indicators():
        assert indicator.definition and indicator.unit and indicator.label


def test_hand_checked_week(north):
    _four_orders(north)
    week = Period.containing("week", timezone.localdate())
    values = _by_key(selectors.kpi_board(user=north.people[Role.COMMITTEE],
                                         district=north.district, period=week))
    assert values["workorders.total"].current.value == 4
    assert values["workorders.response_rate"].current.value == pytest.approx(200 / 3)
    assert values["workorders.resolution_rate"].current.value == pytest.approx(200 / 3)
    assert values["workorders.satisfaction_rate"].current.value == pytest.approx(95.0)
    assert values["workorders.overdue"].current.value == 0
    # nothing the week before: no comparison to invent
    assert values["workorders.total"].previous.value == 0
    assert values["workorders.response_rate"].previous.value is None
    assert values["workorders.response_rate"].change is None
    # the same figures as the work-order KPI page for the same days
    page = kpi_totals(district=north.district, start=week.start, end=week.last_day)
    assert values["workorders.response_rate"].current.value == pytest.approx(
        100 * page.response_rate)
    assert values["workorders.satisfaction_rate"].current.value == pytest.approx(
        100 * page.satisfaction_rate)


def test_comparison_with_previous_and_baseline(north):
    _four_orders(north)
    this_week = Period.containing("week", timezone.localdate())
    next_week = this_week.next()
    baseline = this_week.previous().previous()
    v = selectors.value(indicator=selectors.indicator_get(key="workorders.total"),
                        districts=[north.district], period=next_week, baseline=baseline)
    assert (v.current.value, v.previous.value, v.change) == (0, 4, -4)
    assert v.better(v.change) is True  # fewer orders is better (direction down)
    assert v.baseline.value == 0 and v.change_vs_baseline == 0
    d = v.as_dict()
    assert d["previous_period"] == this_week.label and d["baseline_period"] == baseline.label
    with pytest.raises(ValidationFailed):
        selectors.value(indicator=selectors.indicator_get(key="workorders.total"),
                        districts=[north.district], period=next_week,
                        baseline=Period.containing("month", baseline.start))


def test_street_view_combines_rates_not_means(north, south):
    _four_orders(north)
    advance(south, order_factory(south), "dispatched")  # south: 0 of 1 responded
    street = north.people[Role.STREET]
    core_services.membership_grant(actor=SYSTEM, district=south.district, user=street,
                                   role=Role.STREET, department=None)
    week = Period.containing("week", timezone.localdate())
    view = selectors.street_view(user=street, key="workorders.response_rate", period=week)
    assert [r["code"] for r in view["rows"]] == ["NORTH", "SOUTH"]  # ranked, best first
    assert [r["rank"] for r in view["rows"]] == [1, 2]
    assert view["rows"][1]["value"] == 0
    # Σ responded ÷ Σ dispatched = 2 / 4, not the mean of 66.7 % and 0 %
    assert view["total"]["value"] == pytest.approx(50.0)
    with pytest.raises(NotFound):  # north's committee does not oversee south
        selectors.street_view(user=north.people[Role.COMMITTEE],
                              key="workorders.response_rate", period=week, codes=["SOUTH"])


def test_bad_input(north):
    week = Period.containing("week", timezone.localdate())
    with pytest.raises(NotFound):
        selectors.indicator_get(key="nope.nothing")
    with pytest.raises(ValidationFailed):
        selectors.period_parse(text="next tuesday")
    with pytest.raises(PermissionDenied):
        selectors.kpi_board(user=north.people[Role.MERCHANT], district=north.district,
                            period=week)


def test_one_computation_shared_by_viewers(north, django_assert_max_num_queries):
    _four_orders(north)
    week = Period.containing("week", timezone.localdate())
    committee = north.people[Role.COMMITTEE]
    selectors.kpi_board(user=committee, district=north.district, period=week)
    with django_assert_max_num_queries(3):  # memberships only, no indicator query
        selectors.kpi_board(user=north.people[Role.STREET], district=north.district,
                            period=week)


def test_api(north, south, api_client):
    _four_orders(north)
    api = api_client(north.people[Role.COMMITTEE])
    base = f"/api/v1/districts/{north.district.code}/dashboard"
    r = api.get(f"{base}/indicators")
    assert r.status_code == 200 and any(i["key"] == "crowd.minutes_red" for i in r.json())
    week = Period.containing("week", timezone.localdate())
    r = api.get(f"{base}/kpis", {"period": week.label, "key": "workorders.satisfaction_rate",
                                        "baseline": week.previous().label})
    assert r.status_code == 200, r.content
    [row] = r.json()
    assert row["value"] == pytest.approx(95.0) and row["numerator"] == pytest.approx(1.9)
    assert row["baseline_period"] == week.previous().label
    assert api.get(f"{base}/kpis", {"key": "nope"}).json()["code"] == "unknown_indicator"
    assert api.get(f"{base}/kpis", {"period": "2026-13"}).status_code == 422
    other = f"/api/v1/districts/{south.district.code}/dashboard/kpis"
    assert api.get(other).status_code == 404


def test_console_page(north, client):
    _four_orders(north)
    client.force_login(north.people[Role.COMMITTEE])
    r = client.get(f"/console/{north.district.code}/dashboard/kpis/",
                   {"kind": "week", "baseline": Period.containing(
                       "week", timezone.localdate() - dt.timedelta(days=14)).label})
    assert r.status_code == 200
    html = r.content.decode()
    assert "响应率" in html and "66.7" in html and "95.0" in html and "基准期" in html


def test_every_indicator_measures_on_a_real_database(north):
    """Each contributed ``measure`` runs its query (empty district: counts 0, rates None)."""
    year = Period.containing("year", timezone.localdate())
    for indicator in selectors.indicators():
        m = indicator.measure(north.district, year.start, year.end)
        assert m.value is None or m.value >= 0, indicator.key
        if indicator.combine == "ratio":
            assert m.value is None and m.denominator == 0, indicator.key
