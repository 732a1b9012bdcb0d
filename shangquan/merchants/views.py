"""Public pages: the merchant page behind the QR code."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from .public import page_fragment


@require_GET
def public_page(request: HttpRequest, token: str) -> HttpResponse:
    fragment = page_fragment(request, token)
    response = render(request, "merchants/public_page.html", {
        "title": fragment["title"], "district_name": fragment["district"],
        "body": mark_safe(fragment["html"])})  # our own template's output
    response["Cache-Control"] = "public, max-age=30"
    return response
