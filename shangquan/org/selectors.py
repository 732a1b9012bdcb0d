"""Reads for the party organisation; always scoped by district."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.errors import NotFound
from shangquan.core.inputs import form_int
from shangquan.core.models import District
from shangquan.core.selectors import access_scoped, public_token_district_id

from .models import (
    Agreement,
    AllianceMember,
    CheckIn,
    LiaisonStation,
    MobileMember,
    OrgLevel,
    OrgUnit,
    PartyMember,
)


def level_list(*, district: District) -> QuerySet[OrgLevel]:
    return OrgLevel.objects.filter(district=district).order_by("depth")


def unit_list(*, district: District, kind: str = "", parent: Any = None,
              q: str = "") -> QuerySet[OrgUnit]:
    qs = (OrgUnit.objects.filter(district=district).select_related("level", "parent")
          .annotate(member_count=Count("members", distinct=True)))
    if kind:
        qs = qs.filter(kind=kind)
    if parent not in (None, ""):
        qs = qs.filter(parent_id=parent)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("kind", "name")


def access_unit(*, district: District, unit_id: Any) -> OrgUnit:
    return access_scoped(OrgUnit, district=district, pk=unit_id)


def org_tree(*, district: District) -> list[dict]:
    """The tree as nested dicts {unit, children}, roots first (one query)."""
    units = list(unit_list(district=district, kind=OrgUnit.Kind.TREE))
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def build(parent_id: int | None, depth: int) -> list[dict]:
        if depth > 12:
            return []
        return [{"unit": u, "depth": depth, "children": build(u.pk, depth + 1)}
                for u in sorted(children.get(parent_id, []), key=lambda u: u.name)]

    return build(None, 0)


def flatten_tree(tree: list[dict]) -> list[dict]:
    out: list[dict] = []
    for node in tree:
        out.append(node)
        out.extend(flatten_tree(node["children"]))
    return out


def alliance_list(*, district: District) -> QuerySet[OrgUnit]:
    links = AllianceMember.objects.select_related("unit")
    return (OrgUnit.objects.filter(district=district, kind__in=[OrgUnit.Kind.ALLIANCE,
                                                                OrgUnit.Kind.FUNCTIONAL])
            .prefetch_related(Prefetch("memberships", queryset=links)).order_by("name"))


def agreement_list(*, district: District, kind: str = "",
                   active_on: dt.date | None = None) -> QuerySet[Agreement]:
    qs = Agreement.objects.filter(district=district).select_related("unit_a", "unit_b")
    if kind:
        qs = qs.filter(kind=kind)
    if active_on is not None:
        qs = qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=active_on),
                       starts_on__lte=active_on)
    return qs


def member_list(*, user: Any, district: District, unit: Any = None, role: str = "",
                q: str = "", instructors: bool | None = None) -> QuerySet[PartyMember]:
    policies.require(user, "org.member_view", district)
    qs = PartyMember.objects.filter(district=district).select_related("unit")
    if unit not in (None, ""):
        qs = qs.filter(unit_id=unit)
    if role:
        qs = qs.filter(role=role)
    if q:
        qs = qs.filter(name__icontains=q)
    if instructors is not None:
        qs = qs.filter(is_instructor=instructors)
    return qs.prefetch_related("merchants").order_by("unit__name", "name")


def station_list(*, district: District) -> QuerySet[LiaisonStation]:
    return (LiaisonStation.objects.filter(district=district).select_related("unit")
            .annotate(check_in_count=Count("check_ins"), last_check_in=Max("check_ins__created_at"))
            .order_by("name"))


def station_get_public(*, token: str) -> LiaisonStation:
    token = str(token)[:16]
    district_id = public_token_district_id(model=LiaisonStation, token=token)
    try:
        station = (LiaisonStation.objects.select_related("district")
                   .get(district_id=district_id, token=token))
    except LiaisonStation.DoesNotExist:
        raise NotFound() from None
    if not station.district.is_active:
        raise NotFound()
    return station


def mobile_member_list(*, user: Any, district: District, unseen_days: int | None = None,
                       station: Any = None, q: str = "") -> QuerySet[MobileMember]:
    """Registry: who checked in where and when; ``unseen_days`` = not seen for N days."""
    policies.require(user, "checkin.view", district)
    qs = MobileMember.objects.filter(district=district).select_related("last_station")
    if unseen_days is not None:
        qs = qs.filter(last_seen_at__lt=timezone.now() - dt.timedelta(days=unseen_days))
    if station not in (None, ""):
        qs = qs.filter(check_ins__station_id=form_int(station, "station")).distinct()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(home_unit__icontains=q))
    return qs.order_by("-last_seen_at", "id")


def check_in_list(*, user: Any, district: District, station: Any = None,
                  since: dt.datetime | None = None) -> QuerySet[CheckIn]:
    policies.require(user, "checkin.view", district)
    qs = CheckIn.objects.filter(district=district).select_related("member", "station")
    if station not in (None, ""):
        qs = qs.filter(station_id=form_int(station, "station"))
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return qs.order_by("-created_at", "-id")
