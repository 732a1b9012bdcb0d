"""Reads on work orders, always scoped by district (and by who is asking)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.errors import NotFound
from shangquan.core.models import District
from shangquan.core.roles import Role

from .models import Category, Escalation, Status, WorkOrder
from .policies import can_view
from .services import categories_ensure, settings_get

HANDLED = (Status.RESOLVED, Status.CLOSED)


def work_order_substantiated_counts(*, district: District, start: dt.datetime,
                                    end: dt.datetime) -> dict[int, int]:
    """merchant id -> substantiated complaints: orders against it created in [start, end)
    that were handled (resolved or closed), not rejected or merged."""
    rows = (WorkOrder.objects.filter(district=district, merchant__isnull=False,
                                     created_at__gte=start, created_at__lt=end,
                                     status__in=HANDLED)
            .values("merchant_id").annotate(n=Count("id")).order_by())
    return {row["merchant_id"]: row["n"] for row in rows}


def category_list(*, district: District, active_only: bool = True) -> QuerySet[Category]:
    categories_ensure(district=district)
    qs = Category.objects.filter(district=district).select_related("department")
    return qs.filter(is_active=True) if active_only else qs


def _base(district: District) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(district=district).select_related(
        "category", "department", "merchant", "grid")


def work_order_list(*, user: Any, district: District, status: str = "", category: str = "",
                    department: int | None = None, overdue: bool = False, mine: bool = False,
                    q: str = "") -> QuerySet[WorkOrder]:
    """What this person may see: all for committee/street, assigned ones for a department,
    their own reports for everybody else."""
    qs = _base(district)
    if mine or not policies.has_role(user, district, Role.COMMITTEE, Role.STREET,
                                     Role.DEPARTMENT):
        if not getattr(user, "is_authenticated", False):
            return qs.none()
        qs = qs.filter(reporter=user)
    elif not policies.has_role(user, district, Role.COMMITTEE, Role.STREET):
        qs = qs.filter(department_id__in=policies.departments_of(user, district))
    if status:
        qs = qs.filter(status__in=status.split(","))
    if category:
        qs = qs.filter(category__code=category)
    if department:
        qs = qs.filter(department_id=department)
    if overdue:
        qs = qs.filter(Q(response_overdue=True) | Q(resolution_overdue=True)).filter(
            status__in=[Status.DISPATCHED, Status.ACCEPTED, Status.REOPENED, Status.SUBMITTED])
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(description__icontains=q))
    return qs


def work_order_get(*, user: Any, district: District, pk: int) -> WorkOrder:
    try:
        order = _base(district).get(pk=pk)
    except (WorkOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not can_view(user, order):
        raise NotFound()
    return order


def work_order_by_number(*, district: District, number: str) -> WorkOrder:
    """For the public tracking page (which shows no personal data)."""
    try:
        return _base(district).get(number=str(number).upper())
    except WorkOrder.DoesNotExist:
        raise NotFound() from None


def timeline(*, order: WorkOrder, public_only: bool = True) -> list:
    qs = order.events.all()
    return list(qs.filter(public=True) if public_only else qs.select_related("actor"))


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def duplicates_find(*, district: District, category: Category, latitude: Any = None,
                    longitude: Any = None, merchant_id: int | None = None,
                    grid_id: int | None = None, at: dt.datetime | None = None,
                    exclude_pk: int | None = None, limit: int = 5) -> list[WorkOrder]:
    """Live orders of the same category near the place within the time window.

    Near: within the district's radius of the pin (bounding box in SQL, then the great-
    circle distance), or the same merchant, or — without a pin — the same grid.
    """
    conf = settings_get(district=district)
    at = at or timezone.now()
    window = dt.timedelta(hours=conf.duplicate_window_hours)
    qs = (WorkOrder.objects.filter(district=district, category=category,
                                   created_at__gte=at - window, created_at__lte=at)
          .exclude(status__in=[Status.REJECTED, Status.MERGED]).order_by("created_at"))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    place = Q()
    if merchant_id:
        place |= Q(merchant_id=merchant_id)
    near: Q | None = None
    if latitude is not None and longitude is not None:
        lat, lon = float(latitude), float(longitude)
        dlat = conf.duplicate_radius_m / 111_320
        dlon = dlat / max(0.05, math.cos(math.radians(lat)))
        near = Q(latitude__range=(Decimal(str(lat - dlat)), Decimal(str(lat + dlat))),
                 longitude__range=(Decimal(str(lon - dlon)), Decimal(str(lon + dlon))))
        place |= near
    elif grid_id:
        place |= Q(grid_id=grid_id)
    if not place:
        return []
    found = []
    for order in qs.filter(place)[:50]:
        same_merchant = bool(merchant_id) and order.merchant_id == merchant_id
        if not same_merchant and near is not None:
            if order.latitude is None or _metres(
                    float(latitude), float(longitude), float(order.latitude),
                    float(order.longitude)) > conf.duplicate_radius_m:
                continue
        found.append(order)
        if len(found) >= limit:
            break
    return found


def merge_candidates(*, district: District, limit: int = 30) -> list[tuple[WorkOrder, list]]:
    """Waiting orders that look like an earlier live order: (order, [earlier orders])."""
    out = []
    waiting = (_base(district).filter(status=Status.SUBMITTED).order_by("-created_at")[:200])
    for order in waiting:
        earlier = [o for o in duplicates_find(
            district=district, category=order.category, latitude=order.latitude,
            longitude=order.longitude, merchant_id=order.merchant_id, grid_id=order.grid_id,
            at=order.created_at, exclude_pk=order.pk) if o.created_at <= order.created_at]
        if earlier:
            out.append((order, earlier))
            if len(out) >= limit:
                break
    return out


def overdue_list(*, user: Any, district: District) -> QuerySet[WorkOrder]:
    """Open orders past a limit (flagged by the periodic check or past due right now)."""
    now = timezone.now()
    qs = work_order_list(user=user, district=district)
    return qs.filter(
        Q(status=Status.DISPATCHED, response_due_at__lt=now)
        | Q(status__in=[Status.DISPATCHED, Status.ACCEPTED], resolution_due_at__lt=now)
        | Q(status__in=[Status.DISPATCHED, Status.ACCEPTED], response_overdue=True)
        | Q(status__in=[Status.DISPATCHED, Status.ACCEPTED], resolution_overdue=True)
    ).order_by("resolution_due_at")


def escalation_list(*, district: District, open_only: bool = True) -> QuerySet[Escalation]:
    qs = Escalation.objects.filter(district=district).select_related(
        "order", "order__category", "order__department", "handled_by")
    return qs.filter(handled_at__isnull=True) if open_only else qs


def my_reports(*, user: Any) -> QuerySet[WorkOrder]:
    if not getattr(user, "is_authenticated", False):
        return WorkOrder.objects.none()
    return WorkOrder.objects.filter(reporter=user).select_related("category", "district")


def counts_by_status(*, district: District) -> dict[str, int]:
    rows = (WorkOrder.objects.filter(district=district, status__in=[
        Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.RESOLVED, Status.REOPENED])
        .values("status").annotate(n=Count("id")).order_by())
    counts = dict.fromkeys(Status.values, 0)
    counts.update({r["status"]: r["n"] for r in rows})
    counts["waiting"] = counts[Status.SUBMITTED] + counts[Status.REOPENED]
    return counts
