"""The resident's 我的 page and the notification settings on a 360 px phone, with axe."""

from __future__ import annotations

import pytest

from shangquan.core.models import NotificationPreference
from shangquan.core.roles import Role
from shangquan.workorders.tests.factories import order_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_home_and_settings_on_a_phone(live_server, phone_page, north, login_page,
                                                assert_accessible):
    resident = north.people[Role.RESIDENT]
    order = order_factory(north)
    page = phone_page
    page.route("https://**/*", lambda route: route.abort())
    login_page(page, live_server, resident)
    page.goto(f"{live_server.url}/d/{north.district.code}/")
    page.get_by_role("link", name="我的：反映、积分、活动").click()
    page.wait_for_url("**/me/")
    main = page.inner_text("main")
    assert "我的反映" in main and order.number in main and "我的积分" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    page.get_by_role("link", name="通知设置：每类消息怎样接收").click()
    page.wait_for_url("**/account/notifications/")
    assert_accessible(page)
    page.get_by_role("group", name="我反映或关注的问题有进展").get_by_label("每日汇总").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=通知设置已保存")
    assert NotificationPreference.objects.get(user=resident,
                                              kind="workorders.progress").mode == "digest"
