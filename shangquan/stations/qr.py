"""A station's code: site_url() + the station's public page (its token, never an id), as a
printable SVG card and a PNG; the code itself comes from ``shangquan.core.qr``."""

from __future__ import annotations

import io

from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from shangquan.core.links import absolute_url
from shangquan.core.markup import tag
from shangquan.core.qr import png_modules, qr_matrix, svg_modules

from .models import Station


def station_url(station: Station) -> str:
    return absolute_url(reverse("stations:station", kwargs={
        "code": station.district.code, "token": station.public_token}))


def station_qr_svg(station: Station) -> bytes:
    matrix = qr_matrix(station_url(station))
    cell, n = 10, len(matrix)
    size = cell * n
    font = "'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif"
    middle = (size + 60) / 2
    return tag("svg",
               tag("rect", width="100%", height="100%", fill="#fff"),
               tag("text", _("扫码查看站点 · 设施报修"), x=middle, y=55, font_size=24,
                   text_anchor="middle", fill="#b71c1c", font_family=font),
               tag("g", svg_modules(matrix, left=30, top=90, cell=cell)),
               tag("text", station.name, x=middle, y=size + 130, font_size=24,
                   text_anchor="middle", font_family=font),
               xmlns="http://www.w3.org/2000/svg", width=size + 60, height=size + 170,
               role="img", aria_label=station.name).encode()


def station_qr_png(station: Station) -> bytes:
    matrix = qr_matrix(station_url(station))
    cell = 8
    size = cell * len(matrix)
    image = Image.new("RGB", (size, size), "white")
    png_modules(ImageDraw.Draw(image), matrix, left=0, top=0, cell=cell)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
