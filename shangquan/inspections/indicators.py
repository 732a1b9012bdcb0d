"""Inspection indicators for the dashboard (``Contributions.indicators``).

- 整改按时完成率: of the orders whose deadline falls in the period, those verified by their
  deadline ÷ all of them × 100;
- 下发整改单: the orders issued in the period.

Both split by grid (the merchant's) and by the responsible department, down to the orders
(number, hazard, merchant, grid, department, status, dates: what the console's list of
rectification orders shows, no names of people, no phones).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, F, Q, QuerySet
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

from .models import Rectification

MODULE = _("检查整改")
DIMENSIONS = ("grid", "department")
_FIELD = {"grid": "merchant__grid", "department": "department"}
_ON_TIME = Q(status=Rectification.Status.VERIFIED, verified_at__lte=F("deadline"))


def _due(district: District, start: dt.date, end: dt.date) -> QuerySet[Rectification]:
    low, high = bounds(start, end)
    return Rectification.objects.filter(district=district, deadline__gte=low, deadline__lt=high)


def _issued_in(district: District, start: dt.date, end: dt.date) -> QuerySet[Rectification]:
    low, high = bounds(start, end)
    return Rectification.objects.filter(district=district, issued_at__gte=low,
                                        issued_at__lt=high)


def _on_time(district: District, start: dt.date, end: dt.date) -> Measure:
    row = _due(district, start, end).aggregate(due=Count("id"),
                                               on_time=Count("id", filter=_ON_TIME))
    return ratio(row["on_time"], row["due"])


def _issued(district: District, start: dt.date, end: dt.date) -> Measure:
    return count(_issued_in(district, start, end).count())


# --- drill-down --------------------------------------------------------------------------
def _breakdown(orders: Callable[..., QuerySet], rate: bool) -> Callable[..., list[Part]]:
    def split(district: District, start: dt.date, end: dt.date, by: str) -> list[Part]:
        if by not in DIMENSIONS:
            return []
        return parts_by(orders(district, start, end), _FIELD[by], _ON_TIME if rate else None)
    return split


def _part_filter(qs: QuerySet, by: str, part: int | None) -> QuerySet:
    return part_rows(qs, _FIELD.get(by), part)


def _rows(orders: Callable[..., QuerySet], order_by: str, last: str) -> Callable[..., Rows]:
    """The orders behind a value; ``last`` is the column of the date that placed it."""
    def behind(district: District, start: dt.date, end: dt.date, by: str, part: int | None,
               limit: int) -> Rows:
        qs = _part_filter(orders(district, start, end), by, part)
        total = qs.count()
        out = []
        for o in qs.select_related("merchant", "merchant__grid", "department").order_by(
                order_by, "-id")[:limit]:
            url = reverse("inspections:rectification",
                          kwargs={"code": district.code, "rectification_id": o.pk})
            grid = o.merchant.grid
            cells = [o.number, o.title, o.merchant.name, grid.name if grid else "—",
                     o.department.name if o.department_id else "—", o.get_severity_display(),
                     o.get_status_display()]
            if last == "deadline":
                cells += [local_minute(o.deadline), local_minute(o.verified_at)]
            else:
                cells += [local_minute(o.issued_at), local_minute(o.deadline)]
            out.append((url, tuple(cells)))
        heads = (_("编号"), _("隐患"), _("商户"), _("网格"), _("责任部门"), _("等级"), _("状态"))
        heads += ((_("整改期限"), _("验收")) if last == "deadline"
                  else (_("下发整改"), _("整改期限")))
        return Rows(heads, out, total)
    return behind


INDICATORS = (
    Indicator("inspections.rectification_on_time", _("整改按时完成率"),
              _("期限落在期内的整改单中，在期限前验收通过的 ÷ 期限落在期内的整改单 × 100"),
              "%", UP, _on_time, combine=RATIO, scale=100, module=MODULE,
              dimensions=DIMENSIONS, breakdown=_breakdown(_due, rate=True),
              rows=_rows(_due, "-deadline", "deadline")),
    Indicator("inspections.rectifications_issued", _("下发整改单"), _("期内下发的整改单数"), _("件"),
              DOWN, _issued, module=MODULE, dimensions=DIMENSIONS,
              breakdown=_breakdown(_issued_in, rate=False),
              rows=_rows(_issued_in, "-issued_at", "issued")),
)
