"""The KPI page (ECharts from a static file, data in a json_script block) and xlsx export."""

from __future__ import annotations

import datetime as dt
import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangquan.core import policies
from shangquan.core.audit import audit_record
from shangquan.core.views import district_console_view

from .forms import parse_date
from .kpi import DIMENSIONS, kpi_report


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
    policies.require(request.user, request.district, "workorders.kpi")
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
        "can_export": policies.can(request.user, request.district, "workorders.export"),
    })


@district_console_view
def kpi_export_view(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    policies.require(request.user, request.district, "workorders.export")
    start, end, period = _range(request)
    report = kpi_report(district=request.district, start=start, end=end, period=period)
    book = Workbook()
    header = ["维度", "工单数", "派单数", "按时响应", "办结", "参评", "满意", "基本满意",
              "不满意", "不计入评价", "响应超时", "办结超时", "响应率%", "解决率%", "满意率%",
              "综合得分"]
    sheets = [("汇总", [report["totals"]]), ("按部门", report["by_department"]),
              ("按类别", report["by_category"]), ("按网格", report["by_grid"]),
              ("按时期", report["by_period"])]
    for index, (title, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(header)
        for r in rows:
            c = r.counts
            sheet.append([r.label, r.total, r.dispatched, c.get("responded") or 0,
                          c.get("resolved") or 0, r.rated, c.get("satisfied") or 0,
                          c.get("basic") or 0, c.get("unsatisfied") or 0, r.excluded,
                          c.get("response_overdue") or 0, c.get("resolution_overdue") or 0,
                          _pct(r.response_rate), _pct(r.resolution_rate),
                          _pct(r.satisfaction_rate),
                          None if r.composite is None else round(r.composite, 1)])
    out = io.BytesIO()
    book.save(out)
    audit_record(actor=request.user, district=request.district, action="workorders.kpi_export",
                 object_type="workorders.kpidaily", object_id=request.district.pk,
                 after={"start": start, "end": end})
    response = HttpResponse(out.getvalue(), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = (
        f'attachment; filename="kpi-{request.district.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"')
    return response
