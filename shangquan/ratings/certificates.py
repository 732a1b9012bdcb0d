"""Ceremony prints: certificates (荣誉证书) and plaques (牌匾), one per page, as PDF with
the Chinese font embedded (a print shop's machine has no 宋体 to fall back on).

The font is embedded by ``core.pdf_fonts`` (shared with the merchants' posters and the
dashboard's reports): the batch's characters cut out of the machine's Noto CJK into a
small TrueType font (``FontFile2``); without any CJK font, STSong-Light (not embedded).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from shangquan.core.pdf_fonts import pdf_font


@dataclass(frozen=True)
class Page:
    """One printed page: a certificate (``kind="certificate"``) or a plaque."""

    kind: str
    merchant: str
    title: str
    district: str
    occasion: str
    issuer: str
    date: str
    detail: str = ""


def _page_texts(page: Page) -> list[str]:
    return [page.merchant, page.title, page.district, page.occasion, page.issuer, page.date,
            page.detail, "荣誉证书特发此证以资鼓励：。「」被评为在中"]


def _fit(pdf, font: str, text: str, size: float, width: float) -> float:
    from reportlab.pdfbase import pdfmetrics

    while size > 10 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 2
    return size


def _certificate(pdf, font: str, page: Page, width: float, height: float) -> None:
    red = (0.72, 0.11, 0.11)
    gold = (0.78, 0.6, 0.2)
    pdf.setStrokeColorRGB(*red)
    pdf.setLineWidth(10)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setStrokeColorRGB(*gold)
    pdf.setLineWidth(2)
    pdf.rect(40, 40, width - 80, height - 80)
    pdf.setFillColorRGB(*red)
    pdf.setFont(font, 52)
    pdf.drawCentredString(width / 2, height - 130, "荣誉证书")
    pdf.setFillColorRGB(0.1, 0.1, 0.1)
    pdf.setFont(font, 26)
    pdf.drawString(110, height - 210, f"{page.merchant}：")
    sentence = f"在{page.district}{page.occasion}中，被评为"
    pdf.setFont(font, _fit(pdf, font, sentence, 22, width - 280))
    pdf.drawString(160, height - 262, sentence)
    pdf.setFillColorRGB(*red)
    title = f"「{page.title}」"
    pdf.setFont(font, _fit(pdf, font, title, 40, width - 220))
    pdf.drawCentredString(width / 2, height - 330, title)
    pdf.setFillColorRGB(0.1, 0.1, 0.1)
    if page.detail:
        pdf.setFont(font, 16)
        pdf.drawCentredString(width / 2, height - 370, page.detail)
    pdf.setFont(font, 22)
    pdf.drawString(160, height - 410, "特发此证，以资鼓励。")
    pdf.setFont(font, 20)
    pdf.drawRightString(width - 110, 130, page.issuer)
    pdf.drawRightString(width - 110, 98, page.date)


def _plaque(pdf, font: str, page: Page, width: float, height: float) -> None:
    pdf.setFillColorRGB(0.62, 0.08, 0.08)
    pdf.rect(0, 0, width, height, stroke=0, fill=1)
    pdf.setStrokeColorRGB(0.85, 0.68, 0.25)
    pdf.setLineWidth(8)
    pdf.rect(30, 30, width - 60, height - 60)
    pdf.setFillColorRGB(0.98, 0.84, 0.4)
    pdf.setFont(font, _fit(pdf, font, page.title, 96, width - 140))
    pdf.drawCentredString(width / 2, height / 2 + 20, page.title)
    pdf.setFont(font, 26)
    pdf.drawCentredString(width / 2, height / 2 - 60, page.merchant)
    pdf.setFont(font, 20)
    pdf.drawCentredString(width / 2, 100, f"{page.issuer} · {page.occasion}")
    pdf.drawCentredString(width / 2, 70, page.date)


def ceremony_pdf(pages: list[Page], *, title: str = "颁奖") -> bytes:
    """One A4 landscape page per ``Page``, the CJK font embedded."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    text = "".join(t for page in pages for t in _page_texts(page)) + title + " ·0123456789年月日"
    font, _embedded = pdf_font(text)
    out = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(out, pagesize=(width, height))
    pdf.setTitle(title)
    for page in pages:
        if page.kind == "plaque":
            _plaque(pdf, font, page, width, height)
        else:
            _certificate(pdf, font, page, width, height)
        pdf.showPage()
    pdf.save()
    return out.getvalue()
