"""The console forms: staff do in pages what the API allows (councils, seats, topics,
rounds, consensus, action items fanned out to shops, monitors, meetings with minutes and
demands, surveys, conventions), through the same services; bad input and another
district's ids answer as the API does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shangquan.core.models import AuditLog, Department
from shangquan.core.roles import Role
from shangquan.core.tests.factories import PASSWORD
from shangquan.merchants.tests.factories import merchant_factory

from ..models import (
    ActionItem,
    Convention,
    Council,
    Meeting,
    Monitor,
    Question,
    Round,
    Seat,
    Survey,
    Topic,
)
from ..services import meetings
from ..views.manage import parse_questions
from .factories import convention_factory, resident_voter, shop_owner

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.logout()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def _url(name, code, **kw):
    return reverse(f"deliberation:{name}", kwargs={"code": code, **kw})


def test_council_seats_topic_rounds_consensus_through_pages(north, client):
    d, code = north.district, north.district.code
    _login(client, north.people[Role.COMMITTEE])
    r = client.post(_url("councils", code), {"action": "create", "name": "钟楼商居议事室",
                                             "min_resident_pct": "34", "min_merchant_pct": "34"})
    assert r.status_code == 302
    council = Council.objects.get(district=d, name="钟楼商居议事室")
    page = _url("council", code, pk=council.pk)
    resident = resident_voter(d, phone="13900001111")
    assert client.post(page, {"action": "seat", "kind": "resident", "name": "栾女士",
                              "phone": "139 0000 1111"}).status_code == 302
    shop = merchant_factory(d, name="老钟烧烤")
    assert client.post(page, {"action": "seat", "kind": "merchant",
                              "merchant": str(shop.pk)}).status_code == 302
    seats = {s.kind: s for s in Seat.objects.filter(council=council)}
    assert seats["resident"].user == resident and seats["merchant"].name == "老钟烧烤"
    assert "席位比例达标" in client.get(page).content.decode()
    # the same person twice is refused with the service's message
    r = client.post(page, {"action": "seat", "kind": "resident", "name": "栾女士",
                           "phone": "13900001111"})
    assert r.status_code == 409 and "此人已在议事会中" in r.content.decode()
    assert client.post(page, {"action": "topic", "title": "油烟治理"}).status_code == 302
    topic = Topic.objects.get(council=council)
    tpage = _url("topic", code, pk=topic.pk)
    for k in range(1, 6):
        r = client.post(tpage, {"action": "round", "positions": f"第{k}轮各方意见",
                                "agreed_points": "商户出资治理" if k == 5 else "",
                                "held_on": f"2026-11-0{k}"})
        assert r.status_code == 302
    assert list(Round.objects.filter(topic=topic).values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert client.post(tpage, {"action": "agree",
                               "consensus": "商户出资治理，居民参与监督"}).status_code == 302
    topic.refresh_from_db()
    assert topic.status == Topic.Status.AGREED
    # no further round once agreed: the page says so, nothing is written
    r = client.post(tpage, {"action": "round", "positions": "又一轮"})
    assert r.status_code == 409 and Round.objects.filter(topic=topic).count() == 5
    assert AuditLog.objects.filter(action="deliberation.round.record").count() == 5
    # bad input: a date that is not one, an id that is not an integer
    r = client.post(_url("meetings", code), {"action": "create", "kind": "talk", "title": "恳谈",
                                             "starts_at": "明天", "capacity": "x"})
    assert r.status_code == 422 and not Meeting.objects.filter(title="恳谈").exists()


def test_action_items_fan_out_and_monitor(north, south, client):
    d, code = north.district, north.district.code
    committee = north.people[Role.COMMITTEE]
    council = meetings.council_create(actor=committee, district=d, name="议事会")
    topic = meetings.topic_create(actor=committee, council=council, title="油烟")
    tpage = _url("topic", code, pk=topic.pk)
    _login(client, committee)
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert client.post(tpage, {"action": "action", "title": "安装油烟净化器",
                               "owner_name": "烟火协会", "due_on": due}).status_code == 302
    item = ActionItem.objects.get(topic=topic)
    shops = [merchant_factory(d, name=f"烧烤{i}号") for i in range(4)]
    page = client.get(tpage).content.decode()
    assert "烧烤3号" in page
    r = client.post(tpage, {"action": "fan_out", "item": str(item.pk), "deadline": due,
                            "merchants": [str(s.pk) for s in shops[:3]]})
    assert r.status_code == 302
    assert item.tasks.count() == 3
    assert {t.rectification.source for t in item.tasks.select_related("rectification")} == {
        "deliberation"}
    # another district's shop is not found, and nothing more is fanned out
    foreign = merchant_factory(south.district, name="外区商户")
    r = client.post(tpage, {"action": "fan_out", "item": str(item.pk),
                            "merchants": [str(shops[3].pk), str(foreign.pk)]})
    assert r.status_code == 404 and item.tasks.count() == 3
    monitor = resident_voter(d, phone="13900002222")
    assert client.post(tpage, {"action": "monitor", "item": str(item.pk),
                               "phone": "13900002222", "name": "栾女士"}).status_code == 302
    assert Monitor.objects.get(item=item).user == monitor
    r = client.post(tpage, {"action": "monitor", "item": str(item.pk), "phone": "13900009999"})
    assert r.status_code == 404
    assert "完成 0/3" in client.get(tpage).content.decode()
    # a grid leader sees the page but not the forms, and cannot post them
    _login(client, north.people[Role.GRID_LEADER])
    assert "分派" not in client.get(tpage).content.decode()
    r = client.post(tpage, {"action": "complete", "item": str(item.pk), "answer": "完成"})
    assert r.status_code == 403
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_meeting_minutes_cancel_and_demands(north, client):
    d, code = north.district, north.district.code
    _login(client, north.people[Role.COMMITTEE])
    r = client.post(_url("meetings", code), {"action": "create", "kind": "face",
                                             "title": "摩尔城政企面对面",
                                             "starts_at": "2026-12-20T15:00", "capacity": "40",
                                             "quorum": "5", "place": "商会会议室"})
    assert r.status_code == 302
    m = Meeting.objects.get(title="摩尔城政企面对面")
    assert m.capacity == 40 and timezone.localtime(m.starts_at).hour == 15
    owner, shop = shop_owner(d, name="摩尔城一店")
    demand = meetings.demand_file(actor=owner, meeting=m, merchant=shop, demand="停车位不足")
    dep = Department.objects.filter(district=d).first() or Department.objects.create(
        district=d, code="cg", name="城管")
    page = _url("meeting", code, pk=m.pk)
    assert "停车位不足" in client.get(page).content.decode()
    assert client.post(page, {"action": "assign", "item": str(demand.pk),
                              "department": str(dep.pk), "due_on": "2027-01-20"}).status_code == 302
    demand.refresh_from_db()
    assert demand.department == dep and demand.due_on == dt.date(2027, 1, 20)
    assert client.post(page, {"action": "record", "minutes": "18 项诉求逐项交办",
                              "decisions": "季度复盘"}).status_code == 302
    m.refresh_from_db()
    assert m.status == Meeting.Status.HELD and m.minutes == "18 项诉求逐项交办"
    r = client.post(page, {"action": "cancel", "reason": "改期"})
    assert r.status_code == 409  # held meetings cannot be cancelled


def test_parse_questions():
    qs = parse_questions("单选|您的身份|居民/商户\n\n量表|满意度|7\n文本|其他建议\nranking|优先|停车/照明/卫生")
    assert [q["kind"] for q in qs] == ["single", "scale", "text", "ranking"]
    assert qs[0]["options"] == ["居民", "商户"] and qs[1]["scale_max"] == 7
    from shangquan.core.errors import ValidationFailed
    with pytest.raises(ValidationFailed):
        parse_questions("投票|你好")


def test_survey_create_open_close(north, client):
    code = north.district.code
    _login(client, north.people[Role.COMMUNITY])
    r = client.post(_url("surveys", code), {
        "action": "create", "title": "商情民意直通车", "one_per": "phone",
        "questions": "单选|您的身份|居民/商户\n量表|对夜市的满意度|5"})
    assert r.status_code == 302
    s = Survey.objects.get(title="商情民意直通车")
    assert list(Question.objects.filter(survey=s).values_list("kind", flat=True)) == [
        "single", "scale"]
    page = _url("survey", code, pk=s.pk)
    assert client.post(page, {"action": "open"}).status_code == 302
    s.refresh_from_db()
    assert s.status == Survey.Status.OPEN
    assert client.post(page, {"action": "close"}).status_code == 302
    assert client.post(page, {"action": "close"}).status_code == 409
    # a single-choice question without options is refused, the text stays in the form
    r = client.post(_url("surveys", code), {"action": "create", "title": "坏问卷",
                                            "questions": "单选|只有题目"})
    assert r.status_code == 422 and "单选|只有题目" in r.content.decode()


def test_convention_create_and_comment_period(north, client):
    code = north.district.code
    _login(client, north.people[Role.COMMITTEE])
    r = client.post(_url("conventions", code), {
        "action": "create", "title": "商居共建自治公约", "text": "门前三包\n摊位布局\n市场秩序",
        "electorate": "both", "residents_members_only": "1", "quorum_pct": "50",
        "comment_days": "7"})
    assert r.status_code == 302
    c = Convention.objects.get(title="商居共建自治公约")
    assert c.electorate == "both" and c.status == "draft"
    page = _url("convention", code, pk=c.pk)
    assert client.post(page, {"action": "open_comment"}).status_code == 302
    # too early to vote: the comment period is at least 7 days
    r = client.post(page, {"action": "open_voting"})
    assert r.status_code == 409
    c.refresh_from_db()
    assert c.status == "comment"
    r = client.post(_url("conventions", code), {"action": "create", "title": "短期",
                                                "text": "一", "comment_days": "3"})
    assert r.status_code == 422


def test_console_forms_are_district_scoped(north, south, client):
    council = meetings.council_create(actor=north.people[Role.COMMITTEE],
                                      district=north.district, name="北区议事会")
    _login(client, south.people[Role.COMMITTEE])
    url = _url("council", south.district.code, pk=council.pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "topic", "title": "越界"}).status_code == 404
    assert not Topic.objects.filter(title="越界").exists()
    c = convention_factory(north.district, status="voting")
    assert client.get(_url("booth", south.district.code, pk=c.pk)).status_code == 404
