"""The scales API: shapes, scoping, errors, idempotency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test.client import MULTIPART_CONTENT

from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.scales.models import Instrument, Reweigh, SpotCheck

from .factories import instrument_factory

pytestmark = pytest.mark.django_db

# Django's client encodes multipart only for this very object (an ``is`` check).
MULTIPART = MULTIPART_CONTENT


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def shop(north):
    return merchant_factory(north.district, name="老李肉铺", owner=north.people[Role.MERCHANT])


def base(persona) -> str:
    return f"/api/v1/districts/{persona.district.code}/scales"


def test_register_list_and_detail(north, shop, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    response = client.post(f"{base(north)}/instruments", {
        "merchant_id": shop.pk, "maker": "凯丰", "serial_no": "A1", "max_capacity_g": "15000",
        "e_g": "5", "certificate_date": "2026-01-10"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["next_due"] == "2027-01-10" and body["min_capacity_g"] == "100"
    assert body["merchant_name"] == "老李肉铺" and body["status"] == "in_use"
    listing = client.get(f"{base(north)}/instruments", {"q": "老李"}).json()
    assert listing["count"] == 1 and listing["items"][0]["serial_no"] == "A1"
    detail = client.get(f"{base(north)}/instruments/{body['id']}")
    assert detail.status_code == 200


def test_register_error_shape(north, shop, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    response = client.post(f"{base(north)}/instruments", {
        "merchant_id": shop.pk, "maker": "凯丰", "serial_no": "A1", "max_capacity_g": "15000",
        "e_g": "7"})
    assert response.status_code == 422
    assert response.json()["code"] == "max_not_multiple_of_e"


def test_spot_check_via_api_and_idempotent_retry(north, shop, api_client):
    instrument = instrument_factory(north.district, shop)
    client = api_client(north.people[Role.DEPARTMENT])
    payload = {"instrument_id": instrument.pk, "load_g": "5000",
               "indications": ["5031", "5029"]}
    first = client.post(f"{base(north)}/checks", payload, headers={"Idempotency-Key": "k-1"})
    again = client.post(f"{base(north)}/checks", payload, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert SpotCheck.objects.count() == 1
    body = first.json()
    assert body["passed"] is False
    assert Decimal(body["mpe_g"]) == 10 and Decimal(body["repeatability_g"]) == 2
    assert body["rectification_id"]
    assert Instrument.objects.get(pk=instrument.pk).status == "suspended"


def test_load_below_min_is_a_422_with_chinese_message(north, shop, api_client):
    instrument = instrument_factory(north.district, shop)
    client = api_client(north.people[Role.DEPARTMENT])
    response = client.post(f"{base(north)}/checks", {"instrument_id": instrument.pk,
                                                     "load_g": "10", "indications": ["10"]})
    assert response.status_code == 422
    assert response.json()["code"] == "below_min"
    assert "最小秤量" in response.json()["message"]


def test_foreign_instrument_is_not_found(north, south, shop, api_client):
    instrument = instrument_factory(north.district, shop)
    client = api_client(south.people[Role.DEPARTMENT])
    response = client.post(f"{base(south)}/checks", {"instrument_id": instrument.pk,
                                                     "load_g": "5000", "indications": ["5000"]})
    assert response.status_code == 404
    assert client.get(f"{base(north)}/instruments/{instrument.pk}").status_code == 404


def test_plan_is_stable_and_lists_instruments(north, shop, api_client):
    for _ in range(3):
        instrument_factory(north.district, shop)
    client = api_client(north.people[Role.GRID_LEADER])
    first = client.get(f"{base(north)}/plan").json()
    assert len(first["items"]) == 3 and first["done"] == 0
    assert {row["reason"] for row in first["items"]} == {"never"}
    instrument_id = first["items"][0]["instrument"]["id"]
    api_client(north.people[Role.DEPARTMENT]).post(
        f"{base(north)}/checks", {"instrument_id": instrument_id, "load_g": "5000",
                                  "indications": ["5000"], "planned": True})
    second = client.get(f"{base(north)}/plan").json()
    assert second["digest"] == first["digest"] and second["done"] == 1
    assert [r["instrument"]["id"] for r in second["items"]] == \
        [r["instrument"]["id"] for r in first["items"]]
    # merchants do not plan checks
    assert api_client(north.people[Role.MERCHANT]).get(f"{base(north)}/plan").status_code == 403


def test_public_reweigh_and_complaint(north, shop, api_client):
    anonymous = api_client()
    url = f"/api/v1/public/districts/{north.district.code}/scales/reweighs"
    by_id = anonymous.post(url, {"merchant_id": shop.pk, "goods": "牛肉", "band": "standard",
                                 "claimed_g": "1000", "measured_g": "980"})
    assert by_id.status_code == 422  # the public station names merchants by QR token only
    response = anonymous.post(url, {"merchant_token": shop.public_token, "goods": "牛肉",
                                    "band": "standard", "claimed_g": "1000",
                                    "measured_g": "980"})
    assert response.status_code == 201
    body = response.json()
    assert body["verdict"] == "short" and Decimal(body["allowed_g"]) == 5
    complaint = anonymous.post(f"{url}/{body['token']}/complaint", {})
    assert complaint.status_code == 201
    assert complaint.json()["work_order_number"].startswith(north.district.code)
    assert Reweigh.objects.get().work_order_id == complaint.json()["work_order_id"]
    assert anonymous.post(f"{url}/nope/complaint", {}).status_code == 404


def test_kpis_and_settings(north, shop, api_client):
    client = api_client(north.people[Role.COMMITTEE])
    response = client.patch(f"{base(north)}/settings", {"check_window_days": 14})
    assert response.status_code == 200 and response.json()["check_window_days"] == 14
    assert client.patch(f"{base(north)}/settings",
                        {"check_window_days": 0}).json()["code"] == "setting_out_of_range"
    kpis = client.get(f"{base(north)}/kpis").json()
    assert kpis["checks"] == 0 and kpis["pass_rate"] is None
    assert api_client(north.people[Role.MERCHANT]).get(f"{base(north)}/kpis").status_code == 403


def test_export_xlsx_by_role(north, shop, api_client):
    instrument_factory(north.district, shop)
    ok = api_client(north.people[Role.DEPARTMENT]).get(f"{base(north)}/instruments.xlsx")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("application/vnd.openxml")
    denied = api_client(north.people[Role.MERCHANT]).get(f"{base(north)}/instruments.xlsx")
    assert denied.status_code == 403


def test_mpe_reference(north, api_client):
    client = api_client(north.people[Role.DEPARTMENT])
    body = client.get(f"{base(north)}/mpe", {"load_g": "2500", "e_g": "5"}).json()
    assert Decimal(body["mpe_g"]) == 5  # 500e: ±0.5e initial, ±1e = 5 g in service
    assert client.get(f"{base(north)}/mpe").status_code == 422


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def test_commitment_scan_upload(north, shop, api_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    instrument = instrument_factory(north.district, shop)
    client = api_client(north.people[Role.MERCHANT])  # the owner signs for the own shop
    response = client.post(f"{base(north)}/merchants/{shop.pk}/commitment", {
        "signed_on": "2026-03-15",
        "scan": SimpleUploadedFile("承诺书.jpg", _jpeg(), content_type="image/jpeg")},
        content_type=MULTIPART)
    assert response.status_code == 200, response.json()
    assert response.json()[0]["commitment_signed_on"] == "2026-03-15"
    instrument.refresh_from_db()
    assert instrument.commitment_scan.name.endswith(".jpg")
    not_a_photo = client.post(f"{base(north)}/merchants/{shop.pk}/commitment", {
        "signed_on": "2026-03-15",
        "scan": SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")},
        content_type=MULTIPART)
    assert not_a_photo.status_code == 422 and not_a_photo.json()["code"] == "photo_invalid"


def test_import_via_api_reports_row_errors(north, shop, api_client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from shangquan.scales.xlsx import HEADERS

    book = Workbook()
    book.active.append(HEADERS)
    book.active.append([shop.licence_no, shop.name, "电子计价秤", "凯丰", "", "API-1", 15, 7,
                        "III"])
    data = io.BytesIO()
    book.save(data)
    client = api_client(north.people[Role.DEPARTMENT])
    response = client.post(f"{base(north)}/instruments/import",
                           {"file": SimpleUploadedFile("s.xlsx", data.getvalue())},
                           content_type=MULTIPART)
    assert response.status_code == 422
    assert response.json()["details"]["errors"][0]["row"] == 2
    assert response.json()["details"]["errors"][0]["code"] == "max_not_multiple_of_e"
