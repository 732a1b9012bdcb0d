"""Drill-down of 志愿服务时长: by team down to the confirmed registrations (volunteers'
names masked); district-scoped, readable in English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from shangquan.activities import services
from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory
from shangquan.dashboard import drilldown, selectors

from .factories import event_factory, team_factory

pytestmark = pytest.mark.django_db

KEY = "activities.volunteer_hours"


def _client(user, **kw) -> Client:
    client = Client(**kw)
    client.force_login(user)
    return client


def _serve(persona, event, volunteer, minutes: int):
    committee = persona.people[Role.COMMITTEE]
    r = services.registration_create(actor=volunteer, event=event)
    services.check_in(actor=committee, district=persona.district, token=event.checkin_token,
                      user=volunteer, now=event.starts_at)
    services.check_out(actor=committee, district=persona.district, token=event.checkin_token,
                       user=volunteer, now=event.starts_at + dt.timedelta(minutes=minutes))
    return services.hours_confirm(actor=committee, registration=r)


@pytest.fixture
def data(north, south):
    """先蜂骑士队's event: 90 + 30 minutes; an event of no team: 60 minutes."""
    rider = north.people[Role.VOLUNTEER]
    other = member_factory(north.district, Role.VOLUNTEER, username="north-helper-zhang")
    team = team_factory(north, name="先蜂骑士队", captain=rider)
    ago = dt.timedelta(hours=-2)
    teamed = event_factory(north, title="驿站志愿服务", team=team, starts_in=ago, hours=3)
    loose = event_factory(north, title="清扫街面", starts_in=ago, hours=3)
    regs = [_serve(north, teamed, rider, 90), _serve(north, teamed, other, 30),
            _serve(north, loose, rider, 60)]
    south_team = team_factory(south, name="南门义工队")
    foreign = event_factory(south, title="南门志愿服务", team=south_team, starts_in=ago)
    _serve(south, foreign, south.people[Role.VOLUNTEER], 120)
    return {"team": team, "teamed": teamed, "loose": loose, "regs": regs,
            "south_team": south_team, "period": Period.containing("month", timezone.localdate())}


def _url(persona, period, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"period": period.label, **params}.items())
    return f"/console/{persona.district.code}/dashboard/drill/{KEY}/?{query}"


def test_breakdown_by_team_adds_up_and_lists_the_registrations(north, data):
    user = north.people[Role.COMMITTEE]
    indicator = selectors.indicator_get(key=KEY)
    period = data["period"]
    assert indicator.measure(north.district, period.start, period.end).value == 3.0
    parts = {p.key: p for p in drilldown.breakdown(user=user, district=north.district,
                                                   indicator=indicator, period=period,
                                                   by="team")}
    assert set(parts) == {data["team"].pk, 0}
    assert parts[data["team"].pk].measure.value == 2.0 and parts[0].measure.value == 1.0
    assert sum(p.measure.value for p in parts.values()) == pytest.approx(3.0)
    rows = drilldown.rows(user=user, district=north.district, indicator=indicator,
                          period=period, by="team", part=data["team"].pk)
    assert rows.total == 2
    assert sorted(cells[-1] for _u, cells in rows.rows) == [30, 90]
    assert {url for url, _c in rows.rows} == {
        f"/console/{north.district.code}/activities/events/{data['teamed'].pk}/"}
    volunteers = {cells[2] for _u, cells in rows.rows}
    assert "north-helper-zhang" not in volunteers and "n***" in volunteers  # masked
    whole = drilldown.rows(user=user, district=north.district, indicator=indicator,
                           period=period)
    assert whole.total == 3 and "南门志愿服务" not in {c[0] for _u, c in whole.rows}
    limited = indicator.rows(north.district, period.start, period.end, "", None, 1)
    assert limited.total == 3 and len(limited.rows) == 1


def test_another_districts_team_is_not_found_and_english_reads(north, data):
    period = data["period"]
    client = _client(north.people[Role.COMMITTEE])
    assert client.get(_url(north, period, by="team",
                           part=data["south_team"].pk)).status_code == 404
    english = _client(north.people[Role.COMMITTEE], HTTP_ACCEPT_LANGUAGE="en")
    parts = english.get(_url(north, period, by="team")).content.decode()
    assert "By Team" in parts or "by team" in parts.lower()
    body = english.get(_url(north, period, by="team", part=data["team"].pk)).content.decode()
    assert 'id="drill-rows"' in body and "驿站志愿服务" in body
    for label in ("Activity", "Team", "Volunteer", "Status", "Duration (minutes)"):
        assert label in body
    for chinese in ("活动", "队伍", "志愿者", "时长（分钟）", "已参加", "未指定"):
        assert chinese not in body.replace("驿站志愿服务", "").replace("志愿服务时长", ""), chinese
