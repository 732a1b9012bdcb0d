"""The big screen's map of a district: grids coloured by their open work orders, the
service stations, the crowd zones by alert level, and today's work orders as points.

Each app's rows come through its selectors; an app that is not installed adds nothing.
No personal data: no reporter, no description, no photo; an order's point is rounded to
about 100 m unless its category is about a public place (as on the public map), and a
station's host is left out.
"""

from __future__ import annotations

import math
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.errors import DomainError
from shangquan.core.models import District
from shangquan.core.periods import Period, bounds
from shangquan.core.roles import Role
from shangquan.crowd.selectors import board_data
from shangquan.merchants.selectors import grid_list
from shangquan.workorders.selectors import PUBLIC_DECIMALS, board_signature, work_order_list

from . import selectors

if apps.is_installed("shangquan.stations"):  # optional: without it the map has no stations
    from shangquan.stations.selectors import station_cards

# The work-order states that count as an open issue (workorders.models.OPEN_STATUSES;
# a test keeps the two equal, the dashboard imports no model).
OPEN_STATUSES = ("submitted", "dispatched", "accepted", "reopened")
ORDER_POINTS_MAX = 500
OPEN_CACHE_SECONDS = 3600
# open orders in a grid → its colour on the map
GRID_LEVELS = ((0, "green"), (2, "yellow"), (5, "orange"))


def grid_level(open_orders: int) -> str:
    for most, level in GRID_LEVELS:
        if open_orders <= most:
            return level
    return "red"


def _float(value: Any) -> float | None:
    return None if value is None else round(float(value), 6)


def _open_by_grid(user: Any, district: District, view: str) -> dict[int | None, int]:
    """Open orders per grid (``None``: orders in no grid).

    The GROUP BY reads every open order's row (tens of thousands in a district with a
    million orders), so it is kept in the shared cache under the work orders' board
    signature (the newest timeline event: every change of an order through the services
    writes one), and computed again only once an order has changed."""
    key = f"dashboard:open-by-grid:{district.pk}:{view}:{board_signature(district=district)}"
    try:
        known = cache.get(key)
    except Exception:  # a cache that is down costs the query, not the screen
        known = None
    if known is not None:
        return {(None if k == "" else int(k)): n for k, n in known.items()}
    rows = (work_order_list(user=user, district=district, status=",".join(OPEN_STATUSES))
            .values("grid_id").annotate(n=Count("*")).order_by())  # index-only
    counts = {r["grid_id"]: r["n"] for r in rows}
    try:
        cache.set(key, {("" if k is None else str(k)): n for k, n in counts.items()},
                  OPEN_CACHE_SECONDS)
    except Exception:
        pass
    return counts


def _grids(district: District, open_by_grid: dict[int | None, int]) -> list[dict[str, Any]]:
    out = []
    for g in grid_list(district=district).values("id", "name", "latitude", "longitude"):
        n = open_by_grid.get(g["id"], 0)
        out.append({"id": g["id"], "name": g["name"], "lat": _float(g["latitude"]),
                    "lon": _float(g["longitude"]), "open": n, "level": grid_level(n)})
    return out


def _stations(district: District) -> list[dict[str, Any]]:
    if not apps.is_installed("shangquan.stations"):
        return []
    return [{"id": c["id"], "name": c["name"], "kind": c["kind"], "kind_label": str(c["kind_label"]),
             "lat": c["latitude"], "lon": c["longitude"], "open": c["open_now"],
             "free": c["free"], "capacity": c["capacity"]}
            for c in station_cards(district=district)]


def _zones(district: District, centre: tuple[float, float] | None) -> list[dict[str, Any]]:
    """Zones have no coordinates of their own: they ring the district's centre, the
    market itself in the middle, each sized by its capacity."""
    zones = [z for z in board_data(district=district)["zones"] if z["kind"] != "waiting"]
    out = []
    ring = [z for z in zones if z["parent"] is not None] or []
    for z in zones:
        lat = lon = None
        if centre is not None:
            if z["parent"] is None and ring:
                lat, lon = centre
            else:
                k = ring.index(z) if z in ring else zones.index(z)
                n = max(1, len(ring) if ring else len(zones))
                angle = 2 * math.pi * k / n
                lat = round(centre[0] + 0.0012 * math.sin(angle), 6)
                lon = round(centre[1] + 0.0015 * math.cos(angle), 6)
        out.append({"id": z["id"], "name": z["name"], "level": z["level"],
                    "level_label": z["level_label"], "percent": z["percent"],
                    "occupancy": z["occupancy"], "capacity": z["capacity"],
                    "lat": lat, "lon": lon})
    return out


def _orders_today(user: Any, district: District) -> tuple[list[dict[str, Any]], int]:
    today = Period("day", timezone.localdate())
    start, end = bounds(today.start, today.end)
    qs = (work_order_list(user=user, district=district)
          .filter(created_at__gte=start, created_at__lt=end)
          .exclude(status__in=("rejected", "merged")))
    rows = list(qs.order_by("-created_at", "-id").values(
        "id", "number", "status", "latitude", "longitude", "created_at",
        "category__name", "category__public_place")[:ORDER_POINTS_MAX])
    total = len(rows) if len(rows) < ORDER_POINTS_MAX else _today_total(district, today)
    out = []
    tz = timezone.get_current_timezone()
    for r in rows:
        if r["latitude"] is None or r["longitude"] is None:
            continue
        digits = 6 if r["category__public_place"] else PUBLIC_DECIMALS
        out.append({"id": r["id"], "number": r["number"], "status": r["status"],
                    "open": r["status"] in OPEN_STATUSES, "category": r["category__name"],
                    "lat": round(float(r["latitude"]), digits),
                    "lon": round(float(r["longitude"]), digits),
                    "time": r["created_at"].astimezone(tz).strftime("%H:%M")})
    return out, total


def _today_total(district: District, today: Period) -> int:
    """More orders today than points drawn: the count from the work-order KPI counters
    (the 工单总量 tile's figure), not a count over today's rows."""
    try:
        indicator = selectors.indicator_get(key="workorders.total")
    except DomainError:
        return ORDER_POINTS_MAX
    value = indicator.measure(district, today.start, today.end).value
    return int(value or 0)


def map_data(*, user: Any, district: District) -> dict[str, Any]:
    """The map panel's layers, JSON-ready (first paint and every event of the stream)."""
    view = "all" if policies.has_role(user, district, Role.COMMITTEE, Role.STREET) \
        else f"u{getattr(user, 'pk', 0)}"
    open_by_grid = _open_by_grid(user, district, view)
    grids = _grids(district, open_by_grid)
    stations = _stations(district)
    orders, orders_total = _orders_today(user, district)
    centre = None
    if district.latitude is not None and district.longitude is not None:
        centre = (float(district.latitude), float(district.longitude))
    else:
        points = [(p["lat"], p["lon"]) for p in (*grids, *stations, *orders)
                  if p["lat"] is not None]
        if points:
            centre = (sum(p[0] for p in points) / len(points),
                      sum(p[1] for p in points) / len(points))
    return {
        "centre": list(centre) if centre else None,
        "grids": grids, "stations": stations, "zones": _zones(district, centre),
        "orders": orders, "orders_total": orders_total,
        "open_total": sum(open_by_grid.values()),
        "stations_open": sum(1 for s in stations if s["open"]),
    }
