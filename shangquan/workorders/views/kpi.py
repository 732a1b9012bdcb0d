"""The KPI page (ECharts from a static file, data in a json_script block) and xlsx export."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.views import district_console_view

from ..exporting import kpi_export_xlsx
from ..forms import parse_date
from ..kpi import DIMENSIONS, kpi_report


def _range(request: HttpRequest) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    end = parse_date(request.GET.get("end"), today)
    start = parse_date(request.GET.get("start"), end - dt.timedelta(days=179))
    if start > end:
        start, end = end, start
    period = request.GET.get("period", "month")
    return start, end, period if period in ("month", "week", "day") else "month"


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


@district_console_view
def kpi_view(request: HttpRequest) -> HttpResponse:
    policies.require(request.user, "workorders.kpi", request.district)
    start, end, period = _range(request)
    by = request.GET.get("by", "department")
    by = by if by in DIMENSIONS else "department"
    # The department chart needs departments; one breakdown table at a time (tabs).
    report = kpi_report(district=request.district, start=start, end=end, period=period,
                        dims=tuple({"department", by}))
    assigned = [r for r in report["by_department"] if r.key]
    chart = {
        "periods": [r.label for r in report["by_period"]],
        "response": [_pct(r.response_rate) for r in report["by_period"]],
        "resolution": [_pct(r.resolution_rate) for r in report["by_period"]],
        "satisfaction": [_pct(r.satisfaction_rate) for r in report["by_period"]],
        "volume": [r.total for r in report["by_period"]],
        # Orders not yet dispatched (key 0) have no department to score.
        "departments": [r.label for r in assigned],
        "department_composite": [round(r.composite or 0, 1) for r in assigned],
        "department_overdue": [r.overdue for r in assigned],
    }
    return render(request, "workorders/console/kpi.html", {
        **report, "start": start, "end": end, "period": period, "chart": chart, "by": by,
        "rows": report[f"by_{by}"], "tabs": [("department", _("按部门")), ("category", _("按类别")),
                                             ("grid", _("按网格"))],
        "can_export": policies.can(request.user, "workorders.export", request.district),
    })


@district_console_view
def kpi_export_view(request: HttpRequest) -> HttpResponse:
    start, end, period = _range(request)
    data = kpi_export_xlsx(actor=request.user, district=request.district, start=start, end=end,
                           period=period)
    response = HttpResponse(data, content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = (
        f'attachment; filename="kpi-{request.district.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"')
    return response
