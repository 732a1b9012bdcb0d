"""The campaign summary report as xlsx and PDF (no personal data: shops, not people)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill

from shangquan.core import policies
from shangquan.core.audit import audited
from shangquan.core.errors import NotFound
from shangquan.core.exports import (
    PDF,
    XLSX,
    export_record,
    new_workbook,
    workbook_bytes,
    xlsx_append,
)
from shangquan.core.models import District

from . import selectors
from .models import Campaign

SEVERITY_LABELS = {"general": "一般", "major": "较重", "serious": "严重"}
STATUS_LABELS = {"issued": "待整改", "submitted": "待验收", "rejected": "验收未通过",
                 "escalated": "逾期督办", "verified": "已整改"}


def _summary_lines(campaign: Campaign, progress: dict) -> list[tuple[str, str]]:
    c, t = progress["concentrated"], progress["targeted"]
    return [
        (_("行动"), campaign.name),
        (_("节日"), f"{campaign.holiday}  {campaign.start:%Y-%m-%d} — {campaign.end:%Y-%m-%d}"),
        (_("节前排查"), f"{campaign.prep_start:%Y-%m-%d} — {campaign.start:%Y-%m-%d}"),
        (_("节后回访截止"), f"{campaign.review_end:%Y-%m-%d}"),
        (_("目标商户"), str(progress["targets"])),
        (_("集中式检查（户）"), f"{c['completed']} / {c['total']}（{c['percent']}%）"),
        (_("发现隐患"), "{}（一般 {}，较重 {}，严重 {}）".format(
            progress["findings"], *progress["by_severity"].values())),
        (_("重复隐患"), str(progress["repeated"])),
        (_("整改完成率"), f"{progress['rectified_percent']}%"),
        (_("清单式跟踪（未销号）"), str(progress["open_follow_ups"])),
        (_("回访记录"), str(progress["visits"])),
        (_("节日期间有效投诉"), f"{progress['complaints']}（{progress['complained_merchants']} 户）"),
        (_("点位式检查（户）"), f"{t['completed']} / {t['total']}"),
    ]


HEADERS = ["商户", "网格", "类别", "检查类型", "检查结论", "检查组", "隐患数", "未整改", "已整改"]


def _row(r: dict) -> list:
    return [r["merchant"], r["grid"], r["category"], "、".join(dict.fromkeys(r["kinds"])),
            "、".join(r["results"]), r["team"], r["findings"], r["open"], r["verified"]]


FORMATS = {"xlsx": XLSX, "pdf": PDF}


@audited("inspections.campaign.report")
def campaign_report(*, actor: Any, district: District, campaign: Campaign,
                    fmt: str) -> tuple[bytes, str]:
    """The summary report as (body, content type) for the page and the API alike: role
    checked, one audit row with the number of merchant rows."""
    policies.require(actor, "inspections.campaign_view", district)
    if fmt not in FORMATS or campaign.district_id != district.pk:
        raise NotFound()
    rows = selectors.campaign_report_rows(campaign)
    body = campaign_xlsx(campaign, rows=rows) if fmt == "xlsx" else campaign_pdf(campaign,
                                                                                  rows=rows)
    export_record(actor=actor, district=district, action="inspections.campaign.report",
                  object_type="inspections.campaign", object_id=campaign.pk, rows=len(rows),
                  fmt=fmt)
    return body, FORMATS[fmt]


def campaign_xlsx(campaign: Campaign, *, rows: list[dict] | None = None) -> bytes:
    progress = selectors.campaign_progress(campaign)
    wb = new_workbook()
    ws = wb.active
    ws.title = "汇总"
    xlsx_append(ws, [f"{campaign.name} 工作总结"])
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in _summary_lines(campaign, progress):
        xlsx_append(ws, [label, value])
    if campaign.summary:
        xlsx_append(ws, [_("总结"), campaign.summary])
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 60
    detail = wb.create_sheet("商户明细")
    detail.append(HEADERS)
    for cell in detail[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B71C1C")
        cell.alignment = Alignment(horizontal="center")
    for r in rows if rows is not None else selectors.campaign_report_rows(campaign):
        xlsx_append(detail, _row(r))
    for col, width in zip("ABCDEFGHI", (24, 14, 10, 16, 18, 16, 8, 8, 8), strict=True):
        detail.column_dimensions[col].width = width
    open_sheet = wb.create_sheet("清单式跟踪")
    open_sheet.append(["整改单号", "商户", "隐患", "等级", "状态", "期限", "回访次数"])
    for o in selectors.campaign_open_findings(campaign):
        xlsx_append(open_sheet, [o.number, o.merchant.name, o.title,
                           SEVERITY_LABELS.get(o.severity, o.severity),
                           STATUS_LABELS.get(o.status, o.status),
                           timezone.localtime(o.deadline).strftime("%Y-%m-%d"), o.visit_count])
    return workbook_bytes(wb)


def campaign_pdf(campaign: Campaign, *, rows: list[dict] | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    # A built-in CJK font: no font file to ship, every PDF reader has it.
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font = "STSong-Light"
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, spaceAfter=6)
    body = ParagraphStyle("b", fontName=font, fontSize=9.5, leading=14)
    small = ParagraphStyle("s", fontName=font, fontSize=8, leading=11)
    progress = selectors.campaign_progress(campaign)
    story = [Paragraph(f"{escape(campaign.name)} 工作总结", title),
             Paragraph(f"生成日期：{date.today():%Y-%m-%d}", small), Spacer(1, 4 * mm)]
    summary = Table([[Paragraph(escape(k), body), Paragraph(escape(v), body)]
                     for k, v in _summary_lines(campaign, progress)],
                    colWidths=[45 * mm, 125 * mm])
    summary.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                 ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#FBE9E7"))]))
    story += [summary, Spacer(1, 5 * mm)]
    if campaign.summary:
        story += [Paragraph(escape(campaign.summary).replace("\n", "<br/>"), body), Spacer(1, 5 * mm)]
    body_rows = rows if rows is not None else selectors.campaign_report_rows(campaign)
    table = [[Paragraph(h, small) for h in HEADERS]]
    table += [[Paragraph(escape(str(v)), small) for v in _row(r)] for r in body_rows]
    detail = Table(table, repeatRows=1, colWidths=[32 * mm, 20 * mm, 14 * mm, 20 * mm, 24 * mm,
                                                  22 * mm, 12 * mm, 12 * mm, 12 * mm])
    detail.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#FFCDD2")),
                                ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(detail)
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                      topMargin=15 * mm, bottomMargin=15 * mm,
                      title=f"{campaign.name} 工作总结").build(story)
    return out.getvalue()
