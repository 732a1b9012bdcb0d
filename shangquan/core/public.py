"""The public district home ``/d/<code>/``: the way in for residents and visitors.

Core knows no app: each app contributes its entries (``Contributions.public_tiles``), so
随手拍, tracking, the public report list, 公平秤 and later the stations appear when their
app is installed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .extensions import collect
from .selectors import district_get_public


def district_home(request: HttpRequest, code: str) -> HttpResponse:
    district = district_get_public(code=code)
    tiles = [tile for provider in collect("public_tiles")
             for tile in provider(district, request.user)]
    tiles.sort(key=lambda t: t.get("order", 100))
    return render(request, "core/district_home.html", {"district": district, "tiles": tiles})
