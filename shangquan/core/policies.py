"""Who may do what: one table per app, shared by services, views and templates.

Each app declares ``ACTIONS = {"merchants.create": {Role.COMMITTEE, ...}, ...}`` in its
``policies.py`` and registers it with :func:`register`, together with object rules
(:func:`rule`): a predicate on the object (``is_handler(user, order)``) and/or the
transition of a declared state machine the action performs.

``require(user, "workorders.dispatch", order)`` is what services call; ``can(...)`` with
the same arguments is what views and templates (``{% can "…" order as may %}``) ask,
so a button is shown exactly when the service would accept the click. The target is a
``District`` for district-wide actions or a district-scoped object. The role × district
× action matrix test walks this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from .actors import is_system
from .audit import register_actions
from .errors import InvalidTransition, NotAuthenticated, NotFound, PermissionDenied
from .models import District, Membership
from .roles import Role
from .statemachine import StateMachine

# action -> roles that may perform it
REGISTRY: dict[str, frozenset[str]] = {}
# actions anyone (even anonymous) may perform, e.g. filing a public report
PUBLIC_ACTIONS: set[str] = set()




@dataclass(frozen=True)
class ObjectRule:
    # (user, obj) -> bool: e.g. "the order is dispatched to the user's department".
    check: Callable[[Any, Any], bool] | None = None
    # The transition this action performs; refused when the object's state lacks it.
    machine: StateMachine | None = None
    transition: str = ""


OBJECT_RULES: dict[str, ObjectRule] = {}


def register(actions: dict[str, Iterable[str]], *, public: Iterable[str] = ()) -> None:
    for action, roles in actions.items():
        REGISTRY[action] = frozenset(str(r) for r in roles)
    PUBLIC_ACTIONS.update(public)


def rule(action: str, *, check: Callable[[Any, Any], bool] | None = None,
         machine: StateMachine | None = None, transition: str = "") -> None:
    """Attach an object-level rule to a registered action."""
    if action not in REGISTRY and action not in PUBLIC_ACTIONS:
        raise KeyError(f"rule for unregistered action {action!r}")
    transition = transition or action.rsplit(".", 1)[-1]
    if machine is not None and transition not in machine.transitions:
        raise KeyError(f"{machine.name} has no transition {transition!r} for {action!r}")
    OBJECT_RULES[action] = ObjectRule(check=check, machine=machine, transition=transition)


def is_city_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def _memberships(user: Any) -> list[Membership]:
    """Active memberships, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_shangquan_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user, is_active=True)
                      .select_related("department", "district"))
        user._shangquan_memberships = cached
    return cached


def member_districts(user: Any) -> list[District]:
    """The districts of the user's active memberships (loaded with them, no query more)."""
    return [m.district for m in _memberships(user)]


def forget_memberships(user: Any) -> None:
    if hasattr(user, "_shangquan_memberships"):
        del user._shangquan_memberships


def roles_of(user: Any, district: District) -> set[str]:
    return {m.role for m in _memberships(user) if m.district_id == district.pk}


def departments_of(user: Any, district: District) -> set[int]:
    return {m.department_id for m in _memberships(user)
            if m.district_id == district.pk and m.department_id}


def has_role(user: Any, district: District, *roles: str) -> bool:
    if is_city_admin(user):
        return True
    return bool(roles_of(user, district) & {str(r) for r in roles})


def is_member(user: Any, district: District) -> bool:
    return is_city_admin(user) or bool(roles_of(user, district))


def district_of(target: Any) -> District:
    if isinstance(target, District):
        return target
    district = getattr(target, "district", None)
    if not isinstance(district, District):
        raise TypeError(f"policy target {target!r} is neither a District nor district-scoped")
    return district


def _role_allows(user: Any, district: District, action: str) -> bool:
    if action in PUBLIC_ACTIONS:
        return True
    allowed = REGISTRY.get(action)
    if allowed is None:
        raise KeyError(f"Unknown policy action {action!r}; register it in the app's policies.py")
    if is_system(user) or is_city_admin(user):
        return True
    return bool(roles_of(user, district) & allowed)


