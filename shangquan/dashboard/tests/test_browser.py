"""The indicator page in Chromium at 1920×1080: the hand-checked figures, no overflow, axe."""

import pytest
from django.utils import timezone

from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.workorders.tests.factories import advance, order_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kpi_page_by_week_with_a_baseline(live_server, browser, north, login_page,
                                          assert_accessible):
    advance(north, order_factory(north), "closed", rating="satisfied")
    advance(north, order_factory(north), "closed", rating="basic")
    advance(north, order_factory(north), "dispatched")
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                                  bypass_csp=True)  # lets axe-core be injected
    page = context.new_page()
    try:
        login_page(page, live_server, north.people[Role.COMMITTEE])
        page.goto(f"{live_server.url}/console/{north.district.code}/dashboard/kpis/")
        page.select_option("#kind", "week")
        page.fill("#period", "")
        week = Period.containing("week", timezone.localdate())
        page.fill("#baseline", week.previous().label)
        page.click("form.filters button[type=submit]")
        page.wait_for_load_state("networkidle")
        row = page.locator("[data-key='workorders.satisfaction_rate']")
        assert "95.0 %" in row.inner_text()
        assert "66.7" in page.locator("[data-key='workorders.response_rate']").inner_text()
        assert week.label in page.locator("h1").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1920
        assert_accessible(page)
    finally:
        context.close()
