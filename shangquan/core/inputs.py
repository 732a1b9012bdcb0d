"""Input that no database may see: refused at the edge, the same on SQLite and PostgreSQL.

- **Text.** A NUL byte (PostgreSQL refuses it in any text, with a 500) or a lone UTF-16
  surrogate (``"\\ud800"`` in JSON: no UTF-8 encodes it) in a path, a query or form field,
  an uploaded file's name or any JSON string answers 422 ``validation_error``
  (:class:`CleanInputMiddleware`, :class:`StrictJSONParser`).
- **Numbers.** JSON's ``NaN``, ``Infinity`` and overflowing literals (``1e400``) are refused.
- **Lengths and ranges.** Every model save checks each field against the model: a string
  longer than ``max_length``, an integer outside the 32/64-bit column, a decimal with too
  many digits, or null in a NOT NULL column (a PATCH sending ``null``), answers 422
  naming the field (:func:`field_limits_check`). PostgreSQL would
  refuse them with a 500 and SQLite would store them silently.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.signals import pre_save
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.parser import Parser

from .errors import DomainError, ValidationFailed
from .middleware import error_json, wants_json

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """``"nul_byte"``, ``"lone_surrogate"`` or None."""
    found = _BAD_TEXT.search(value)
    if found is None:
        return None
    return "nul_byte" if found.group() == "\x00" else "lone_surrogate"


_MESSAGES = {
    "nul_byte": gettext_lazy("不能包含空字符（NUL）"),
    "lone_surrogate": gettext_lazy("包含无效的 Unicode 字符（孤立代理项）"),
    "not_finite": gettext_lazy("数值必须是有限数（不接受 NaN、Infinity）"),
}


def _error(loc: list, problem: str) -> dict:
    return {"loc": [str(p) for p in loc], "msg": str(_MESSAGES[problem]), "type": problem}


def json_problems(data: Any, loc: list | None = None) -> list[dict]:
    """Every bad string (keys too) in a parsed JSON value, with its location."""
    loc = loc if loc is not None else ["body"]
    found: list[dict] = []
    stack: list[tuple[Any, list]] = [(data, loc)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                found.append(_error(where, problem))
        elif isinstance(value, dict):
            for key, item in value.items():
                problem = text_problem(key)
                if problem:
                    found.append(_error([*where, "<key>"], problem))
                stack.append((item, [*where, key]))
        elif isinstance(value, list):
            stack.extend((item, [*where, i]) for i, item in enumerate(value))
    return found


class InvalidInput(ValidationFailed):
    """Raised by the parser; ``apibase`` answers it (ninja wraps parser errors in a 400)."""


def _not_finite(token: str) -> float:
    raise ValueError(token)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


class StrictJSONParser(Parser):
    """ninja's JSON parser, refusing NaN/Infinity and NUL/lone surrogates in any string."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body, parse_constant=_not_finite, parse_float=_finite)
        except ValueError as exc:
            if isinstance(exc, json.JSONDecodeError) or "Expecting" in str(exc):
                raise  # not JSON at all: ninja's 400
            raise InvalidInput(details=[_error(["body"], "not_finite")]) from exc
        problems = json_problems(data)
        if problems:
            raise InvalidInput(details=problems)
        return data

    def parse_querydict(self, data, list_fields, request):
        problems = [_error([key], problem) for key, values in data.lists()
                    for value in [key, *values] if isinstance(value, str)
                    for problem in [text_problem(value)] if problem]
        problems += [_error([key], problem) for key, values in data.lists()
                     for value in values if hasattr(value, "name")
                     for problem in [text_problem(value.name or "")] if problem]
        if problems:
            raise InvalidInput(details=problems)
        return super().parse_querydict(data, list_fields, request)


def request_problems(request: HttpRequest) -> list[dict]:
    """Bad text in the path, the query string, form fields and uploaded file names."""
    found = []
    problem = text_problem(request.path)
    if problem:
        found.append(_error(["path"], problem))
    for where, data in (("query", request.GET), ("form", _form(request))):
        for key, values in data.lists():
            for value in [key, *values]:
                problem = text_problem(value) if isinstance(value, str) else None
                if problem:
                    found.append(_error([where, key], problem))
                    break
    if _is_form(request):
        for key, upload in request.FILES.items():
            problem = text_problem(upload.name or "")
            if problem:
                found.append(_error(["file", key], problem))
    return found


