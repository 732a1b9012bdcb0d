"""Duty posts (值班/坐班) with check-in; the console's forms for holiday hours, services
and rooms through the same services; the per-merchant booking limit; the xlsx exports,
role-limited; console ids and numbers refused with 422."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from shangquan.core.actors import SYSTEM
from shangquan.core.errors import Conflict, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory
from shangquan.merchants import services as merchant_services
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.stations import selectors, services
from shangquan.stations.models import DutyPost, HoursException, Room, Service

from .factories import next_weekday, service_factory, slot_start, station_factory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _tonight() -> dt.date:
    return selectors.evening_of(timezone.now())


# the whole of tonight's evening, 06:00 to 05:59 the next morning: "now" is inside it at any
# hour, also after midnight, when the evening began yesterday
EVENING = {"starts_at": dt.time(6, 0), "ends_at": dt.time(5, 59)}


# --- duty posts ---------------------------------------------------------------------------------
def test_duty_post_shows_on_the_station_page_masked_and_checks_in_within_its_hours(north):
    station = station_factory(north.district, name="先锋驿站", kind="pioneer_station")
    volunteer = north.people[Role.VOLUNTEER]
    post = services.duty_post_create(
        actor=north.people[Role.COMMITTEE], district=north.district, station=station,
        day=_tonight(), **EVENING, post="驿站服务台",
        group="party_volunteer", unit="凌河街道党工委", person_name="王晓明", user=volunteer)
    page = Client().get(f"/d/{north.district.code}/stations/s/{station.public_token}/")
    html = page.content.decode()
    assert page.status_code == 200 and "今晚值班" in html and "驿站服务台" in html
    assert "凌河街道党工委" in html and "王*" in html and "王晓明" not in html
    # another volunteer may not check in for them; the person on the post may
    other = member_factory(north.district, Role.VOLUNTEER)
    with pytest.raises(PermissionDenied):
        services.duty_post_check_in(actor=other, post=post)
    post = services.duty_post_check_in(actor=volunteer, post=post)
    assert post.checked_in_at is not None
    with pytest.raises(Conflict) as exc:
        services.duty_post_check_in(actor=volunteer, post=post)
    assert exc.value.code == "already_checked_in"
    assert AuditLog.objects.filter(action="stations.duty.check_in", object_id=str(post.pk))\
        .exists()
    # the audit row masks the volunteer's name
    created = AuditLog.objects.get(action="stations.duty.create", object_id=str(post.pk))
    assert "王晓明" not in str(created.after)


def test_duty_check_in_only_around_the_posts_hours_even_past_midnight(north):
    station = station_factory(north.district)
    day = timezone.localdate() + dt.timedelta(days=3)
    post = services.duty_post_create(
        actor=SYSTEM, district=north.district, station=station, day=day,
        starts_at=dt.time(18, 0), ends_at=dt.time(2, 0), post="2 号等候线", group="police",
        unit="凌河分局", person_name="李警官")
    committee = north.people[Role.COMMITTEE]
    at = lambda d, t: timezone.make_aware(dt.datetime.combine(d, t))  # noqa: E731
    with pytest.raises(ValidationFailed) as exc:
        services.duty_post_check_in(actor=committee, post=post, now=at(day, dt.time(16, 30)))
    assert exc.value.code == "duty_not_now"
    with pytest.raises(ValidationFailed):
        services.duty_post_check_in(actor=committee, post=post,
                                    now=at(day + dt.timedelta(days=1), dt.time(2, 30)))
    done = services.duty_post_check_in(actor=committee, post=post,
                                       now=at(day + dt.timedelta(days=1), dt.time(1, 0)))
    assert done.checked_in_at is not None


def test_duty_post_needs_a_place_and_is_refused_twice(north, south):
    station = station_factory(north.district)
    kwargs = dict(actor=SYSTEM, district=north.district, day=_tonight(),
                  starts_at=dt.time(18, 0), ends_at=dt.time(22, 0), post="入口",
                  unit="救援队", person_name="赵一")
    with pytest.raises(ValidationFailed) as exc:
        services.duty_post_create(**kwargs)
    assert exc.value.code == "duty_post_incomplete"
    with pytest.raises(ValidationFailed) as exc:
        services.duty_post_create(**{**kwargs, "station": station, "ends_at": dt.time(18, 0)})
    assert exc.value.code == "bad_hours"
    services.duty_post_create(**kwargs, station=station)
    with pytest.raises(Conflict) as exc:
        services.duty_post_create(**kwargs, station=station)
    assert exc.value.code == "duty_post_exists"
    with pytest.raises(ValidationFailed) as exc:
        services.duty_post_create(**{**kwargs, "person_name": "钱二"},
                                  station=station_factory(south.district))
    assert exc.value.code == "wrong_district"
    with pytest.raises(PermissionDenied):
        services.duty_post_create(**{**kwargs, "actor": north.people[Role.VOLUNTEER],
                                     "person_name": "孙三"}, station=station)


def test_duty_at_a_waiting_line_shows_on_the_visitor_page(north):
    from shangquan.crowd.tests.factories import zone_factory

    zone = zone_factory(north.district, name="东门等候区", kind="waiting")
    services.duty_post_create(actor=SYSTEM, district=north.district, zone=zone, day=_tonight(),
                              **EVENING,
                              post="人墙第一排", group="rescue", unit="蓝天救援队",
                              person_name="周五")
    html = Client().get(f"/d/{north.district.code}/visitors/").content.decode()
    assert "等候区值守" in html and "人墙第一排" in html and "蓝天救援队" in html
    assert "周五" not in html


def test_duty_api_lists_creates_checks_in_and_answers_404_for_another_district(
        north, south, api_client):
    station = station_factory(north.district)
    code = north.district.code
    committee = api_client(north.people[Role.COMMITTEE])
    body = {"station_id": station.pk, "day": _tonight().isoformat(), "starts_at": "06:00",
            "ends_at": "05:59", "post": "服务台", "group": "station", "unit": "社区",
            "person_name": "吴六"}
    response = committee.post(f"/api/v1/districts/{code}/stations/duty-posts", body)
    assert response.status_code == 201, response.content
    post_id = response.json()["id"]
    listed = committee.get(f"/api/v1/districts/{code}/stations/duty-posts",
                           {"day": _tonight().isoformat()}).json()
    assert [p["id"] for p in listed["items"]] == [post_id]
    done = committee.post(f"/api/v1/districts/{code}/stations/duty-posts/{post_id}/check-in")
    assert done.status_code == 200 and done.json()["checked_in_at"]
    public = api_client(None).get(
        f"/api/v1/public/stations/{code}/stations/{station.public_token}/duty").json()
    assert public[0]["person"] == "吴*" and public[0]["checked_in"] is True
    other = api_client(south.people[Role.COMMITTEE])
    assert other.post(f"/api/v1/districts/{south.district.code}/stations/duty-posts/"
                      f"{post_id}/check-in").status_code == 404
    assert committee.post(f"/api/v1/districts/{code}/stations/duty-posts",
                          {**body, "station_id": station_factory(south.district).pk}
                          ).status_code == 404
    assert committee.post(f"/api/v1/districts/{code}/stations/duty-posts/{post_id}/remove"
                          ).json() == {"id": post_id, "removed": True}
    assert not DutyPost.objects.filter(pk=post_id).exists()


def test_duty_console_page_plans_and_checks_in(north):
    station = station_factory(north.district, name="红色驿站", kind="red_station")
    client = _client(north.people[Role.COMMITTEE])
    url = f"/console/{north.district.code}/stations/duty/"
    response = client.post(url, {"action": "create", "station": station.pk,
                                 "day": _tonight().isoformat(), "starts_at": "06:00",
                                 "ends_at": "05:59", "post": "充电柜旁", "group": "urban",
                                 "unit": "城管中队", "person_name": "郑七"})
    assert response.status_code == 302
    post = DutyPost.objects.get(district=north.district, post="充电柜旁")
    page = client.get(url).content.decode()
    assert "充电柜旁" in page and "郑七" in page and "到岗签到" in page
    assert client.post(url, {"action": "check_in", "post": post.pk}).status_code == 302
    post.refresh_from_db()
    assert post.checked_in_at is not None
    assert client.post(url, {"action": "check_in", "post": "abc"}).status_code == 422
    assert client.post(url, {"action": "create", "station": station.pk, "day": "2026-13-40",
                             "starts_at": "18:00", "ends_at": "22:00", "post": "x",
                             "unit": "u", "person_name": "p"}).status_code == 422


# --- console forms: holiday hours, services, rooms ----------------------------------------------
def test_console_sets_and_removes_holiday_hours(north):
    station = station_factory(north.district, name="游客中心", kind="visitor_centre")
    client = _client(north.people[Role.COMMITTEE])
    url = f"/console/{north.district.code}/stations/hours/"
    today = timezone.localdate().isoformat()
    assert client.post(url, {"station": station.pk, "day": today, "closed": "1",
                             "note": "春节闭站"}).status_code == 302
    row = HoursException.objects.get(station=station, day=timezone.localdate())
    assert row.closed and row.note == "春节闭站"
    assert selectors.station_cards(district=north.district, open_now=True) == []
    # other hours the same day replace it; missing hours are refused with why
    response = client.post(url, {"station": station.pk, "day": today, "opens_at": "10:00"})
    assert response.status_code == 422 and "开放和关闭时间" in response.content.decode()
    assert client.post(url, {"action": "remove", "exception": row.pk}).status_code == 302
    assert not HoursException.objects.filter(pk=row.pk).exists()
    assert client.post(url, {"action": "remove", "exception": "1e9"}).status_code == 422
    # a grid leader sees the page but has no form
    page = _client(north.people[Role.GRID_LEADER]).get(url)
    assert page.status_code == 200 and 'name="closed"' not in page.content.decode()


def test_console_creates_and_edits_a_service_day(north):
    station = station_factory(north.district, name="城市商圈会客厅")
    client = _client(north.people[Role.COMMITTEE])
    url = f"/console/{north.district.code}/stations/services/"
    response = client.post(url, {"action": "create", "station": station.pk, "name": "营业执照",
                                 "day_name": "证照快办日", "weekday": "3",
                                 "starts_at": "09:00", "ends_at": "11:00",
                                 "slot_minutes": "20", "capacity": "3",
                                 "department": north.department.pk,
                                 "checklist": "身份证\n经营场所证明\n"})
    assert response.status_code == 302
    service = Service.objects.get(station=station, name="营业执照")
    assert service.capacity == 3 and service.checklist == ["身份证", "经营场所证明"]
    assert len(service.slot_starts(next_weekday(3))) == 6
    assert client.post(url, {"action": "update", "service": service.pk, "name": "营业执照",
                             "weekday": "2", "starts_at": "14:00", "ends_at": "13:00",
                             "capacity": "3"}).status_code == 422
    assert client.post(url, {"action": "update", "service": service.pk, "name": "营业执照",
                             "weekday": "9", "starts_at": "09:00", "ends_at": "11:00"}
                       ).status_code == 422
    assert client.post(url, {"action": "toggle", "service": service.pk}).status_code == 302
    service.refresh_from_db()
    assert not service.is_active
    assert AuditLog.objects.filter(action="stations.service.update",
                                   object_id=str(service.pk)).count() == 1


def test_console_adds_renames_closes_rooms_and_cancels_a_booking(north):
    station = station_factory(north.district, name="邻里中心", kind="neighbourhood")
    client = _client(north.people[Role.COMMITTEE])
    url = f"/console/{north.district.code}/stations/rooms/"
    assert client.post(url, {"action": "create", "station": station.pk, "name": "议事厅",
                             "kind": "meeting", "seats": "30"}).status_code == 302
    room = Room.objects.get(station=station, name="议事厅")
    assert room.seats == 30
    assert client.post(url, {"action": "create", "station": station.pk, "name": "议事厅",
                             "kind": "meeting"}).status_code == 422  # same name
    assert client.post(url, {"action": "update", "room": room.pk, "name": "党群议事厅",
                             "kind": "meeting", "seats": "40"}).status_code == 302
    room.refresh_from_db()
    assert room.name == "党群议事厅" and room.seats == 40
    start = timezone.make_aware(dt.datetime.combine(
        timezone.localdate() + dt.timedelta(days=2), dt.time(14, 0)))
    booking = services.room_book(actor=north.people[Role.COMMITTEE], room=room,
                                 starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                 title="商户议事会")
    assert client.post(url, {"action": "cancel", "booking": booking.pk}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert client.post(url, {"action": "toggle", "room": room.pk}).status_code == 302
    room.refresh_from_db()
    assert not room.is_active


def test_api_edits_hours_services_and_rooms_like_the_console(north, south, api_client):
    station = station_factory(north.district)
    code = north.district.code
    client = api_client(north.people[Role.COMMITTEE])
    base = f"/api/v1/districts/{code}/stations"
    day = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    r = client.post(f"{base}/{station.pk}/hours-exceptions",
                    {"day": day, "opens_at": "10:00", "closes_at": "15:00", "note": "国庆"})
    assert r.status_code == 200 and r.json()["note"] == "国庆"
    assert client.post(f"{base}/{station.pk}/hours-exceptions",
                       {"day": day}).status_code == 422
    listed = client.get(f"{base}/{station.pk}/hours-exceptions").json()
    assert [e["day"] for e in listed] == [day]
    assert client.post(f"{base}/hours-exceptions/{listed[0]['id']}/remove").status_code == 200
    assert client.get(f"{base}/{station.pk}/hours-exceptions").json() == []
    r = client.post(f"{base}/services", {"station_id": station.pk, "name": "食品经营许可",
                                         "weekday": 3, "starts_at": "09:00",
                                         "ends_at": "11:30", "capacity": 2,
                                         "checklist": ["身份证"]})
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    r = client.patch(f"{base}/services/{sid}", {"capacity": 4, "slot_minutes": 15})
    assert r.status_code == 200 and r.json()["capacity"] == 4
    r = client.post(f"{base}/rooms", {"station_id": station.pk, "name": "阅览室",
                                      "kind": "reading", "seats": 12})
    assert r.status_code == 201
    r = client.patch(f"{base}/rooms/{r.json()['id']}", {"seats": 16})
    assert r.status_code == 200 and r.json()["seats"] == 16
    # another district's station is not found; a grid leader may not edit
    assert client.post(f"{base}/services", {"station_id": station_factory(south.district).pk,
                                            "name": "x", "weekday": 1, "starts_at": "09:00",
                                            "ends_at": "10:00"}).status_code == 404
    leader = api_client(north.people[Role.GRID_LEADER])
    assert leader.patch(f"{base}/services/{sid}", {"capacity": 1}).status_code == 403


# --- the per-merchant limit ------------------------------------------------------------------------
def test_a_shops_people_share_its_booking_limit(north):
    owner = north.people[Role.MERCHANT]
    shop = merchant_factory(north.district, owner=owner, name="老张烧烤")
    clerk = member_factory(north.district, Role.MERCHANT)
    merchant_services.merchant_staff_add(actor=owner, merchant=shop, user=clerk)
    service = service_factory(north.district, capacity=5)
    day = next_weekday(service.weekday)
    services.booking_create(actor=owner, service=service, starts_at=slot_start(service, day=day))
    services.booking_create(actor=clerk, service=service,
                            starts_at=slot_start(service, day=day, index=1))
    with pytest.raises(Conflict) as exc:
        services.booking_create(actor=clerk, service=service,
                                starts_at=slot_start(service, day=day, index=2))
    assert exc.value.code == "merchant_booking_limit"
    assert "老张烧烤" in str(exc.value.message) and "2" in str(exc.value.message)
    # someone who acts for no shop is held only to the per-person limit
    resident = north.people[Role.RESIDENT]
    services.booking_create(actor=resident, service=service,
                            starts_at=slot_start(service, day=day, index=2))


def test_the_booking_page_says_why_the_shop_is_at_its_limit(north):
    owner = north.people[Role.MERCHANT]
    shop = merchant_factory(north.district, owner=owner, name="小李奶茶")
    clerk = member_factory(north.district, Role.MERCHANT)
    merchant_services.merchant_staff_add(actor=owner, merchant=shop, user=clerk)
    service = service_factory(north.district, capacity=5)
    day = next_weekday(service.weekday)
    for i, who in enumerate((owner, clerk)):
        services.booking_create(actor=who, service=service,
                                starts_at=slot_start(service, day=day, index=i))
    response = _client(clerk).post(
        f"/d/{north.district.code}/stations/services/{service.pk}/",
        {"starts_at": slot_start(service, day=day, index=3).isoformat()})
    html = response.content.decode()
    assert response.status_code == 409 and "小李奶茶" in html and "每户最多 2 个" in html


# --- exports ----------------------------------------------------------------------------------------
def _sheet(content: bytes, index: int = 0) -> list[tuple]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return list(book.worksheets[index].iter_rows(values_only=True))


def test_exports_of_loans_faults_rooms_and_parking_are_role_limited_and_audited(
        north, api_client):
    station = station_factory(north.district, name="骑手停车点", kind="rider_parking",
                              capacity=20)
    services.occupancy_set(actor=SYSTEM, station=station, occupancy=7)
    services.loan_lend(actor=SYSTEM, station=station, item="umbrella", borrower_name="游客甲",
                       borrower_phone="13912345678")
    services.amenity_report(actor=SYSTEM, amenity=station.amenities.get(kind="water"))
    room = services.room_create(actor=SYSTEM, station=station, name="会议室", kind="meeting")
    start = timezone.make_aware(dt.datetime.combine(
        timezone.localdate() + dt.timedelta(days=1), dt.time(9, 0)))
    services.room_book(actor=north.people[Role.COMMITTEE], room=room, starts_at=start,
                       ends_at=start + dt.timedelta(hours=1), title="协商议事")
    code = north.district.code
    committee = api_client(north.people[Role.COMMITTEE])
    base = f"/api/v1/districts/{code}/stations"
    loans = _sheet(committee.get(f"{base}/loans.xlsx").content)
    assert loans[1][2] == "游客甲" and loans[1][3] == "139****5678"
    assert "13912345678" not in str(loans)
    faults = _sheet(committee.get(f"{base}/faults.xlsx").content)
    assert faults[1][0] == "骑手停车点" and faults[1][3] == 1 and faults[1][4]
    rooms = _sheet(committee.get(f"{base}/room-bookings.xlsx").content)
    assert rooms[1][2] == "协商议事"
    parking = committee.get(f"{base}/parking.xlsx")
    assert _sheet(parking.content)[1][2:5] == (20, 7, 13)
    for action in ("loan", "fault", "room", "parking"):
        assert AuditLog.objects.filter(district=north.district,
                                       action=f"stations.{action}.export").count() == 1
    # who may not: a volunteer lends items but does not export them; a merchant nothing
    volunteer = api_client(north.people[Role.VOLUNTEER])
    assert volunteer.get(f"{base}/loans").status_code == 200
    for what in ("loans", "faults", "room-bookings", "parking"):
        assert volunteer.get(f"{base}/{what}.xlsx").status_code == 403, what
        assert api_client(north.people[Role.MERCHANT]).get(
            f"{base}/{what}.xlsx").status_code == 403, what
    # the console serves the same file to a signed-in user
    response = _client(north.people[Role.COMMITTEE]).get(
        f"/console/{code}/stations/export/parking.xlsx")
    assert response.status_code == 200 and _sheet(response.content)[1][0] == "骑手停车点"
    assert _client(north.people[Role.COMMITTEE]).get(
        f"/console/{code}/stations/export/nope.xlsx").status_code == 404


# --- the station's QR code ----------------------------------------------------------------------------
def test_station_qr_code_decodes_to_its_public_page(north, south, settings):
    import zxingcpp
    from PIL import Image

    settings.SITE_URL = "https://sq.example.cn"
    station = station_factory(north.district, name="党群服务站·老张烧烤")
    client = _client(north.people[Role.COMMITTEE])
    base = f"/console/{north.district.code}/stations/{station.pk}/qr"
    png = client.get(f"{base}.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))]
    assert decoded == [f"https://sq.example.cn/d/{north.district.code}/stations/s/"
                       f"{station.public_token}/"]
    svg = client.get(f"{base}.svg")
    assert svg.status_code == 200 and "党群服务站·老张烧烤" in svg.content.decode()
    other = station_factory(south.district)
    assert client.get(f"/console/{north.district.code}/stations/{other.pk}/qr.png"
                      ).status_code == 404


def test_the_duty_form_offers_the_groups_not_the_menus(north):
    """console_base regroups the menu as ``groups``: the form's own list must not be it."""
    html = _client(north.people[Role.COMMITTEE]).get(
        f"/console/{north.district.code}/stations/duty/").content.decode()
    assert '<option value="party_volunteer">' in html and '<option value="police">' in html
