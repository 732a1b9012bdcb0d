"""xlsx exports of redemptions, stock and adjustments: staff only, audited, real rows."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.points.models import Item
from shangquan.points.services import ledger, shop

from .factories import earn, item_factory

pytestmark = pytest.mark.django_db


def _rows(response):
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_redemptions_stock_and_adjustments_exports(north, south):
    people = north.people
    merchant = merchant_factory(north.district, owner=people[Role.MERCHANT], name="爱心理发店")
    item = item_factory(north.district, kind=Item.Kind.SERVICE, name="免费理发",
                        merchant=merchant, price=10, daily_capacity=5)
    earn(north.district, people[Role.RESIDENT], 30, source="export-test")
    redemption = shop.redemption_reserve(actor=people[Role.RESIDENT], item=item)
    shop.redemption_fulfil(actor=people[Role.MERCHANT], district=north.district,
                           code=redemption.code)
    account = ledger.account_for(district=north.district, user=people[Role.RESIDENT])
    ledger.adjustment_request(actor=people[Role.COMMITTEE], account=account, amount=5,
                              reason="补录活动积分")
    staff = Client()
    staff.force_login(people[Role.COMMITTEE])
    base = f"/console/{north.district.code}/points/export/"
    rows = _rows(staff.get(f"{base}redemptions.xlsx"))
    assert rows[1][2] == "免费理发" and rows[1][3] == "爱心理发店" and rows[1][5] == 10
    assert rows[1][6] == "已核销"
    stock = _rows(staff.get(f"{base}items.xlsx"))
    assert stock[1][0] == "免费理发" and stock[1][10] == 1
    adjustments = _rows(staff.get(f"{base}adjustments.xlsx"))
    assert adjustments[1][3] == 5 and adjustments[1][4] == "补录活动积分"
    assert {"points.redemptions.export", "points.items.export",
            "points.adjustments.export"} <= set(
        AuditLog.objects.values_list("action", flat=True))
    resident = Client()
    resident.force_login(people[Role.RESIDENT])
    assert resident.get(f"{base}redemptions.xlsx").status_code == 403
    outsider = Client()
    outsider.force_login(south.people[Role.COMMITTEE])
    assert outsider.get(f"{base}redemptions.xlsx").status_code == 404
    assert staff.get(f"{base}redemptions.xlsx?month=bad").status_code == 404
