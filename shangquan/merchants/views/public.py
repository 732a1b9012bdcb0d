"""Public pages: the merchant page behind the QR code."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from shangquan.core.pagecache import shared_page

from ..public import PAGES, cache_key, merchant_stamp, page_fragment


@require_GET
def public_page(request: HttpRequest, token: str) -> HttpResponse:
    """Thousands of visitors on a crowded night: anonymous ones get a cached page.

    The only per-request work on a hit is one indexed query (has the merchant changed?)
    and this visitor's own CSRF token for the language switch.
    """
    stamp = merchant_stamp(token)

    def page(extra: dict) -> HttpResponse:
        fragment = page_fragment(request, token, stamp)
        return render(request, "merchants/public_page.html", {
            "title": fragment["title"], "district_name": fragment["district"],
            "body": mark_safe(fragment["html"]), **extra})  # our own template's output

    # ?lang= and the like: not one of the shared pages
    return shared_page(request, PAGES, cache_key(token), stamp, page, share=not request.GET)
