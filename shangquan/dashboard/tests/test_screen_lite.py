"""The public lite screen for the visitor centre: no login, no personal data, shared by
a crowd (a cached hit costs no query)."""

from decimal import Decimal

import pytest
from django.test import Client

from shangquan.crowd.tests.factories import zone_factory
from shangquan.stations.tests.factories import station_factory
from shangquan.workorders.tests.factories import order_factory

pytestmark = pytest.mark.django_db

NAME, PHONE = "张秀英", "13812345678"


def test_lite_screen_without_login_and_without_personal_data(north, django_assert_max_num_queries):
    district = north.district
    station_factory(district, name="夜市党群服务站")
    zone_factory(district, name="美食街")
    order_factory(north, reporter_name=NAME, reporter_phone=PHONE,
                  latitude=Decimal("41.1192"), longitude=Decimal("121.1477"))
    client = Client()
    page = client.get(f"/d/{district.code}/screen/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "夜市党群服务站" in body and "美食街" in body and "红榜" in body
    assert f"/d/{district.code}/screen/data.json" in body
    data = client.get(f"/d/{district.code}/screen/data.json")
    assert data.status_code == 200 and data["Content-Type"] == "application/json"
    payload = data.json()
    assert payload["stations"]["open"] == 1 and payload["stations"]["total"] == 1
    assert [z["name"] for z in payload["crowd"]["zones"]] == ["美食街"]
    for text in (body, data.content.decode()):
        assert NAME not in text and PHONE not in text and "138" not in text
        assert "烧烤摊油烟" not in text  # no orders at all
    # a crowd of visitors: the shared page and JSON cost no query
    with django_assert_max_num_queries(0):
        assert Client().get(f"/d/{district.code}/screen/").status_code == 200
        assert Client().get(f"/d/{district.code}/screen/data.json").status_code == 200


def test_unknown_or_closed_district(north):
    assert Client().get("/d/NOPE/screen/").status_code == 404
    north.district.is_active = False
    north.district.save()
    assert Client().get(f"/d/{north.district.code}/screen/").status_code == 404


def test_english(north):
    client = Client()
    client.cookies["django_language"] = "en"
    body = client.get(f"/d/{north.district.code}/screen/",
                      headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in body
