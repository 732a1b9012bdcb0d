"""Reads for 我也遇到 and the public map: how many residents joined each report, whether
this person did, who follows an order, and the map's markers (public location only)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.utils import timezone

from .models import OPEN_STATUSES, MeToo, WorkOrder
from .selectors import public_location


def metoo_counts(*, orders: list[WorkOrder]) -> dict[int, int]:
    """order id -> how many residents said 我也遇到 (one query)."""
    if not orders:
        return {}
    rows = (MeToo.objects.filter(order__in=[o.pk for o in orders]).values("order_id")
            .annotate(n=Count("id")).order_by())
    return {r["order_id"]: r["n"] for r in rows}


def metoo_joined(*, user: Any, orders: list[WorkOrder]) -> set[int]:
    """The ids of these orders the person already joined (one query; none if anonymous)."""
    if not orders or not getattr(user, "is_authenticated", False):
        return set()
    return set(MeToo.objects.filter(user=user, order__in=[o.pk for o in orders])
               .values_list("order_id", flat=True))


def followers(*, order: WorkOrder) -> QuerySet:
    """The people following the order through 我也遇到 (for its progress notifications)."""
    return get_user_model().objects.filter(
        pk__in=MeToo.objects.filter(order=order, user__isnull=False).values("user_id"))


def map_points(*, orders: list[WorkOrder], counts: dict[int, int]) -> list[dict]:
    """The public map's markers: public location only (rounded unless a public place),
    category, status, time, 我也遇到 count. Never who reported, their text or photos."""
    points = []
    for order in orders:
        lat, lon = public_location(order)
        if lat is None:
            continue
        points.append({"number": order.number, "lat": lat, "lon": lon,
                       "category": order.category.name, "status": order.get_status_display(),
                       "open": order.status in OPEN_STATUSES,
                       "at": timezone.localtime(order.created_at).strftime("%m-%d %H:%M"),
                       "metoo": counts.get(order.pk, 0)})
    return points
