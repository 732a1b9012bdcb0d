"""接诉即办 indicators for the dashboard (``Contributions.indicators``).

Read from the per-day counters (``KpiDaily``, dim ``all``) like the KPI page, so a
dashboard value and the KPI page agree for the same days.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
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
    ratio,
)
from shangquan.core.models import Department, District
from shangquan.core.periods import bounds
from shangquan.merchants.models import Grid

from .kpi import BASIC_WEIGHT
from .models import Category, KpiDaily, WorkOrder

MODULE = _("四单工单")


def _sums(district: District, start: dt.date, end: dt.date) -> dict[str, int]:
    row = KpiDaily.objects.filter(district=district, dim="all", day__gte=start,
                                  day__lt=end).aggregate(**{n: Sum(n) for n in KpiDaily.COUNTERS})
    return {k: int(v or 0) for k, v in row.items()}


def _total(district: District, start: dt.date, end: dt.date) -> Measure:
    return count(_sums(district, start, end)["total"])


def _response(district: District, start: dt.date, end: dt.date) -> Measure:
    c = _sums(district, start, end)
    return ratio(c["responded"], c["dispatched"])


def _resolution(district: District, start: dt.date, end: dt.date) -> Measure:
    c = _sums(district, start, end)
    return ratio(c["resolved"], c["dispatched"])


def _satisfaction(district: District, start: dt.date, end: dt.date) -> Measure:
    c = _sums(district, start, end)
    return ratio(c["satisfied"] + BASIC_WEIGHT * c["basic"], c["rated"])


def _overdue(district: District, start: dt.date, end: dt.date) -> Measure:
    c = _sums(district, start, end)
    return count(c["response_overdue"] + c["resolution_overdue"])



# --- drill-down: by grid / department / category from the same counters, then the orders --
DIMENSIONS = ("grid", "department", "category")


def _names(by: str, district: District) -> dict[int, str]:
    if by == "grid":
        return dict(Grid.objects.filter(district=district).values_list("id", "name"))
    if by == "department":
        return dict(Department.objects.filter(district=district).values_list("id", "name"))
    return dict(Category.objects.filter(district=district).values_list("id", "name"))


def _breakdown(measure):
    def split(district: District, start: dt.date, end: dt.date, by: str) -> list[Part]:
        if by not in DIMENSIONS:
            return []
        rows = (KpiDaily.objects.filter(district=district, dim=by, day__gte=start, day__lt=end)
                .values("key").annotate(**{n: Sum(n) for n in KpiDaily.COUNTERS}))
        names = _names(by, district)
        parts = []
        for row in rows:
            c = {n: int(row[n] or 0) for n in KpiDaily.COUNTERS}
            label = names.get(row["key"], "") if row["key"] else str(_("未指定"))
            parts.append(Part(row["key"], label, measure(c)))
        return sorted(parts, key=lambda p: (p.measure.value is None, -(p.measure.value or 0)))
    return split


# Which orders stand behind each value (by submission day, like the counters).
_BEHIND = {
    "total": Q(),
    "response_rate": Q(dispatched_at__isnull=False),
    "resolution_rate": Q(dispatched_at__isnull=False),
    "satisfaction_rate": ~Q(rating="") & Q(rating_excluded=False),
    "overdue": Q(response_overdue=True) | Q(resolution_overdue=True),
}


def _rows(name: str):
    def behind(district: District, start: dt.date, end: dt.date, by: str, part: int | None,
               limit: int) -> Rows:
        lo, hi = bounds(start, end)
        qs = WorkOrder.objects.filter(_BEHIND[name], district=district, created_at__gte=lo,
                                      created_at__lt=hi)
        if by in DIMENSIONS and part is not None:
            qs = qs.filter(**{f"{by}_id": part or None})
        total = qs.count()
        page = qs.select_related("category", "grid", "department").order_by(
            "-created_at", "-id")[:limit]
        out = []
        for o in page:
            url = reverse("workorders:detail", kwargs={"code": district.code, "pk": o.pk})
            out.append((url, (o.number, o.category.name, o.get_status_display(),
                              o.grid.name if o.grid_id else "—",
                              o.department.name if o.department_id else "—",
                              timezone.localtime(o.created_at).strftime("%Y-%m-%d %H:%M"))))
        return Rows((_("工单号"), _("类别"), _("状态"), _("网格"), _("承办部门"), _("提交时间")),
                    out, total)
    return behind


def _c_total(c):
    return count(c["total"])


def _c_response(c):
    return ratio(c["responded"], c["dispatched"])


def _c_resolution(c):
    return ratio(c["resolved"], c["dispatched"])


def _c_satisfaction(c):
    return ratio(c["satisfied"] + BASIC_WEIGHT * c["basic"], c["rated"])


def _c_overdue(c):
    return count(c["response_overdue"] + c["resolution_overdue"])


def _drill(name: str, of) -> dict:
    return {"dimensions": DIMENSIONS, "breakdown": _breakdown(of), "rows": _rows(name)}

INDICATORS = (
    Indicator("workorders.total", _("工单总量"), _("期内提交的工单数（含驳回、合并）"), _("件"), DOWN,
              _total, module=MODULE, **_drill("total", _c_total)),
    Indicator("workorders.response_rate", _("响应率"),
              _("按时受理数 ÷ 派单数 × 100（按提交日计）"), "%", UP, _response,
              combine=RATIO, scale=100, module=MODULE, **_drill("response_rate", _c_response)),
    Indicator("workorders.resolution_rate", _("解决率"),
              _("已解决或已办结数 ÷ 派单数 × 100"), "%", UP, _resolution,
              combine=RATIO, scale=100, module=MODULE,
              **_drill("resolution_rate", _c_resolution)),
    Indicator("workorders.satisfaction_rate", _("满意率"),
              _("(满意 + 0.9 × 基本满意) ÷ 有效评价数 × 100，不合理评价不计"), "%", UP,
              _satisfaction, combine=RATIO, scale=100, module=MODULE,
              **_drill("satisfaction_rate", _c_satisfaction)),
    Indicator("workorders.overdue", _("超期工单"), _("响应超期数 + 办理超期数"), _("件"), DOWN,
              _overdue, module=MODULE, **_drill("overdue", _c_overdue)),
)
