"""The 数据大屏 in Chromium at 1920×1080: first paint, live updates over SSE without a
reload (the figures and the map), the stale banner (stream down, data too old), panels
configured by the committee, each panel polled on its own while the stream is down, the
public lite screen; no overflow, axe."""

import time
from decimal import Decimal

import pytest

from shangquan.core import live
from shangquan.core.roles import Role
from shangquan.workorders.tests.factories import order_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTAL = ".panel-tiles [data-key='workorders.total'] [data-t=value]"
MAP = ".panel-map [data-map]"


@pytest.fixture(autouse=True)
def _no_tiles(settings):
    settings.SHANGQUAN = {**settings.SHANGQUAN, "SCREEN_TILE_URL": ""}  # no network here


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
    # every panel inside the stage, and nothing inside a panel running out of it
    overflowing = page.evaluate("""() => {
      const stage = document.getElementById('screen').getBoundingClientRect();
      const out = [];
      document.querySelectorAll('.screen-panel').forEach(p => {
        const r = p.getBoundingClientRect();
        if (r.left < stage.left - 1 || r.top < stage.top - 1 || r.right > stage.right + 1
            || r.bottom > stage.bottom + 1) out.push(p.id + ' outside the stage');
        if (p.scrollHeight > p.clientHeight + 1 || p.scrollWidth > p.clientWidth + 1)
          out.push(p.id + ' overflows');
        p.querySelectorAll('.screen-tile, h2:not(.sr-only), .map-legend').forEach(c => {
          if (c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1)
            out.push(p.id + ' ' + c.className + ' cut');
        });
      });
      return out;
    }""")
    assert overflowing == []


def test_screen_updates_over_sse_and_warns_when_stale(live_server, browser, north, login_page,
                                                     assert_accessible, tmp_path):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                                  bypass_csp=True)
    page = context.new_page()
    try:
        login_page(page, live_server, north.people[Role.COMMITTEE])
        url = f"{live_server.url}/console/{north.district.code}/dashboard/screen/"
        page.goto(url)
        page.wait_for_selector("#screen[data-live='1']")
        page.wait_for_selector(".panel-trend canvas")
        page.wait_for_selector(f"{MAP}.leaflet-container[data-orders='0']")
        assert page.locator(TOTAL).inner_text() == "0"
        assert page.locator("#screen-stale").is_hidden()
        page.screenshot(path=str(tmp_path / "screen-1920x1080.png"))
        _no_overflow(page)
        assert_accessible(page)

        # a new order: the stream sends the new figures and its point on the map, the
        # page is not reloaded
        page.evaluate("window.__notReloaded = true")
        order_factory(north, latitude=Decimal("41.119200"), longitude=Decimal("121.147700"))
        page.wait_for_function(f"document.querySelector(\"{TOTAL}\").textContent === '1'",
                               timeout=20000)
        # the map's own interval (15 s by default) has run out: its point is drawn
        page.wait_for_selector(f"{MAP}[data-orders='1']", timeout=40000)
        assert page.locator(".panel-map [data-p=open_total]").inner_text() == "1"
        assert page.locator(f"{MAP} path.leaflet-interactive, {MAP} svg path").count() >= 1
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
                               timeout=20000)
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


def test_configured_panels_each_polled_while_the_stream_is_down(live_server, browser, north,
                                                                login_page, assert_accessible):
    from shangquan.dashboard import layouts

    committee = north.people[Role.COMMITTEE]
    d = north.district
    indicator = layouts.screen_panel_create(actor=committee, district=d, kind="indicator",
                                            indicator="workorders.total", width=1, height=1,
                                            refresh_seconds=5)
    layouts.screen_panel_create(actor=committee, district=d, kind="honour", width=1, height=1,
                                refresh_seconds=600)
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                                  bypass_csp=True)
    page = context.new_page()
    try:
        login_page(page, live_server, committee)
        # the committee's page: the panels in order, the new ones last
        page.goto(f"{live_server.url}/console/{d.code}/dashboard/screen/layout/")
        assert page.locator("#layout-table tbody tr").count() == 7
        assert_accessible(page)
        page.route("**/dashboard/screen/stream/**", lambda route: route.abort())
        page.goto(f"{live_server.url}/console/{d.code}/dashboard/screen/")
        slot = f"#panel-p{indicator.pk}"
        page.wait_for_selector(f"{slot} canvas")
        page.wait_for_selector(".panel-honour")
        assert page.locator(f"{slot} h2").inner_text().startswith("工单总量")
        assert page.locator(f"{slot} [data-t=value]").inner_text() == "0"
        _no_overflow(page)
        assert_accessible(page)
        # no stream: the 5-second panel asks for its own figures, without a reload
        page.evaluate("window.__notReloaded = true")
        order_factory(north)
        page.wait_for_function(
            f"document.querySelector('{slot} [data-t=value]').textContent === '1'",
            timeout=20000)
        assert int(page.locator("#screen").get_attribute("data-polls")) >= 1
        assert page.evaluate("window.__notReloaded") is True
        page.unroute("**/dashboard/screen/stream/**")
        _leave(page)
    finally:
        context.close()


def test_public_lite_screen(live_server, browser, north, assert_accessible, monkeypatch):
    from shangquan.crowd.tests.factories import zone_factory
    from shangquan.dashboard import screen_public
    from shangquan.stations.tests.factories import station_factory

    monkeypatch.setattr(screen_public, "POLL_SECONDS", 5)
    station_factory(north.district, name="夜市党群服务站")
    zone_factory(north.district, name="美食街")
    order_factory(north, reporter_name="张秀英", reporter_phone="13812345678")
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                                  bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/d/{north.district.code}/screen/")  # no login
        page.wait_for_selector(".lite-stage")
        text = page.locator("#screen").inner_text()
        assert "夜市党群服务站" in text and "美食街" in text and "红榜" in text
        assert "张秀英" not in page.content() and "13812345678" not in page.content()
        _no_overflow(page)
        assert_accessible(page)
        page.wait_for_function("+document.getElementById('screen').dataset.polls >= 1",
                               timeout=15000)
        assert "美食街" in page.locator("#screen").inner_text()
    finally:
        context.close()
