"""Staff console pages for merchants, grids, rosters, imports and posters."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shangquan.core import policies
from shangquan.core.views import district_console_view

from . import selectors


@district_console_view
def merchant_list_view(request: HttpRequest) -> HttpResponse:
    policies.require(request.user, request.district, "merchant.view")
    g = request.GET
    qs = selectors.merchant_list(district=request.district, q=g.get("q", "").strip(),
                                 category=g.get("category", ""), status=g.get("status", ""),
                                 grid=g.get("grid") or None,
                                 association=g.get("association") or None)
    page = Paginator(qs, 50).get_page(g.get("page"))
    return render(request, "merchants/list.html", {
        "page": page, "categories": selectors.merchant_categories(district=request.district),
        "grids": selectors.grid_list(district=request.district),
        "can_manage": policies.can(request.user, request.district, "merchant.update"),
    })
