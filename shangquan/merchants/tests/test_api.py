import io

import pytest
from openpyxl import Workbook

from shangquan.core.roles import Role

from .factories import licence_for, merchant_factory

pytestmark = pytest.mark.django_db


def base(persona) -> str:
    return f"/api/v1/districts/{persona.district.code}"


def test_merchant_crud_filters_and_pagination(north, south, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    for i in range(5):
        merchant_factory(north.district, category="小吃" if i % 2 else "餐饮",
                         phone=f"1390000000{i}")
    response = client.post(f"{base(north)}/merchants", {
        "name": "烤冷面", "licence_no": licence_for(6001), "category": "小吃",
        "phone": "13912345678"}, headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 201
    again = client.post(f"{base(north)}/merchants", {
        "name": "烤冷面", "licence_no": licence_for(6001), "category": "小吃",
        "phone": "13912345678"}, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.json()["id"] == response.json()["id"]
    page = client.get(f"{base(north)}/merchants", {"category": "小吃", "limit": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    mid = response.json()["id"]
    patched = client.patch(f"{base(north)}/merchants/{mid}", {"opening_hours": "16:00-24:00"})
    assert patched.status_code == 200 and patched.json()["opening_hours"] == "16:00-24:00"
    status = client.post(f"{base(north)}/merchants/{mid}/status",
                         {"status": "suspended", "reason": "停业整改"})
    assert status.json()["status"] == "suspended"
    bad = client.post(f"{base(north)}/merchants", {"name": "x", "licence_no": "1",
                                                   "category": "x"})
    assert bad.status_code == 422 and "licence_no" in bad.json()["details"]
    # Phones: full for the committee, masked for the street office.
    assert client.get(f"{base(north)}/merchants/{mid}").json()["phone"] == "13912345678"
    street = api_client(north.people[Role.STREET])
    assert street.get(f"{base(north)}/merchants/{mid}").json()["phone"] == "139****5678"
    foreign = api_client(south.people[Role.COMMITTEE])
    assert foreign.get(f"{base(north)}/merchants/{mid}").status_code == 404


def test_grids_rosters_and_public_endpoint(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    for i in range(12):
        merchant_factory(north.district, stall_no=f"{i:02d}")
    proposal = client.post(f"{base(north)}/grids/propose", {"size": 6}).json()
    assert [len(p["merchant_ids"]) for p in proposal] == [6, 6]
    applied = client.post(f"{base(north)}/grids/apply", {"size": 6}).json()
    assert sorted(g["n"] for g in applied) == [6, 6]
    grid_id = applied[0]["id"]
    assert client.patch(f"{base(north)}/grids/{grid_id}",
                        {"leader_name": "邻铺长甲"}).json()["leader_name"] == "邻铺长甲"
    contact = client.post(f"{base(north)}/grids/{grid_id}/contacts",
                          {"kind": "security", "name": "保安队", "phone": "13700001111"})
    assert contact.status_code == 201 and contact.json()["phone"] == "137****1111"
    roster = client.post(f"{base(north)}/rosters", {"grid_id": grid_id, "starts_on": "2026-12-01",
                                                    "ends_on": "2026-12-12"})
    assert roster.status_code == 201 and len(roster.json()["assignments"]) == 12
    rid = roster.json()["id"]
    first = roster.json()["assignments"][0]
    swapped = client.post(f"{base(north)}/rosters/{rid}/swaps",
                          {"merchant_id": first["merchant_id"], "date": first["date"]})
    assert swapped.status_code == 201
    assert swapped.json()["assignments"][0]["merchant_id"] != first["merchant_id"]
    assert client.get(f"{base(north)}/rosters").json()["count"] == 1
    assert client.get(f"{base(north)}/rosters/today").status_code == 200
    merchant = merchant_factory(north.district, name="公开店", phone="13811112222")
    public = api_client(None).get(f"/api/v1/public/merchants/{merchant.public_token}")
    assert public.status_code == 200 and public.json()["name"] == "公开店"
    assert "13811112222" not in public.content.decode()
    assert api_client(None).get("/api/v1/public/merchants/nope").status_code == 404


def test_api_import_and_job(north, api_client, django_capture_on_commit_callbacks):
    client = api_client(north.people[Role.COMMITTEE])
    wb = Workbook()
    ws = wb.active
    ws.append(["商户名称", "统一社会信用代码", "经营类别"])
    ws.append(["甲", licence_for(6101), "餐饮"])
    data = io.BytesIO()
    wb.save(data)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("list.xlsx", data.getvalue())
    from django.test.client import MULTIPART_CONTENT

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base(north)}/merchants/import", {"file": upload},
                               content_type=MULTIPART_CONTENT)
    assert response.status_code == 201, response.content
    job = client.get(f"{base(north)}/merchants/imports/{response.json()['id']}").json()
    assert job["status"] == "done" and job["created"] == 1
