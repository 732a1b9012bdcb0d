"""A new user opens the home page, logs in as a committee member and sees the console."""

import pytest

from shangquan.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_committee_member_logs_in_and_sees_console(live_server, phone_page, north,
                                                   assert_accessible):
    page = phone_page
    page.goto(live_server.url + "/")
    assert page.locator("h1").first.inner_text() == "商圈共治平台"
    assert_accessible(page)
    page.get_by_role("link", name="工作人员登录").click()
    assert_accessible(page)
    page.fill("#id_username", north.people[Role.COMMITTEE].username)
    page.fill("#id_password", "test-pass-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**/console/{north.district.code}/")
    assert "工作台" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    page.get_by_text("菜单").click()
    page.get_by_role("link", name="审计日志").click()
    page.wait_for_url("**/audit/")
    assert_accessible(page)


def test_resident_logs_in_with_phone_code(live_server, phone_page, north, assert_accessible):
    from shangquan.core import notify

    page = phone_page
    page.goto(live_server.url + "/login/phone/")
    page.fill("#id_phone", north.people[Role.RESIDENT].profile.phone)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_selector("#id_code")
    assert_accessible(page)
    code = notify.OUTBOX[-1][1].split("验证码 ")[1][:6]
    page.fill("#id_code", code)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("button", name="退出").is_visible()
