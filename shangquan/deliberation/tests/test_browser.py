"""The stories through the pages, on a phone, with axe:

钟楼烟火: suggestions, a council with 5 rounds, the purifier action fanned out to 37
shops, progress confirmed by a resident monitor. 永安里: a convention commented on, voted
online and on paper (two officers), closed, adopted, in force and signed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory
from shangquan.inspections.services import rectifications
from shangquan.inspections.tests.factories import photo
from shangquan.merchants.tests.factories import merchant_factory

from ..models import Convention, Signature, VoterRoll
from ..services import conventions, meetings, suggestions
from .factories import convention_factory, resident_voter, shop_owner, talk_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, live_server, login_page, user):
    page.context.clear_cookies()
    login_page(page, live_server, user)


def _narrow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_zhonglou_rounds_purifiers_and_monitors(live_server, phone_page, north, login_page,
                                                assert_accessible):
    d, page = north.district, phone_page
    committee, inspector = north.people[Role.COMMITTEE], north.people[Role.DEPARTMENT]
    talk = talk_factory(d, title="钟楼烟火恳谈会")
    suggestions.suggestion_enter_offline(actor=committee, district=d, origin=talk,
                                         author_name="栾女士", title="烧烤油烟扰民",
                                         body="油烟味呛得不敢开窗")
    council = meetings.council_create(actor=committee, district=d, name="钟楼商居议事室")
    topic = meetings.topic_create(actor=committee, council=council, title="油烟治理")
    for k in range(5):
        meetings.round_record(actor=committee, topic=topic, positions=f"第{k + 1}轮各方意见",
                              agreed_points="商户出资治理、居民参与监督" if k == 4 else "")
    item = meetings.action_create(actor=committee, district=d, topic=topic,
                                  title="安装油烟净化器", owner_name="钟楼烟火行业协会",
                                  due_on=timezone.localdate() + dt.timedelta(days=30))
    owner = north.people[Role.MERCHANT]
    shops = [merchant_factory(d, owner=owner, name=f"烧烤{i + 1}号") for i in range(37)]
    tasks = meetings.action_fan_out(actor=committee, item=item, merchants=shops)
    assert len(tasks) == 37
    for task in tasks[:2]:
        rectifications.rectification_evidence_submit(actor=owner, district=d,
                                                     rectification=task.rectification,
                                                     note="已安装", photos=[photo()])
        rectifications.rectification_verify(actor=inspector, district=d,
                                            rectification=task.rectification)
    monitor = resident_voter(d)
    meetings.monitor_add(actor=committee, item=item, user=monitor, name="栾女士")

    # a resident files a suggestion from the phone page
    _as(page, live_server, login_page, monitor)
    page.goto(f"{live_server.url}/d/{d.code}/suggestions/")
    assert_accessible(page)
    page.fill("#id_title", "净化器要定期清洗")
    page.fill("#id_body", "请协会每月检查一次")
    page.get_by_role("button", name="提交建议").click()
    page.wait_for_load_state("networkidle")
    assert "净化器要定期清洗" in page.locator("h1").inner_text()
    assert_accessible(page)
    _narrow(page)

    # the monitor confirms a verified shop on the action page
    page.goto(f"{live_server.url}/d/{d.code}/actions/{item.pk}/")
    assert "完成 2/37" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="确认 烧烤1号").click()
    page.wait_for_load_state("networkidle")
    assert "居民监督确认 1" in page.locator("main").inner_text()
    _narrow(page)

    # staff see the topic with its five rounds and the progress
    _as(page, live_server, login_page, committee)
    page.goto(f"{live_server.url}/console/{d.code}/deliberation/topics/{topic.pk}/")
    text = page.locator("main").inner_text()
    assert "第 5 轮" in text and "完成 2/37" in text
    assert_accessible(page)
    page.goto(f"{live_server.url}/console/{d.code}/deliberation/suggestions/")
    assert "烧烤油烟扰民" in page.locator("main").inner_text()
    assert "钟楼烟火恳谈会" in page.locator("main").inner_text()
    assert_accessible(page)


def test_yonganli_convention_comment_vote_paper_close_sign(live_server, phone_page, north,
                                                           login_page, assert_accessible):
    d, page = north.district, phone_page
    officer, second = north.people[Role.COMMITTEE], member_factory(d, Role.COMMUNITY)
    online_owner, _online_shop = shop_owner(d, name="鱼巷一号")
    _paper_owner, paper_shop = shop_owner(d, name="鱼巷二号")
    _third, _shop3 = shop_owner(d, name="鱼巷三号")
    c = convention_factory(d, status="comment", title="永安里占道经营公约")

    # comment from the phone
    _as(page, live_server, login_page, online_owner)
    page.goto(f"{live_server.url}/d/{d.code}/conventions/{c.pk}/")
    assert_accessible(page)
    page.fill("#id_body", "外摆 1 米太窄，建议 1.2 米")
    page.get_by_role("button", name="提交意见").click()
    page.wait_for_load_state("networkidle")
    assert c.comments.count() == 1

    Convention.objects.filter(pk=c.pk).update(
        comment_opened_at=timezone.now() - dt.timedelta(days=8))
    conventions.convention_open_voting(actor=SYSTEM, convention=Convention.objects.get(pk=c.pk),
                                       closes_at=timezone.now() + dt.timedelta(days=2))
    # vote online; a second try is refused and the first stands
    page.goto(f"{live_server.url}/d/{d.code}/conventions/{c.pk}/")
    page.get_by_label("赞成").check()
    page.get_by_role("button", name="投票").click()
    page.wait_for_load_state("networkidle")
    assert "您已投票" in page.locator("main").inner_text()
    assert_accessible(page)
    _narrow(page)

    # paper ballot typed in by one officer, confirmed by another, in the console
    _as(page, live_server, login_page, officer)
    url = f"{live_server.url}/console/{d.code}/deliberation/conventions/{c.pk}/"
    page.goto(url)
    assert_accessible(page)
    page.fill("#id_ballot_no", "YAL-0001")
    page.fill("#id_licence_no", paper_shop.licence_no)
    page.locator("input[name=choice][value=yes]").check()
    page.get_by_role("button", name="录入", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "纸质票待复核 1 张" in page.locator("main").inner_text()
    assert page.locator("[data-tally]").count() == 0  # no tally while voting
    _as(page, live_server, login_page, second)
    page.goto(url)
    page.get_by_role("button", name="复核通过 YAL-0001").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-turnout=merchant]").inner_text() == "2"
    page.get_by_role("button", name="结束表决并计票").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-tally=yes]").inner_text() == "2"
    assert "已通过" in page.locator("main").inner_text()
    page.get_by_role("button", name="公约施行").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    assert set(VoterRoll.objects.filter(convention=c).values_list("channel", flat=True)) == {
        "web", "paper"}

    # the merchant signs the convention in force
    _as(page, live_server, login_page, online_owner)
    page.goto(f"{live_server.url}/d/{d.code}/conventions/{c.pk}/")
    assert "赞成 2" in page.locator("main").inner_text()
    page.get_by_role("button", name="本店签署公约").click()
    page.wait_for_load_state("networkidle")
    assert Signature.objects.filter(convention=c).count() == 1
    assert_accessible(page)
