"""One code path: the registry export and the re-weigh limit are the service's, so the
page and the API behave alike."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.scales import services
from shangquan.scales.models import Reweigh

from .factories import instrument_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(north):
    return merchant_factory(north.district, name="=HYPERLINK(\"http://x\")",
                            owner=north.people[Role.MERCHANT])


def _exports(district):
    return AuditLog.objects.filter(district=district, action="scales.instrument.export")


def test_export_page_and_api_each_write_one_audit_row(client, north, shop, api_client):
    instrument_factory(north.district, shop, serial_no="EX-1")
    instrument_factory(north.district, shop, serial_no="EX-2")
    code = north.district.code
    client.force_login(north.people[Role.COMMITTEE])
    page = client.get(reverse("scales:export", kwargs={"code": code}) + "?status=in_use")
    assert page.status_code == 200
    row = _exports(north.district).get()
    assert row.actor == north.people[Role.COMMITTEE]
    assert row.after["format"] == "xlsx" and row.after["filters"] == {"status": "in_use"}
    assert row.after["rows"] == len(list(load_workbook(io.BytesIO(page.content))
                                         .active.iter_rows())) - 1
    api = api_client(north.people[Role.DEPARTMENT]).get(
        f"/api/v1/districts/{code}/scales/instruments.xlsx")
    assert api.status_code == 200
    assert _exports(north.district).count() == 2
    latest = _exports(north.district).order_by("-pk").first()
    assert latest.after["rows"] == 2 and latest.actor == north.people[Role.DEPARTMENT]
    # A shop name that is a formula stays text in the sheet.
    sheet = load_workbook(io.BytesIO(api.content)).active
    assert sheet.cell(row=2, column=2).value == "'=HYPERLINK(\"http://x\")"


def test_export_refused_alike_on_page_and_api(client, north, shop, api_client):
    code = north.district.code
    merchant = north.people[Role.MERCHANT]
    client.force_login(merchant)
    assert client.get(reverse("scales:export", kwargs={"code": code})).status_code == 403
    assert api_client(merchant).get(
        f"/api/v1/districts/{code}/scales/instruments.xlsx").status_code == 403
    assert not _exports(north.district).exists()


def test_page_and_api_share_one_reweigh_limit(client, north, shop, api_client, monkeypatch):
    monkeypatch.setattr(services, "REWEIGH_RATE", (3, 3600))
    code = north.district.code
    form = {"merchant": shop.public_token, "goods": "苹果", "band": "standard", "unit": "g",
            "claimed": "1000", "measured": "1000"}
    for _ in range(3):
        assert client.post(reverse("scales:station", kwargs={"code": code}), form).status_code \
            == 302
    api = api_client().post(f"/api/v1/public/districts/{code}/scales/reweighs", {
        "merchant_token": shop.public_token, "goods": "苹果", "band": "standard",
        "claimed_g": "1000", "measured_g": "1000"})
    assert api.status_code == 429 and api.json()["code"] == "rate_limited"
    assert client.post(reverse("scales:station", kwargs={"code": code}), form).status_code == 429
    assert Reweigh.objects.count() == 3
