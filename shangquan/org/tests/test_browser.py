"""A mobile party member scans a liaison station's QR code and checks in on a phone."""

import pytest

from shangquan.org.models import MobileMember
from shangquan.org.qr import station_url

from .factories import station_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mobile_member_checks_in(live_server, phone_page, north, assert_accessible):
    station = station_factory(north.district, name="万达商圈红色驿站", address="万达广场北门")
    path = station_url(station).split("://", 1)[1].split("/", 1)[1]
    page = phone_page
    page.goto(f"{live_server.url}/{path}")
    assert "万达商圈红色驿站" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("姓名").fill("周明")
    page.get_by_label("手机号").fill("139 1234 5678")
    page.get_by_label("组织关系所在党组织").fill("谷城县某村党支部")
    page.get_by_role("button", name="报到").click()
    page.wait_for_selector("text=报到成功")
    assert "139 1234 5678" not in page.content() and "13912345678" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    member = MobileMember.objects.get(district=north.district)
    assert (member.phone, member.home_unit, member.check_in_count) == \
        ("13912345678", "谷城县某村党支部", 1)
