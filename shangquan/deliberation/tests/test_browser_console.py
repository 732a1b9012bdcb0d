"""The staff console through its forms, in Chromium with axe: a council with seats, a
topic with rounds and a consensus, an action item fanned out to shops with a resident
monitor, a 政企面对面 meeting with minutes, a survey published; then the booth on a
tablet, two voters one after another, and the back button shows nothing of the first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory

from ..models import ActionItem, Ballot, Council, Meeting, Survey, Topic, VoterRoll
from .factories import convention_factory, resident_voter, shop_owner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _settled_content(page) -> str:
    """The page's HTML once the back navigation (or its error page) has finished."""
    for _attempt in range(50):
        try:
            return page.content()
        except PlaywrightError:  # still navigating
            page.wait_for_timeout(100)
    return page.content()


def _submit(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("networkidle")


def test_council_topic_rounds_action_meeting_survey(live_server, desktop_page, north,
                                                    login_page, assert_accessible):
    d, page = north.district, desktop_page
    base = f"{live_server.url}/console/{d.code}/deliberation"
    resident_voter(d, phone="13900005555")
    for i in range(3):
        merchant_factory(d, name=f"烧烤{i + 1}号")
    login_page(page, live_server, north.people[Role.COMMITTEE])

    page.goto(f"{base}/councils/")
    assert_accessible(page)
    page.fill("#id_name", "钟楼商居议事室")
    _submit(page, "建立")
    page.get_by_role("link", name="钟楼商居议事室").click()
    page.wait_for_load_state("networkidle")
    page.select_option("#id_kind", "resident")
    page.fill("#id_seat_name", "栾女士")
    page.fill("#id_seat_phone", "13900005555")
    _submit(page, "增设")
    page.select_option("#id_kind", "merchant")
    page.select_option("#id_seat_merchant", label="烧烤1号")
    _submit(page, "增设")
    assert "席位比例达标" in page.locator("main").inner_text()
    page.fill("#id_topic_title", "油烟治理")
    _submit(page, "建立议题")
    assert_accessible(page)
    page.get_by_role("link", name="油烟治理").click()
    page.wait_for_load_state("networkidle")
    for k, agreed in ((1, ""), (2, "商户出资治理、居民参与监督")):
        page.fill("#id_positions", f"第{k}轮：商户担心成本，居民要求限期")
        page.fill("#id_agreed_points", agreed)
        _submit(page, "记录本轮")
    assert page.locator("[data-round]").count() == 2
    page.fill("#id_action_title", "安装油烟净化器")
    page.fill("#id_owner_name", "钟楼烟火行业协会")
    page.fill("#id_due_on", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    _submit(page, "新增")
    assert_accessible(page)
    page.get_by_text("分派给商户").click()
    for i in range(3):
        page.get_by_label(f"烧烤{i + 1}号").check()
    _submit(page, "分派")
    page.get_by_label("监督员手机号").fill("13900005555")
    page.get_by_label("称呼").fill("栾女士")
    _submit(page, "指定监督员")
    text = page.locator("[data-action-item]").inner_text()
    assert "完成 0/3" in text and "栾女士" in text
    page.fill("#id_consensus", "商户出资治理，居民参与监督")
    _submit(page, "达成共识")
    assert page.locator("[data-topic-status]").inner_text() == "已达成共识" or \
        Topic.objects.get(title="油烟治理").status == "agreed"
    assert_accessible(page)
    item = ActionItem.objects.get(title="安装油烟净化器")
    assert item.tasks.count() == 3 and Council.objects.get().seats.count() == 2

    page.goto(f"{base}/meetings/")
    page.select_option("#id_kind", "face")
    page.fill("#id_title", "摩尔城政企面对面")
    page.fill("#id_starts_at", "2026-12-20T15:00")
    page.fill("#id_place", "商会会议室")
    _submit(page, "发布会议")
    assert_accessible(page)
    page.get_by_role("link", name="摩尔城政企面对面").click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_minutes", "18 项诉求逐项交办")
    _submit(page, "保存纪要")
    assert Meeting.objects.get(title="摩尔城政企面对面").status == "held"
    assert_accessible(page)

    page.goto(f"{base}/surveys/")
    page.fill("#id_title", "商情民意直通车")
    page.fill("#id_questions", "单选|您的身份|居民/商户\n量表|对夜市的满意度|5")
    _submit(page, "保存草稿")
    _submit(page, "发布问卷")
    assert Survey.objects.get(title="商情民意直通车").status == "open"
    assert_accessible(page)


def test_booth_tablet_voters_one_after_another(live_server, browser, north, login_page,
                                               assert_accessible):
    d = north.district
    c = convention_factory(d, status="voting", electorate="both", title="永安里占道经营公约")
    resident_voter(d, phone="13900006666")
    _owner, shop = shop_owner(d, name="鱼巷一号")
    context = browser.new_context(viewport={"width": 800, "height": 1280}, locale="zh-CN",
                                  has_touch=True, bypass_csp=True)
    page = context.new_page()
    try:
        login_page(page, live_server, north.people[Role.COMMUNITY])
        url = f"{live_server.url}/console/{d.code}/deliberation/conventions/{c.pk}/booth/"
        page.goto(url)
        assert_accessible(page)
        page.fill("#id_booth_phone", "13900006666")
        _submit(page, "核验并请投票人投票")
        assert page.locator("[data-voter]").inner_text() == "139****6666"
        assert_accessible(page)
        _submit(page, "赞成")
        assert page.locator("[data-booth-done]").is_visible()
        assert page.input_value("#id_booth_phone") == ""
        # the back button brings nothing of the first voter back: the voting screen was
        # never stored (no-store), Chromium will not show it again (ERR_CACHE_MISS)
        try:
            page.go_back()
            page.wait_for_load_state()
        except PlaywrightError as exc:
            assert "ERR_CACHE_MISS" in str(exc)
        assert "6666" not in _settled_content(page)
        page.goto(url)
        page.fill("#id_booth_licence", shop.licence_no)
        _submit(page, "核验并请投票人投票")
        assert page.locator("[data-voter]").inner_text() == "鱼巷一号"
        _submit(page, "反对")
        assert page.locator("[data-booth-done]").is_visible()
        # the first voter again: refused at the check, the first vote stands
        page.fill("#id_booth_phone", "13900006666")
        _submit(page, "核验并请投票人投票")
        assert "已经投过票" in page.locator("main").inner_text()
        assert_accessible(page)
    finally:
        context.close()
    assert VoterRoll.objects.filter(convention=c, channel="booth").count() == 2
    assert sorted(Ballot.objects.filter(convention=c).values_list("choice", flat=True)) == [
        "no", "yes"]
