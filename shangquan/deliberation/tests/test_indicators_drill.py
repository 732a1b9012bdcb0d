"""Drill-down of 建议按时答复率: by grid (the merchant's) down to the suggestions;
district-scoped, readable in English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.dashboard import drilldown, selectors
from shangquan.merchants.tests.factories import grid_factory, merchant_factory

from ..models import Suggestion
from ..services import suggestions

pytestmark = pytest.mark.django_db

KEY = "deliberation.suggestions_on_time"


def _client(user, **kw) -> Client:
    client = Client(**kw)
    client.force_login(user)
    return client


def _submit(persona, title, merchant=None):
    return suggestions.suggestion_submit(actor=persona.people[Role.RESIDENT],
                                         district=persona.district, title=title,
                                         body="请研究", merchant=merchant)


def _answer(persona, s):
    committee = persona.people[Role.COMMITTEE]
    s = suggestions.suggestion_review(actor=committee, suggestion=s)
    return suggestions.suggestion_decline(actor=committee, suggestion=s, reason="暂不具备条件")


@pytest.fixture
def data(north, south):
    """East: one answered in time, one open; west: one answered late; one about no shop."""
    east, west = grid_factory(north.district, name="东网格"), grid_factory(north.district,
                                                                        name="西网格")
    a = merchant_factory(north.district, grid=east)
    b = merchant_factory(north.district, grid=west)
    answered = _answer(north, _submit(north, "增划停车位", a))
    still_open = _submit(north, "夜间照明", a)
    late = _answer(north, _submit(north, "油烟扰民", b))
    Suggestion.objects.filter(pk=late.pk).update(  # answered two days after its due day
        answered_at=dt.datetime.combine(late.answer_due + dt.timedelta(days=2), dt.time(10),
                                        tzinfo=dt.UTC))
    no_shop = _submit(north, "增设垃圾桶")
    south_grid = grid_factory(south.district, name="南网格")
    foreign = _submit(south, "南门停车", merchant_factory(south.district, grid=south_grid))
    return {"east": east, "west": west, "answered": answered, "open": still_open,
            "late": late, "no_shop": no_shop, "south_grid": south_grid, "foreign": foreign,
            "period": Period.containing("month", answered.answer_due)}


def _url(persona, period, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"period": period.label, **params}.items())
    return f"/console/{persona.district.code}/dashboard/drill/{KEY}/?{query}"


def test_breakdown_by_grid_adds_up_and_lists_the_suggestions(north, data):
    user = north.people[Role.COMMITTEE]
    indicator = selectors.indicator_get(key=KEY)
    period = data["period"]
    whole = indicator.measure(north.district, period.start, period.end)
    assert (whole.numerator, whole.denominator) == (1, 4)
    parts = {p.key: p for p in drilldown.breakdown(user=user, district=north.district,
                                                   indicator=indicator, period=period,
                                                   by="grid")}
    assert set(parts) == {data["east"].pk, data["west"].pk, 0}
    assert sum(p.measure.numerator for p in parts.values()) == whole.numerator
    assert sum(p.measure.denominator for p in parts.values()) == whole.denominator
    assert parts[data["east"].pk].measure.value == 50.0
    assert parts[data["west"].pk].measure.value == 0.0
    east = drilldown.rows(user=user, district=north.district, indicator=indicator,
                          period=period, by="grid", part=data["east"].pk)
    assert {cells[0] for _u, cells in east.rows} == {data["answered"].number,
                                                     data["open"].number}
    assert all(url.startswith(f"/console/{north.district.code}/deliberation/suggestions/")
               for url, _c in east.rows)
    none = drilldown.rows(user=user, district=north.district, indicator=indicator,
                          period=period, by="grid", part=0)
    assert [cells[0] for _u, cells in none.rows] == [data["no_shop"].number]
    everything = drilldown.rows(user=user, district=north.district, indicator=indicator,
                                period=period)
    assert everything.total == 4
    assert data["foreign"].number not in {cells[0] for _u, cells in everything.rows}
    limited = indicator.rows(north.district, period.start, period.end, "", None, 2)
    assert limited.total == 4 and len(limited.rows) == 2


def test_another_districts_grid_is_not_found_and_english_reads(north, data):
    period = data["period"]
    client = _client(north.people[Role.COMMITTEE])
    assert client.get(_url(north, period, by="grid",
                           part=data["south_grid"].pk)).status_code == 404
    assert client.get(_url(north, period, by="grid", part=data["east"].pk)).status_code == 200
    english = _client(north.people[Role.COMMITTEE], HTTP_ACCEPT_LANGUAGE="en")
    body = english.get(_url(north, period, by="grid", part=data["east"].pk)).content.decode()
    assert 'id="drill-rows"' in body and data["answered"].number in body
    for label in ("Number", "Title", "Channel", "Status", "Answer due", "Reply"):
        assert label in body
    for chinese in ("编号", "标题", "渠道", "答复期限", "线上问卷", "未采纳", "已提交"):
        assert chinese not in body, chinese
