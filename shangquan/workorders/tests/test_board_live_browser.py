"""The dispatch board follows changes without a reload: an order reported elsewhere shows
in the committee's open board, and the counts move, while the filter keeps its text."""

from __future__ import annotations

import time

import pytest

from shangquan.core import live
from shangquan.core.roles import Role

from .factories import order_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _leave(page) -> None:
    """Close the stream before the test database is emptied."""
    page.goto("about:blank")
    deadline = time.monotonic() + 10
    while live.open_streams() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live.open_streams() == 0


def test_a_new_report_appears_on_the_open_board(live_server, desktop_page, north, login_page,
                                                assert_accessible):
    page = desktop_page
    login_page(page, live_server, north.people[Role.COMMITTEE])
    page.goto(f"{live_server.url}/console/{north.district.code}/workorders/")
    page.wait_for_function("document.getElementById('board-live-status').textContent !== ''")
    assert_accessible(page)
    waiting = int(page.locator("#board-stats .stat-value").first.inner_text())
    page.fill("#f-q", "半截")  # typed, not yet submitted: must survive the refresh
    page.locator("h1").click()
    order = order_factory(north, description="夜市东口井盖松动，电动车经过哐哐响")
    page.wait_for_selector(f"text={order.number}", timeout=10_000)
    assert int(page.locator("#board-stats .stat-value").first.inner_text()) == waiting + 1
    assert page.input_value("#f-q") == "半截"
    _leave(page)
