"""Input that once answered 500 (found by fuzzing and by hand, issue 11 §4) answers a clear
4xx in our format, the same on SQLite and PostgreSQL: the classes, not one endpoint each."""

from __future__ import annotations

import json

import pytest

from shangquan.core.roles import Role

pytestmark = pytest.mark.django_db


def base(persona) -> str:
    return f"/api/v1/districts/{persona.district.code}"


def raw_post(client, path: str, body: str, method: str = "post"):
    return getattr(client, method)(path, body, content_type="application/json")


def merchant_body(**extra) -> dict:
    from shangquan.merchants.tests.factories import licence_for

    return {"name": "老王烧烤", "licence_no": licence_for(9001), "category": "餐饮", **extra}


# --- text no database may store -----------------------------------------------------
@pytest.mark.parametrize("bad", ["\\ud800", "a\\u0000b", "\\udfff tail"])
def test_lone_surrogate_or_nul_in_any_json_string_is_a_422(north, api_client, bad):
    client = api_client(north.people[Role.COMMITTEE])
    body = json.dumps(merchant_body(), ensure_ascii=False).replace('"老王烧烤"', f'"老王{bad}"')
    assert bad in body
    response = raw_post(client, f"{base(north)}/merchants", body)
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["code"] == "validation_error" and data["message"] == "输入有误"
    assert data["details"][0]["loc"] == ["body", "name"]
    assert data["details"][0]["type"] in {"lone_surrogate", "nul_byte"}


