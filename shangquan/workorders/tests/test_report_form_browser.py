"""The report form on a 360 px phone never loses input: a large photo is shrunk in the
browser, survives the duplicate warning, uploads with progress, and the reporter sees it
on the tracking page."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.workorders.models import Photo, WorkOrder

from .factories import order_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def big_jpeg(tmp_path):
    path = tmp_path / "big.jpg"
    buffer = io.BytesIO()
    Image.effect_noise((3200, 2400), 60).convert("RGB").save(buffer, format="JPEG", quality=92)
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_photo_survives_the_duplicate_warning(live_server, phone_page, north, login_page,
                                              assert_accessible, big_jpeg):
    code = north.district.code
    merchant = merchant_factory(north.district, name="夜市烤串")
    first = order_factory(north, merchant=merchant, actor=north.people[Role.VOLUNTEER])
    page = phone_page
    page.route("https://**/*", lambda route: route.abort())  # no map tiles in tests
    login_page(page, live_server, north.people[Role.RESIDENT])
    page.goto(f"{live_server.url}/d/{code}/report/?merchant={merchant.public_token}")
    page.select_option("#id_category", "oil_fume")
    page.fill("#id_description", "油烟还是很大，窗户都黑了")
    page.fill("#id_address", "美食街东口")
    page.set_input_files("#id_photos", big_jpeg)
    page.wait_for_selector("#report-previews img")
    page.get_by_role("button", name="提交").click()
    # The warning arrives in place; nothing typed or picked is gone.
    page.wait_for_selector("#report-feedback .alert-warning")
    assert first.number in page.inner_text("#report-feedback")
    assert page.input_value("#id_description") == "油烟还是很大，窗户都黑了"
    assert page.input_value("#id_address") == "美食街东口"
    assert page.locator("#report-previews img").count() == 1
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.check("#id_confirm_duplicate")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/track/**")
    number = page.locator(".ticket-number").inner_text()
    order = WorkOrder.objects.get(number=number)
    assert order.pk != first.pk and order.description == "油烟还是很大，窗户都黑了"
    photo = Photo.objects.get(order=order)
    assert max(photo.width, photo.height) <= 1600 and photo.width > 0  # shrunk in the browser
    # The reporter sees their own photo on the tracking page.
    assert page.locator(".wo-photos img").count() == 1
    assert_accessible(page)


def test_upload_shows_progress(live_server, phone_page, north, big_jpeg):
    page = phone_page
    page.route("https://**/*", lambda route: route.abort())
    page.goto(f"{live_server.url}/d/{north.district.code}/report/")
    page.select_option("#id_category", "oil_fume")
    page.fill("#id_description", "路口积水很深")
    page.set_input_files("#id_photos", big_jpeg)
    page.wait_for_selector("#report-previews img")
    # Slow the upload so the bar can be seen.
    page.route("**/report/", lambda route: (page.wait_for_timeout(800), route.continue_()))
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector("#report-progress:not([hidden])")
    page.wait_for_url("**/track/**")
    assert WorkOrder.objects.filter(district=north.district).count() == 1
