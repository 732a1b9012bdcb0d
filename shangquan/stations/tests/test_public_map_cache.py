"""A crowd shares one station map page (``stations.public``): a hit asks the database
nothing, yet every change to what the map shows appears at once, each visitor gets their
own CSRF token, a signed-in visitor or one with a position gets their own page, and the
page still renders when the cache server is down."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.roles import Role
from shangquan.stations import public, services
from shangquan.stations.models import Amenity

from .factories import LAT, LON, station_factory

pytestmark = pytest.mark.django_db


def _map(client: Client, code: str, query: str = "") -> str:
    response = client.get(f"/d/{code}/stations/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_crowd_shares_one_page_and_a_hit_asks_the_database_nothing(
        north, django_assert_max_num_queries):
    station_factory(north.district, name="红色驿站")
    code = north.district.code
    first = _map(Client(), code)
    assert "红色驿站" in first
    with django_assert_max_num_queries(0):  # no query at all
        second = _map(Client(), code)
    assert second.count("红色驿站") == first.count("红色驿站")
    assert "__shangquan_csrf__" not in second


def test_every_visitor_gets_their_own_csrf_token(north):
    station_factory(north.district)
    code = north.district.code
    one, two = Client(), Client()
    _map(one, code)
    page = _map(two, code)
    token = two.cookies["csrftoken"].value
    assert token and token != one.cookies["csrftoken"].value
    assert "__shangquan_csrf__" not in page


def test_a_broken_amenity_and_holiday_hours_show_at_once(north):
    station = station_factory(north.district, name="先锋驿站", amenities=("water",))
    code = north.district.code
    assert "暂停" not in _map(Client(), code)
    water = station.amenities.get(kind="water")
    services.amenity_report(actor=SYSTEM, amenity=water, note="不出水")
    assert Amenity.objects.get(pk=water.pk).status != "ok"
    assert "暂停" in _map(Client(), code)
    services.hours_exception_set(actor=SYSTEM, station=station, day=timezone.localdate(),
                                 closed=True, note="春节闭站")
    page = _map(Client(), code)
    assert "春节闭站" in page and "已关闭" in page
    services.station_update(actor=SYSTEM, station=station, name="先锋驿站（新址）")
    assert "先锋驿站（新址）" in _map(Client(), code)


def test_a_change_in_another_worker_shows_once_the_version_moves(north):
    """Another worker's change reaches this one through the shared version."""
    station = station_factory(north.district, name="文创小站")
    code = north.district.code
    _map(Client(), code)
    # as another process would leave it: the row changed, the shared version moved, but
    # this worker's own pages and remembered version are still there
    from shangquan.stations.models import Station

    Station.objects.filter(pk=station.pk).update(name="文创小站·二号")
    assert "文创小站·二号" not in _map(Client(), code)
    from django.core.cache import cache

    cache.set(f"stations:map-version:{north.district.pk}", 42, None)
    public.VERSIONS.forget(north.district.pk)  # its few seconds are over
    assert "文创小站·二号" in _map(Client(), code)


def test_filters_and_languages_have_their_own_pages(north):
    station_factory(north.district, name="充电驿站", amenities=("charging",))
    station_factory(north.district, name="阅读小站", amenities=("reading",))
    code = north.district.code
    assert "阅读小站" in _map(Client(), code)
    charging = _map(Client(), code, "?amenity=charging")
    assert "充电驿站" in charging and "阅读小站" not in charging
    english = Client(headers={"accept-language": "en"})
    page = _map(english, code)
    assert '<html lang="en"' in page
    assert '<html lang="zh-CN"' in _map(Client(), code)


def test_signed_in_visitors_and_positions_get_their_own_page(north):
    station_factory(north.district, name="先锋驿站")
    code = north.district.code
    _map(Client(), code)
    member = Client()
    member.force_login(north.people[Role.RESIDENT])
    assert "core/logout" in _map(member, code) or "/logout" in _map(member, code)
    assert "/logout" not in _map(Client(), code)
    near = _map(Client(), code, f"?lat={float(LAT) + 0.001}&lon={LON}")
    assert "米" in near  # the distance: computed for this visitor, not shared


def test_the_map_renders_when_the_cache_server_is_down(north, monkeypatch):
    station = station_factory(north.district, name="先锋驿站")
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache server down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert "先锋驿站" in _map(Client(), north.district.code)
    services.station_update(actor=SYSTEM, station=station, name="先锋驿站二号")
    assert "先锋驿站二号" in _map(Client(), north.district.code)


def test_a_closed_districts_map_answers_404_at_once(north):
    station_factory(north.district, name="先锋驿站")
    code = north.district.code
    _map(Client(), code)
    north.district.is_active = False
    north.district.save()
    assert Client().get(f"/d/{code}/stations/").status_code == 404
