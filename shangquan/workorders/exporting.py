"""The KPI workbook: the same figures as the KPI page, one sheet per breakdown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shangquan.core import policies
from shangquan.core.audit import audited
from shangquan.core.exports import export_record, new_workbook, workbook_bytes, xlsx_append
from shangquan.core.models import District

from .kpi import kpi_report

KPI_HEADER = ["维度", "工单数", "派单数", "按时响应", "办结", "参评", "满意", "基本满意",
              "不满意", "不计入评价", "响应超时", "办结超时", "响应率%", "解决率%", "满意率%",
              "综合得分"]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


@audited("workorders.kpi.export")
def kpi_export_xlsx(*, actor: Any, district: District, start: dt.date, end: dt.date,
                    period: str) -> bytes:
    """Role checked, one audit row with the number of data rows and the date range."""
    policies.require(actor, "workorders.export", district)
    report = kpi_report(district=district, start=start, end=end, period=period)
    book = new_workbook()
    sheets = [("汇总", [report["totals"]]), ("按部门", report["by_department"]),
              ("按类别", report["by_category"]), ("按网格", report["by_grid"]),
              ("按时期", report["by_period"])]
    count = 0
    for index, (title, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(KPI_HEADER)
        for r in rows:
            c = r.counts
            xlsx_append(sheet, [
                r.label, r.total, r.dispatched, c.get("responded") or 0,
                c.get("resolved") or 0, r.rated, c.get("satisfied") or 0, c.get("basic") or 0,
                c.get("unsatisfied") or 0, r.excluded, c.get("response_overdue") or 0,
                c.get("resolution_overdue") or 0, _pct(r.response_rate),
                _pct(r.resolution_rate), _pct(r.satisfaction_rate),
                None if r.composite is None else round(r.composite, 1)])
            count += 1
    data = workbook_bytes(book)
    export_record(actor=actor, district=district, action="workorders.kpi.export",
                  object_type="workorders.kpidaily", object_id=district.pk, rows=count,
                  fmt="xlsx", filters={"start": start, "end": end, "period": period})
    return data
