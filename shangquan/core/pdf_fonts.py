"""Chinese in generated PDFs (ceremony prints, merchant posters, data reports), with the
font embedded: a print shop's or a reader's machine may have no 宋体 to fall back on.

The font is the machine's CJK font (:func:`cjk_font_path`: ``SHANGQUAN["POSTER_FONT"]``,
else Noto CJK / WenQuanYi / Droid from the usual places). reportlab embeds TrueType
outlines only, and Noto CJK's are CFF, so a document's characters are cut out of it
(fontTools' subsetter) and their curves turned quadratic (cu2qu) into a small TrueType
font that reportlab embeds (``FontFile2``, with a ToUnicode map so the text extracts).
A machine without any CJK font falls back on reportlab's STSong-Light (a CID font the
reader supplies, not embedded).

Usage: ``font, embedded = pdf_font(every_text_the_document_draws)``; the font can draw
every character of that text (and printable ASCII).
"""

from __future__ import annotations

import hashlib
import io
import logging
import string
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings

FALLBACK_FONT = "STSong-Light"
CJK_FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]
# always in the subset: what numbers, dates and units are written with
BASIC = string.printable.strip() + " ·—–%（）：、，。年月日周季度至第"
logging.getLogger("fontTools").setLevel(logging.WARNING)  # the subsetter talks at INFO


@cache
def cjk_font_path() -> str | None:
    """The machine's CJK font file (configured, else the first candidate present)."""
    configured = getattr(settings, "SHANGQUAN", {}).get("POSTER_FONT")
    for candidate in [configured, *CJK_FONT_CANDIDATES]:
        if candidate and Path(candidate).exists():
            return candidate
    return None


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


def truetype_subset(path: str, text: str, tag: str = "") -> bytes:
    """A TrueType (glyf) font holding just ``text``'s characters, from any OpenType font.

    ``tag`` is appended to its PostScript name: reportlab keeps one font per face name
    and hands the first registered one to every later font of that name, so each subset
    needs a name of its own or a later document would print (and map for copy and
    search) the first subset's glyphs."""
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
    if tag:
        name = font["name"]
        ps = (name.getDebugName(6) or "CJK").replace(" ", "")
        for record in list(name.names):
            if record.nameID == 6:
                name.setName(f"{ps}-{tag}"[:63], 6, record.platformID, record.platEncID,
                             record.langID)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@lru_cache(maxsize=32)
def _embedded_font(path: str, text: str) -> str:
    """Register (once per character set) and return the reportlab font name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    digest = hashlib.sha1(f"{path}\n{text}".encode()).hexdigest()[:10]
    name = "SQCJK-" + digest
    if name not in pdfmetrics.getRegisteredFontNames():
        font = TTFont(name, io.BytesIO(truetype_subset(path, text, tag=digest)))
        pdfmetrics.registerFont(font)
        if pdfmetrics.getFont(name) is not font:  # pragma: no cover - the tag above
            raise RuntimeError(f"{name}: the face name of another subset")
    return name


def fallback_font() -> str:
    """reportlab's STSong-Light CID font (not embedded: the reader supplies it)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def pdf_font(text: str | Iterable[str]) -> tuple[str, bool]:
    """(reportlab font name, embedded?) able to draw every character of ``text`` (a string
    or the strings a document draws) and of ``BASIC``."""
    if not isinstance(text, str):
        text = "".join(str(t) for t in text)
    path = cjk_font_path()
    if path:
        chars = "".join(sorted(set(text + BASIC) - set("\n\r\t\x0b\x0c")))
        try:
            return _embedded_font(path, chars), True
        except Exception:  # an unreadable font: print with the CID fallback
            logging.getLogger(__name__).exception("CJK font %s unusable", path)
    return fallback_font(), False
