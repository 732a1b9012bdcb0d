"""Printable QR posters (PNG, SVG, PDF) for a merchant's public page.

The code carries site_url() + /m/<public token>/ and nothing else: no internal id. The
PDF embeds the Chinese it prints (``core.pdf_fonts``: a subset of the machine's CJK font,
STSong-Light only on a machine without one); the PNG uses the same CJK font file.
"""

from __future__ import annotations

import io

from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

from shangquan.core.links import absolute_url
from shangquan.core.markup import tag
from shangquan.core.pdf_fonts import cjk_font_path, pdf_font
from shangquan.core.qr import pdf_modules, png_modules, qr_matrix, svg_modules

from .models import Merchant

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def poster_url(merchant: Merchant) -> str:
    path = reverse("merchants:public_page", kwargs={"token": merchant.public_token})
    return absolute_url(path)


def _font(size: int, *, cjk: bool) -> ImageFont.ImageFont:
    path = cjk_font_path() if cjk else None
    if path:
        return ImageFont.truetype(path, size)
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default()


def _lines(merchant: Merchant) -> tuple[str, str, str]:
    place = " · ".join(p for p in (merchant.stall_no, merchant.category) if p)
    return merchant.name, merchant.district.name, place


def poster_png(merchant: Merchant) -> bytes:
    url = poster_url(merchant)
    matrix = qr_matrix(url)
    width, cell = 1240, 0
    cell = (width - 240) // len(matrix)
    size = cell * len(matrix)
    height = size + 520
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width, 150], fill=(183, 28, 28))
    name, district, place = _lines(merchant)
    has_cjk = cjk_font_path() is not None
    title_font = _font(64, cjk=True)
    # Without a CJK font the PNG shows the stall and address code words it can draw.
    draw.text((width // 2, 75), district if has_cjk else merchant.district.code,
              fill="white", font=title_font, anchor="mm")
    left, top = (width - size) // 2, 190
    png_modules(draw, matrix, left=left, top=top, cell=cell)
    draw.text((width // 2, top + size + 90), name if has_cjk else merchant.stall_no or "QR",
              fill="black", font=_font(80, cjk=True), anchor="mm")
    caption = "扫码查看商户信息 · 我要反映" if has_cjk else url
    draw.text((width // 2, top + size + 190), caption, fill=(90, 90, 90),
              font=_font(40, cjk=True), anchor="mm")
    if place and has_cjk:
        draw.text((width // 2, top + size + 260), place, fill=(90, 90, 90),
                  font=_font(40, cjk=True), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def poster_svg(merchant: Merchant) -> bytes:
    url = poster_url(merchant)
    matrix = qr_matrix(url)
    cell, n = 10, len(matrix)
    size = cell * n
    width, height = size + 120, size + 300
    left, top = 60, 110
    rects = svg_modules(matrix, left=left, top=top, cell=cell)
    name, district, place = _lines(merchant)
    font = "'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif"

    def line(y: float, text: str, **style) -> str:
        return tag("text", text, x=width / 2, y=y, text_anchor="middle", font_family=font,
                   **style)

    svg = tag("svg",
              tag("rect", width="100%", height="100%", fill="#fff"),
              tag("rect", width="100%", height=80, fill="#b71c1c"),
              line(52, district, fill="#fff", font_size=30),
              tag("g", rects, fill="#000"),
              line(top + size + 60, name, font_size=36, font_weight="bold"),
              line(top + size + 105, "扫码查看商户信息 · 我要反映", font_size=20, fill="#555"),
              line(top + size + 140, place, font_size=18, fill="#555"),
              xmlns="http://www.w3.org/2000/svg", width=width, height=height,
              viewBox=f"0 0 {width} {height}", role="img", aria_label=name)
    return svg.encode()


def poster_pdf(merchants: list[Merchant]) -> bytes:
    """One A5 page per merchant (a batch prints a whole grid at once)."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    lines = [_lines(m) for m in merchants]
    font, _embedded = pdf_font([*(t for line in lines for t in line), "商户二维码",
                                "扫码查看商户信息 · 我要反映"])
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A5)
    width, height = A5
    pdf.setTitle("商户二维码")
    for merchant, (name, district, place) in zip(merchants, lines, strict=True):
        pdf.setFillColorRGB(0.72, 0.11, 0.11)
        pdf.rect(0, height - 70, width, 70, stroke=0, fill=1)
        pdf.setFillColorRGB(1, 1, 1)
        pdf.setFont(font, 20)
        pdf.drawCentredString(width / 2, height - 45, district)
        matrix = qr_matrix(poster_url(merchant))
        cell = (width - 120) / len(matrix)
        left, top = 60, height - 100
        pdf.setFillColorRGB(0, 0, 0)
        pdf_modules(pdf, matrix, left=left, top=top, cell=cell)
        bottom = top - len(matrix) * cell
        pdf.setFont(font, 26)
        pdf.drawCentredString(width / 2, bottom - 40, name)
        pdf.setFont(font, 13)
        pdf.setFillColorRGB(0.35, 0.35, 0.35)
        pdf.drawCentredString(width / 2, bottom - 66, "扫码查看商户信息 · 我要反映")
        if place:
            pdf.drawCentredString(width / 2, bottom - 86, place)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def poster(merchant: Merchant, fmt: str) -> bytes:
    if fmt == "png":
        return poster_png(merchant)
    if fmt == "svg":
        return poster_svg(merchant)
    return poster_pdf([merchant])
