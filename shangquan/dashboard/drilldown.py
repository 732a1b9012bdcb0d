"""Drill-down: from an indicator's value to its breakdown (by grid, 商会协会, department,
station … as the indicator offers) and down to the rows behind it.

District-scoped throughout: the district comes from the URL (another district's code is
a 404), the indicator's functions filter by it, and a part (a grid, a department …) is
only accepted when it is one of this district's parts in the period's breakdown, so
another district's grid id is a 404 like an unknown one.

Role-limited: the committee and the street see every breakdown and every row; a
department (with no wider role in the district) sees the breakdown by department only,
its own departments' parts only, and their rows.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangquan.core import policies
from shangquan.core.errors import DomainError
from shangquan.core.indicators import Indicator, Part, Rows
from shangquan.core.models import District
from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.core.views import district_console_view

from . import selectors

ROW_LIMIT = 200
DIMENSION_LABELS = {
    "grid": gettext_lazy("网格"), "association": gettext_lazy("商会协会"),
    "department": gettext_lazy("部门"), "category": gettext_lazy("类别"),
    "station": gettext_lazy("站点"), "team": gettext_lazy("队伍"),
}
WIDE = {Role.COMMITTEE, Role.STREET}

policies.register({
    # The rows behind a value (orders, checks, bookings): the roles that read the
    # dashboard; a department only its own departments' (``department_only``).
    "dashboard.drill": {Role.COMMITTEE, Role.STREET, Role.DEPARTMENT},
})


def department_only(user: Any, district: District) -> set[int] | None:
    """The departments a department-only user is limited to; None when not limited."""
    if policies.is_city_admin(user) or policies.has_role(user, district, *WIDE):
        return None
    return policies.departments_of(user, district)


def dimensions_for(*, user: Any, district: District, indicator: Indicator) -> list[str]:
    if not indicator.breakdown:
        return []
    limited = department_only(user, district)
    return [d for d in indicator.dimensions if limited is None or d == "department"]


def breakdown(*, user: Any, district: District, indicator: Indicator, period: Period,
              by: str) -> list[Part]:
    policies.require(user, "dashboard.drill", district)
    if by not in dimensions_for(user=user, district=district, indicator=indicator):
        raise Http404
    parts = indicator.breakdown(district, period.start, period.end, by)  # type: ignore[misc]
    limited = department_only(user, district)
    return [p for p in parts if limited is None or p.key in limited]


def rows(*, user: Any, district: District, indicator: Indicator, period: Period, by: str = "",
         part: int | None = None) -> Rows:
    """The rows behind the district's value (``by`` empty) or one part of a breakdown."""
    policies.require(user, "dashboard.drill", district)
    if not indicator.rows:
        raise Http404
    if by or part is not None:
        parts = breakdown(user=user, district=district, indicator=indicator, period=period,
                          by=by)
        if part not in {p.key for p in parts}:
            raise Http404  # another district's grid looks like no grid
    elif department_only(user, district) is not None:
        raise Http404  # a department reads its own part, never the whole district
    return indicator.rows(district, period.start, period.end, by, part, ROW_LIMIT)


@district_console_view
def drill_view(request: HttpRequest, key: str) -> HttpResponse:
    district = request.district  # type: ignore[attr-defined]
    user = request.user
    policies.require(user, "dashboard.drill", district)
    indicator = selectors.indicator_get(key=key)
    error = ""
    try:
        period = selectors.period_parse(text=request.GET.get("period", ""), kind="month")
        value = selectors.value(indicator=indicator, districts=[district], period=period)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        error = str(exc.message)
        period = selectors.period_parse(text="", kind=indicator.period
                                        if indicator.period != "day" else "month")
        value = selectors.value(indicator=indicator, districts=[district], period=period)
    by = request.GET.get("by", "")
    raw_part = request.GET.get("part", "")
    part: int | None = None
    if raw_part:
        try:
            part = int(raw_part)
        except ValueError:
            raise Http404 from None
    dims = dimensions_for(user=user, district=district, indicator=indicator)
    parts = breakdown(user=user, district=district, indicator=indicator, period=period,
                      by=by) if by else []
    behind = None
    if indicator.rows and (part is not None or (not by and department_only(user, district)
                                                is None)):
        behind = rows(user=user, district=district, indicator=indicator, period=period,
                      by=by, part=part)
    part_label = next((p.label for p in parts if p.key == part), "")
    return render(request, "dashboard/drill.html", {
        "indicator": indicator, "period": period, "value": value, "error": error,
        "dimensions": [(d, DIMENSION_LABELS.get(d, d)) for d in dims], "by": by,
        "by_label": DIMENSION_LABELS.get(by, by), "parts": parts, "part": part,
        "part_label": part_label, "rows": behind, "row_limit": ROW_LIMIT,
        "limited": department_only(user, district) is not None,
        # plain flags: a template would call the indicator's functions
        "has_rows": indicator.rows is not None, "has_breakdown": indicator.breakdown is not None,
        "title": _("%(label)s · 下钻") % {"label": indicator.label}})
