"""Shared django-ninja pieces: authentication, pagination, error mapping.

Every app's ``api.py`` builds a ``Router`` with these; ``shangquan/api.py`` mounts them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from .errors import DomainError
from .models import Device


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` for people and devices."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from .services import token_resolve

        api_token = token_resolve(raw=token)
        if api_token is None:
            return None
        request.api_token = api_token
        if api_token.user_id:
            request.user = api_token.user
            request.device = None
            return api_token.user
        request.user = AnonymousUser()
        request.device = api_token.device
        return api_token.device


# Session (with CSRF, for the web pages' own calls) or bearer token.
AUTH = [BearerAuth(), django_auth]


class OptionalAuth(BearerAuth):
    """For public endpoints that also accept a signed-in caller: never refuses."""

    def __call__(self, request: HttpRequest) -> Any:
        result = super().__call__(request)
        if result is not None:
            return result
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else AnonymousUser()


OPTIONAL_AUTH = [OptionalAuth()]


def request_device(request: HttpRequest) -> Device | None:
    return getattr(request, "device", None)


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


class Page(Schema):
    count: int
    limit: int
    offset: int


def paginate(qs, *, limit: int = 50, offset: int = 0, max_limit: int = 500):
    """(items, meta) with bounded limits; callers build their own ``items`` schema."""
    limit = max(1, min(int(limit or 50), max_limit))
    offset = max(0, int(offset or 0))
    return list(qs[offset:offset + limit]), {"count": qs.count(), "limit": limit,
                                              "offset": offset}


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request, code: str, message: str, details: Any, status: int):
        return api.create_response(request, {"code": code, "message": message,
                                             "details": details}, status=status)

    @api.exception_handler(DomainError)
    def on_domain_error(request, exc: DomainError):
        return respond(request, exc.code, str(exc.message), exc.details, exc.status)

    @api.exception_handler(NinjaValidationError)
    def on_validation_error(request, exc: NinjaValidationError):
        details = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""),
                    "type": e.get("type", "")} for e in exc.errors]
        return respond(request, "validation_error", _("输入有误"), details, 422)

    @api.exception_handler(DjangoValidationError)
    def on_django_validation_error(request, exc: DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return respond(request, "validation_error", _("输入有误"), details, 422)

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request, exc):
        return respond(request, "not_authenticated", _("请先登录或提供有效的令牌"), {}, 401)

    @api.exception_handler(Http404)
    def on_404(request, exc):
        return respond(request, "not_found", _("未找到"), {}, 404)

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        return respond(request, f"http_{exc.status_code}", str(exc), {}, exc.status_code)
