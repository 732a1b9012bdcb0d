"""The merchant QR page tells the truth about scales: state now, then history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.scales import services

from .factories import instrument_factory

pytestmark = pytest.mark.django_db


def test_suspended_and_expired_scales_come_before_past_passes(client, north):
    district = north.district
    merchant = merchant_factory(district, name="足秤水果")
    good = instrument_factory(district, merchant, serial_no="YS-OK-0001")
    old = instrument_factory(district, merchant, serial_no="YS-OLD-0002",
                             certificate_date=timezone.localdate() - dt.timedelta(days=400))
    inspector = north.people[Role.DEPARTMENT]
    for scale in (good, old):
        services.spot_check_record(actor=inspector, district=district, instrument=scale,
                                   load_g=Decimal(2000), indications=[Decimal(2000)])
    services.instrument_suspend(actor=north.people[Role.COMMITTEE], district=district,
                                instrument=good, note="复查")
    page = client.get(f"/m/{merchant.public_token}/").content.decode()
    now, history = page.index("现在的状态"), page.index("历次查验")
    assert now < history and "合格" in page[history:]
    current = page[now:history]
    assert "停用（人工停用）" in current and "···0001" in current
    assert "检定已过期" in current and "···0002" in current and "已过期" in current
    assert "有 2 台秤目前停用或检定已过期" in page
    assert "复查" not in page  # the staff's note stays internal


def test_a_merchant_with_valid_scales_shows_them_in_use(client, north):
    merchant = merchant_factory(north.district)
    instrument_factory(north.district, merchant, serial_no="YS-9876")
    page = client.get(f"/m/{merchant.public_token}/").content.decode()
    current = page[page.index("现在的状态"):]
    assert "在用" in current and "···9876" in current and "检定有效期至" in current
    assert "目前停用或检定已过期" not in page
