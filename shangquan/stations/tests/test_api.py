"""The stations API: public map and slots, a visitor's fault report, booking through the
API, the desk, rooms, wristbands, parking counters with a device token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.core.tests.fixtures import ApiClient
from shangquan.stations import services
from shangquan.workorders.models import WorkOrder

from .factories import service_factory, slot_start, station_factory

pytestmark = pytest.mark.django_db


def test_public_map_lists_open_stations_with_charging_near_the_rider(north, api_client):
    station_factory(north.district, name="红色驿站", kind="red_station",
                    amenities=("charging", "microwave"))
    station_factory(north.district, name="已关站", open_24h=False, opens_at=dt.time(3, 0),
                    closes_at=dt.time(3, 1), amenities=("charging",))
    client = api_client(None)
    url = f"/api/v1/public/stations/{north.district.code}/stations"
    body = client.get(url, {"open_now": "true", "amenity": "charging", "lat": 41.1192,
                            "lon": 121.1477}).json()
    assert [c["name"] for c in body] == ["红色驿站"]
    assert body[0]["distance_m"] == 0 and body[0]["open_now"] is True
    assert client.get(url, {"lat": 91}).status_code == 422
    assert client.get("/api/v1/public/stations/NOPE/stations").status_code == 404


def test_visitor_reports_a_broken_dispenser_once_per_fault(north, api_client):
    station = station_factory(north.district)
    water = station.amenities.get(kind="water")
    client = api_client(None)
    url = f"/api/v1/public/stations/{north.district.code}/faults"
    first = client.post(url, {"amenity_id": water.pk, "note": "饮水机坏了"})
    second = client.post(url, {"amenity_id": water.pk})
    assert first.status_code == second.status_code == 201
    assert first.json()["work_order_number"] == second.json()["work_order_number"]
    assert second.json()["reports"] == 2
    assert WorkOrder.objects.filter(district=north.district).count() == 1


def test_fault_for_another_districts_amenity_is_404(north, south, api_client):
    water = station_factory(south.district).amenities.get(kind="water")
    response = api_client(None).post(f"/api/v1/public/stations/{north.district.code}/faults",
                                     {"amenity_id": water.pk})
    assert response.status_code == 404


def test_merchant_books_through_the_api_and_the_desk_serves(north, api_client):
    service = service_factory(north.district, department=north.department)
    start = slot_start(service)
    slots = api_client(None).get(
        f"/api/v1/public/stations/{north.district.code}/services/{service.pk}/slots").json()
    assert slots[0]["slots"][0]["free"] == 3
    merchant = api_client(north.people[Role.MERCHANT])
    base = f"/api/v1/districts/{north.district.code}/stations"
    created = merchant.post(f"{base}/bookings", {"service_id": service.pk,
                                                 "starts_at": start.isoformat()})
    assert created.status_code == 201, created.json()
    booking = created.json()
    assert booking["status"] == "booked" and len(booking["code"]) == 6
    wrong = merchant.post(f"{base}/bookings", {"service_id": service.pk,
                                               "starts_at": (start + dt.timedelta(minutes=5))
                                               .isoformat()})
    assert wrong.status_code == 422 and wrong.json()["code"] == "not_a_slot"
    mine = merchant.get(f"{base}/bookings/mine").json()
    assert [b["code"] for b in mine["items"]] == [booking["code"]]
    desk = api_client(north.people[Role.DEPARTMENT])
    assert merchant.post(f"{base}/bookings/{booking['id']}/mark",
                         {"action": "arrive"}).status_code == 403
    assert desk.post(f"{base}/bookings/{booking['id']}/mark",
                     {"action": "arrive"}).json()["status"] == "arrived"
    done = desk.post(f"{base}/bookings/{booking['id']}/mark",
                     {"action": "finish", "outcome": "completed"}).json()
    assert done["status"] == "done" and done["outcome"] == "completed"
    assert "****" in done["phone"] or done["phone"] == ""
    counts = desk.get(f"{base}/handled").json()
    assert counts[0]["handled"] == 1
    export = desk.get(f"{base}/bookings.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    assert AuditLog.objects.filter(action="stations.booking.export").count() == 1


def test_rooms_and_wristbands_through_the_api(north, api_client):
    station = station_factory(north.district, kind="neighbourhood")
    room = services.room_create(actor=SYSTEM, station=station, name="议事厅", kind="meeting")
    base = f"/api/v1/districts/{north.district.code}/stations"
    committee = api_client(north.people[Role.COMMITTEE])
    day = timezone.localdate() + dt.timedelta(days=3)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(14)))
    payload = {"room_id": room.pk, "starts_at": start.isoformat(),
               "ends_at": (start + dt.timedelta(hours=2)).isoformat(), "title": "商居议事会"}
    assert committee.post(f"{base}/room-bookings", payload).status_code == 201
    taken = committee.post(f"{base}/room-bookings", payload)
    assert taken.status_code == 409 and taken.json()["code"] == "room_taken"
    volunteer = api_client(north.people[Role.VOLUNTEER])
    made = volunteer.post(f"{base}/wristbands", {"station_id": station.pk, "number": "A1",
                                                 "guardian_phone": "13800001234"})
    assert made.status_code == 201 and made.json()["guardian_phone"] == "138****1234"
    found = volunteer.post(f"{base}/wristbands/lookup", {"number": "a1"})
    assert found.json()["guardian_phone"] == "13800001234"
    assert api_client(north.people[Role.MERCHANT]).post(
        f"{base}/wristbands/lookup", {"number": "A1"}).status_code == 403


def test_parking_counter_posts_readings_with_its_device_token(north, api_client):
    station = station_factory(north.district, kind="rider_parking", capacity=30, amenities=())
    token = services.station_device_issue(actor=SYSTEM, station=station)
    client = ApiClient(token)
    url = f"/api/v1/districts/{north.district.code}/stations/readings"
    ts = timezone.now().isoformat()
    body = client.post(url, {"readings": [{"seq": 1, "ts": ts, "entries": 5}]}).json()
    assert body["occupancy"] == 5 and body["free"] == 25
    assert api_client(None).post(url, {"readings": []}).status_code == 401