def test_bad_text_in_a_nested_key_is_found(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    response = raw_post(client, f"{base(north)}/settings/workorders",
                        '{"values": {"x\\u0000": 1}}', method="patch")
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"] == ["body", "values", "<key>"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_are_refused(north, api_client, literal):
    client = api_client(north.people[Role.COMMITTEE])
    body = json.dumps(merchant_body(latitude=1.5)).replace("1.5", literal)
    response = raw_post(client, f"{base(north)}/merchants", body)
    assert response.status_code == 422, response.content
    assert response.json()["details"][0]["type"] == "not_finite"


def test_nan_latitude_on_a_report_is_a_4xx(north, api_client):
    client = api_client(north.people[Role.RESIDENT])
    body = ('{"category_code": "other", "description": "路灯坏了很久了", '
            '"latitude": NaN, "longitude": 120.1}')
    response = raw_post(client, f"/api/v1/public/workorders/{north.district.code}/reports", body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"


def test_a_body_that_is_not_json_is_a_400_with_a_documented_code(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    response = raw_post(client, f"{base(north)}/merchants", "\x00")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    english = client.post(f"{base(north)}/merchants", "{", content_type="application/json",
                          headers={"Accept-Language": "en"})
    assert english.json()["code"] == "bad_request"


@pytest.mark.parametrize("query", ["q=a%00b", "status=%00", "a%00=1"])
def test_nul_in_a_query_string_is_a_422(north, api_client, query):
    client = api_client(north.people[Role.COMMITTEE])
    response = client.get(f"{base(north)}/workorders?{query}")
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"


def test_nul_in_a_public_path_unauthenticated_is_a_4xx_page(client, north):
    response = client.get("/m/a%00b/")
    assert response.status_code == 422
    assert "text/html" in response["Content-Type"]


def test_nul_in_a_console_form_field_is_a_422(client, north):
    client.force_login(north.people[Role.COMMITTEE])
    response = client.post(f"/console/{north.district.code}/org/", {"name": "党支部\x00"})
    assert response.status_code == 422


def test_nul_in_open311_is_a_georeport_400(client, north):
    response = client.get("/open311/v2/requests.json",
                          {"jurisdiction_id": north.district.code, "status": "open\x00"})
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


# --- lengths, ranges and nulls, from the model --------------------------------------
def test_an_over_length_string_is_a_422_naming_the_field_on_every_database(north, api_client):
    from shangquan.merchants.models import Merchant

    limit = Merchant._meta.get_field("stall_no").max_length
    client = api_client(north.people[Role.COMMITTEE])
    response = client.post(f"{base(north)}/merchants", merchant_body(stall_no="A" * (limit + 1)))
    assert response.status_code == 422, response.content
    assert "stall_no" in response.json()["details"]
    assert not Merchant.objects.filter(district=north.district).exists()
    ok = client.post(f"{base(north)}/merchants", merchant_body(stall_no="A" * limit))
    assert ok.status_code == 201, ok.content


@pytest.mark.parametrize("path,body", [
    ("merchants/{merchant}", {"stall_no": None}),
    ("merchants/{merchant}", {"name": None}),
])
def test_patch_with_null_for_a_not_null_field_is_a_422(north, api_client, path, body):
    from shangquan.merchants.tests.factories import merchant_factory

    merchant = merchant_factory(north.district)
    client = api_client(north.people[Role.COMMITTEE])
    response = client.patch(f"{base(north)}/" + path.format(merchant=merchant.pk), body)
    assert response.status_code == 422, response.content
    assert set(body) <= set(response.json()["details"])


def test_an_integer_beyond_its_column_is_a_422_on_every_database(north):
    from shangquan.core.errors import ValidationFailed
    from shangquan.crowd.tests.factories import zone_factory

    zone = zone_factory(north.district)
    zone.capacity = 2**31  # a PositiveIntegerField: PostgreSQL refuses, SQLite would store
    with pytest.raises(ValidationFailed) as caught:
        zone.save()
    assert "capacity" in caught.value.details


def test_a_decimal_with_too_many_digits_is_a_422(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    response = client.post(f"{base(north)}/merchants", merchant_body(outdoor_area="1e20"))
    assert response.status_code == 422, response.content


# --- ids and numbers in console forms ----------------------------------------------
@pytest.mark.parametrize("path,data", [
    ("org/", {"name": "第一支部", "level": "abc"}),
    ("org/members/", {"action": "instructor", "instructor": "x"}),
    ("rosters/", {"title": "值守", "starts_on": "2026-12-01", "ends_on": "2026-12-07",
                  "closed_weekdays": ["mon"]}),
    ("rosters/", {"title": "值守", "starts_on": "2026-12-01", "ends_on": "2026-12-07",
                  "closed_weekdays": ["9"]}),
])
def test_non_numeric_console_fields_are_a_422(client, north, path, data):
    client.force_login(north.people[Role.COMMITTEE])
    response = client.post(f"/console/{north.district.code}/{path}", data)
    assert response.status_code == 422, response.content[:300]


@pytest.mark.parametrize("path", ["org/registry/?unseen=99999999999",
                                  "org/registry/?station=abc", "merchants/?grid=abc"])
def test_out_of_range_console_filters_are_a_422(client, north, path):
    client.force_login(north.people[Role.COMMITTEE])
    response = client.get(f"/console/{north.district.code}/{path}")
    assert response.status_code == 422


# --- conflicts -----------------------------------------------------------------------
def test_a_duplicate_device_name_is_a_409(north, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    first = client.post(f"{base(north)}/devices", {"name": "东门计数器", "kind": "gate_counter"})
    assert first.status_code == 201, first.content
    again = client.post(f"{base(north)}/devices", {"name": "东门计数器", "kind": "gate_counter"})
    assert again.status_code == 409 and again.json()["code"] == "device_exists"


def test_a_crowd_gate_whose_name_repeats_is_a_409(north, api_client):
    from shangquan.crowd.tests.factories import zone_factory

    zone = zone_factory(north.district)
    client = api_client(north.people[Role.COMMITTEE])
    first = client.post(f"{base(north)}/crowd/gates",
                        {"zone_id": zone.pk, "code": "E1", "name": "东门"})
    assert first.status_code == 201, first.content
    again = client.post(f"{base(north)}/crowd/gates",
                        {"zone_id": zone.pk, "code": "E2", "name": "东门"})
    assert again.status_code == 409, again.content
    assert again.json()["code"] == "device_exists"


# --- Open311 ------------------------------------------------------------------------
@pytest.mark.parametrize("lat", ["91", "NaN", "-1000"])
def test_open311_out_of_range_latitude_is_a_georeport_400(client, north, lat):
    from shangquan.core.tests.factories import token_for

    response = client.post("/open311/v2/requests.json", {
        "api_key": token_for(north.people[Role.RESIDENT]),
        "jurisdiction_id": north.district.code, "service_code": "noise", "lat": lat,
        "long": "120.1", "description": "井盖缺失，很危险"})
    assert response.status_code == 400, response.content
    errors = response.json()
    assert isinstance(errors, list) and errors[0]["code"] == 400
    assert "invalid_location" in errors[0]["description"]


# --- row locks ----------------------------------------------------------------------
def test_every_row_lock_is_of_self():
    """``select_for_update()`` with ``select_related`` locks the joined rows too (the
    district, the category) on PostgreSQL, serialising every transition in a district."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    wide = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == \
                    "select_for_update":
                of = next((kw.value for kw in node.keywords if kw.arg == "of"), None)
                if not (isinstance(of, ast.Tuple) and [getattr(e, "value", None)
                                                       for e in of.elts] == ["self"]):
                    wide.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not wide, wide


# --- what the fuzzer found in the document ---------------------------------------------
def test_times_of_day_are_documented_as_the_local_times_we_answer(north, api_client):
    """``format: time`` demands an offset ("17:00:00Z"); a zone's opening hours are local."""
    import re

    from shangquan.api import api
    from shangquan.crowd.tests.factories import zone_factory

    document = json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"))
    assert '"format": "time"' not in document
    opens = api.get_openapi_schema(path_prefix="/api/v1/")["components"]["schemas"][
        "ZoneOut"]["properties"]["opens_at"]
    zone_factory(north.district)
    items = api_client(north.people[Role.COMMITTEE]).get(f"{base(north)}/crowd/zones").json()
    answered = [z["opens_at"] for z in items["items"] if z.get("opens_at")]
    pattern = next(s["pattern"] for s in [opens, *opens.get("anyOf", [])] if "pattern" in s)
    assert answered and all(re.match(pattern, value) for value in answered)
