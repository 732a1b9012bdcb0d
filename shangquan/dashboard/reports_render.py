"""A report's files from its figures (``selectors.ReportData``): pure, nothing read or
written here.

xlsx: a 概览 sheet, then one sheet per module, Chinese headers, numbers as numbers (a
street's report has a column per district). PDF: the same tables and, per module, a bar
chart of this period against the previous one drawn server-side (reportlab graphics),
with the Chinese font embedded (``core.pdf_fonts``: the report's characters cut out of
the machine's CJK font, as the ratings' certificates and the merchants' posters do), so
the reader needs no 宋体 and the text extracts as the figures.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.styles import Alignment, Font, PatternFill

from shangquan.core.exports import PDF, XLSX, new_workbook, workbook_bytes, xlsx_append
from shangquan.core.pdf_fonts import pdf_font

from .selectors import ReportData, ReportRow, period_text

HEAD = ["指标", "单位", "本期", "上期", "变化", "方向", "口径"]


def number(value: float | None) -> str:
    """How a figure reads in the PDF and on the console: at most one decimal."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def _direction(row: ReportRow) -> str:
    return "越高越好" if row.direction == "up" else "越低越好"


def _sheet_title(text: str, used: set[str]) -> str:
    title = "".join(ch for ch in text if ch not in "[]:*?/\\")[:28] or "指标"
    base, n = title, 2
    while title in used:
        title, n = f"{base}{n}", n + 1
    used.add(title)
    return title


def _heading(sheet: Any, values: list[str]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B71C1C")
        cell.alignment = Alignment(horizontal="center")


def report_xlsx(data: ReportData) -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = "概览"
    xlsx_append(ws, [data.title])
    ws["A1"].font = Font(bold=True, size=14)
    xlsx_append(ws, ["统计周期", period_text(data.period)])
    xlsx_append(ws, ["范围", "、".join(name for _c, name in data.districts)])
    xlsx_append(ws, ["生成时间", f"{data.generated_at:%Y-%m-%d %H:%M}"])
    xlsx_append(ws, ["数据来源", "已结束周期的指标快照（冻结值；更正以新版本记录）"])
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 60
    used = {"概览"}
    street = len(data.districts) > 1
    for module, rows in data.sections:
        sheet = wb.create_sheet(_sheet_title(module, used))
        head = HEAD[:5] + ([name for _c, name in data.districts] if street else []) + HEAD[5:]
        _heading(sheet, head)
        for r in rows:
            xlsx_append(sheet, [r.label, r.unit, r.value, r.previous, r.change,
                                *(r.by_district if street else []), _direction(r),
                                r.definition])
        sheet.column_dimensions["A"].width = 24
        for col in "CDE":
            sheet.column_dimensions[col].width = 10
    return workbook_bytes(wb)


def _chart(rows: list[ReportRow], width: float, font: str) -> Any:
    """This period against the previous one, per indicator (one unit per chart: the rates,
    else the counts), drawn as vectors into the PDF."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    shown = [r for r in rows if r.value or r.previous]
    if not shown:  # nothing but zeros and blanks: the table says it, no empty chart
        return None
    height = 30 + 22 * len(shown)
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 20, width - 230, height - 30
    chart.data = [[r.previous or 0 for r in shown], [r.value or 0 for r in shown]]
    chart.categoryAxis.categoryNames = [f"{r.label}（{r.unit}）" for r in shown]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.reverseDirection = True
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#BDBDBD")
    chart.bars[1].fillColor = colors.HexColor("#C62828")
    chart.barSpacing = 1
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 70, height - 10
    legend.fontName, legend.fontSize = font, 7
    legend.colorNamePairs = [(colors.HexColor("#BDBDBD"), "上期"),
                             (colors.HexColor("#C62828"), "本期")]
    drawing.add(legend)
    return drawing


def report_pdf(data: ReportData) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font, _embedded = pdf_font(_pdf_texts(data))
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, spaceAfter=4)
    h2 = ParagraphStyle("h", fontName=font, fontSize=12, leading=16, spaceBefore=6,
                        spaceAfter=4)
    body = ParagraphStyle("b", fontName=font, fontSize=8.5, leading=12)
    small = ParagraphStyle("s", fontName=font, fontSize=7.5, leading=10)
    width = A4[0] - 30 * mm
    story: list[Any] = [
        Paragraph(escape(data.title), title),
        Paragraph(escape(f"统计周期：{period_text(data.period)}"), small),
        Paragraph(escape("范围：" + "、".join(n for _c, n in data.districts)), small),
        Paragraph(escape(f"生成时间：{data.generated_at:%Y-%m-%d %H:%M}"), small),
        Spacer(1, 4 * mm)]
    street = len(data.districts) > 1
    for module, rows in data.sections:
        story.append(Paragraph(escape(module), h2))
        head = ["指标", "本期", "上期", "变化"] + ([n for _c, n in data.districts]
                                              if street else [])
        table = [[Paragraph(escape(h), small) for h in head]]
        for r in rows:
            cells = [f"{r.label}（{r.unit}）", number(r.value), number(r.previous),
                     number(r.change), *(number(v) for v in (r.by_district if street else []))]
            table.append([Paragraph(escape(c), body) for c in cells])
        first = 60 * mm
        rest = (width - first) / (len(head) - 1)
        t = Table(table, repeatRows=1, colWidths=[first] + [rest] * (len(head) - 1))
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#FFCDD2")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(t)
        for unit_rows in (_split_by_unit(rows)):
            chart = _chart(unit_rows, width, font)
            if chart is not None:
                story += [Spacer(1, 2 * mm), chart]
        story.append(Spacer(1, 3 * mm))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=data.title)
    doc.build(story)
    return out.getvalue()


def _pdf_texts(data: ReportData) -> list[str]:
    """Every string the PDF draws (its font holds just these characters)."""
    texts = [data.title, period_text(data.period), "统计周期：范围：生成时间：",
             "指标本期上期变化", *(n for _c, n in data.districts)]
    for module, rows in data.sections:
        texts.append(module)
        texts += [f"{r.label}（{r.unit}）" for r in rows]
    return texts


def _split_by_unit(rows: list[ReportRow]) -> list[list[ReportRow]]:
    """Percentages in one chart, the other units in another (one scale per chart)."""
    rates = [r for r in rows if r.unit == "%"]
    others = [r for r in rows if r.unit != "%"]
    return [g for g in (rates, others) if g]


def file_name(data_title: str, fmt: str) -> str:
    return f"{data_title.replace(' ', '_')}.{fmt}"


def download_response(body: bytes, fmt: str, title: str) -> Any:
    """The answer carrying a report's file (the console's download and the API's): its
    Chinese title as the file name, RFC 5987 ``filename*`` (Django writes it for
    non-ASCII names)."""
    response = HttpResponse(body, content_type=XLSX if fmt == "xlsx" else PDF)
    response["Content-Disposition"] = content_disposition_header(True, file_name(title, fmt))
    return response
