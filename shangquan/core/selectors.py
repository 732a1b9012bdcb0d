"""Reads, always scoped to a district. "Not yours" and "not found" raise the same NotFound."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet

from . import policies
from .errors import NotFound
from .models import AuditLog, Department, District, Membership, Notification

M = TypeVar("M", bound=models.Model)


def district_get_public(*, code: str) -> District:
    """A district by code for public pages (QR codes, report forms)."""
    try:
        return District.objects.get(code=str(code).upper(), is_active=True)
    except District.DoesNotExist:
        raise NotFound() from None


def access_district(*, user: Any, code: str) -> District:
    """The district if the user is a member of it (or a city admin); else NotFound."""
    district = district_get_public(code=code)
    if not policies.is_member(user, district):
        raise NotFound()
    return district


def access_scoped(model_or_qs: type[M] | QuerySet[M], *, district: District, **lookup: Any) -> M:
    """One row of a district-scoped model, looked up from request input."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    try:
        return qs.get(district=district, **lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    except qs.model.MultipleObjectsReturned:  # pragma: no cover - guarded by constraints
        raise NotFound() from None


def district_list_visible(*, user: Any) -> QuerySet[District]:
    return policies.visible_districts(user)


def department_list(*, district: District, active_only: bool = True) -> QuerySet[Department]:
    qs = Department.objects.filter(district=district)
    return qs.filter(is_active=True) if active_only else qs


def audit_list(*, user: Any, district: District, object_type: str = "",
               action: str = "") -> QuerySet[AuditLog]:
    policies.require(user, district, "audit.view")
    qs = AuditLog.objects.filter(district=district).select_related("actor")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if action:
        qs = qs.filter(action=action)
    return qs


def notification_list(*, user: Any, district: District | None = None,
                      unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user)
    if district is not None:
        qs = qs.filter(district=district)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def membership_list(*, district: District, role: str = ""):
    from .models import Membership

    qs = (Membership.objects.filter(district=district, is_active=True)
          .select_related("user", "user__profile", "department").order_by("role", "user__username"))
    return qs.filter(role=role) if role else qs


def device_list(*, district: District):
    from .models import Device

    return Device.objects.filter(district=district).order_by("name")


def access_member_user(*, district: District, user_id: Any, roles: tuple[str, ...] = ()):
    """A person picked from request input (team member, grid leader …): only someone
    with an active membership in this district; anyone else is "not found"."""
    from django.contrib.auth import get_user_model

    memberships = Membership.objects.filter(district=district, is_active=True)
    if roles:
        memberships = memberships.filter(role__in=roles)
    try:
        return get_user_model().objects.filter(
            pk__in=memberships.values("user_id"), is_active=True).get(pk=user_id)
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
