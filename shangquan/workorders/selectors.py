"""Reads on work orders, always scoped by district (and by who is asking)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.district_settings import Values, district_settings
from shangquan.core.errors import NotFound
from shangquan.core.models import District
from shangquan.core.roles import Role

from .models import Category, Escalation, Event, Status, WorkOrder
from .policies import can_view

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


def settings_get(*, district: District) -> Values:
    """The district's work-order settings (``settings_schema``; defaults until changed)."""
    return district_settings(district=district, app="workorders")


def category_list(*, district: District, active_only: bool = True) -> QuerySet[Category]:
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


def public_reports(*, district: District, category: str = "", limit: int = 50) -> list:
    """The public list of reports: category, status, time, place words and the public
    timeline (the department's public replies). Never who reported, their text or photos."""
    qs = (WorkOrder.objects.filter(district=district)
          .exclude(status__in=[Status.REJECTED, Status.MERGED])
          .select_related("category", "department").order_by("-created_at", "-id"))
    if category:
        qs = qs.filter(category__code=category)
    # The rounded public location is for the public map (metoo_reads.map_points).
    orders = list(qs.only("id", "number", "status", "created_at", "address", "resolution_note",
                          "resolved_at", "latitude", "longitude", "category__name",
                          "category__code", "category__public_place",
                          "department__name", "district_id")[:limit])
    replies: dict[int, list] = {}
    for event in (Event.objects.filter(order__in=orders, public=True).exclude(note="")
                  .order_by("created_at", "id").only("order_id", "note", "created_at")):
        replies.setdefault(event.order_id, []).append(event)
    for order in orders:
        order.public_replies = replies.get(order.pk, [])
    return orders


def dispatch_note(*, order: WorkOrder) -> str:
    """The committee's note on the current dispatch (派单说明), for the department's page."""
    if order.dispatched_at is None:
        return ""
    event = (order.events.filter(action="dispatch_note", created_at__gte=order.dispatched_at)
             .order_by("-created_at", "-id").first())
    return event.note if event else ""


# Public coordinates of a report not about a public place: 3 decimals of a degree,
# about 111 m north-south (and less east-west), so a home or a shop door is not pinned.
PUBLIC_DECIMALS = 3


def public_location(order: WorkOrder) -> tuple[float | None, float | None]:
    """The order's location as the public may see it (Open311 ``requests.json``): exact
    when its category is about a public place, else rounded to about 100 m."""
    if order.latitude is None or order.longitude is None:
        return None, None
    lat, lon = float(order.latitude), float(order.longitude)
    if order.category.public_place:
        return lat, lon
    return round(lat, PUBLIC_DECIMALS), round(lon, PUBLIC_DECIMALS)


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _is_near(order: WorkOrder, *, radius_m: int, latitude: Any, longitude: Any,
             merchant_id: int | None, grid_id: int | None) -> bool:
    """The same merchant, or within the radius of the pin, or — without a pin — the same grid."""
    if merchant_id and order.merchant_id == merchant_id:
        return True
    if latitude is not None and longitude is not None:
        return order.latitude is not None and order.longitude is not None and _metres(
            float(latitude), float(longitude), float(order.latitude),
            float(order.longitude)) <= radius_m
    return bool(grid_id) and order.grid_id == grid_id


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
          .exclude(status__in=[Status.REJECTED, Status.MERGED])
          .select_related("category").order_by("created_at"))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    place = Q()
    if merchant_id:
        place |= Q(merchant_id=merchant_id)
    if latitude is not None and longitude is not None:
        lat, lon = float(latitude), float(longitude)
        dlat = conf.duplicate_radius_m / 111_320
        dlon = dlat / max(0.05, math.cos(math.radians(lat)))
        place |= Q(latitude__range=(Decimal(str(lat - dlat)), Decimal(str(lat + dlat))),
                   longitude__range=(Decimal(str(lon - dlon)), Decimal(str(lon + dlon))))
    elif grid_id:
        place |= Q(grid_id=grid_id)
    if not place:
        return []
    found = []
    for order in qs.filter(place)[:50]:
        if _is_near(order, radius_m=conf.duplicate_radius_m, latitude=latitude,
                    longitude=longitude, merchant_id=merchant_id, grid_id=grid_id):
            found.append(order)
            if len(found) >= limit:
                break
    return found


def merge_candidates(*, district: District, limit: int = 30,
                     per_order: int = 5) -> list[tuple[WorkOrder, list]]:
    """Waiting orders that look like an earlier live order: (order, [earlier orders]).

    Three queries whatever the number of orders: the settings, the waiting orders, and
    every live order of their categories in the span of their time windows, matched in
    Python with the same rule as :func:`duplicates_find`.
    """
    conf = settings_get(district=district)
    window = dt.timedelta(hours=conf.duplicate_window_hours)
    waiting = list(_base(district).filter(status=Status.SUBMITTED).order_by("-created_at")[:200])
    if not waiting:
        return []
    live = (WorkOrder.objects.filter(
        district=district, category_id__in={o.category_id for o in waiting},
        created_at__gte=min(o.created_at for o in waiting) - window,
        created_at__lte=max(o.created_at for o in waiting))
        .exclude(status__in=[Status.REJECTED, Status.MERGED]).order_by("created_at", "pk"))
    by_category: dict[int, list[WorkOrder]] = {}
    for other in live:
        by_category.setdefault(other.category_id, []).append(other)
    out = []
    for order in waiting:
        earlier = []
        for other in by_category.get(order.category_id, ()):
            if other.created_at > order.created_at:
                break
            if other.pk == order.pk or other.created_at < order.created_at - window:
                continue
            if _is_near(other, radius_m=conf.duplicate_radius_m, latitude=order.latitude,
                        longitude=order.longitude, merchant_id=order.merchant_id,
                        grid_id=order.grid_id):
                earlier.append(other)
                if len(earlier) >= per_order:
                    break
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


def board_channel(district_id: int) -> str:
    """The live channel of a district's dispatch board (``core.live``)."""
    return f"workorders:{district_id}"


def board_signature(*, district: District) -> int:
    """Moves with every change of any order: each change writes a timeline event."""
    return Event.objects.filter(district=district).aggregate(m=Max("id"))["m"] or 0


def counts_by_status(*, district: District) -> dict[str, int]:
    rows = (WorkOrder.objects.filter(district=district, status__in=[
        Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.RESOLVED, Status.REOPENED])
        .values("status").annotate(n=Count("id")).order_by())
    counts = dict.fromkeys(Status.values, 0)
    counts.update({r["status"]: r["n"] for r in rows})
    counts["waiting"] = counts[Status.SUBMITTED] + counts[Status.REOPENED]
    return counts


def work_order_substantiated_between(*, district: District, start: dt.datetime,
                                     end: dt.datetime) -> dict[int, list[dict[str, Any]]]:
    """merchant id -> its substantiated orders (as :func:`work_order_substantiated_counts`)
    with id, number and date, so a rating deduction can link to each."""
    out: dict[int, list[dict[str, Any]]] = {}
    rows = (WorkOrder.objects.filter(district=district, merchant__isnull=False,
                                     created_at__gte=start, created_at__lt=end,
                                     status__in=HANDLED)
            .values_list("merchant_id", "pk", "number", "created_at").order_by("created_at"))
    for merchant_id, pk, number, created in rows:
        out.setdefault(merchant_id, []).append(
            {"id": pk, "label": number, "date": timezone.localtime(created).date()})
    return out
