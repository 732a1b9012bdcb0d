"""Who may do what: one table per app, checked by services.

Each app declares ``ACTIONS = {"merchant.create": {Role.COMMITTEE, ...}, ...}`` in its
``policies.py`` and registers it with :func:`register`. Services call
:func:`require`; selectors use :func:`roles_of` / :func:`has_role`. The role × district
× action matrix test walks this registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser

from .errors import NotAuthenticated, NotFound, PermissionDenied
from .models import District, Membership
from .roles import Role

# action -> roles that may perform it
REGISTRY: dict[str, frozenset[str]] = {}
# actions anyone (even anonymous) may perform, e.g. filing a public report
PUBLIC_ACTIONS: set[str] = set()


def register(actions: dict[str, Iterable[str]], *, public: Iterable[str] = ()) -> None:
    for action, roles in actions.items():
        REGISTRY[action] = frozenset(str(r) for r in roles)
    PUBLIC_ACTIONS.update(public)


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


def can(user: Any, district: District, action: str) -> bool:
    if action in PUBLIC_ACTIONS:
        return True
    allowed = REGISTRY.get(action)
    if allowed is None:
        raise KeyError(f"Unknown policy action {action!r}; register it in the app's policies.py")
    if is_city_admin(user):
        return True
    return bool(roles_of(user, district) & allowed)


def require(user: Any, district: District, action: str) -> None:
    """Raise unless the user may do ``action`` in ``district``.

    Someone with no membership at all in the district gets :class:`NotFound`, so the
    district's objects stay invisible; a member lacking the role gets
    :class:`PermissionDenied`.
    """
    if can(user, district, action):
        return
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        raise NotAuthenticated()
    if not is_member(user, district):
        raise NotFound()
    raise PermissionDenied()


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
    "device.manage": {Role.COMMITTEE},
})
