"""Reads for merchants, grids and rosters; always scoped by district."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.errors import NotFound
from shangquan.core.inputs import form_int
from shangquan.core.models import District
from shangquan.core.selectors import access_scoped, public_token_district_id

from .categories import STANDARD_CATEGORIES
from .models import (
    Association,
    DutyAssignment,
    DutyRoster,
    Grid,
    ImportJob,
    Merchant,
)


def merchant_get_public(*, token: str) -> Merchant:
    """The merchant behind a QR code (with what the public page shows), or NotFound."""
    token = str(token)[:16]
    district_id = public_token_district_id(model=Merchant, token=token)
    try:
        merchant = (Merchant.objects
                    .select_related("district", "grid", "association", "party_member")
                    .get(district_id=district_id, public_token=token))
    except Merchant.DoesNotExist:
        raise NotFound() from None
    if not merchant.district.is_active:
        raise NotFound()
    return merchant


def access_merchant(*, district: District, merchant_id: Any) -> Merchant:
    """One merchant of the district by id (from request input), or NotFound."""
    # ``district`` too: the phone rule (``can_see_phone``) reads ``merchant.district``.
    return access_scoped(Merchant.objects.select_related("district", "grid", "association"),
                         district=district, pk=merchant_id)


def merchant_list(*, district: District, q: str = "", category: str = "", status: str = "",
                  grid: Any = None, association: Any = None,
                  party: bool | None = None) -> QuerySet[Merchant]:
    # ``district`` is joined because each row's phone rule reads it (else one query a row).
    qs = (Merchant.objects.filter(district=district)
          .select_related("district", "grid", "association"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(licence_no__icontains=q)
                       | Q(stall_no__icontains=q) | Q(address__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if grid not in (None, ""):
        qs = qs.filter(grid_id=form_int(grid, "grid")) if str(grid) != "none" \
            else qs.filter(grid__isnull=True)
    if association not in (None, ""):
        qs = qs.filter(association_id=association)
    if party is not None:
        qs = qs.filter(is_party_member=party)
    return qs.order_by("name", "id")


def merchant_categories(*, district: District) -> list[str]:
    return list(Merchant.objects.filter(district=district).order_by("category")
                .values_list("category", flat=True).distinct())


def known_categories(*, district: District) -> list[str]:
    """The standard categories and whatever the district already uses, in that order:
    what an import may name (anything else is refused, never created silently)."""
    used = [c for c in merchant_categories(district=district) if c]
    return list(dict.fromkeys([*STANDARD_CATEGORIES, *used]))


def association_list(*, district: District) -> QuerySet[Association]:
    return Association.objects.filter(district=district).annotate(n=Count("merchants"))


def grid_list(*, district: District) -> QuerySet[Grid]:
    return (Grid.objects.filter(district=district).select_related("leader")
            .annotate(n=Count("merchants")).order_by("name"))


def grid_choices(*, district: District) -> QuerySet:
    """(pk, name) of the district's grids, by name: for a picker (no counts, no leaders)."""
    return Grid.objects.filter(district=district).order_by("name").values_list("pk", "name")


def grid_name(*, district: District, grid_id: Any) -> str:
    """The name of one of the district's grids ("" for none or not a grid of the district)."""
    if grid_id in (None, "") or not str(grid_id).isdigit():
        return ""
    return (Grid.objects.filter(district=district, pk=int(grid_id))
            .values_list("name", flat=True).first() or "")


def access_grid(*, district: District, grid_id: Any) -> Grid:
    return access_scoped(Grid, district=district, pk=grid_id)


def roster_list(*, district: District, grid: Any = None) -> QuerySet[DutyRoster]:
    qs = DutyRoster.objects.filter(district=district).select_related("grid")
    if grid not in (None, ""):
        qs = qs.filter(grid_id=form_int(grid, "grid"))
    return qs


def access_roster(*, district: District, roster_id: Any) -> DutyRoster:
    return access_scoped(DutyRoster.objects.select_related("grid"), district=district,
                         pk=roster_id)


def steward_today(*, district: District, grid: Grid | None = None,
                  day: dt.date | None = None) -> DutyAssignment | None:
    """街区管家 on duty today: the grid's own roster first, else the block-wide one."""
    day = day or timezone.localdate()
    qs = (DutyAssignment.objects.filter(district=district, date=day)
          .select_related("merchant", "roster"))
    if grid is not None:
        own = qs.filter(roster__grid=grid).order_by("-roster__created_at").first()
        if own is not None:
            return own
    return qs.filter(roster__grid__isnull=True).order_by("-roster__created_at").first()


def import_job_get(*, user: Any, district: District, job_id: Any) -> ImportJob:
    policies.require(user, "merchant.import", district)
    return access_scoped(ImportJob.objects.defer("data"), district=district, pk=job_id)
