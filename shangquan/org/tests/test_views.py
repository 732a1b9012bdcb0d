import pytest

from shangquan.core.roles import Role
from shangquan.org.models import CheckIn

from .factories import party_member_factory, station_factory, unit_factory

pytestmark = pytest.mark.django_db


def test_check_in_page_from_a_phone(client, north):
    station = station_factory(north.district, name="永嘉国潮流动党员之家")
    url = f"/s/{station.token}/"
    page = client.get(url)
    assert page.status_code == 200 and "流动党员扫码报到" in page.content.decode()
    bad = client.post(url, {"name": "赵强", "phone": "12345", "home_unit": "某支部"})
    assert bad.status_code == 422 and "手机号格式不正确" in bad.content.decode()
    ok = client.post(url, {"name": "赵强", "phone": "13712345678", "home_unit": "惠安县某支部"})
    assert ok.status_code == 200 and "报到成功" in ok.content.decode()
    assert "13712345678" not in ok.content.decode()
    assert CheckIn.objects.filter(station=station).count() == 1
    assert client.get("/s/nope/").status_code == 404


def test_console_pages(client, north, south):
    unit = unit_factory(north.district, name="商圈党委")
    party_member_factory(north.district, unit=unit, name="刘书记", role="secretary",
                         phone="13811112222")
    station_factory(north.district, name="党群服务站")
    client.force_login(north.people[Role.COMMITTEE])
    code = north.district.code
    for path in ("org/", "org/alliances/", "org/members/", "org/stations/", "org/registry/"):
        response = client.get(f"/console/{code}/{path}")
        assert response.status_code == 200, path
    members = client.get(f"/console/{code}/org/members/").content.decode()
    assert "刘书记" in members and "138****2222" in members and "13811112222" not in members
    created = client.post(f"/console/{code}/org/", {"name": "新支部", "kind": "tree"})
    assert created.status_code == 302
    assert client.get(f"/console/{south.district.code}/org/").status_code == 404
    client.force_login(north.people[Role.MERCHANT])
    assert client.get(f"/console/{code}/org/members/").status_code == 403
