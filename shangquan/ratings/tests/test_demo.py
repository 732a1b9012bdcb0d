"""The demo runs a quarter end to end in 胜阳港: three parties scored, evidence adjusted,
an appeal answered, the flag passed on, a title delisted by the rule, 外摆 checks charted."""

from __future__ import annotations

import pytest

from shangquan.core.demo import demo_load
from shangquan.core.models import District
from shangquan.ratings.models import (
    Appeal,
    Flag,
    OutdoorCheck,
    Period,
    ResidentScore,
    Result,
    Score,
    Title,
)
from shangquan.ratings.selectors import merchant_public_rating, outdoor_compliance

pytestmark = pytest.mark.django_db


def test_syg_quarter_end_to_end(city_admin):
    demo_load(codes=["SYG"])
    district = District.objects.get(code="SYG")
    periods = list(Period.objects.filter(district=district).order_by("starts_on"))
    assert [p.status for p in periods] == ["published", "published"]
    last, this = periods
    assert Score.objects.filter(period=this).values("party").distinct().count() == 2
    assert ResidentScore.objects.filter(period=this).count() >= 48 * 3
    assert Result.objects.filter(period=this).count() >= 48
    appeal = Appeal.objects.get(period=this)
    assert appeal.status == "dismissed" and appeal.decision
    # the flag passed on in at least one association, and the history is kept
    holders = {f.association_id: f.merchant_id for f in Flag.objects.filter(period=this)}
    before = {f.association_id: f.merchant_id for f in Flag.objects.filter(period=last)}
    assert holders and before and holders != before
    # 优进绌退: the slipping 放心店 is delisted at the year end, warned otherwise
    moved = Title.objects.filter(district=district, kind__code="fangxin",
                                 status__in=["delisted", "warned"])
    assert moved.exists() if this.year_end else True
    # the QR page section shows the grade and the delisting
    shop = moved.first().merchant if moved.exists() else Result.objects.filter(period=this).first().merchant
    rating = merchant_public_rating(merchant=shop)
    assert rating["current"]["result"].period_id == this.pk
    # 外摆: compliance climbs from about 65 % to the high nineties
    assert OutdoorCheck.objects.filter(district=district).count() > 200
    weeks = outdoor_compliance(user=city_admin, district=district, weeks=9)["by_week"]
    assert weeks[0]["rate"] < 85 and weeks[-1]["rate"] > 88
