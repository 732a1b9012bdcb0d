"""客流 indicators for the dashboard (``Contributions.indicators``).

From the per-minute roll-up (``MinuteFlow``) over the local days of the period.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from shangquan.core.indicators import DOWN, MAX, Indicator, Measure, count
from shangquan.core.models import District
from shangquan.core.periods import bounds

from . import rules
from .models import Level, MinuteFlow, Zone

MODULE = _("客流管控")


def _rows(district: District, start: dt.date, end: dt.date):
    low, high = bounds(start, end)
    return MinuteFlow.objects.filter(district=district, minute__gte=low, minute__lt=high)


def _peak_vs_capacity(district: District, start: dt.date, end: dt.date) -> Measure:
    """The highest zone peak as a share of that zone's capacity (percent, exact)."""
    peaks = _rows(district, start, end).values("zone").annotate(peak=Max("occupancy_max"))
    capacity = dict(Zone.objects.filter(district=district).values_list("pk", "capacity"))
    best: Measure = Measure(None)
    for row in peaks:
        cap = capacity.get(row["zone"]) or 0
        if not cap:
            continue
        value = float(rules.percent(row["peak"], cap))
        if best.value is None or value > best.value:
            best = Measure(value, row["peak"], cap)
    return best


def _minutes_red(district: District, start: dt.date, end: dt.date) -> Measure:
    """Zone-minutes at red: a minute counts once per zone that reached red in it."""
    row = _rows(district, start, end).filter(level_max=Level.RED).aggregate(n=Count("id"))
    return count(row["n"])


INDICATORS = (
    Indicator("crowd.peak_vs_capacity", _("峰值客流占承载量"),
              _("期内各区域最高在场人数 ÷ 该区域承载量 × 100，取最高的区域"), "%", DOWN,
              _peak_vs_capacity, combine=MAX, module=MODULE),
    Indicator("crowd.minutes_red", _("红色预警时长"),
              _("期内各区域达到红色等级的分钟数之和（区域·分钟）"), _("分钟"), DOWN, _minutes_red,
              module=MODULE),
)
