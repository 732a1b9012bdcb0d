from __future__ import annotations

import pytest

from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def base(persona) -> str:
    return f"/api/v1/districts/{persona.district.code}"


def test_whole_loop_through_the_api(north, api_client):
    resident = api_client(north.people[Role.RESIDENT])
    committee = api_client(north.people[Role.COMMITTEE])
    department = api_client(north.people[Role.DEPARTMENT])
    r = resident.post(f"{base(north)}/workorders", {
        "category": "metrology", "description": "水果摊缺斤短两，两斤苹果少了二两",
        "latitude": 41.1192, "longitude": 121.1477})
    assert r.status_code == 201, r.content
    order_id = r.json()["id"]
    assert r.json()["number"].startswith("NORTH-")
    r = committee.post(f"{base(north)}/workorders/{order_id}/dispatch",
                       {"department_id": north.department.pk, "note": "请核查"})
    assert r.status_code == 200 and r.json()["status"] == "dispatched"
    assert r.json()["reporter"]["phone"]  # the committee sees the reporter
    r = department.post(f"{base(north)}/workorders/{order_id}/accept")
    assert r.json()["status"] == "accepted"
    r = department.post(f"{base(north)}/workorders/{order_id}/resolve",
                        {"note": "已复秤，责令退还差价并没收问题秤"})
    assert r.json()["status"] == "resolved"
    r = resident.post(f"{base(north)}/workorders/{order_id}/rate",
                      {"rating": "basic", "comment": "处理还算及时"})
    assert r.json()["status"] == "closed"
    # the reporter is hidden from other roles
    grid = api_client(north.people[Role.GRID_LEADER])
    assert grid.get(f"{base(north)}/workorders/{order_id}").status_code == 404
    r = api_client(north.people[Role.STREET]).get(f"{base(north)}/workorders/{order_id}")
    assert r.status_code == 200 and r.json()["reporter"] is None


def test_wrong_transition_is_409_and_wrong_role_403(north, api_client):
    resident = api_client(north.people[Role.RESIDENT])
    order_id = resident.post(f"{base(north)}/workorders", {
        "category": "noise", "description": "KTV 深夜噪音扰民"}).json()["id"]
    committee = api_client(north.people[Role.COMMITTEE])
    r = committee.post(f"{base(north)}/workorders/{order_id}/accept")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = committee.post(f"{base(north)}/workorders/{order_id}/rate", {"rating": "satisfied"})
    assert r.status_code == 403
    r = api_client(north.people[Role.DEPARTMENT]).get(f"{base(north)}/workorders/{order_id}")
    assert r.status_code == 404  # not dispatched to them
    r = committee.post(f"{base(north)}/workorders/{order_id}/reject", {"reason": ""})
    assert r.status_code == 422


def test_retried_submission_never_duplicates(north, api_client):
    resident = api_client(north.people[Role.RESIDENT])
    payload = {"category": "oil_fume", "description": "烧烤油烟直排居民楼"}
    headers = {"Idempotency-Key": "retry-abc-1"}
    first = resident.post(f"{base(north)}/workorders", payload, headers=headers)
    second = resident.post(f"{base(north)}/workorders", payload, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert WorkOrder.objects.filter(district=north.district).count() == 1
    # the public (anonymous) endpoint too
    anon = api_client(None)
    url = f"/api/v1/public/workorders/{north.district.code}/reports"
    a = anon.post(url, payload, headers={"Idempotency-Key": "anon-1"})
    b = anon.post(url, payload, headers={"Idempotency-Key": "anon-1"})
    assert a.status_code == 201 and a.json() == b.json()
    assert WorkOrder.objects.filter(district=north.district).count() == 2


def test_public_report_by_merchant_token_and_tracking_hides_people(north, api_client):
    merchant = merchant_factory(north.district, name="老王烧烤")
    anon = api_client(None)
    r = anon.post(f"/api/v1/public/workorders/{north.district.code}/reports", {
        "category": "oil_fume", "description": "油烟太大", "merchant": merchant.public_token,
        "reporter_name": "李先生", "reporter_phone": "13912345678"})
    assert r.status_code == 201
    number = r.json()["number"]
    assert WorkOrder.objects.get(number=number).merchant == merchant
    t = anon.get(f"/api/v1/public/workorders/{north.district.code}/track/{number}")
    assert t.status_code == 200
    text = t.content.decode()
    assert "13912345678" not in text and "李先生" not in text and "油烟太大" not in text
    assert t.json()["timeline"][0]["status"] == "submitted"
    near = anon.get(f"/api/v1/public/workorders/{north.district.code}/nearby",
                    {"category": "oil_fume", "merchant": merchant.public_token})
    assert [d["number"] for d in near.json()] == [number]


def test_anonymous_refused_where_category_needs_a_name(north, api_client):
    r = api_client(None).post(f"/api/v1/public/workorders/{north.district.code}/reports", {
        "category": "food_safety", "description": "吃了凉皮拉肚子"})
    assert r.status_code == 401 and r.json()["code"] == "login_required"


def test_photo_upload_through_multipart(north, client):
    from .factories import photo_upload

    r = client.post(f"/api/v1/public/workorders/{north.district.code}/reports/form", {
        "category": "sanitation", "description": "垃圾桶满溢无人清运",
        "photos": [photo_upload(), photo_upload(colour="green")]})
    assert r.status_code == 201, r.content
    assert WorkOrder.objects.get(number=r.json()["number"]).photos.count() == 2


def test_categories_edit_and_kpis(north, api_client):
    committee = api_client(north.people[Role.COMMITTEE])
    cats = committee.get(f"{base(north)}/workorder-categories").json()
    noise = next(c for c in cats if c["code"] == "noise")
    r = committee.patch(f"{base(north)}/workorder-categories/{noise['id']}",
                        {"allow_anonymous": False, "resolution_hours": 48,
                         "response_hours": 2})
    assert r.status_code == 200 and r.json()["allow_anonymous"] is False
    r = api_client(north.people[Role.DEPARTMENT]).patch(
        f"{base(north)}/workorder-categories/{noise['id']}", {"name": "x"})
    assert r.status_code == 403
    r = committee.get(f"{base(north)}/workorder-kpis", {"by": "category"})
    assert r.status_code == 200 and "totals" in r.json()
    assert api_client(north.people[Role.RESIDENT]).get(
        f"{base(north)}/workorder-kpis").status_code == 403
