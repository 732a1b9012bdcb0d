"""Absolute links that survive installation (posters, station codes, notifications).

``SHANGQUAN_SITE_URL`` wins when it is set. Otherwise a link made while serving a
request uses that request's scheme and host (so a poster printed from
``http://10.0.0.5:9000`` points at ``http://10.0.0.5:9000``); work done outside a request
(the worker, commands) falls back to ``http://<SHANGQUAN_HOST>:<SHANGQUAN_PORT>``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_request_base: ContextVar[str] = ContextVar("shangquan_request_base", default="")


def fallback_url() -> str:
    host = os.environ.get("SHANGQUAN_HOST", "127.0.0.1")
    if host in ("0.0.0.0", "::", ""):  # a bind-all address is not a place to browse to
        host = "127.0.0.1"
    return f"http://{host}:{os.environ.get('SHANGQUAN_PORT', '8000')}"


def request_base(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def site_url(request: HttpRequest | None = None) -> str:
    """The scheme + host (no trailing slash) that absolute links start with."""
    configured = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is not None:
        return request_base(request)
    return _request_base.get() or fallback_url()


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    return site_url(request) + path


class SiteURLMiddleware:
    """Remembers the current request's base so links made deeper down (a poster, a
    notification) use the host the visitor actually reached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            base = request_base(request)
        except Exception:  # DisallowedHost: CommonMiddleware answers it later
            base = ""
        token = _request_base.set(base)
        try:
            return self.get_response(request)
        finally:
            _request_base.reset(token)
