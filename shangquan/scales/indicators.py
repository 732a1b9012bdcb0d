"""计量 indicators for the dashboard (``Contributions.indicators``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from shangquan.core.indicators import DOWN, RATIO, UP, Indicator, Measure, count, ratio
from shangquan.core.models import District
from shangquan.core.periods import bounds

from .models import Reweigh, SpotCheck

MODULE = _("计量监管")


def _pass_rate(district: District, start: dt.date, end: dt.date) -> Measure:
    row = SpotCheck.objects.filter(district=district, checked_on__gte=start,
                                   checked_on__lt=end).aggregate(
        total=Count("id"), passed=Count("id", filter=Q(passed=True)))
    return ratio(row["passed"], row["total"])


def _reweigh_complaints(district: District, start: dt.date, end: dt.date) -> Measure:
    low, high = bounds(start, end)
    return count(Reweigh.objects.filter(district=district, created_at__gte=low,
                                        created_at__lt=high,
                                        work_order_id__isnull=False).count())


def _reweigh_short(district: District, start: dt.date, end: dt.date) -> Measure:
    low, high = bounds(start, end)
    return count(Reweigh.objects.filter(district=district, created_at__gte=low,
                                        created_at__lt=high,
                                        verdict=Reweigh.Verdict.SHORT).count())


INDICATORS = (
    Indicator("scales.spot_check_pass_rate", _("计量抽检合格率"),
              _("查验日期在期内的抽检中合格数 ÷ 抽检数 × 100"), "%", UP, _pass_rate,
              combine=RATIO, scale=100, module=MODULE),
    Indicator("scales.reweigh_complaints", _("复秤投诉"), _("期内公平秤复秤后转为工单的次数"), _("件"),
              DOWN, _reweigh_complaints, module=MODULE),
    Indicator("scales.reweigh_short", _("复秤短秤"), _("期内公平秤复秤判定短秤的次数"), _("次"), DOWN,
              _reweigh_short, module=MODULE),
)
