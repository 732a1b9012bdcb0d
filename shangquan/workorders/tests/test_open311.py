from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from shangquan.core import services as core_services
from shangquan.core.actors import SYSTEM
from shangquan.core.roles import Role
from shangquan.core.tests.factories import token_for
from shangquan.workorders.models import WorkOrder

from .factories import advance, order_factory

pytestmark = pytest.mark.django_db

V2 = "/open311/v2"


def test_discovery_and_services_json_and_xml(north, client):
    d = client.get(f"{V2}/discovery.json").json()
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    services = client.get(f"{V2}/services.json", {"jurisdiction_id": "NORTH"}).json()
    codes = {s["service_code"]: s for s in services}
    assert codes["oil_fume"]["service_name"] == "油烟"
    xml = client.get(f"{V2}/services.xml", {"jurisdiction_id": "north"})
    assert xml["Content-Type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == "services"
    assert {s.findtext("service_code") for s in root.findall("service")} == set(codes)
    definition = client.get(f"{V2}/services/oil_fume.xml", {"jurisdiction_id": "NORTH"})
    root = ET.fromstring(definition.content)
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/code").text == "merchant"


def test_errors_in_spec_format(north, client):
    r = client.get(f"{V2}/services.json")
    assert r.status_code == 400
    assert r.json() == [{"code": 400, "description": "jurisdiction_id is required"}]
    r = client.get(f"{V2}/services.xml", {"jurisdiction_id": "NOPE"})
    assert r.status_code == 404
    root = ET.fromstring(r.content)
    assert root.tag == "errors" and root.find("error/code").text == "404"
    r = client.post(f"{V2}/requests.json", {"jurisdiction_id": "NORTH",
                                            "service_code": "noise"})
    assert r.status_code == 403


def test_post_with_person_or_device_key_then_get(north, south, client):
    key = token_for(north.people[Role.RESIDENT])
    r = client.post(f"{V2}/requests.json", {
        "api_key": key, "jurisdiction_id": "NORTH", "service_code": "noise",
        "lat": "41.1192", "long": "121.1477", "description": "广场舞音响太吵",
        "first_name": "敏", "last_name": "张", "phone": "13900001111"})
    assert r.status_code == 201, r.content
    number = r.json()[0]["service_request_id"]
    order = WorkOrder.objects.get(number=number)
    assert order.channel == "open311" and order.reporter == north.people[Role.RESIDENT]
    _device, device_key = core_services.device_create(actor=SYSTEM, district=north.district,
                                                      name="自助终端1", kind="kiosk")
    r = client.post(f"{V2}/requests.xml", {
        "api_key": device_key, "jurisdiction_id": "NORTH", "service_code": "parking",
        "address_string": "东门停车场", "description": "车辆乱停堵塞消防通道"})
    assert r.status_code == 201
    assert ET.fromstring(r.content).find("request/service_request_id").text.startswith("NORTH-")
    # a key from another district may not report here
    foreign = token_for(south.people[Role.RESIDENT])
    r = client.post(f"{V2}/requests.json", {
        "api_key": foreign, "jurisdiction_id": "NORTH", "service_code": "noise",
        "lat": "41.1", "long": "121.1", "description": "xxxxx"})
    assert r.status_code == 403
    one = client.get(f"{V2}/requests/{number}.json", {"jurisdiction_id": "NORTH"}).json()
    assert one[0]["status"] == "open" and one[0]["service_code"] == "noise"
    assert one[0]["description"] == ""  # public reads carry no free text
    assert "13900001111" not in str(one)


def test_states_map_to_open_closed_with_notes_and_filters(north, client):
    done = advance(north, order_factory(north), "closed")
    live = order_factory(north, category_code="noise")
    data = client.get(f"{V2}/requests.json", {"jurisdiction_id": "NORTH"}).json()
    by_id = {d["service_request_id"]: d for d in data}
    assert by_id[done.number]["status"] == "closed"
    assert "已办结" in by_id[done.number]["status_notes"]
    assert by_id[live.number]["status"] == "open"
    closed = client.get(f"{V2}/requests.json", {"jurisdiction_id": "NORTH",
                                                "status": "closed"}).json()
    assert [d["service_request_id"] for d in closed] == [done.number]
    noise = client.get(f"{V2}/requests.xml", {"jurisdiction_id": "NORTH",
                                              "service_code": "noise"})
    root = ET.fromstring(noise.content)
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [live.number]
    staff_key = token_for(north.people[Role.COMMITTEE])
    staff = client.get(f"{V2}/requests/{live.number}.json",
                       {"jurisdiction_id": "NORTH", "api_key": staff_key}).json()
    assert staff[0]["description"] == live.description


def test_same_idempotency_key_from_two_api_keys_makes_two_requests(north, client):
    """The key is scoped per caller, also when the api_key travels in the form body."""
    first_key = token_for(north.people[Role.RESIDENT])
    second_key = token_for(north.people[Role.VOLUNTEER])
    numbers = []
    for key in (first_key, second_key, first_key):
        r = client.post(f"{V2}/requests.json", {
            "api_key": key, "jurisdiction_id": "NORTH", "service_code": "noise",
            "lat": "41.1192", "long": "121.1477", "description": "夜里音响太吵"},
            headers={"Idempotency-Key": "same-key"})
        assert r.status_code == 201, r.content
        numbers.append(r.json()[0]["service_request_id"])
    assert numbers[0] != numbers[1]  # two callers, two orders
    assert numbers[2] == numbers[0]  # the first caller's retry is replayed
    assert WorkOrder.objects.filter(district=north.district).count() == 2
