"""志愿活动 indicators for the dashboard (``Contributions.indicators``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from shangquan.core.indicators import UP, Indicator, Measure, count
from shangquan.core.models import District
from shangquan.core.periods import bounds

from .models import Registration

MODULE = _("志愿活动")


def _hours(district: District, start: dt.date, end: dt.date) -> Measure:
    low, high = bounds(start, end)
    minutes = Registration.objects.filter(district=district, confirmed_at__gte=low,
                                          confirmed_at__lt=high).aggregate(n=Sum("minutes"))["n"]
    return count(round(int(minutes or 0) / 60, 1))


INDICATORS = (
    Indicator("activities.volunteer_hours", _("志愿服务时长"),
              _("期内确认的报名签到时长之和 ÷ 60"), _("小时"), UP, _hours, module=MODULE),
)
