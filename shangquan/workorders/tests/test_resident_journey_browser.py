"""A resident on a 360 px phone: site home → district home → the public map and list,
where they add 我也遇到 to a report filed nearby → sees reports nearby before typing →
files their own, whose photo survives the duplicate warning."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from shangquan.core.models import Profile
from shangquan.core.roles import Role
from shangquan.workorders.models import WorkOrder

from .factories import order_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def jpeg(tmp_path):
    path = tmp_path / "snap.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (90, 120, 200)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_resident_finds_the_district_and_reports(live_server, phone_page, north, login_page,
                                                 assert_accessible, jpeg):
    district = north.district
    district.latitude, district.longitude = Decimal("41.119200"), Decimal("121.147700")
    district.save()
    earlier = order_factory(north, actor=north.people[Role.VOLUNTEER], address="东口",
                            latitude=Decimal("41.119200"), longitude=Decimal("121.147700"))
    earlier_number = earlier.number
    resident = north.people[Role.RESIDENT]
    Profile.objects.filter(user=resident).update(phone_verified_at=timezone.now())
    page = phone_page
    page.route("https://**/*", lambda route: route.abort())  # no map tiles in tests
    login_page(page, live_server, north.people[Role.RESIDENT])
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=district.name).first.click()
    page.wait_for_url(f"**/d/{district.code}/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    tiles = page.locator(".district-tiles").inner_text()
    for words in ("随手拍", "大家反映的问题", "查询办理进度", "我的反映", "公平秤"):
        assert words in tiles, words
    # The public list shows the earlier report without who filed it.
    page.get_by_role("link", name="大家反映的问题").click()
    assert earlier_number in page.inner_text("main")
    assert north.people[Role.VOLUNTEER].username not in page.content()
    page.wait_for_selector("#wo-public-map .leaflet-interactive")  # the open report's marker
    assert_accessible(page)
    page.get_by_role("button", name=f"我也遇到 {earlier_number}").click()
    page.wait_for_url("**/reports/")
    assert "已加入" in page.inner_text("main") and "1 人也遇到" in page.inner_text("main")
    assert earlier.me_toos.get().user_id == resident.pk
    assert_accessible(page)
    page.goto(f"{live_server.url}/d/{district.code}/")
    page.get_by_role("link", name="随手拍 · 我要反映").click()
    page.wait_for_selector(".leaflet-container")
    page.select_option("#id_category", "oil_fume")
    page.locator("#report-map").click()  # the pin lands in the middle, beside the earlier one
    page.wait_for_selector("#report-nearby .nearby")
    assert earlier_number in page.inner_text("#report-nearby")
    assert_accessible(page)
    page.fill("#id_description", "又冒黑烟了，整条街都是烟味")
    page.set_input_files("#id_photos", jpeg)
    page.wait_for_selector("#report-previews img")
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector("#report-feedback .alert-warning")
    assert page.locator("#report-previews img").count() == 1
    page.check("#id_confirm_duplicate")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/track/**")
    order = WorkOrder.objects.get(number=page.locator(".ticket-number").inner_text())
    assert order.photos.count() == 1 and order.pk != earlier.pk
    assert_accessible(page)
