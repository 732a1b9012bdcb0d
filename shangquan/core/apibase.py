"""Shared django-ninja pieces: authentication, pagination, error mapping.

Every app's ``api.py`` builds a ``Router`` with these; ``shangquan/api.py`` mounts them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, get_type_hints

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.pagination import paginate as ninja_paginate
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from .errors import DomainError, PermissionDenied, error_codes
from .models import Device
from .services import token_resolve


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` for people and devices."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
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


def csrf_require(request: HttpRequest) -> None:
    """A write riding on the session cookie must carry the CSRF token (or come from our
    own origin): else another site's page could post as the signed-in visitor, even as
    ``text/plain``. Bearer-token callers have no ambient cookie and are not asked."""
    if getattr(request, "_ninja_csrf_exempt", False):
        return
    if check_csrf(request) is not None:
        raise PermissionDenied(_("请求来源校验失败（CSRF），请刷新页面后重试"),
                               code="csrf_failed")


class CookieSessionAuth(SessionAuth):
    """The web pages' own calls: the Django session, CSRF-checked (403 ``csrf_failed``)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        csrf_require(request)
        return request.COOKIES.get(self.param_name)


# Session (with CSRF, for the web pages' own calls) or bearer token.
AUTH = [BearerAuth(), CookieSessionAuth()]


class OptionalAuth(BearerAuth):
    """For public endpoints that also accept a signed-in caller: never refuses an
    anonymous one; a signed-in session must pass the CSRF check like any cookie write."""

    def __call__(self, request: HttpRequest) -> Any:
        result = super().__call__(request)
        if result is not None:
            return result
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            csrf_require(request)
            return user
        return AnonymousUser()


OPTIONAL_AUTH = [OptionalAuth()]


def request_device(request: HttpRequest) -> Device | None:
    return getattr(request, "device", None)


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


# --- ids and pagination ----------------------------------------------------------------
# A primary key from request input: a positive integer that fits the database's bigint,
# so ``?grid=1e20`` or ``?grid=abc`` answers 422 ``validation_error``, never a 500.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

MAX_LIMIT = 500
MAX_OFFSET = 10**6


class Pagination(LimitOffsetPagination):
    """The one way to page a list endpoint: ``?limit=1..500`` (default 50), ``?offset=``.

    Answers ``{items, count, limit, offset}``. Use it as ``@paginate(Pagination)`` on an
    endpoint declared ``response=list[ItemSchema]`` that returns a queryset (or ``Rows``).
    """

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    class Output(Schema):
        items: list[Any]
        count: int
        limit: int
        offset: int

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest,
                          **params: Any) -> dict[str, Any]:
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        return {"items": queryset[offset:offset + limit], "count": self._items_count(queryset),
                "limit": limit, "offset": offset}


