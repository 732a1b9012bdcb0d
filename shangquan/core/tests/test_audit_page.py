"""The audit log reads as sentences: who did what to which object, each changed field by
its label with choice names; filters by actor, object, action and date; raw JSON one
click away."""

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core.roles import Role
from shangquan.merchants import services
from shangquan.merchants.tests.factories import merchant_factory

pytestmark = pytest.mark.django_db


def test_audit_rows_read_as_sentences(client, north):
    committee = north.people[Role.COMMITTEE]
    merchant = merchant_factory(north.district, name="马记小炒", actor=committee)
    services.merchant_update(actor=committee, merchant=merchant, opening_hours="10:00–22:00")
    services.merchant_status_set(actor=committee, merchant=merchant, status="suspended",
                                 reason="停业整改")
    client.force_login(committee)
    url = f"/console/{north.district.code}/audit/"
    page = client.get(url, {"object_type": "merchants.merchant"}).content.decode()
    assert "修改商户" in page and "商户「马记小炒」" in page
    assert "营业时间：" in page and "10:00–22:00" in page
    assert "→ 停业" in page or "停业整改" in page  # the status by its choice name
    assert "原始记录" in page and "merchants.merchant.update" in page  # one click away
    assert "object (" not in page
    by_action = client.get(url, {"action": "merchants.merchant.status_set"}).content.decode()
    assert "变更商户状态" in by_action and "营业时间：" not in by_action
    assert "马记小炒" not in client.get(url, {"actor": "nobody-like-this"}).content.decode()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "马记小炒" not in client.get(url, {"date_from": tomorrow}).content.decode()
    assert "马记小炒" in client.get(url, {"date_to": tomorrow}).content.decode()
    assert client.get(url, {"date_from": "2026-13-45"}).status_code == 200
