"""The functions and page other modules rely on."""

from __future__ import annotations

import pytest

from shangquan.core.errors import NotFound, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.merchants import selectors, services
from shangquan.merchants.models import Merchant

from .factories import grid_factory, merchant_factory

pytestmark = pytest.mark.django_db


def test_status_set_is_audited_and_role_checked(north, south):
    merchant = merchant_factory(north.district)
    done = services.merchant_status_set(actor=north.people[Role.DEPARTMENT], merchant=merchant,
                                        status="suspended", reason="停业整改：燃气软管老化")
    assert done.status == Merchant.Status.SUSPENDED
    assert merchant.status == "suspended"
    row = AuditLog.objects.filter(action="merchants.merchant.status_set", object_id=str(merchant.pk)).get()
    assert row.before["status"] == "open" and row.after["status"] == "suspended"
    with pytest.raises(PermissionDenied):
        services.merchant_status_set(actor=north.people[Role.MERCHANT], merchant=merchant,
                                     status="open", reason="x")
    with pytest.raises(NotFound):
        services.merchant_status_set(actor=south.people[Role.COMMITTEE], merchant=merchant,
                                     status="open", reason="x")
    with pytest.raises(ValidationFailed):
        services.merchant_status_set(actor=north.people[Role.COMMITTEE], merchant=merchant,
                                     status="closed", reason="x")


def test_public_lookup_and_access(north, south):
    merchant = merchant_factory(north.district, grid=grid_factory(north.district))
    assert selectors.merchant_get_public(token=merchant.public_token) == merchant
    with pytest.raises(NotFound):
        selectors.merchant_get_public(token="nope")
    assert selectors.access_merchant(district=north.district, merchant_id=merchant.pk) == merchant
    with pytest.raises(NotFound):
        selectors.access_merchant(district=south.district, merchant_id=merchant.pk)
    with pytest.raises(NotFound):
        selectors.access_merchant(district=north.district, merchant_id="abc")


def test_public_page_renders_without_phone(client, north):
    merchant = merchant_factory(north.district, name="老王烧烤", phone="13812345678",
                                is_party_member=True, commit_promise="明码标价 足斤足两")
    response = client.get(f"/m/{merchant.public_token}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "老王烧烤" in body and "明码标价" in body and "党员商铺" in body
    assert "13812345678" not in body and "138****5678" not in body
    assert client.get("/m/unknown-token/").status_code == 404


def test_public_page_shows_status_change_at_once(client, north,
                                                  django_capture_on_commit_callbacks):
    merchant = merchant_factory(north.district, name="阿香米线")
    assert "营业中" in client.get(f"/m/{merchant.public_token}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.merchant_status_set(actor=north.people[Role.COMMITTEE], merchant=merchant,
                                     status="suspended", reason="停业整改")
    body = client.get(f"/m/{merchant.public_token}/").content.decode()
    assert "停业整改" in body and "营业中" not in body
