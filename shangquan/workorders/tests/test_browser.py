"""The 四单 loop end to end in Chromium: a resident on a phone reports with a map pin and a
photo, the committee dispatches, the department accepts and resolves with evidence, the
resident rates; the KPI page draws its charts. axe-core checks every page."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def jpeg(tmp_path):
    path = tmp_path / "photo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 80, 40)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def offline(page):
    """No map tiles from the internet in tests."""
    page.route("https://**/*", lambda route: route.abort())


def fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_whole_loop_through_pages(live_server, browser, phone_page, desktop_page, north,
                                      login_page, assert_accessible, jpeg):
    code = north.district.code
    merchant = merchant_factory(north.district, name="老街烧烤")
    # 1. a resident on a phone: the merchant's QR link preselects the merchant
    page = phone_page
    offline(page)
    login_page(page, live_server, north.people[Role.RESIDENT])
    page.goto(f"{live_server.url}/d/{code}/report/?merchant={merchant.public_token}")
    assert "老街烧烤" in page.inner_text("main")
    page.wait_for_selector(".leaflet-container")
    assert_accessible(page)
    assert fits_phone(page)
    page.select_option("#id_category", "oil_fume")
    page.fill("#id_description", "烧烤摊油烟直排，楼上不敢开窗")
    page.locator("#report-map").click(position={"x": 120, "y": 80})
    assert page.input_value("#id_latitude") != ""
    page.set_input_files("#id_photos", jpeg)
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/track/**")
    number = page.locator(".ticket-number").inner_text()
    assert number.startswith(f"{code}-")
    assert_accessible(page)
    order = WorkOrder.objects.get(number=number)
    assert order.merchant == merchant and order.photos.count() == 1
    assert order.latitude is not None

    # 2. the committee dispatches from the console
    desk = desktop_page
    login_page(desk, live_server, north.people[Role.COMMITTEE])
    desk.goto(f"{live_server.url}/console/{code}/workorders/")
    assert_accessible(desk)
    desk.get_by_role("link", name=number).click()
    desk.wait_for_selector("#dispatch-form")
    assert_accessible(desk)
    desk.select_option("#id_department", str(north.department.pk))
    desk.locator("#dispatch-form button[type=submit]").click()
    desk.wait_for_load_state("networkidle")
    assert desk.locator("#order-status").inner_text() == "已派单"
    desk.context.clear_cookies()

    # 3. the department accepts and resolves with an evidence photo
    login_page(desk, live_server, north.people[Role.DEPARTMENT])
    desk.goto(f"{live_server.url}/console/{code}/workorders/")
    desk.get_by_role("link", name=number).click()
    desk.locator("#accept-btn").click()
    desk.wait_for_selector("#resolve-form")
    assert_accessible(desk)
    desk.fill("#id_resolve_note", "已责令安装油烟净化器，复查合格")
    desk.set_input_files("#id_evidence", jpeg)
    desk.locator("#resolve-form button[type=submit]").click()
    desk.wait_for_load_state("networkidle")
    assert desk.locator("#order-status").inner_text() == "待评价"

    # 4. the resident rates it on the phone
    page.goto(f"{live_server.url}/d/{code}/my-reports/")
    assert_accessible(page)
    page.get_by_role("link", name="去评价").click()
    assert_accessible(page)
    page.get_by_label("满意", exact=True).check()
    page.fill("#id_comment", "第二天就装好了")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url("**/track/**")
    assert page.locator("#order-status").inner_text() == "已办结"
    assert fits_phone(page)
    order.refresh_from_db()
    assert order.status == "closed" and order.photos.filter(kind="evidence").count() == 1

    # 5. the committee's KPI page draws its charts
    desk.context.clear_cookies()
    login_page(desk, live_server, north.people[Role.COMMITTEE])
    desk.goto(f"{live_server.url}/console/{code}/workorders/kpi/")
    desk.wait_for_selector("#kpi-trend canvas")
    assert desk.locator("#kpi-satisfaction").inner_text() == "100.0%"
    assert_accessible(desk)


def test_anonymous_visitor_sees_already_reported(live_server, phone_page, north,
                                                 assert_accessible):
    from .factories import order_factory

    existing = order_factory(north, latitude="41.119200", longitude="121.147700",
                             category_code="noise")
    page = phone_page
    offline(page)
    page.goto(f"{live_server.url}/d/{north.district.code}/report/")
    page.select_option("#id_category", "noise")
    page.fill("#id_description", "KTV 噪音太吵")
    page.evaluate("""() => { document.getElementById('id_latitude').value = '41.119250';
                             document.getElementById('id_longitude').value = '121.147700'; }""")
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector("text=附近已有人反映过同类问题")
    assert existing.number in page.inner_text("main")
    assert_accessible(page)
    page.check("#id_confirm_duplicate")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/track/**")
    assert WorkOrder.objects.filter(district=north.district).count() == 2