def paginate(view: Callable[..., Any]) -> Callable[..., Any]:
    """``@paginate`` under ``@router.get(..., response=list[ItemOut])``: ninja's pagination
    with ``Pagination``.

    The view's annotations are resolved first, in the view's own module: ninja reads them
    from the wrapper, whose module does not know names like ``PathStr`` (PEP 563 strings).
    """
    view.__annotations__ = get_type_hints(view, include_extras=True)
    return ninja_paginate(Pagination)(view)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_download(*content_types: str) -> dict[str, Any]:
    """``openapi_extra`` for an endpoint that answers a file: its 200 is typed as binary."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": "A file",
                                "content": {ct: binary for ct in content_types}}}}


class Rows:

    """A queryset whose page is shaped row by row: ``Rows(qs, lambda o: {...})``.

    For answers that depend on the caller (masked phones) or on several rows' relations;
    only the page's rows are shaped, ``count`` stays one query.
    """

    def __init__(self, queryset, row: Callable[[Any], Any]) -> None:
        self.queryset, self.row = queryset, row

    def all(self) -> Rows:
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list[Any]:
        return [self.row(obj) for obj in self.queryset[page]]


def install_error_handlers(api: NinjaAPI) -> None:
    """Map every error to ``{code, message, details}`` and document them in OpenAPI."""
    document_errors(api)

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
        if isinstance(exc.__cause__, DomainError):  # the parser's (core/inputs.py)
            return on_domain_error(request, exc.__cause__)
        if exc.status_code in HTTP_ERRORS:  # ninja's own, e.g. a body that is not JSON
            code, message = HTTP_ERRORS[exc.status_code]
            return respond(request, code, str(message), {}, exc.status_code)
        return respond(request, f"http_{exc.status_code}", str(exc), {}, exc.status_code)

    @api.exception_handler(IntegrityError)
    def on_integrity_error(request, exc: IntegrityError):
        # A unique (or other) constraint a service did not check first: a conflict with
        # what is stored, never a 500. The service's atomic block has rolled back.
        return respond(request, "conflict", _("与已有数据冲突（名称或编号重复？）"), {}, 409)

    @api.exception_handler(DataError)
    def on_data_error(request, exc: DataError):
        return respond(request, "validation_error", _("输入有误"), {}, 422)


# ninja's own HttpErrors, in our codes (the statuses every operation documents).
HTTP_ERRORS = {400: ("bad_request", gettext_lazy("请求无法解析（请求体须为 JSON）")),
               401: ("not_authenticated", gettext_lazy("请先登录或提供有效的令牌")),
               403: ("permission_denied", gettext_lazy("没有权限执行此操作")),
               404: ("not_found", gettext_lazy("未找到"))}


# --- errors in OpenAPI ------------------------------------------------------------------
ERROR_STATUSES = {400: "Bad request", 401: "Not authenticated", 403: "Permission denied",
                  404: "Not found (also: another district's object)", 409: "Conflict",
                  422: "Invalid input", 429: "Rate limited"}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def error_schema_name(app: str) -> str:
    return "".join(part.title() for part in app.split("_")) + "ErrorOut"


def operation_error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation documents: the same rules for every app."""
    statuses = {404, 422}  # every look-up is scoped; every input is validated
    # Public operations too: a wrong password (401), a session without its CSRF token (403).
    statuses |= {401, 403}
    if method in WRITE_METHODS:
        statuses |= {400, 409, 429}
    return sorted(statuses)


def openapi_errors_add(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every operation its error responses, with an ``<App>ErrorOut`` schema whose
    ``code`` is the enumeration of that app's codes (``<app>/errors.py``) and core's."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    base = ErrorOut.model_json_schema()
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in WRITE_METHODS | {"get", "head", "options"}:
                continue
            app = (operation.get("tags") or ["core"])[0]
            codes = error_codes(app)
            name = error_schema_name(app)
            if name not in components:
                components[name] = {
                    **base, "title": name,
                    "properties": {**base["properties"], "code": {
                        "title": "Code", "type": "string", "enum": sorted(codes)}}}
            responses = operation.setdefault("responses", {})
            for status in operation_error_statuses(method, operation):
                listed = sorted(c for c, statuses in codes.items() if status in statuses)
                responses.setdefault(status, {
                    "description": f"{ERROR_STATUSES[status]}: "
                                   + ", ".join(f"`{c}`" for c in listed),
                    "content": {"application/json": {
                        "schema": {"$ref": f"#/components/schemas/{name}"}}}})
    return schema


LOCAL_TIME = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$",
              "description": "Local time of day (Asia/Shanghai), HH:MM[:SS]"}


def local_times(node: Any) -> Any:
    """JSON Schema's ``format: time`` is RFC 3339's full-time, with an offset; our times of
    day (opening hours, slots) are local and answered as ``17:00:00``: say so instead."""
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            node.pop("format")
            for key, value in LOCAL_TIME.items():
                node.setdefault(key, value)
        for value in node.values():
            local_times(value)
    elif isinstance(node, list):
        for value in node:
            local_times(value)
    return node


def document_errors(api: NinjaAPI) -> None:
    """Have ``api``'s OpenAPI document list each operation's error responses."""
    build = api.get_openapi_schema

    def get_openapi_schema(*, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None):
        return local_times(openapi_errors_add(build(path_prefix=path_prefix,
                                                    path_params=path_params)))

    api.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]
