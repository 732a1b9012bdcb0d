"""Check-in by position and the staff scanner, in Chromium with axe: a granted position at
the event checks in; one too far away is refused with the distance; a denied position gets
a clear Chinese message and sends nothing. The scanner's manual field checks an attendee in
by their code and fulfils a pickup code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from shangquan.activities import services
from shangquan.activities.models import Registration
from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.points.models import Item, Redemption
from shangquan.points.services import shop
from shangquan.points.tests.factories import earn, item_factory

from .factories import event_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAT, LON = 32.068800, 112.172200


def _phone(browser, **extra):
    return browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                               is_mobile=True, has_touch=True, bypass_csp=True, **extra)


def _event(north):
    event = event_factory(north, title="六进商圈法律咨询", starts_in=dt.timedelta(minutes=10),
                          latitude=Decimal(f"{LAT:.6f}"), longitude=Decimal(f"{LON:.6f}"),
                          checkin_radius_m=200, place="万达广场")
    return event


def test_check_in_with_a_granted_position_near_the_event(live_server, browser, north,
                                                         login_page, assert_accessible):
    resident = north.people[Role.RESIDENT]
    event = _event(north)
    services.registration_create(actor=resident, event=event)
    url = f"{live_server.url}/d/{north.district.code}/events/scan/{event.checkin_token}/"
    # about 1.1 km north: refused by the server, with the distance
    far = _phone(browser, geolocation={"latitude": LAT + 0.01, "longitude": LON},
                 permissions=["geolocation"])
    try:
        page = far.new_page()
        login_page(page, live_server, resident)
        page.goto(url)
        assert "200 米内" in page.locator("#checkin-radius").inner_text()
        page.get_by_role("button", name="签到").click()
        page.wait_for_load_state("networkidle")
        assert "须在 200 米内签到" in page.content()
        assert Registration.objects.get(event=event).checked_in_at is None
    finally:
        far.close()
    # about 30 m away: checked in
    near = _phone(browser, geolocation={"latitude": LAT + 0.00027, "longitude": LON},
                  permissions=["geolocation"])
    try:
        page = near.new_page()
        login_page(page, live_server, resident)
        page.goto(url)
        assert_accessible(page)
        page.get_by_role("button", name="签到").click()
        page.wait_for_selector("[data-f=checked_in]")
        assert "签到成功" in page.content()
        assert_accessible(page)
    finally:
        near.close()
    assert Registration.objects.get(event=event).checked_in_at is not None


def test_a_denied_position_gets_a_clear_message_and_sends_nothing(live_server, browser, north,
                                                                  login_page,
                                                                  assert_accessible):
    resident = north.people[Role.RESIDENT]
    event = _event(north)
    services.registration_create(actor=resident, event=event)
    context = _phone(browser, permissions=[])  # the position is not granted
    try:
        page = context.new_page()
        login_page(page, live_server, resident)
        page.goto(f"{live_server.url}/d/{north.district.code}/events/scan/"
                  f"{event.checkin_token}/")
        page.get_by_role("button", name="签到").click()
        status = page.locator("#checkin-status")
        expect(status).to_contain_text("拒绝了定位权限", timeout=10_000)
        assert "请组织者代为签到" in status.inner_text()
        assert_accessible(page)
    finally:
        context.close()
    assert Registration.objects.get(event=event).checked_in_at is None


def test_the_scanner_manual_field_checks_in_by_code_and_fulfils_a_pickup(
        live_server, browser, north, login_page, assert_accessible):
    people = north.people
    resident, committee = people[Role.RESIDENT], people[Role.COMMITTEE]
    event = event_factory(north, title="主题党日", starts_in=dt.timedelta(minutes=5))
    registration = services.registration_create(actor=resident, event=event)
    merchant = merchant_factory(north.district, owner=people[Role.MERCHANT], name="交通路修鞋铺")
    item = item_factory(north.district, kind=Item.Kind.SERVICE, name="免费修鞋", merchant=merchant,
                        price=10, daily_capacity=3)
    earn(north.district, people[Role.VOLUNTEER], 20, source="scanner-test")
    pickup = shop.redemption_reserve(actor=people[Role.VOLUNTEER], item=item)
    base = f"{live_server.url}/console/{north.district.code}/activities/scanner/"

    context = _phone(browser)
    try:
        # the attendee's code, as shown on her event page
        page = context.new_page()
        login_page(page, live_server, resident)
        page.goto(f"{live_server.url}/d/{north.district.code}/events/{event.pk}/")
        page.get_by_text("我的签到码").click()
        code = page.locator("[data-f=my-code]").inner_text()
        assert code.startswith("QD:") and page.locator("svg.pickup-qr").count() == 1
        assert_accessible(page)
        page.context.clear_cookies()
        # the organiser types it into the scanner (a headless browser has no camera)
        login_page(page, live_server, committee)
        page.goto(base)
        assert_accessible(page)
        page.fill("#scanner-code", code)
        page.get_by_role("button", name="确认").click()
        page.wait_for_load_state("networkidle")
        assert "签到成功" in page.content()
        page.fill("#scanner-code", code[:-2] + "xx")  # forged
        page.get_by_role("button", name="确认").click()
        page.wait_for_load_state("networkidle")
        assert "签到码无效" in page.content()
        page.context.clear_cookies()
        # the shop's owner fulfils the pickup code in the same field
        login_page(page, live_server, people[Role.MERCHANT])
        page.goto(base)
        page.fill("#scanner-code", pickup.code)
        page.get_by_role("button", name="确认").click()
        page.wait_for_load_state("networkidle")
        assert "核销成功：免费修鞋" in page.content()
        page.fill("#scanner-code", pickup.code)  # a code works once
        page.get_by_role("button", name="确认").click()
        page.wait_for_load_state("networkidle")
        assert "该核销码已使用" in page.content()
        assert_accessible(page)
    finally:
        context.close()
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    assert Redemption.objects.get(pk=pickup.pk).status == "fulfilled"
