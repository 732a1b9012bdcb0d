"""Domain errors: raised by services, mapped to HTTP in one place (api.py, middleware).

Each carries a stable ``code`` for machines and a translatable message for people
(Chinese by default, English for ``Accept-Language: en``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = _("请求有误")

    def __init__(self, message: Any = None, *, code: str | None = None,
                 details: Any = None) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.details = details if details is not None else {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "details": self.details}


class NotFound(DomainError):
    """Also what "not yours" looks like: never reveal that another district's row exists."""

    status = 404
    code = "not_found"
    default_message = _("未找到")


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    default_message = _("请先登录")


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"
    default_message = _("没有权限执行此操作")


class ValidationFailed(DomainError):
    status = 422
    code = "validation_error"
    default_message = _("输入有误")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("与当前状态冲突")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("当前状态下不能执行此操作")


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    default_message = _("操作过于频繁，请稍后再试")