def _check_arguments(user: Any, action: Any) -> None:
    if user is None:
        raise TypeError("actor is required: a user, AnonymousUser or core.actors.SYSTEM")
    if not isinstance(action, str):
        raise TypeError("policies.can/require take (user, action, target)")


def require(user: Any, action: str, target: Any) -> None:
    """Raise unless ``user`` may do ``action`` on ``target`` (a District or an object in one).

    Someone with no membership at all in the district gets :class:`NotFound`, so the
    district's objects stay invisible; a member lacking the role or failing the object
    rule gets :class:`PermissionDenied`; an object whose state lacks the transition
    gets :class:`InvalidTransition`.
    """
    _check_arguments(user, action)
    district = district_of(target)
    if not _role_allows(user, district, action):
        if isinstance(user, AnonymousUser) or not user.is_authenticated:
            raise NotAuthenticated()
        if not is_member(user, district):
            raise NotFound()
        raise PermissionDenied()
    object_rule = OBJECT_RULES.get(action)
    if object_rule is None or isinstance(target, District):
        return
    if (object_rule.check is not None and not is_system(user) and not is_city_admin(user)
            and not object_rule.check(user, target)):
        raise PermissionDenied()
    if object_rule.machine is not None and not object_rule.machine.allows_on(
            target, object_rule.transition):
        raise InvalidTransition(details={"machine": object_rule.machine.name,
                                         "state": object_rule.machine.state_of(target),
                                         "action": object_rule.transition})


def can(user: Any, action: str, target: Any) -> bool:
    """Whether :func:`require` would pass: what buttons and menus ask."""
    try:
        require(user, action, target)
    except (NotAuthenticated, NotFound, PermissionDenied, InvalidTransition):
        return False
    return True


def visible_districts(user: Any):
    qs = District.objects.filter(is_active=True)
    if is_city_admin(user):
        return qs
    return qs.filter(pk__in={m.district_id for m in _memberships(user)})


STAFF_VIEW = {Role.COMMITTEE, Role.STREET}

register({
    "audit.view": STAFF_VIEW,
    "department.manage": {Role.COMMITTEE, Role.STREET},
    "membership.manage": {Role.COMMITTEE, Role.STREET},
    # A member's full phone, for those who must call them: with a reason, audited.
    "core.phone_reveal": {Role.COMMITTEE, Role.STREET},
    "device.manage": {Role.COMMITTEE},
})


# Audit actions this app writes (``<app>.<entity>.<verb>``) and how the audit log names them.
AUDIT_ACTIONS = {
    "core.audit.reveal": _("查看匿名行为实施人"),
    "core.department.create": _("新增部门"),
    "core.department.update": _("修改部门"),
    "core.device.create": _("登记设备"),
    "core.device.revoke": _("停用设备"),
    "core.district.create": _("创建商圈"),
    "core.idempotency.purge": _("清理幂等记录"),
    "core.login.failed": _("登录失败"),
    "core.login.succeeded": _("登录成功"),
    "core.membership.grant": _("授予角色"),
    "core.membership.revoke": _("撤销角色"),
    "core.notification.read": _("标记消息已读"),
    "core.notification.preferences": _("修改通知设置"),
    "core.notification.digest": _("发送每日消息汇总"),
    "core.otp.failed": _("验证码错误"),
    "core.otp.purge": _("清理过期验证码"),
    "core.otp.send": _("发送验证码"),
    "core.otp.verified": _("验证码通过"),
    "core.phone.reveal": _("查看完整手机号"),
    "core.token.issue": _("签发令牌"),
    "core.token.revoke": _("吊销令牌"),
    "core.user.create": _("创建用户"),
    "core.user.erase": _("注销个人信息"),
    "core.user.register": _("用户注册"),
    "core.user.phone_verify": _("验证手机号"),
}
register_actions(AUDIT_ACTIONS)
