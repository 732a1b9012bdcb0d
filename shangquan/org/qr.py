"""A liaison station's QR code (SVG): SITE_URL + /s/<token>/, never an internal id."""

from __future__ import annotations

from xml.sax.saxutils import escape

import qrcode
from django.conf import settings
from django.urls import reverse

from .models import LiaisonStation


def station_url(station: LiaisonStation) -> str:
    return settings.SITE_URL + reverse("org:check_in", kwargs={"token": station.token})


def station_qr_svg(station: LiaisonStation) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(station_url(station))
    code.make(fit=True)
    matrix = code.get_matrix()
    cell, n = 10, len(matrix)
    size = cell * n
    rects = "".join(f'<rect x="{30 + x * cell}" y="{90 + y * cell}" width="{cell}" '
                    f'height="{cell}"/>'
                    for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    name = escape(station.name)
    font = "font-family=\"'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif\""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size + 60}" '
            f'height="{size + 170}" role="img" aria-label="{name}">'
            f'<rect width="100%" height="100%" fill="#fff"/>'
            f'<text x="{(size + 60) / 2}" y="55" font-size="26" text-anchor="middle" '
            f'fill="#b71c1c" {font}>流动党员扫码报到</text><g>{rects}</g>'
            f'<text x="{(size + 60) / 2}" y="{size + 130}" font-size="24" '
            f'text-anchor="middle" {font}>{name}</text></svg>').encode()
