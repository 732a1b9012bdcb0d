"""文明诚信评比 indicators for the dashboard (``Contributions.indicators``).

- 优秀占比: results of the rating periods that end in the period and are published
  (or archived), graded 优秀 ÷ all of them × 100 — a rating period is a quarter, so the
  finest period asked for is the quarter;
- 外摆达标率: the grid leaders' daily outdoor checks dated in the period that passed ÷
  all of them × 100.

Both split by grid and by 商会协会 (the merchant's), down to the results or checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shangquan.core.indicators import (
    RATIO,
    UP,
    Indicator,
    Measure,
    Part,
    Rows,
    part_rows,
    parts_by,
    ratio,
)
from shangquan.core.models import District

from .models import Grade, OutdoorCheck, Period, Result

MODULE = _("文明诚信评比")
DIMENSIONS = ("grid", "association")
_FIELD = {"grid": "merchant__grid", "association": "merchant__association"}


def _results(district: District, start: dt.date, end: dt.date) -> QuerySet[Result]:
    return Result.objects.filter(
        district=district, period__ends_on__gte=start, period__ends_on__lt=end,
        period__status__in=[Period.Status.PUBLISHED, Period.Status.ARCHIVED])


def _checks(district: District, start: dt.date, end: dt.date) -> QuerySet[OutdoorCheck]:
    return OutdoorCheck.objects.filter(district=district, checked_on__gte=start,
                                       checked_on__lt=end)


_EXCELLENT = Q(grade=Grade.EXCELLENT)
_PASSED = Q(passed=True)


def _rate(rows: Callable, good: Q) -> Callable[[District, dt.date, dt.date], Measure]:
    def measure(district: District, start: dt.date, end: dt.date) -> Measure:
        agg = rows(district, start, end).aggregate(n=Count("id"), good=Count("id", filter=good))
        return ratio(agg["good"], agg["n"])
    return measure


def _breakdown(rows: Callable, good: Q) -> Callable[..., list[Part]]:
    def split(district: District, start: dt.date, end: dt.date, by: str) -> list[Part]:
        if by not in DIMENSIONS:
            return []
        return parts_by(rows(district, start, end), _FIELD[by], good)
    return split


def _part_filter(qs: QuerySet, by: str, part: int | None) -> QuerySet:
    return part_rows(qs, _FIELD.get(by), part)


def _result_rows(district: District, start: dt.date, end: dt.date, by: str,
                 part: int | None, limit: int) -> Rows:
    qs = _part_filter(_results(district, start, end), by, part)
    total = qs.count()
    out = []
    for r in qs.select_related("merchant", "merchant__grid", "period").order_by(
            "period__ends_on", "-total_tenths", "id")[:limit]:
        out.append((reverse("ratings:result", kwargs={"code": district.code,
                                                        "result_id": r.pk}),
                    (r.merchant.name, r.merchant.grid.name if r.merchant.grid_id else "—",
                     r.period.name, f"{r.total_tenths / 10:.1f}", r.get_grade_display())))
    return Rows((_("商户"), _("网格"), _("评比周期"), _("总分"), _("等级")), out, total)


def _check_rows(district: District, start: dt.date, end: dt.date, by: str,
                part: int | None, limit: int) -> Rows:
    qs = _part_filter(_checks(district, start, end), by, part)
    total = qs.count()
    out = []
    for c in qs.select_related("merchant", "merchant__grid").order_by("-checked_at", "-id")[:limit]:
        out.append(("", (c.merchant.name, c.merchant.grid.name if c.merchant.grid_id else "—",
                         c.checked_on.isoformat(), f"{c.score_tenths / 10:.1f}",
                         _("达标") if c.passed else _("不达标"))))
    return Rows((_("商户"), _("网格"), _("检查日期"), _("得分"), _("结果")), out, total)


INDICATORS = (
    Indicator("ratings.excellent_share", _("优秀占比"),
              _("期内结束并已发布的评比中，评为优秀的商户 ÷ 参评商户 × 100"), "%", UP,
              _rate(_results, _EXCELLENT), period="quarter", combine=RATIO, scale=100,
              module=MODULE, dimensions=DIMENSIONS, breakdown=_breakdown(_results, _EXCELLENT),
              rows=_result_rows),
    Indicator("ratings.outdoor_compliance", _("外摆达标率"),
              _("期内外摆检查中达标的次数 ÷ 检查次数 × 100"), "%", UP,
              _rate(_checks, _PASSED), combine=RATIO, scale=100, module=MODULE,
              dimensions=DIMENSIONS, breakdown=_breakdown(_checks, _PASSED), rows=_check_rows),
)
