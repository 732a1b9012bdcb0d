"""Done-when of issue 14, through the pages in Chromium with axe: a rider earns hours at
an event, the points appear, she reserves a health check; the merchant fulfils it by
code, and both statements show it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from shangquan.activities import services
from shangquan.activities.models import Registration
from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.points.models import Item
from shangquan.points.tests.factories import item_factory

from .factories import event_factory, team_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rider_hours_become_points_and_a_health_check_fulfilled_by_code(
        live_server, browser, phone_page, desktop_page, north, login_page, assert_accessible):
    district, people = north.district, north.people
    rider, committee = people[Role.VOLUNTEER], people[Role.COMMITTEE]
    merchant = merchant_factory(district, owner=people[Role.MERCHANT], name="万达爱心体检中心")
    item_factory(district, kind=Item.Kind.SERVICE, name="健康体检", merchant=merchant,
                 price=10, daily_capacity=3)
    team = team_factory(north, name="先“蜂”骑士", captain=rider)
    event = event_factory(north, title="骑手驿站志愿服务", team=team, hours=3,
                          starts_in=dt.timedelta(hours=-2), place="万达广场南门")
    base = live_server.url
    page = phone_page

    # the rider signs up on her phone …
    login_page(page, live_server, rider)
    page.goto(f"{base}/d/{district.code}/events/")
    assert_accessible(page)
    page.locator(f"[data-event='{event.pk}'] a").click()
    page.get_by_role("button", name="我要报名").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-f=registration]").inner_text() == "已报名"
    assert_accessible(page)
    # … the organiser scanned her in when she arrived; she checks out by scanning the code
    services.check_in(actor=committee, district=district, token=event.checkin_token, user=rider,
                      now=event.starts_at + dt.timedelta(minutes=5))
    page.goto(f"{base}/d/{district.code}/events/scan/{event.checkin_token}/")
    assert_accessible(page)
    page.get_by_role("button", name="签退").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-f=checked_out]").count() == 1

    # the organiser confirms the hours in the console
    desk = desktop_page
    login_page(desk, live_server, committee)
    desk.goto(f"{base}/console/{district.code}/activities/events/{event.pk}/")
    assert_accessible(desk)
    registration = Registration.objects.get(event=event, user=rider)
    desk.locator(f"[data-registration='{registration.pk}']").get_by_role(
        "button", name="确认时长").click()
    desk.wait_for_load_state("networkidle")
    registration.refresh_from_db()
    assert registration.minutes >= 110 and registration.points >= 18

    # the points appear; she reserves the health check
    page.goto(f"{base}/d/{district.code}/points/")
    assert int(page.locator("[data-f=balance]").inner_text()) == registration.points
    assert "志愿服务" in page.locator("#movements").inner_text()
    assert_accessible(page)
    page.goto(f"{base}/d/{district.code}/points/shop/")
    assert_accessible(page)
    page.get_by_role("button", name="兑换健康体检").click()
    page.wait_for_load_state("networkidle")
    code = page.locator("[data-f=code]").inner_text()
    assert re.fullmatch(r"\d{8}", code)
    assert page.locator("svg.pickup-qr").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)

    # the merchant fulfils it by code at the counter (on a phone)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  is_mobile=True, bypass_csp=True)
    counter = context.new_page()
    try:
        login_page(counter, live_server, people[Role.MERCHANT])
        counter.goto(f"{base}/console/{district.code}/points/fulfil/")
        assert_accessible(counter)
        counter.fill("#id_code", code)
        counter.get_by_role("button", name="核销", exact=True).click()
        counter.wait_for_load_state("networkidle")
        assert "核销成功" in counter.content()
        settlement = counter.locator("[data-settlement]").inner_text()
        assert "提供服务 1 次" in settlement and "收到积分 10" in settlement
        assert_accessible(counter)
    finally:
        context.close()

    # her statement shows the redemption; the code now works no more
    page.goto(f"{base}/d/{district.code}/points/")
    assert int(page.locator("[data-f=balance]").inner_text()) == registration.points - 10
    assert "兑换：健康体检" in page.locator("#movements").inner_text()
    page.goto(f"{base}/d/{district.code}/points/redemptions/")
    assert "已核销" in page.content()
