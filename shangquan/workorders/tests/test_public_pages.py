"""The public way in: the site home links each district to /d/<code>/, which links to
随手拍, the public report list, tracking and 公平秤; the list shows no personal data."""

import pytest

from shangquan.core.roles import Role
from shangquan.workorders import services

from .factories import order_factory

pytestmark = pytest.mark.django_db


def test_site_home_links_to_the_district_home(client, north, south):
    home = client.get("/").content.decode()
    assert f'href="/d/{north.district.code}/"' in home and f'href="/d/{south.district.code}/"' in home
    page = client.get(f"/d/{north.district.code}/").content.decode()
    for url in (f"/d/{north.district.code}/report/", f"/d/{north.district.code}/reports/",
                f"/d/{north.district.code}/track/", f"/d/{north.district.code}/fair-scale/"):
        assert f'href="{url}"' in page, url
    assert "/my-reports/" not in page  # only once signed in
    client.force_login(north.people[Role.RESIDENT])
    assert "/my-reports/" in client.get(f"/d/{north.district.code}/").content.decode()
    assert client.get("/d/NOPE/").status_code == 404


def test_public_list_shows_replies_not_people(client, north, south):
    order = order_factory(north, description="隔壁张三家的烧烤油烟", reporter_phone="13912345678",
                          reporter_name="李四")
    services.work_order_dispatch(actor=north.people[Role.COMMITTEE], district=north.district,
                                 order=order, department=north.department, note="内部：先打电话")
    order_factory(south, description="南街的问题")
    page = client.get(f"/d/{north.district.code}/reports/").content.decode()
    assert order.number in page and "已派单至" in page
    for secret in ("张三", "李四", "13912345678", "5678", "先打电话", "南街的问题"):
        assert secret not in page, secret


def test_nearby_fragment_lists_same_category_only(client, north):
    order = order_factory(north, latitude="41.100000", longitude="121.100000")
    order_factory(north, category_code="noise", latitude="41.100000", longitude="121.100000")
    url = f"/d/{north.district.code}/report/nearby/"
    found = client.get(url, {"category": "oil_fume", "latitude": "41.1002",
                             "longitude": "121.1001"}).content.decode()
    assert order.number in found and found.count("ticket-number") == 1
    far = client.get(url, {"category": "oil_fume", "latitude": "41.2",
                           "longitude": "121.2"}).content.decode()
    assert order.number not in far
    assert client.get(url, {"category": "oil_fume", "latitude": "x"}).status_code == 200
