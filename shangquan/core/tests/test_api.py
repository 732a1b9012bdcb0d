import pytest
from django.core.cache import cache

from shangquan.core import notify
from shangquan.core.models import AuditLog, Department
from shangquan.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_token_then_bearer(north, api_client):
    client = api_client()
    response = client.post("/api/v1/auth/token",
                           {"username": north.people[Role.COMMITTEE].username,
                            "password": "test-pass-123"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token"}
    response = client.get("/api/v1/districts", headers={"Authorization": f"Bearer {token}"})
    assert [d["code"] for d in response.json()] == ["NORTH"]
    assert response.json()[0]["roles"] == ["committee"]


def test_bad_credentials_error_shape_in_chinese_and_english(north, api_client):
    client = api_client()
    zh = client.post("/api/v1/auth/token", {"username": "nobody", "password": "x"})
    assert zh.status_code == 401
    assert zh.json() == {"code": "invalid_credentials", "message": "用户名或密码错误",
                         "details": {}}
    en = client.post("/api/v1/auth/token", {"username": "nobody", "password": "x"},
                     headers={"Accept-Language": "en"})
    assert en.json()["code"] == "invalid_credentials"
    assert en.json()["message"] == "Wrong username or password"


def test_validation_error_shape(api_client):
    response = api_client().post("/api/v1/auth/token", {"username": "x"},
                                 headers={"Accept-Language": "en"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and body["message"] == "Invalid input"
    assert body["details"][0]["loc"][-1] == "password"


def test_otp_flow_over_api(django_capture_on_commit_callbacks, api_client):
    client = api_client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/auth/otp", {"phone": "13912345678"})
    assert response.json()["phone"] == "139****5678"
    code = notify.OUTBOX[-1][1].split("验证码 ")[1][:6]
    response = client.post("/api/v1/auth/otp/verify", {"phone": "13912345678", "code": code})
    assert response.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json()['token']}"})
    assert me.json()["phone"] == "139****5678"


def test_invalid_token_is_401(api_client):
    client = api_client()
    client.token = "sq_nope"
    response = client.get("/api/v1/districts")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_departments_crud_and_audit(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    response = client.post(f"/api/v1/districts/{north.district.code}/departments",
                           {"code": "xf", "name": "消防救援"})
    assert response.status_code == 201
    dept_id = response.json()["id"]
    response = client.patch(f"/api/v1/districts/{north.district.code}/departments/{dept_id}",
                            {"name": "消防救援大队"})
    assert response.json()["name"] == "消防救援大队"
    assert AuditLog.objects.filter(action="core.department.update").count() == 1
    merchant = api_client(north.people[Role.MERCHANT])
    response = merchant.post(f"/api/v1/districts/{north.district.code}/departments",
                             {"code": "zz", "name": "x"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Department.objects.filter(code="zz").exists()


def test_revoked_token_stops_working(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    tokens = client.get("/api/v1/auth/tokens").json()
    assert len(tokens) == 1
    client.post(f"/api/v1/auth/tokens/{tokens[0]['id']}/revoke")
    assert client.get("/api/v1/districts").status_code == 401


def test_audit_api_is_scoped(north, south, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    body = client.get(f"/api/v1/districts/{north.district.code}/audit").json()
    assert body["count"] > 0
    codes = {row["object_type"] for row in body["items"]}
    assert codes
    assert api_client(north.people[Role.MERCHANT]).get(
        f"/api/v1/districts/{north.district.code}/audit").status_code == 403


def test_openapi_and_docs(client):
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "商圈共治平台 API"
    assert client.get("/api/v1/docs").status_code == 200


def test_memberships_api(north, south, api_client):
    from shangquan.core.tests.factories import user_factory

    committee = api_client(north.people[Role.COMMITTEE])
    newcomer = user_factory("newcomer")
    url = f"/api/v1/districts/{north.district.code}/memberships"
    response = committee.post(url, {"username": "newcomer", "role": "volunteer"})
    assert response.status_code == 201
    member_id = response.json()["id"]
    assert committee.post(url, {"username": "newcomer", "role": "volunteer"}).json()["code"] \
        == "membership_exists"
    listing = committee.get(url, {"role": "resident"}).json()
    assert listing and all(m["role"] == "resident" for m in listing)
    assert all("****" in m["phone"] for m in listing if m["phone"])
    foreign_dept = south.department.pk
    response = committee.post(url, {"username": "newcomer", "role": "department",
                                    "department_id": foreign_dept})
    assert response.status_code == 404
    response = committee.post(f"{url}/{member_id}/revoke")
    assert response.json()["is_active"] is False
    assert not newcomer.memberships.filter(is_active=True).exists()
    assert api_client(north.people[Role.MERCHANT]).get(url).status_code == 403


def test_devices_api_token_shown_once_and_revocable(north, api_client):
    committee = api_client(north.people[Role.COMMITTEE])
    url = f"/api/v1/districts/{north.district.code}/devices"
    created = committee.post(url, {"name": "东门闸机", "kind": "gate_counter"}).json()
    assert created["token"].startswith("sq_")
    assert "token" not in committee.get(url).json()[0]
    device_client = api_client()
    device_client.token = created["token"]
    assert device_client.get("/api/v1/districts").status_code == 200
    committee.post(f"{url}/{created['id']}/revoke")
    assert device_client.get("/api/v1/districts").status_code == 401
    assert committee.post(url, {"name": "x", "kind": "toaster"}).json()["code"] \
        == "unknown_device_kind"
