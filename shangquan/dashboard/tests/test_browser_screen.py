"""The 数据大屏 in Chromium at 1920×1080: first paint, live updates over SSE without a
reload, the stale banner (stream down, data too old), no overflow, axe."""

import time

import pytest

from shangquan.core import live
from shangquan.core.roles import Role
from shangquan.workorders.tests.factories import order_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTAL = "[data-key='workorders.total'] [data-t=value]"


def _leave(page) -> None:
    """Close the screen's stream before the test database is emptied."""
    page.goto("about:blank")
    deadline = time.monotonic() + 10
    while live.open_streams() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live.open_streams() == 0


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    # the stage is scaled into the window, not cut off
    box = page.locator("#screen").bounding_box()
    assert box["x"] >= -1 and box["y"] >= -1
    assert box["x"] + box["width"] <= 1921 and box["y"] + box["height"] <= 1081


def test_screen_updates_over_sse_and_warns_when_stale(live_server, browser, north, login_page,
                                                     assert_accessible):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                                  bypass_csp=True)
    page = context.new_page()
    try:
        login_page(page, live_server, north.people[Role.COMMITTEE])
        url = f"{live_server.url}/console/{north.district.code}/dashboard/screen/"
        page.goto(url)
        page.wait_for_selector("#screen[data-live='1']")
        page.wait_for_selector("#chart-trend canvas")
        assert page.locator(TOTAL).inner_text() == "0"
        assert page.locator("#screen-stale").is_hidden()
        _no_overflow(page)
        assert_accessible(page)

        # a new order: the stream sends the new figures, the page is not reloaded
        page.evaluate("window.__notReloaded = true")
        order_factory(north)
        page.wait_for_function(f"document.querySelector(\"{TOTAL}\").textContent === '1'",
                               timeout=15000)
        assert page.evaluate("window.__notReloaded") is True
        assert int(page.locator("#screen").get_attribute("data-updates")) >= 2

        # the stream drops and cannot come back: the banner says so
        page.route("**/dashboard/screen/stream/**", lambda route: route.abort())
        page.goto(url)
        page.wait_for_selector("#screen-stale:not([hidden])", timeout=15000)
        assert "实时连接已中断" in page.locator("#screen-stale").inner_text()
        assert page.locator(TOTAL).inner_text() == "1"  # the last figures stay shown
        assert_accessible(page)
        page.unroute("**/dashboard/screen/stream/**")

        # connected, but nothing new for longer than the threshold (5 s here): the banner
        page.goto(url + "?stale=5")
        page.wait_for_selector("#screen[data-live='1']")
        assert page.locator("#screen-stale").is_hidden()
        page.wait_for_selector("#screen-stale:not([hidden])", timeout=15000)
        assert "未更新" in page.locator("#screen-stale").inner_text()
        # new data arrives: the banner goes away by itself
        order_factory(north)
        page.wait_for_function(f"document.querySelector(\"{TOTAL}\").textContent === '2'",
                               timeout=15000)
        page.wait_for_selector("#screen-stale[hidden]", state="attached", timeout=5000)
        _no_overflow(page)
        _leave(page)
    finally:
        context.close()


def test_wide_design_is_letterboxed(live_server, browser, north, login_page):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    try:
        login_page(page, live_server, north.people[Role.STREET])
        page.goto(f"{live_server.url}/console/{north.district.code}/dashboard/screen/"
                  "?size=3840x1080")
        page.wait_for_selector("#screen[data-live='1']")
        box = page.locator("#screen").bounding_box()
        assert box["width"] == pytest.approx(1920, abs=1)  # scaled by ½
        assert box["height"] == pytest.approx(540, abs=1)
        assert box["y"] == pytest.approx(270, abs=1)  # letterboxed top and bottom
        _no_overflow(page)
        _leave(page)
    finally:
        context.close()


def test_from_a_tile_down_to_the_orders(live_server, browser, north, login_page,
                                        assert_accessible):
    from shangquan.merchants.tests.factories import grid_factory

    grid = grid_factory(north.district, name="夜市东区")
    order = order_factory(north, grid=grid)
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                                  bypass_csp=True)
    page = context.new_page()
    try:
        login_page(page, live_server, north.people[Role.COMMITTEE])
        page.goto(f"{live_server.url}/console/{north.district.code}/dashboard/screen/")
        page.locator("[data-key='workorders.total'] .tile-drill").click()
        page.wait_for_url("**/dashboard/drill/workorders.total/**")
        assert "1.0" in page.locator("#drill-value").inner_text()
        assert page.locator("#drill-rows").inner_text().count(order.number) == 1
        page.get_by_role("link", name="按网格").click()
        page.wait_for_selector("#drill-parts")
        assert "夜市东区" in page.locator("#drill-parts").inner_text()
        assert_accessible(page)
        page.locator(f"#drill-parts [data-part='{grid.pk}'] a").click()
        page.wait_for_selector("#drill-rows")
        page.locator("#drill-rows a", has_text=order.number).click()
        page.wait_for_url(f"**/workorders/{order.pk}/")
        _leave(page)
    finally:
        context.close()
