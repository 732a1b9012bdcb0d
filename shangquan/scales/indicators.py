"""计量 indicators for the dashboard (``Contributions.indicators``).

- 计量抽检合格率: the spot checks dated in the period that passed ÷ all of them × 100;
- 复秤投诉: the fair-scale slips of the period that became a work order;
- 复秤短秤: the slips of the period judged short.

All split by grid (the merchant's), down to the checks (with a link to the instrument) or
the slips (with a link to the work order, when there is one): what the console's lists of
checks and re-weighs show, no shopper, no checker, no phone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shangquan.core.indicators import (
    DOWN,
    RATIO,
    UP,
    Indicator,
    Measure,
    Part,
    Rows,
    count,
    local_minute,
    part_rows,
    parts_by,
    ratio,
)
from shangquan.core.models import District
from shangquan.core.periods import bounds

from .messages import grams
from .models import Reweigh, SpotCheck

MODULE = _("计量监管")
DIMENSIONS = ("grid",)
_GRID = "merchant__grid"
_PASSED = Q(passed=True)
_COMPLAINT = Q(work_order_id__isnull=False)
_SHORT = Q(verdict=Reweigh.Verdict.SHORT)


def _checks(district: District, start: dt.date, end: dt.date) -> QuerySet[SpotCheck]:
    return SpotCheck.objects.filter(district=district, checked_on__gte=start,
                                    checked_on__lt=end)


def _slips(which: Q) -> Callable[[District, dt.date, dt.date], QuerySet[Reweigh]]:
    def slips(district: District, start: dt.date, end: dt.date) -> QuerySet[Reweigh]:
        low, high = bounds(start, end)
        return Reweigh.objects.filter(which, district=district, created_at__gte=low,
                                      created_at__lt=high)
    return slips


_complaints = _slips(_COMPLAINT)
_short = _slips(_SHORT)


def _pass_rate(district: District, start: dt.date, end: dt.date) -> Measure:
    row = _checks(district, start, end).aggregate(total=Count("id"),
                                                  passed=Count("id", filter=_PASSED))
    return ratio(row["passed"], row["total"])


def _reweigh_complaints(district: District, start: dt.date, end: dt.date) -> Measure:
    return count(_complaints(district, start, end).count())


def _reweigh_short(district: District, start: dt.date, end: dt.date) -> Measure:
    return count(_short(district, start, end).count())


# --- drill-down --------------------------------------------------------------------------
def _breakdown(rows: Callable[..., QuerySet], rate: bool) -> Callable[..., list[Part]]:
    def split(district: District, start: dt.date, end: dt.date, by: str) -> list[Part]:
        if by not in DIMENSIONS:
            return []
        return parts_by(rows(district, start, end), _GRID, _PASSED if rate else None)
    return split


def _part_filter(qs: QuerySet, by: str, part: int | None) -> QuerySet:
    return part_rows(qs, _GRID if by in DIMENSIONS else None, part)


def _check_rows(district: District, start: dt.date, end: dt.date, by: str,
                part: int | None, limit: int) -> Rows:
    qs = _part_filter(_checks(district, start, end), by, part)
    total = qs.count()
    out = []
    for c in qs.select_related("merchant", "merchant__grid", "instrument").order_by(
            "-checked_at", "-id")[:limit]:
        url = reverse("scales:instrument", kwargs={"code": district.code,
                                                   "pk": c.instrument_id})
        grid = c.merchant.grid
        out.append((url, (local_minute(c.checked_at), c.merchant.name, grid.name if grid else "—",
                          str(c.instrument), f"{grams(c.load_g)} g",
                          f"{grams(c.worst_error_g)} / ±{grams(c.mpe_g)} g",
                          _("合格") if c.passed else _("不合格"))))
    return Rows((_("查验时间"), _("商户"), _("网格"), _("计量器具"), _("砝码"),
                 _("误差 / 允许"), _("结论")), out, total)


def _slip_rows(slips: Callable[..., QuerySet]) -> Callable[..., Rows]:
    def behind(district: District, start: dt.date, end: dt.date, by: str, part: int | None,
               limit: int) -> Rows:
        qs = _part_filter(slips(district, start, end), by, part)
        total = qs.count()
        out = []
        for r in qs.select_related("merchant", "merchant__grid").order_by(
                "-created_at", "-id")[:limit]:
            url = (reverse("workorders:detail", kwargs={"code": district.code,
                                                        "pk": r.work_order_id})
                   if r.work_order_id else "")
            grid = r.merchant.grid
            out.append((url, (local_minute(r.created_at), r.merchant.name, grid.name if grid else "—",
                              r.goods, f"{grams(r.claimed_g)} / {grams(r.measured_g)} g",
                              f"{grams(r.shortfall_g)} / {grams(r.allowed_g)} g",
                              r.get_verdict_display(),
                              _("已转工单") if r.work_order_id else "—")))
        return Rows((_("时间"), _("商户"), _("网格"), _("商品"), _("结算 / 复称"),
                     _("短少 / 允许"), _("结论"), _("投诉")), out, total)
    return behind


INDICATORS = (
    Indicator("scales.spot_check_pass_rate", _("计量抽检合格率"),
              _("查验日期在期内的抽检中合格数 ÷ 抽检数 × 100"), "%", UP, _pass_rate,
              combine=RATIO, scale=100, module=MODULE, dimensions=DIMENSIONS,
              breakdown=_breakdown(_checks, rate=True), rows=_check_rows),
    Indicator("scales.reweigh_complaints", _("复秤投诉"), _("期内公平秤复秤后转为工单的次数"), _("件"),
              DOWN, _reweigh_complaints, module=MODULE, dimensions=DIMENSIONS,
              breakdown=_breakdown(_complaints, rate=False), rows=_slip_rows(_complaints)),
    Indicator("scales.reweigh_short", _("复秤短秤"), _("期内公平秤复秤判定短秤的次数"), _("次"), DOWN,
              _reweigh_short, module=MODULE, dimensions=DIMENSIONS,
              breakdown=_breakdown(_short, rate=False), rows=_slip_rows(_short)),
)
