"""Faults outside the domain answer in the API's error format, never Django's HTML page.

- The database is unreachable (a restart, a lost connection, a lock that timed out):
  503 ``database_unavailable`` with ``Retry-After``. Django closes an unusable connection
  at the end of the request (``close_old_connections``; the psycopg pool checks its
  connections, ``CONN_HEALTH_CHECKS``), so the next request connects afresh.
- A body over the limit: 413 ``payload_too_large`` (the ASGI guard in ``shangquan/asgi.py``
  refuses it before it is read; this catches what Django itself refuses).

``DatabaseUnavailableMiddleware`` turns a view's database fault into the 503;
``handler500`` / ``handler400`` (``shangquan/urls.py``) catch the same faults raised in
middleware, where no ``process_exception`` sees them.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .markup import tag
from .middleware import error_json, wants_json
from .uploads import PhotoTooLarge

logger = logging.getLogger("shangquan.faults")

RETRY_AFTER_SECONDS = 2


def is_database_unavailable(exc: BaseException | None) -> bool:
    """A connection-level fault: the server went away, refused us, or a lock timed out.

    SQLite's OperationalError also covers schema errors ("no such table"): those stay 500.
    """
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    message = str(exc).lower()
    if "no such" in message or "syntax error" in message:
        return False
    return True


def database_unavailable(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    logger.warning("database unavailable: %s %s: %s", request.method, request.path, exc)
    message = _("数据库暂时不可用，请稍后重试")
    if wants_json(request):
        response = error_json("database_unavailable", message, status=503)
    else:
        # No base template: its context (user, menus) would need the database too.
        page = tag("html", tag("meta", charset="utf-8"), tag("title", message),
                   tag("h1", message), tag("p", tag("code", "database_unavailable")),
                   lang="zh-hans")
        response = HttpResponse("<!doctype html>" + page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def payload_too_large(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    logger.warning("payload too large: %s %s", request.method, request.path)
    message = _("请求内容太大")
    if limit:
        message = _("请求内容太大（上限 %(mb)s MB）") % {"mb": max(1, limit // (1024 * 1024))}
    response = error_json("payload_too_large", message, {"limit": limit} if limit else None,
                          status=413)
    response["Connection"] = "close"
    return response


class DatabaseUnavailableMiddleware:
    """A view that loses the database answers 503 with Retry-After (API error format)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_database_unavailable(exception):
            return database_unavailable(request, exception)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database fault raised anywhere becomes the 503; else the 500."""
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        return database_unavailable(request, exc)
    if wants_json(request):
        return error_json("server_error", _("服务器内部错误"), status=500)
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: an oversized body is 413; every bad request speaks the API format."""
    if isinstance(exception, PhotoTooLarge):
        limit = exception.limit
        return error_json("photo_too_large", _("照片太大（上限 %(mb)s MB）")
                          % {"mb": limit // (1024 * 1024)}, {"limit": limit}, status=413)
    if isinstance(exception, RequestDataTooBig):
        return payload_too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return error_json("too_many_fields", _("表单字段或文件太多"), status=400)
    if wants_json(request):
        return error_json("bad_request", _("请求无效"), status=400)
    return defaults.bad_request(request, exception)
