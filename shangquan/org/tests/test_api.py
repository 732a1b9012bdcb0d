import pytest

from shangquan.core.roles import Role
from shangquan.org.models import MobileMember

from .factories import station_factory, unit_factory

pytestmark = pytest.mark.django_db


def test_org_endpoints(north, south, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    base = f"/api/v1/districts/{north.district.code}/org"
    levels = client.post(f"{base}/levels", {"names": ["街道党工委", "商圈党委", "党支部"]})
    assert [lv["depth"] for lv in levels.json()] == [1, 2, 3]
    top = client.post(f"{base}/units", {"name": "凌河街道党工委", "level_id": levels.json()[0]["id"]},
                      headers={"Idempotency-Key": "u1"})
    assert top.status_code == 201
    mid = client.post(f"{base}/units", {"name": "凌河夜市商圈党委", "parent_id": top.json()["id"]})
    assert mid.json()["level_id"] == levels.json()[1]["id"]
    alliance = client.post(f"{base}/units", {"name": "夜市功能型党委", "kind": "functional",
                                             "hotspot": "主入口"}).json()
    fire = client.post(f"{base}/units", {"name": "消防救援大队", "kind": "external"}).json()
    joined = client.post(f"{base}/units/{alliance['id']}/members", {"unit_id": fire["id"],
                                                                    "duty": "消防"})
    assert joined.status_code == 201
    assert client.get(f"{base}/units", {"kind": "external"}).json()["count"] == 1
    agreement = client.post(f"{base}/agreements", {
        "title": "结对共建", "kind": "pairing", "unit_a_id": mid.json()["id"],
        "unit_b_id": fire["id"], "starts_on": "2026-01-01"})
    assert agreement.status_code == 201
    member = client.post(f"{base}/members", {"name": "赵书记", "unit_id": mid.json()["id"],
                                             "role": "secretary", "phone": "13812340000"})
    assert member.status_code == 201 and member.json()["phone"] == "138****0000"
    assert client.get(f"{base}/members", {"role": "secretary"}).json()["count"] == 1
    station = client.post(f"{base}/stations", {"name": "党群服务站"}).json()
    from shangquan.org.models import LiaisonStation

    token = station["url"].split("/s/")[1].strip("/")
    # The QR link carries the station's random token, never its internal id.
    assert token == LiaisonStation.objects.get(pk=station["id"]).token
    assert token != str(station["id"]) and len(token) >= 8
    foreign = api_client(south.people[Role.COMMITTEE])
    assert foreign.get(f"{base}/members").status_code == 404
    assert api_client(north.people[Role.MERCHANT]).get(f"{base}/members").status_code == 403


def test_public_check_in_and_registry(north, api_client):
    station = station_factory(north.district, name="红色驿站",
                              unit=unit_factory(north.district))
    anonymous = api_client(None)
    url = f"/api/v1/public/stations/{station.token}/check-in"
    done = anonymous.post(url, {"name": "孙丽", "phone": "13600001234", "home_unit": "某村支部"},
                          headers={"Idempotency-Key": "scan-1"})
    assert done.status_code == 201 and done.json()["phone"] == "136****1234"
    retry = anonymous.post(url, {"name": "孙丽", "phone": "13600001234", "home_unit": "某村支部"},
                           headers={"Idempotency-Key": "scan-1"})
    assert retry.status_code == 201
    assert MobileMember.objects.get(phone="13600001234").check_in_count == 1  # not doubled
    bad = anonymous.post(url, {"name": "", "phone": "1", "home_unit": ""})
    assert bad.status_code == 422
    client = api_client(north.people[Role.STREET])
    base = f"/api/v1/districts/{north.district.code}/org"
    members = client.get(f"{base}/mobile-members").json()
    assert members["count"] == 1 and members["items"][0]["phone"] == "136****1234"
    assert client.get(f"{base}/mobile-members", {"unseen_days": 1}).json()["count"] == 0
    checkins = client.get(f"{base}/check-ins", {"station": station.pk}).json()
    assert checkins["count"] == 1 and checkins["items"][0]["station"] == "红色驿站"
    stations = client.get(f"{base}/stations").json()
    assert stations[0]["check_in_count"] == 1
