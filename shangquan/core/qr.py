"""QR codes: one module for every printed code (merchant posters, liaison stations).

``qr_matrix`` encodes (error correction M, a 2-module quiet zone); the ``*_modules``
helpers draw its dark modules into an SVG, a Pillow image or a reportlab canvas, so
each poster lays out its own frame and text around the same code.
"""

from __future__ import annotations

from typing import Any

import qrcode
from django.utils.safestring import SafeString
from PIL import ImageDraw

from .markup import join, tag

Matrix = list[list[bool]]


def qr_matrix(data: str) -> Matrix:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def _dark(matrix: Matrix):
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                yield x, y


def svg_modules(matrix: Matrix, *, left: float, top: float, cell: float) -> SafeString:
    """One ``<rect>`` per dark module, to put inside an ``<svg>`` (``core.markup.tag``)."""
    return join(*(tag("rect", x=left + x * cell, y=top + y * cell, width=cell, height=cell)
                  for x, y in _dark(matrix)))


def qr_svg(data: str, *, css_class: str, label: str) -> SafeString:
    """A bare code as inline SVG (one unit per module), for a page to show and scan."""
    matrix = qr_matrix(data)
    size = len(matrix)
    return tag("svg", tag("rect", width=size, height=size, fill="#fff"),
               tag("g", svg_modules(matrix, left=0, top=0, cell=1), fill="#000"),
               class_=css_class, viewBox=f"0 0 {size} {size}", role="img", aria_label=label,
               xmlns="http://www.w3.org/2000/svg")


def png_modules(draw: ImageDraw.ImageDraw, matrix: Matrix, *, left: int, top: int,
                cell: int, fill: Any = "black") -> None:
    """Fill the dark modules on a Pillow image (whole pixels, no gaps between modules)."""
    for x, y in _dark(matrix):
        draw.rectangle([left + x * cell, top + y * cell, left + (x + 1) * cell - 1,
                        top + (y + 1) * cell - 1], fill=fill)


def pdf_modules(canvas: Any, matrix: Matrix, *, left: float, top: float,
                cell: float) -> None:
    """Fill the dark modules on a reportlab canvas; ``top`` is the code's upper edge."""
    for x, y in _dark(matrix):
        canvas.rect(left + x * cell, top - (y + 1) * cell, cell, cell, stroke=0, fill=1)
