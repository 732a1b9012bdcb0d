"""The live board on a phone: it updates by itself when readings arrive (SSE)."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from shangquan.core.roles import Role
from shangquan.crowd import services, stream

from .factories import gate_factory, reading, zone_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_board_updates_live_on_a_phone_and_alerts_are_acknowledged(
        live_server, phone_page, north, login_page, assert_accessible):
    waiting = zone_factory(north.district, name="主入口等候区", area_m2=400, kind="waiting")
    zone = zone_factory(north.district, name="小吃区", area_m2=200, area_per_person=2,
                        waiting_zone=waiting)
    gate, _raw = gate_factory(north.district, zone, code="XC1")
    page = phone_page
    login_page(page, live_server, north.people[Role.COMMITTEE])
    page.goto(f"{live_server.url}/console/{north.district.code}/crowd/")
    card = page.locator(f"[data-zone='{zone.pk}']")
    assert card.locator("[data-f=level_label]").inner_text() == "正常"
    page.wait_for_selector("[data-live='1']")  # the event stream is connected
    assert_accessible(page)

    services.readings_ingest(device=gate.device, readings=[
        reading(1, timezone.now() + dt.timedelta(seconds=1), 103, 0)])
    page.wait_for_function(
        "id => document.querySelector(`[data-zone='${id}'] [data-f=level_label]`)"
        ".textContent === '红色预警'", arg=zone.pk)
    assert card.locator("[data-f=occupancy]").inner_text() == "103"
    assert card.locator("[data-f=control_label]").inner_text() == "暂停进入"
    assert card.locator("[data-f=divert]").is_visible()
    assert "主入口等候区" in card.locator("[data-f=divert]").inner_text()
    assert page.locator("#board-alerts [data-alert]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)

    page.locator("#board-alerts").get_by_role("button", name="确认").click()
    page.wait_for_url(f"**/console/{north.district.code}/crowd/")
    assert page.locator("#board-alerts [data-alert]").count() == 0
    assert_accessible(page)
    leave_board(page)


def test_zone_page_manual_count_on_a_phone(live_server, phone_page, north, login_page,
                                           assert_accessible):
    zone = zone_factory(north.district, name="服饰区", area_m2=300)
    page = phone_page
    login_page(page, live_server, north.people[Role.GRID_LEADER])
    page.goto(f"{live_server.url}/console/{north.district.code}/crowd/zones/{zone.pk}/")
    assert_accessible(page)
    page.fill("#id_counted", "42")
    page.get_by_role("button", name="记录点数").click()
    page.wait_for_load_state("networkidle")
    assert "42" in page.locator(".stats").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)


def test_big_screen_board_is_accessible(live_server, desktop_page, north, login_page,
                                        assert_accessible):
    waiting = zone_factory(north.district, name="主入口等候区", area_m2=400, kind="waiting")
    zone = zone_factory(north.district, name="游乐区", area_m2=100, waiting_zone=waiting)
    gate, _raw = gate_factory(north.district, zone, code="YL1")
    services.readings_ingest(device=gate.device, readings=[
        reading(1, timezone.now() + dt.timedelta(seconds=1), 95, 0)])
    page = desktop_page
    login_page(page, live_server, north.people[Role.STREET])
    page.goto(f"{live_server.url}/console/{north.district.code}/crowd/?screen=big")
    page.wait_for_selector("[data-live='1']")
    page.wait_for_selector("#board-trend canvas")  # the chart drew from the first event
    assert page.locator("body.bigscreen").count() == 1
    assert page.locator(f"[data-zone='{zone.pk}'] [data-f=level_label]").inner_text() \
        == "橙色预警"
    assert_accessible(page)
    leave_board(page)


def leave_board(page) -> None:
    """Close the board's event stream before the test database is emptied: the stream's
    next poll would otherwise race the flush on the shared SQLite connection."""
    page.goto("about:blank")
    deadline = time.monotonic() + 10
    while stream.sync_streams_open() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stream.sync_streams_open() == 0
