"""A liaison station's printable code (SVG): site_url() + /s/<token>/, never an internal id.

Only the station's layout lives here; the code itself comes from ``shangquan.core.qr``.
"""

from __future__ import annotations

from django.urls import reverse

from shangquan.core.links import absolute_url
from shangquan.core.markup import tag
from shangquan.core.qr import qr_matrix, svg_modules

from .models import LiaisonStation


def station_url(station: LiaisonStation) -> str:
    return absolute_url(reverse("org:check_in", kwargs={"token": station.token}))


def station_qr_svg(station: LiaisonStation) -> bytes:
    matrix = qr_matrix(station_url(station))
    cell, n = 10, len(matrix)
    size = cell * n
    rects = svg_modules(matrix, left=30, top=90, cell=cell)
    font = "'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif"
    middle = (size + 60) / 2
    return tag("svg",
               tag("rect", width="100%", height="100%", fill="#fff"),
               tag("text", "流动党员扫码报到", x=middle, y=55, font_size=26,
                   text_anchor="middle", fill="#b71c1c", font_family=font),
               tag("g", rects),
               tag("text", station.name, x=middle, y=size + 130, font_size=24,
                   text_anchor="middle", font_family=font),
               xmlns="http://www.w3.org/2000/svg", width=size + 60, height=size + 170,
               role="img", aria_label=station.name).encode()
