"""Reads, always scoped to a district. "Not yours" and "not found" raise the same NotFound."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, TypeVar

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import policies
from .audit import action_label
from .errors import NotFound, PermissionDenied
from .masking import phone_mask
from .models import (
    AuditLog,
    Department,
    Device,
    District,
    Membership,
    Notification,
    Profile,
    PublicToken,
)
from .pii import phone_normalize

M = TypeVar("M", bound=models.Model)


def district_get_public(*, code: str) -> District:
    """A district by code for public pages (QR codes, report forms)."""
    try:
        return District.objects.get(code=str(code).upper(), is_active=True)
    except District.DoesNotExist:
        raise NotFound() from None


# token → district id of printed codes; a mapping never changes once written, so each
# worker remembers it (bounded) and a crowd scanning one poster costs no extra query.
_token_districts: dict[tuple[str, str], int] = {}


def public_token_district_id(*, model: type[models.Model], token: str) -> int:
    """The district of the row behind a printed token (core.PublicToken), or NotFound.

    The first step of every look-up by a token alone: the row itself is then fetched
    with its district, as a database distributed by district needs.
    """
    key = (model._meta.label_lower, str(token))
    found = _token_districts.get(key)
    if found is None:
        found = (PublicToken.objects.filter(kind=key[0], token=key[1])
                 .values_list("district_id", flat=True).first())
        if found is None:
            raise NotFound()
        if len(_token_districts) > 50000:  # bounded: forget everything rather than grow
            _token_districts.clear()
        _token_districts[key] = found
    return found


def access_district(*, user: Any, code: str) -> District:
    """The district if the user is a member of it (or a city admin); else NotFound.

    A member's districts come with their memberships (one query per request, needed for
    every permission check anyway), so the console's pages look nothing else up.
    """
    wanted = str(code).upper()
    for district in policies.member_districts(user):
        if district.code == wanted and district.is_active:
            return district
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


def access_scoped_many(model_or_qs: type[M] | QuerySet[M], *, district: District,
                       ids: Any) -> list[M]:
    """Rows picked from request input by id (a form's checkboxes, an API's ``*_ids``):
    every id must name a row of this district, else NotFound, as for one row. Nothing is
    silently dropped, so a page and the API answer the same input the same way."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    try:
        wanted = list(dict.fromkeys(int(i) for i in ids if i not in (None, "")))
    except (TypeError, ValueError):
        raise NotFound() from None
    rows = {row.pk: row for row in qs.filter(district=district, pk__in=wanted)}
    if len(rows) != len(wanted):
        raise NotFound()
    return [rows[pk] for pk in wanted]


def district_list_visible(*, user: Any) -> QuerySet[District]:
    return policies.visible_districts(user)


def department_list(*, district: District, active_only: bool = True) -> QuerySet[Department]:
    qs = Department.objects.filter(district=district)
    return qs.filter(is_active=True) if active_only else qs


def audit_list(*, user: Any, district: District, object_type: str = "",
               action: str = "", actor: str = "", object_id: str = "",
               date_from: dt.date | None = None, date_to: dt.date | None = None
               ) -> QuerySet[AuditLog]:
    """The district's audit rows, filtered by actor (name as recorded), object, action and
    local dates (inclusive)."""
    policies.require(user, "audit.view", district)
    qs = AuditLog.objects.filter(district=district).select_related("actor")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if date_from:
        qs = qs.filter(created_at__gte=_local_midnight(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_local_midnight(date_to + dt.timedelta(days=1)))
    return qs


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@lru_cache(maxsize=4096)
def _choice_label(kind: str, value: str, _language: str) -> str:
    """A model's verbose name or an audit action's label, in the active language (fixed
    for the process: the names are code, so translating them once per language is enough)."""
    if kind == "action":
        return action_label(value)
    try:
        return str(django_apps.get_model(value)._meta.verbose_name)
    except (LookupError, ValueError):
        return value


def audit_filter_choices(*, district: District) -> dict[str, list[tuple[str, str]]]:
    """The object types and actions the district's log holds, with readable names."""
    language = get_language() or ""
    rows = AuditLog.objects.filter(district=district)
    types = sorted(rows.values_list("object_type", flat=True).distinct())
    actions = sorted(rows.values_list("action", flat=True).distinct())
    return {"object_types": [(t, _choice_label("type", t, language)) for t in types],
            "actions": [(a, _choice_label("action", a, language)) for a in actions]}


def audit_get(*, user: Any, district: District, pk: Any) -> AuditLog:
    policies.require(user, "audit.view", district)
    try:
        return AuditLog.objects.select_related("district").get(district=district, pk=pk)
    except (AuditLog.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def user_for_erasure(*, user: Any, user_id: Any):
    """A person a city admin may erase; for anyone else, "not found"."""
    if not policies.is_city_admin(user):
        raise NotFound()
    try:
        return get_user_model().objects.get(pk=user_id)
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def notification_list(*, user: Any, district: District | None = None,
                      unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user)
    if district is not None:
        qs = qs.filter(district=district)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def membership_list(*, district: District, role: str = ""):
    qs = (Membership.objects.filter(district=district, is_active=True)
          .select_related("user", "user__profile", "department").order_by("role", "user__username"))
    return qs.filter(role=role) if role else qs


def device_list(*, district: District):
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


def access_member_users(*, district: District, user_ids: Any,
                        roles: tuple[str, ...] = ()) -> list:
    """Several people picked from request input; any one not a member is NotFound."""
    return [access_member_user(district=district, user_id=pk, roles=roles)
            for pk in dict.fromkeys(user_ids)]


# --- personal data pages (issue 11) ---------------------------------------------------------
def member_for_phone_reveal(*, user: Any, district: District, user_id: Any) -> dict[str, Any]:
    """The member whose phone staff may reveal: name, role and the masked number only."""
    policies.require(user, "core.phone_reveal", district)
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    membership = (Membership.objects.filter(district=district, user_id=user_id, is_active=True)
                  .select_related("user", "user__profile").first())
    if membership is None:
        raise NotFound()
    profile = getattr(membership.user, "profile", None)
    return {"user_id": user_id, "role": membership.get_role_display(),
            "name": (getattr(profile, "display_name", "") or membership.user.get_username()),
            "masked": phone_mask(getattr(profile, "phone", "") or "")}


def require_erasure_officer(*, user: Any) -> None:
    """Erasing someone else is a city admin's act (``core.services.resident_erase``)."""
    if not policies.is_city_admin(user):
        raise PermissionDenied(_("只有市级管理员可以注销他人的个人信息"),
                               code="erase_not_allowed")


def person_for_erasure(*, user: Any, phone: str):
    """The profile holding ``phone`` (or None), for a city admin only."""
    require_erasure_officer(user=user)
    return Profile.objects.select_related("user").filter(phone=phone_normalize(phone)).first()
