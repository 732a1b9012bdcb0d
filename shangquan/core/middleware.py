from __future__ import annotations

import json

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import idempotency
from .errors import DomainError, NotAuthenticated


def wants_json(request: HttpRequest) -> bool:
    return (request.path.startswith(("/api/", "/open311/"))
            or "application/json" in request.META.get("HTTP_ACCEPT", ""))


def error_json(code: str, message: str, details=None, status: int = 400) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": details or {}},
                        status=status, json_dumps_params={"ensure_ascii": False})


class IdempotencyMiddleware:
    """Replays the stored answer to a POST retried with the same Idempotency-Key.

    The claim, the request's own writes and the stored answer share one transaction
    (``core/idempotency.py``): all commit, or none does.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return self.get_response(request)
        key = idempotency.request_key(request)
        if not key:
            return self.get_response(request)
        scope = idempotency.request_scope(request)
        fingerprint = idempotency.request_fingerprint(request)
        with idempotency.watching_secrets() as secrets, transaction.atomic():
            try:
                record, is_new = idempotency.claim(scope=scope, key=key, request=request,
                                                   fingerprint=fingerprint)
            except idempotency.InProgress:
                response = error_json("idempotency_in_progress",
                                      _("相同请求正在处理中，请稍后重试"), status=409)
                response["Retry-After"] = str(max(1, round(idempotency.wait_seconds())))
                return response
            if not is_new:
                if record.request_hash != fingerprint:
                    return error_json("idempotency_key_reused",
                                      _("该 Idempotency-Key 已用于另一请求"), status=422)
                return idempotency.replay(record)
            response = self.get_response(request)
            idempotency.store(record, response, secrets=secrets)
        return response


class DomainErrorMiddleware:
    """Domain errors raised in server-rendered views become a friendly page (or JSON)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DomainError):
            return None
        if wants_json(request):
            return error_json(exception.code, str(exception.message), exception.details,
                              exception.status)
        if isinstance(exception, NotAuthenticated) and request.method == "GET":
            from django.contrib.auth.views import redirect_to_login
            return redirect_to_login(request.get_full_path())
        return render(request, "core/error.html", {"error": exception},
                      status=exception.status)


CSP = "; ".join([
    "default-src 'self'",
    "img-src 'self' data: blob: https://*.tile.openstreetmap.org https://webrd01.is.autonavi.com https://webrd02.is.autonavi.com https://webrd03.is.autonavi.com https://webrd04.is.autonavi.com",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "connect-src 'self'",
    "font-src 'self' data:",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
])


class ContentSecurityPolicyMiddleware:
    """Scripts only from our own origin: the npm-installed libraries are served by us."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        return response


def json_body(request: HttpRequest) -> dict:
    try:
        return json.loads(request.body or b"{}")
    except ValueError:
        return {}
