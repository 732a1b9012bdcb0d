"""Domain errors: raised by services, mapped to HTTP in one place (api.py, middleware).

Each carries a stable ``code`` for machines and a translatable message for people
(Chinese by default, English for ``Accept-Language: en``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.module_loading import autodiscover_modules
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


# --- the enumeration of codes -----------------------------------------------------------
# Each app declares, in its own ``errors.py``, every ``code`` its services raise and the
# HTTP status it answers with (Saleor's ``error_codes.py``, as data). The API documents
# them in OpenAPI (``apibase.document_errors``); a test scans the sources for ``code=``.

CORE_CODES: dict[str, int] = {
    cls.code: cls.status
    for cls in (DomainError, NotFound, NotAuthenticated, PermissionDenied, ValidationFailed,
                Conflict, InvalidTransition, RateLimited)
}

_REGISTRY: dict[str, dict[str, tuple[int, ...]]] = {}


def register_error_codes(app: str, codes: dict[str, int | tuple[int, ...]]
                         ) -> dict[str, tuple[int, ...]]:
    """Declare ``app``'s error codes: code → status (or statuses, when raised as several).

    Returns the normalised table (code → statuses) for the app module to keep.
    """
    table = {code: (status,) if isinstance(status, int) else tuple(status)
             for code, status in codes.items()}
    _REGISTRY[app] = table
    return table


@cache
def _discover() -> None:
    """Import every installed app's ``errors`` module, so the registry is complete."""
    autodiscover_modules("errors")


def error_codes(app: str | None = None) -> dict[str, tuple[int, ...]]:
    """The codes ``app`` may answer with: its own plus the core ones (all apps' if None)."""
    _discover()
    merged = {code: (status,) for code, status in CORE_CODES.items()}
    for code, statuses in _REGISTRY.get("core", {}).items():
        merged[code] = statuses
    sources = _REGISTRY.values() if app is None else [_REGISTRY.get(app, {})]
    for table in sources:
        for code, statuses in table.items():
            merged[code] = tuple(sorted(set(merged.get(code, ())) | set(statuses)))
    return merged


# core's own codes (accounts, tokens, departments, photos), beside the generic ones above.
CODES = register_error_codes("core", {
    "not_own_settings": 403,
    "unknown_notification_kind": 422,
    "unknown_notification_mode": 422,
    "csrf_failed": 403,
    "invalid_credentials": 401,
    "otp_expired": 401,
    "otp_invalid": 401,
    "otp_locked": 401,
    "department_exists": 409,
    "device_exists": 409,
    "membership_exists": 409,
    "username_taken": 409,
    "department_mismatch": 422,
    "invalid_phone": 422,
    "photo_invalid": 422,
    "photo_too_large": 422,
    "setting_invalid": 422,
    "setting_out_of_range": 422,
    "too_many_photos": 422,
    "unknown_device_kind": 422,
    "unknown_role": 422,
    "unknown_setting": 422,
    "unknown_settings_group": 404,
    # anonymity and erasure (core.services.audit_actor_reveal, resident_erase)
    "reveal_not_allowed": 403,
    "erase_not_allowed": 403,
    "nothing_sealed": 404,
    "reason_required": 422,
    "erase_superuser": 422,
})
