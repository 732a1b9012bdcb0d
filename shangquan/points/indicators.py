"""积分 indicators for the dashboard (``Contributions.indicators``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from shangquan.core.indicators import UP, Indicator, Measure, count
from shangquan.core.models import District
from shangquan.core.periods import bounds

from .models import Award, Redemption

MODULE = _("积分")


def _issued(district: District, start: dt.date, end: dt.date) -> Measure:
    low, high = bounds(start, end)
    total = Award.objects.filter(district=district, created_at__gte=low, created_at__lt=high,
                                 reversed_at__isnull=True).aggregate(n=Sum("paid"))["n"]
    return count(int(total or 0))


def _redeemed(district: District, start: dt.date, end: dt.date) -> Measure:
    low, high = bounds(start, end)
    total = Redemption.objects.filter(district=district, closed_at__gte=low, closed_at__lt=high,
                                      status=Redemption.Status.FULFILLED
                                      ).aggregate(n=Sum("points"))["n"]
    return count(int(total or 0))


INDICATORS = (
    Indicator("points.issued", _("发放积分"), _("期内发放且未冲正的奖励积分之和"), _("分"), UP, _issued,
              module=MODULE),
    Indicator("points.redeemed", _("兑换积分"), _("期内核销完成的兑换所用积分之和"), _("分"), UP,
              _redeemed, module=MODULE),
)
