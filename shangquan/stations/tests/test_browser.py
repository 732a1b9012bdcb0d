"""The issue's demo journeys on a 360 px phone in Chromium, checked with axe:
a rider finds an open station with charging; a merchant books Thursday's licence slot,
is reminded and served; a visitor reports a broken water dispenser and one work order
appears; a child's wristband is found and the guardian's number is there to call."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.models import Notification
from shangquan.core.roles import Role
from shangquan.stations import selectors, services
from shangquan.stations.models import Booking
from shangquan.workorders.models import WorkOrder

from .factories import service_factory, station_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_rider_visitor_and_merchant_on_a_phone(live_server, phone_page, north, login_page,
                                               assert_accessible, settings):
    settings.SHANGQUAN = {**settings.SHANGQUAN, "STATION_TILE_URL": ""}  # no network here
    code = north.district.code
    station_factory(north.district, name="红色驿站（万达广场）", kind="red_station",
                    amenities=("charging", "microwave", "fridge", "water"),
                    department=north.department)
    station_factory(north.district, name="骑手专用停车点·南门", kind="rider_parking",
                    capacity=30, amenities=())
    station_factory(north.district, name="文创小站", amenities=("reading",))
    page = phone_page
    # a rider: open now + charging
    page.goto(f"{live_server.url}/d/{code}/stations/")
    assert_accessible(page)
    _fits(page)
    page.check("input[name=open]")
    page.select_option("#st-amenity", "charging")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**amenity=charging**")
    names = page.locator(".st-card h2").all_inner_texts()
    assert names == ["红色驿站（万达广场）"]
    # a visitor: the water dispenser is broken (twice reported, one order)
    page.get_by_role("link", name="红色驿站（万达广场）").click()
    page.wait_for_selector("#st-fault-amenity")
    assert_accessible(page)
    page.select_option("#st-fault-amenity", label="饮用水")
    page.fill("#st-fault-note", "饮水机不出水")
    page.get_by_role("button", name="报修").click()
    page.wait_for_selector("text=已报修")
    page.select_option("#st-fault-amenity", label="饮用水")
    page.get_by_role("button", name="报修").click()
    page.wait_for_selector("text=同一故障只派一张单")
    _fits(page)
    assert WorkOrder.objects.filter(district=north.district).count() == 1

    # a merchant books Thursday's licence slot
    red = services.Station.objects.get(name="红色驿站（万达广场）")
    licence = service_factory(north.district, station=red, name="营业执照", weekday=3,
                              department=north.department, day_name="证照快办日")
    login_page(page, live_server, north.people[Role.MERCHANT])
    page.goto(f"{live_server.url}/d/{code}/stations/services/{licence.pk}/")
    offered = selectors.service_slots(service=licence)[0]["slots"][0]["starts_at"]
    assert_accessible(page)
    _fits(page)
    page.locator(".st-slot").first.click()
    page.wait_for_selector(".st-code")
    assert "预约成功" in page.locator("h1").inner_text()
    assert_accessible(page)
    _fits(page)
    booking = Booking.objects.get(user=north.people[Role.MERCHANT])
    assert page.locator(".st-code").inner_text() == booking.code
    # the first slot offered: today's, when the page is opened early on a Thursday
    assert booking.slot.starts_at == offered
    assert timezone.localtime(offered).weekday() == 3
    # reminded the day before, then served at the desk
    assert services.reminders_send(now=booking.slot.starts_at - dt.timedelta(hours=20)) == 1
    assert Notification.objects.filter(user=north.people[Role.MERCHANT],
                                       title__startswith="预约提醒").exists()
    desk = north.people[Role.DEPARTMENT]
    page.context.clear_cookies()  # sign the merchant out
    login_page(page, live_server, desk)
    day = timezone.localtime(booking.slot.starts_at).date().isoformat()
    page.goto(f"{live_server.url}/console/{code}/stations/desk/?day={day}")
    assert_accessible(page)
    page.get_by_role("button", name="签到").click()
    page.wait_for_selector("text=已签到")
    page.get_by_role("button", name="办结").click()
    page.wait_for_selector("text=已办结")
    booking.refresh_from_db()
    assert booking.status == "done" and booking.outcome == "completed"


def test_a_lost_child_is_found_by_the_wristband(live_server, phone_page, north, login_page,
                                               assert_accessible):
    area = station_factory(north.district, name="儿童等候区", kind="child_area")
    services.wristband_register(actor=SYSTEM, station=area, number="LH-0518",
                                guardian_phone="13904160518")
    page = phone_page
    login_page(page, live_server, north.people[Role.VOLUNTEER])
    page.goto(f"{live_server.url}/console/{north.district.code}/stations/wristbands/")
    assert_accessible(page)
    assert "139****0518" in page.content() and "13904160518" not in page.content()
    page.fill("#wb-lookup", "lh-0518")
    page.get_by_role("button", name="查询监护人电话").click()
    call = page.get_by_role("link", name="呼叫监护人 13904160518")
    call.wait_for()
    assert call.get_attribute("href") == "tel:13904160518"
    assert_accessible(page)
    _fits(page)


def test_committee_plans_duty_and_holiday_hours_and_a_volunteer_checks_in(
        live_server, desktop_page, phone_page, north, login_page, assert_accessible):
    """The console's new forms in Chromium with axe: a duty post planned at a station, a
    holiday closure, a service day and a room; the volunteer on the post checks in on a
    phone, and the station's public page shows who is on duty (name masked)."""
    from shangquan.stations.models import DutyPost, HoursException, Room, Service

    station = station_factory(north.district, name="先锋驿站", kind="pioneer_station")
    code = north.district.code
    page = desktop_page
    login_page(page, live_server, north.people[Role.COMMITTEE])
    tonight = selectors.evening_of(timezone.now())
    page.goto(f"{live_server.url}/console/{code}/stations/duty/?day={tonight.isoformat()}")
    assert_accessible(page)
    page.select_option("#d-station", label="先锋驿站")
    # the whole evening (06:00 to 05:59 the next morning): "now" is inside it at any hour
    page.fill("#d-from", "06:00")
    page.fill("#d-to", "05:59")
    page.fill("#d-post", "驿站服务台")
    page.select_option("#d-group", "party_volunteer")
    page.fill("#d-unit", "凌河街道党工委")
    page.fill("#d-person", "王晓明")
    page.get_by_role("button", name="添加").click()
    page.wait_for_selector(".messages", timeout=60_000)
    assert "已安排值班岗位" in page.content(), page.locator("main").inner_text()[:600]
    post = DutyPost.objects.get(district=north.district, post="驿站服务台")
    assert post.group == "party_volunteer"
    DutyPost.objects.filter(pk=post.pk).update(user=north.people[Role.VOLUNTEER])
    assert_accessible(page)
    # holiday hours
    page.goto(f"{live_server.url}/console/{code}/stations/hours/")
    assert_accessible(page)
    holiday = timezone.localdate() + dt.timedelta(days=3)
    page.select_option("#h-station", label="先锋驿站")
    page.fill("#h-day", holiday.isoformat())
    page.check("input[name=closed]")
    page.fill("#h-note", "春节闭站")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=已设置特殊开放时间")
    assert HoursException.objects.get(station=station).closed
    # a service day and a room
    page.goto(f"{live_server.url}/console/{code}/stations/services/")
    assert_accessible(page)
    page.fill("#n-name", "营业执照")
    page.fill("#n-dayname", "证照快办日")
    page.select_option("#n-wd", "3")
    page.fill("#n-cap", "3")
    page.fill("#n-list", "身份证\n经营场所证明")
    page.get_by_role("button", name="添加").click()
    page.wait_for_selector("text=已新增预约事项")
    assert Service.objects.get(name="营业执照").checklist == ["身份证", "经营场所证明"]
    assert_accessible(page)
    page.goto(f"{live_server.url}/console/{code}/stations/rooms/")
    assert_accessible(page)
    page.fill("#room-name", "议事厅")
    page.select_option("#room-kind", "meeting")
    page.get_by_role("button", name="添加").click()
    page.wait_for_selector("text=已新增场地")
    assert Room.objects.filter(name="议事厅").exists()
    # the volunteer checks in on a phone; the public page shows who is on duty
    phone = phone_page
    login_page(phone, live_server, north.people[Role.VOLUNTEER])
    phone.goto(f"{live_server.url}/console/{code}/stations/duty/")
    assert_accessible(phone)
    phone.get_by_role("button", name="到岗签到").click()
    phone.wait_for_selector("text=已到岗签到")
    post.refresh_from_db()
    assert post.checked_in_at is not None
    phone.goto(f"{live_server.url}/d/{code}/stations/s/{station.public_token}/")
    assert_accessible(phone)
    _fits(phone)
    duty = phone.locator("#st-duty").inner_text()
    assert "驿站服务台" in duty and "王*" in duty and "王晓明" not in duty
    assert "春节闭站" in phone.content()
