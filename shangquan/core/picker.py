"""Searchable pickers: one widget (``core/_picker.html`` + ``static/js/picker.js``) and one
JSON search endpoint ``/console/<code>/pick/<source>/?q=`` for choices that do not fit a
dropdown (merchants, people, departments, grids).

A source is ``fn(*, user, district, q, limit) -> list[{"id", "label", "hint"}]``, always
scoped to the district; apps register theirs from their ``policies.py``
(``register_source("merchant", fn)``), so core names no app. The caller must be a member
of the district (``access_district``); another district's code answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, JsonResponse

from . import policies, selectors
from .models import Department, Membership

Source = Callable[..., list[dict[str, Any]]]
SOURCES: dict[str, Source] = {}
LIMIT = 20


def register_source(name: str, fn: Source) -> None:
    SOURCES[name] = fn


def _departments(*, user: Any, district: Any, q: str, limit: int) -> list[dict[str, Any]]:
    qs = Department.objects.filter(district=district, is_active=True)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return [{"id": d.pk, "label": d.name, "hint": d.code} for d in qs.order_by("name")[:limit]]


def _people(*, user: Any, district: Any, q: str, limit: int) -> list[dict[str, Any]]:
    """Members of the district (staff pickers): by name or username, never by phone."""
    if not policies.has_role(user, district, "committee", "street") \
            and not policies.is_city_admin(user):
        return []
    qs = (Membership.objects.filter(district=district, is_active=True)
          .select_related("user", "user__profile"))
    if q:
        qs = qs.filter(Q(user__username__icontains=q) | Q(user__profile__display_name__icontains=q))
    seen, out = set(), []
    for m in qs.order_by("user__username")[:limit * 3]:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        profile = getattr(m.user, "profile", None)
        out.append({"id": m.user_id, "label": (profile.display_name if profile else "")
                    or m.user.username, "hint": f"{m.user.username} · {m.get_role_display()}"})
        if len(out) >= limit:
            break
    return out


register_source("department", _departments)
register_source("user", _people)


@login_required
def search_view(request: HttpRequest, code: str, source: str) -> JsonResponse:
    district = selectors.access_district(user=request.user, code=code)
    fn = SOURCES.get(source)
    if fn is None:
        raise Http404()
    q = request.GET.get("q", "").strip()[:40]
    return JsonResponse({"results": fn(user=request.user, district=district, q=q,
                                       limit=LIMIT)})
