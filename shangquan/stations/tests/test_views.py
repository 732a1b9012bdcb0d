"""Pages render for their people, refuse others, and say why a booking fails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.roles import Role
from shangquan.stations import selectors, services

from .factories import service_factory, slot_start, station_factory

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_public_pages_render_without_signing_in(north):
    station = station_factory(north.district, name="先锋驿站", kind="pioneer_station")
    service = service_factory(north.district, station=station)
    room = services.room_create(actor=SYSTEM, station=station, name="活动室", kind="activity")
    code = north.district.code
    client = _client()
    for url in (f"/d/{code}/stations/", f"/d/{code}/stations/?open=1&amenity=charging",
                f"/d/{code}/stations/s/{station.public_token}/", f"/d/{code}/stations/services/",
                f"/d/{code}/stations/services/{service.pk}/", f"/d/{code}/stations/rooms/{room.pk}/",
                f"/d/{code}/visitors/"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/d/{code}/stations/").content.decode()
    assert "先锋驿站" in page and "st-map" in page
    assert client.get(f"/d/{code}/stations/s/nope/").status_code == 404
    # booking needs a sign-in
    response = client.post(f"/d/{code}/stations/services/{service.pk}/",
                           {"starts_at": slot_start(service).isoformat()})
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_works_without_tiles(north, settings):
    settings.SHANGQUAN = {**settings.SHANGQUAN, "STATION_TILE_URL": ""}
    station_factory(north.district, name="红色驿站")
    page = _client().get(f"/d/{north.district.code}/stations/").content.decode()
    assert "红色驿站" in page and 'id="st-map"' not in page


def test_booking_page_gives_a_code_and_says_why_when_full_of_limits(north):
    service = service_factory(north.district, capacity=1)
    merchant = north.people[Role.MERCHANT]
    client = _client(merchant)
    code = north.district.code
    response = client.post(f"/d/{code}/stations/services/{service.pk}/",
                           {"starts_at": slot_start(service).isoformat()})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    booking = selectors.booking_list_mine(user=merchant, district=north.district)[0]
    assert booking.code in page and "身份证" in page
    for index in (1, 2):
        response = client.post(f"/d/{code}/stations/services/{service.pk}/",
                               {"starts_at": slot_start(service, index=index).isoformat()})
    assert response.status_code == 409
    assert "最多 2 个有效预约" in response.content.decode()


def test_a_visitor_reports_from_the_station_page(north):
    station = station_factory(north.district)
    water = station.amenities.get(kind="water")
    client = _client()
    url = f"/d/{north.district.code}/stations/s/{station.public_token}/"
    page = client.post(url, {"amenity": water.pk, "status": "out_of_order",
                             "note": "饮水机坏了"}).content.decode()
    assert "已报修" in page
    page = client.post(url, {"amenity": water.pk}).content.decode()
    assert "同一故障只派一张单" in page


def test_console_pages_for_staff_and_not_for_others(north, south):
    station_factory(north.district, kind="child_area", name="儿童等候区")
    code = north.district.code
    committee = _client(north.people[Role.COMMITTEE])
    for path in ("stations/", "stations/desk/", "stations/rooms/", "stations/loans/",
                 "stations/wristbands/"):
        assert committee.get(f"/console/{code}/{path}").status_code == 200, path
    assert _client(south.people[Role.COMMITTEE]).get(
        f"/console/{code}/stations/").status_code == 404
    assert _client(north.people[Role.RESIDENT]).get(
        f"/console/{code}/stations/desk/").status_code == 403


def test_desk_page_marks_arrival_and_outcome(north):
    today = timezone.localdate()
    service = service_factory(north.district, weekday=today.weekday(),
                              starts_at=dt.time(0, 0), ends_at=dt.time(23, 30),
                              department=north.department)
    desk = _client(north.people[Role.DEPARTMENT])
    url = f"/console/{north.district.code}/stations/desk/"
    desk.post(url, {"action": "walk_in", "service": service.pk, "name": "凌河小吃王"})
    page = desk.get(url).content.decode()
    assert "凌河小吃王" in page and "办结" in page
    booking = services.Booking.objects.get(name="凌河小吃王")
    desk.post(url, {"booking": booking.pk, "action": "finish", "outcome": "referred"})
    booking.refresh_from_db()
    assert booking.status == "done" and booking.outcome == "referred"
