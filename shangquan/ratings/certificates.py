"""Ceremony prints: certificates (荣誉证书) and plaques (牌匾), one per page, as PDF with
the Chinese font embedded (a print shop's machine has no 宋体 to fall back on).

The font is the one the merchants app's posters use (``merchants.poster.cjk_font_path``:
Noto CJK on our machines). reportlab embeds TrueType outlines only, and Noto CJK's are
CFF, so the batch's characters are cut out of it (fontTools' subsetter) and their curves
turned quadratic (cu2qu) into a small TrueType font that reportlab embeds (``FontFile2``).
A machine without any CJK font falls back on the merchants posters' STSong-Light (a CID
font the reader supplies, not embedded).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from functools import lru_cache

from shangquan.merchants.poster import cjk_font_path

FALLBACK_FONT = "STSong-Light"
logging.getLogger("fontTools").setLevel(logging.WARNING)  # the subsetter talks at INFO


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


def _sfnt_index(path: str) -> int:
    """In a collection (.ttc), the Simplified Chinese face; else 0."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    names = [font["name"].getDebugName(1) or "" for font in collection.fonts]
    for i, name in enumerate(names):
        if name.endswith(" SC") and "Mono" not in name:
            return i
    return 0


def _truetype_subset(path: str, text: str) -> bytes:
    """A TrueType (glyf) font holding just ``text``'s characters, from any OpenType font."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.subset import Options, Subsetter
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(path, fontNumber=_sfnt_index(path))
    options = Options()
    options.layout_features, options.hinting, options.desubroutinize = [], False, True
    options.notdef_outline, options.name_IDs = True, ["*"]
    subsetter = Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    if "CFF " in font:  # PostScript outlines → quadratic TrueType outlines
        order = font.getGlyphOrder()
        glyph_set = font.getGlyphSet()
        glyphs = {}
        for name in order:
            pen = TTGlyphPen(glyph_set)
            glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyphs[name] = pen.glyph()
        font["loca"] = newTable("loca")
        glyf = font["glyf"] = newTable("glyf")
        glyf.glyphOrder, glyf.glyphs = order, glyphs
        del font["CFF "]
        if "VORG" in font:
            del font["VORG"]
        maxp = font["maxp"]
        maxp.tableVersion = 0x00010000
        for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                      "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                      "maxComponentElements"):
            setattr(maxp, field, 0)
        maxp.maxZones = 1
        font["post"].formatType = 3.0  # no glyph names needed
        font["head"].glyphDataFormat = 0
        font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@lru_cache(maxsize=8)
def _embedded_font(path: str, text: str) -> str:
    """Register (once per character set) and return the reportlab font name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = "SQCJK-" + hashlib.sha1(f"{path}\n{text}".encode()).hexdigest()[:10]
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(_truetype_subset(path, text))))
    return name


def pdf_font(text: str) -> tuple[str, bool]:
    """(reportlab font name, embedded?) able to draw every character of ``text``."""
    path = cjk_font_path()
    if path:
        try:
            return _embedded_font(path, "".join(sorted(set(text))) or " "), True
        except Exception:  # an unreadable font: print with the CID fallback
            pass
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT, False


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
