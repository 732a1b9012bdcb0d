"""The crowd API: zones, gates with device tokens, readings, counts, overrides, alerts."""

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.core.tests.fixtures import ApiClient
from shangquan.crowd.models import Reading, Zone

from .factories import evening_start, gate_factory, reading, zone_factory

pytestmark = pytest.mark.django_db


def base(district) -> str:
    return f"/api/v1/districts/{district.code}/crowd"


def test_committee_sets_up_a_zone_and_a_gate_then_the_counter_reports(north, api_client):
    committee = api_client(north.people[Role.COMMITTEE])
    url = base(north.district)
    response = committee.post(f"{url}/zones", {"name": "小吃区", "area_m2": "600",
                                               "area_per_person": "1.5"})
    assert response.status_code == 201, response.json()
    zone = response.json()
    assert zone["capacity"] == 400 and zone["level"] == "green"
    response = committee.post(f"{url}/gates", {"zone_id": zone["id"], "code": "S1",
                                               "name": "小吃区北口"})
    assert response.status_code == 201
    gate = response.json()
    assert gate["topic"] == f"shangquan/{north.district.code}/gates/S1/readings"
    counter = ApiClient(gate["device_token"])
    start = timezone.now()  # the new zone counts from its creation
    batch = {"readings": [reading(i, start + dt.timedelta(seconds=i), 40, 5)
                          for i in range(1, 11)]}
    first = counter.post(f"{url}/readings", batch, headers={"Idempotency-Key": "b-1"})
    assert first.status_code == 200, first.json()
    assert first.json()["accepted"] == 10 and first.json()["occupancy"] == 350
    # the same request retried with its key: the first answer, nothing twice
    retry = counter.post(f"{url}/readings", batch, headers={"Idempotency-Key": "b-1"})
    assert retry.json() == first.json()
    # the same readings in another request: all duplicates
    again = counter.post(f"{url}/readings", batch)
    assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 10)
    assert Reading.objects.count() == 10
    assert Zone.objects.get(pk=zone["id"]).occupancy == 350
    board = committee.get(f"{url}/board").json()
    assert board["zones"][0]["level"] == "yellow" and board["alerts"]


def test_readings_need_a_device_token_of_this_district(north, south, api_client):
    zone = zone_factory(south.district)
    _gate, raw = gate_factory(south.district, zone)
    body = {"readings": [reading(1, evening_start(), 1, 0)]}
    person = api_client(north.people[Role.COMMITTEE])
    assert person.post(f"{base(north.district)}/readings", body).status_code == 401
    foreign = ApiClient(raw).post(f"{base(north.district)}/readings", body)
    assert foreign.status_code == 404 and foreign.json()["code"] == "not_found"
    bad = ApiClient(raw).post(f"{base(south.district)}/readings",
                              {"readings": [{"seq": -1, "ts": "x"}]})
    assert bad.status_code == 422


def test_counts_overrides_and_acknowledgements(north, api_client):
    zone = zone_factory(north.district, area_m2=100, reset_at=evening_start())
    gate, raw = gate_factory(north.district, zone)
    ApiClient(raw).post(f"{base(north.district)}/readings",
                        {"readings": [reading(1, evening_start(), 95, 0)]})
    leader = api_client(north.people[Role.GRID_LEADER])
    url = f"{base(north.district)}/zones/{zone.pk}"
    count = leader.post(f"{url}/counts", {"counted": 88, "note": "复核"},
                        headers={"Idempotency-Key": "c-1"})
    assert count.status_code == 201 and count.json()["drift"] == 7
    assert leader.post(f"{url}/counts", {"counted": 88, "note": "复核"},
                       headers={"Idempotency-Key": "c-1"}).json() == count.json()
    assert AuditLog.objects.filter(action="crowd.zone.count").count() == 1
    override = leader.post(f"{url}/override", {"control": "closed", "note": "消防通道检查",
                                               "minutes": 15})
    assert override.status_code == 200
    assert (override.json()["control"], override.json()["control_mode"]) == ("closed",
                                                                            "manual")
    released = leader.post(f"{url}/release", {"note": "检查结束"})
    assert released.json()["control_mode"] == "auto"
    assert released.json()["control"] == "limited"  # 88 % after limiting at 95 %
    alerts = leader.get(f"{base(north.district)}/crowd/alerts?open_only=true".replace(
        "/crowd/crowd", "/crowd")).json()
    assert alerts["count"] == 1 and alerts["items"][0]["level"] == "orange"
    alert_id = alerts["items"][0]["id"]
    ack = leader.post(f"{base(north.district)}/alerts/{alert_id}/ack", {"note": "已疏导"})
    assert ack.status_code == 200 and ack.json()["acknowledged_at"]
    assert leader.post(f"{base(north.district)}/alerts/{alert_id}/ack", {}).status_code == 409
    events = leader.get(f"{base(north.district)}/events?zone_id={zone.pk}").json()
    assert [e["reason"] for e in events["items"]][:3] == [
        "pct_below_reopen", "override_released", "override"]


def test_residents_and_merchants_do_not_see_the_board(north, api_client):
    for role in (Role.RESIDENT, Role.MERCHANT):
        response = api_client(north.people[role]).get(f"{base(north.district)}/board")
        assert response.status_code == 403


def test_zone_patch_validates_thresholds(north, api_client):
    zone = zone_factory(north.district)
    committee = api_client(north.people[Role.COMMITTEE])
    url = f"{base(north.district)}/zones/{zone.pk}"
    bad = committee.patch(url, {"yellow_pct": 95})
    assert bad.status_code == 422
    good = committee.patch(url, {"yellow_pct": 70, "capacity": 55})
    assert good.status_code == 200
    assert (good.json()["yellow_pct"], good.json()["capacity"]) == (70, 55)
    assert good.json()["capacity_manual"] is True


def test_report(north, api_client):
    zone = zone_factory(north.district, reset_at=evening_start())
    _gate, raw = gate_factory(north.district, zone)
    ApiClient(raw).post(f"{base(north.district)}/readings",
                        {"readings": [reading(1, evening_start(), 85, 0)]})
    report = api_client(north.people[Role.STREET]).get(f"{base(north.district)}/report").json()
    assert report["zones"][0]["peak"] == 85
    assert report["zones"][0]["minutes"]["yellow"] == 1


def test_counts_list_and_reset(north, api_client):
    zone = zone_factory(north.district, reset_at=evening_start())
    _gate, raw = gate_factory(north.district, zone)
    ApiClient(raw).post(f"{base(north.district)}/readings",
                        {"readings": [reading(1, evening_start(), 30, 0)]})
    committee = api_client(north.people[Role.COMMITTEE])
    url = f"{base(north.district)}/zones/{zone.pk}"
    committee.post(f"{url}/counts", {"counted": 25})
    counts = committee.get(f"{url}/counts").json()
    assert counts["count"] == 1 and counts["items"][0]["drift"] == 5
    reset = committee.post(f"{url}/reset", {"note": "开市前清零"})
    assert reset.status_code == 200 and reset.json()["occupancy"] == 0
    assert api_client(north.people[Role.GRID_LEADER]).post(f"{url}/reset", {}).status_code \
        == 403
