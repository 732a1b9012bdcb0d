"""The report form when the location is denied: it says so in the page's language and
offers the map (tap, or pin the map centre by keyboard) or the address; the form still
files. And 我也遇到 from the nearby box keeps what was typed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from shangquan.core.models import Profile
from shangquan.core.roles import Role
from shangquan.workorders.models import WorkOrder

from .factories import order_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def denied_page(browser):
    """A phone page whose location permission is denied (no geolocation grant)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  is_mobile=True, has_touch=True, bypass_csp=True)
    context.clear_permissions()
    page = context.new_page()
    page.route("https://**/*", lambda route: route.abort())  # no map tiles in tests
    yield page
    context.close()


def _district(north):
    district = north.district
    district.latitude, district.longitude = Decimal("41.119200"), Decimal("121.147700")
    district.save()
    return district


def test_denied_location_offers_the_map(live_server, denied_page, north, assert_accessible):
    district = _district(north)
    page = denied_page
    page.goto(f"{live_server.url}/d/{district.code}/report/")
    page.wait_for_selector(".leaflet-container")
    page.get_by_role("button", name="使用我的位置").click()
    message = page.locator("#locate-msg")
    # "locating…" shows first; the refusal replaces it when the browser answers
    page.wait_for_function(
        "document.getElementById('locate-msg').textContent.includes('定位权限被拒绝')")
    assert "地图" in message.inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="标在地图中心").click()
    assert page.input_value("#id_latitude") and page.input_value("#id_longitude")
    assert abs(float(page.input_value("#id_latitude")) - 41.1192) < 0.001
    page.select_option("#id_category", "noise")
    page.fill("#id_description", "深夜音响太大声了")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/track/**")
    order = WorkOrder.objects.get(number=page.locator(".ticket-number").inner_text())
    assert order.latitude is not None


def test_metoo_from_the_nearby_box_keeps_the_form(live_server, denied_page, north, login_page,
                                                  assert_accessible):
    district = _district(north)
    earlier = order_factory(north, actor=north.people[Role.VOLUNTEER],
                            latitude=Decimal("41.119200"), longitude=Decimal("121.147700"))
    resident = north.people[Role.RESIDENT]
    Profile.objects.filter(user=resident).update(phone_verified_at=timezone.now())
    page = denied_page
    login_page(page, live_server, resident)
    page.goto(f"{live_server.url}/d/{district.code}/report/")
    page.wait_for_selector(".leaflet-container")
    page.fill("#id_description", "又是油烟")
    page.select_option("#id_category", "oil_fume")
    page.get_by_role("button", name="标在地图中心").click()
    page.wait_for_selector("#report-nearby a[data-metoo]")
    page.locator("#report-nearby a[data-metoo]").click()
    page.wait_for_selector("#report-nearby .badge-ok")
    assert "已加入" in page.inner_text("#report-nearby")
    assert page.input_value("#id_description") == "又是油烟"
    assert earlier.me_toos.get().user_id == resident.pk
    assert_accessible(page)
