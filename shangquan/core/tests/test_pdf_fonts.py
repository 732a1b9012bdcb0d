"""Chinese in generated PDFs: the font program is inside the file (TrueType FontFile2,
a subset of the machine's CJK font) and the text extracts as written."""

from __future__ import annotations

import io

from pypdf import PdfReader

from shangquan.core.pdf_fonts import FALLBACK_FONT, cjk_font_path, pdf_font

STANDARD = {"/Helvetica", "/Times-Roman", "/Courier", "/Symbol", "/ZapfDingbats"}


def pdf_fonts(body: bytes) -> dict[str, bool]:
    """Every font the pages use: base name → its program embedded as TrueType (FontFile2)."""
    out: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(body)).pages:
        resources = page.get("/Resources") or {}
        fonts = resources.get_object().get("/Font") or {}
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            if descendants:
                font = descendants.get_object()[0].get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = bool(descriptor and "/FontFile2" in descriptor.get_object())
            out[str(font.get("/BaseFont"))] = embedded
    return out


def pdf_text(body: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_a_cjk_font_is_on_the_machine():
    assert cjk_font_path(), "a CJK font must be installed (fonts-noto-cjk)"


def _document(lines: list[str]) -> tuple[str, bytes]:
    from reportlab.pdfgen import canvas

    font, embedded = pdf_font(lines)
    assert embedded and font.startswith("SQCJK-") and font != FALLBACK_FONT
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.setFont(font, 14)
    for i, line in enumerate(lines):
        pdf.drawString(40, 800 - 24 * i, line)
    pdf.showPage()
    pdf.save()
    return font, out.getvalue()


def test_each_document_gets_its_own_subset():
    """A later document's characters are its own subset's, not the first one's (reportlab
    keeps one font per face name: each subset is named apart)."""
    _document(["凌河夜市 周报"])
    lines = ["凌河夜市 周报", "商圈共治平台数据报告", "胜阳港街道 第3片区"]
    _font, body = _document(lines)
    assert "".join(pdf_text(body).split()) == "".join("".join(lines).split())


def test_the_subset_is_embedded_and_the_text_extracts():
    lines = ["凌河夜市 周报 2026-W48", "外摆合规率（%）98.5", "工单总数（件）1234"]
    font, body = _document(lines)
    fonts = pdf_fonts(body)
    # every font beyond the standard 14 (reportlab's unused Helvetica default) is embedded
    assert fonts and all(e for name, e in fonts.items() if name not in STANDARD), fonts
    assert any("CJK" in name for name, e in fonts.items() if e), fonts
    assert len(body) < 200_000  # a subset, not the 20 MB collection
    assert FALLBACK_FONT.encode() not in body
    text = "".join(pdf_text(body).split())
    for line in lines:
        assert "".join(line.split()) in text
    # the same characters twice: the one registered font, not a second subset
    assert pdf_font(list(reversed(lines)))[0] == font