def _is_form(request: HttpRequest) -> bool:
    # Multipart too: the upload handlers are global (FILE_UPLOAD_HANDLERS), so reading the
    # form here streams and limits it exactly as the view would.
    ctype = request.META.get("CONTENT_TYPE", "")
    return request.method == "POST" and ctype.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data"))


def _form(request: HttpRequest) -> QueryDict:
    return request.POST if _is_form(request) else QueryDict()


class CleanInputMiddleware:
    """Refuses bad text in any path, query or form field before a view or the database
    sees it: 422 in the API's format, or the error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            problems = request_problems(request)
        except (DomainError, SuspiciousOperation):
            raise  # e.g. a body over the limit: handler400 answers it (413)
        except Exception:  # an unreadable body: the view answers it as before
            problems = []
        if problems:
            error = ValidationFailed(_("输入包含无效字符"), details=problems)
            if request.path.startswith("/open311/"):  # GeoReport v2's error list
                return JsonResponse([{"code": 400, "description": f"{error.code}: "
                                      f"{error.message}"}], status=400, safe=False)
            if wants_json(request):
                return error_json(error.code, str(error.message), problems, 422)
            return render(request, "core/error.html", {"error": error}, status=422)
        return self.get_response(request)


# --- lengths and ranges, from the model -----------------------------------------------
# The portable ranges (PostgreSQL's columns); SQLite would take anything.
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


def field_problems(instance: models.Model) -> dict[str, str]:
    """field name → message, for every concrete field whose value does not fit."""
    found: dict[str, str] = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        if value is None and not field.null and not _filled_later(field):
            found[field.name] = _("不能为空")  # e.g. a PATCH that sends null
            continue
        if value is None or isinstance(value, models.expressions.BaseExpression):
            continue
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                found[field.name] = str(_MESSAGES[problem])
                continue
        if isinstance(field, models.CharField) and field.max_length and isinstance(value, str) \
                and len(value) > field.max_length:
            found[field.name] = _("最多 %(n)s 个字符（当前 %(m)s 个）") % {
                "n": field.max_length, "m": len(value)}
        elif isinstance(field, models.DecimalField) and isinstance(value, Decimal | float | int):
            decimal = Decimal(str(value))
            if not decimal.is_finite():
                found[field.name] = str(_MESSAGES["not_finite"])
                continue
            digits = decimal.as_tuple()
            whole = max(0, len(digits.digits) + int(digits.exponent))
            if whole > field.max_digits - field.decimal_places:
                found[field.name] = _("数值超出范围（最多 %(n)s 位整数）") % {
                    "n": field.max_digits - field.decimal_places}
        elif isinstance(field, models.IntegerField) and isinstance(value, int) \
                and not isinstance(value, bool):
            internal = field.get_internal_type()
            low, high = INTEGER_RANGES.get(internal, (None, None))
            if (low is not None and value < low) or (high is not None and value > high):
                found[field.name] = _("数值超出范围（%(low)s 到 %(high)s）") % {
                    "low": low, "high": high}
        elif isinstance(field, models.FloatField) and isinstance(value, float) \
                and not math.isfinite(value):
            found[field.name] = str(_MESSAGES["not_finite"])
    return found


def _filled_later(field: models.Field) -> bool:
    """Set by the database or by the field itself after ``pre_save``."""
    return (field.primary_key or getattr(field, "auto_now", False)
            or getattr(field, "auto_now_add", False) or field.has_db_default())


def field_limits_check(sender, instance: models.Model, raw: bool = False, **kwargs) -> None:
    if raw:  # fixtures
        return
    problems = field_problems(instance)
    if problems:
        raise ValidationFailed(_("输入有误：%(fields)s") % {"fields": "、".join(problems)},
                               details=problems)


def install() -> None:
    """Connected once, for every model (ours and Django's: usernames, sessions too)."""
    pre_save.connect(field_limits_check, dispatch_uid="shangquan.core.inputs.limits")


# --- numbers from form fields (console pages) ------------------------------------------
ID_MAX = 2**63 - 1


def form_int(value: Any, field: str, *, low: int = 1, high: int = ID_MAX,
             default: int | None = None) -> int | None:
    """An integer from a form field (an id by default): blank gives ``default``; anything
    else that is not an integer in [low, high] answers 422 naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise ValidationFailed(_("%(field)s 须为 %(low)s 到 %(high)s 之间的整数") % {
            "field": field, "low": low, "high": high}, details={field: str(value)[:40]})
    return number


def form_ints(values: list, field: str, *, low: int = 1, high: int = ID_MAX) -> list[int]:
    return [n for n in (form_int(v, field, low=low, high=high) for v in values) if n is not None]
