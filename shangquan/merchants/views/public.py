"""Public pages: the merchant page behind the QR code."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from ..public import PAGES, cache_key, merchant_stamp, page_fragment

CSRF_PLACEHOLDER = "__shangquan_csrf__"


@require_GET
def public_page(request: HttpRequest, token: str) -> HttpResponse:
    """Thousands of visitors on a crowded night: anonymous ones get a cached page.

    The only per-request work on a hit is one indexed query (has the merchant changed?)
    and this visitor's own CSRF token for the language switch.
    """
    stamp = merchant_stamp(token)
    anonymous = not request.user.is_authenticated and not request.GET
    key = cache_key(token)
    body = PAGES.get(key, stamp) if anonymous else None
    if body is None:
        fragment = page_fragment(request, token, stamp)
        context = {"title": fragment["title"], "district_name": fragment["district"],
                   "body": mark_safe(fragment["html"])}  # our own template's output
        if anonymous:
            context["csrf_token"] = CSRF_PLACEHOLDER
            body = render(request, "merchants/public_page.html", context).content
            PAGES.put(key, stamp, {"body": body})
        else:
            response = render(request, "merchants/public_page.html", context)
            response["Cache-Control"] = "private, max-age=30"
            return response
    else:
        body = body["body"]
    response = HttpResponse(body.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode()))
    response["Cache-Control"] = "private, max-age=30"
    return response
