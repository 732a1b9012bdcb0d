"""Keep the per-day KPI counters (KpiDaily) in step with the orders.

Every service snapshots an order's contribution before changing it and applies the
difference afterwards, so the counters never drift; ``kpi_rebuild`` recomputes them
from the orders with the same contribution (demo bulk loads, repairs).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from shangquan.core.models import District

from .models import KpiDaily, Status, WorkOrder

Bucket = tuple[str, int]  # (dim, key)
Vector = dict[str, int]

_TZ = ZoneInfo(settings.TIME_ZONE)
_NOT_COUNTED = (Status.REJECTED, Status.MERGED)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(_TZ).date()


def _handling(*, counted: bool, responded: bool, resolved: bool, rating: str,
              excluded: bool, response_overdue: bool, resolution_overdue: bool) -> Vector:
    """What one department's handling of an order counts (one dispatch)."""
    rated = bool(rating) and counted
    kept = rated and not excluded
    return {
        "total": 0,
        "dispatched": int(counted),
        "responded": int(counted and responded),
        "resolved": int(counted and resolved),
        "rated": int(kept),
        "satisfied": int(kept and rating == "satisfied"),
        "basic": int(kept and rating == "basic"),
        "unsatisfied": int(kept and rating == "unsatisfied"),
        "excluded": int(rated and excluded),
        "response_overdue": int(counted and response_overdue),
        "resolution_overdue": int(counted and resolution_overdue),
    }


def current_rating(order: WorkOrder) -> str:
    """The order's rating, if it rates the current handling (given after its dispatch)."""
    if not order.rating or order.rated_at is None or order.dispatched_at is None \
            or order.department_id is None:  # reopened: the rating ended a past handling
        return ""
    return order.rating if order.rated_at >= order.dispatched_at else ""


def past_handling(order: WorkOrder) -> dict:
    """The current handling as it ends in an unsatisfied rating (services.work_order_rate):
    responded as it was, not resolved (the reporter reopened it), rated 不满意."""
    return {"department": order.department_id,
            "responded": order.accepted_at is not None and not order.response_overdue,
            "rating": order.rating, "excluded": bool(order.rating_excluded),
            "response_overdue": bool(order.response_overdue),
            "resolution_overdue": bool(order.resolution_overdue)}


def handlings(order: WorkOrder) -> list[tuple[int, Vector]]:
    """(department id, vector) for every handling of the order: the past ones that ended
    in an unsatisfied rating, then the current one (dispatched, not returned)."""
    counted = order.status not in _NOT_COUNTED
    out = [(past["department"] or 0, _handling(
        counted=counted, responded=past["responded"], resolved=False, rating=past["rating"],
        excluded=past["excluded"], response_overdue=past["response_overdue"],
        resolution_overdue=past["resolution_overdue"]))
        for past in (order.past_handlings or [])]
    if order.dispatched_at is not None and order.department_id is not None:
        rating = current_rating(order)
        out.append((order.department_id, _handling(
            counted=counted,
            responded=order.accepted_at is not None and not order.response_overdue,
            resolved=order.status in (Status.RESOLVED, Status.CLOSED)
            and order.resolved_at is not None,
            rating=rating, excluded=bool(rating) and order.rating_excluded,
            response_overdue=order.response_overdue,
            resolution_overdue=order.resolution_overdue)))
    return out


def _add(into: Vector, vec: Vector) -> None:
    for name, value in vec.items():
        into[name] = into.get(name, 0) + value


def vector(order: WorkOrder) -> Vector:
    """The order's counts for the whole district (and its category and grid): the order
    once in ``total``, plus every handling."""
    vec = dict.fromkeys(KpiDaily.COUNTERS, 0)
    vec["total"] = 1
    for _department, handled in handlings(order):
        _add(vec, handled)
    return vec


def contribution(order: WorkOrder) -> tuple[dt.date, dict[Bucket, Vector]]:
    """Each event counts for the department that handled it at the time: a department
    keeps its unsatisfied rating after the order is re-dispatched, and the next one does
    not inherit it. The order itself (``total``) counts under its current department, or
    the last one that handled it, or 未派单 (0)."""
    parts = handlings(order)
    vec = dict.fromkeys(KpiDaily.COUNTERS, 0)
    vec["total"] = 1
    by_department: dict[int, Vector] = {}
    for department, handled in parts:
        _add(vec, handled)
        _add(by_department.setdefault(department, dict.fromkeys(KpiDaily.COUNTERS, 0)),
             handled)
    owner = order.department_id or (parts[-1][0] if parts else 0)
    by_department.setdefault(owner, dict.fromkeys(KpiDaily.COUNTERS, 0))["total"] += 1
    buckets: dict[Bucket, Vector] = {
        ("all", 0): vec,
        ("category", order.category_id): vec,
        ("grid", order.grid_id or 0): vec,
    }
    for department, handled in by_department.items():
        buckets[("department", department)] = handled
    return local_day(order.created_at), buckets


def apply(district: District, before: tuple | None, after: tuple) -> None:
    """Add ``after`` and subtract ``before`` (each from :func:`contribution`)."""
    deltas: dict[tuple[dt.date, str, int], dict[str, int]] = {}
    for sign, snap in ((-1, before), (1, after)):
        if snap is None:
            continue
        day, buckets = snap
        for (dim, key), vec in buckets.items():
            acc = deltas.setdefault((day, dim, key), dict.fromkeys(KpiDaily.COUNTERS, 0))
            for name, value in vec.items():
                acc[name] += sign * value
    changed = {bucket: delta for bucket, delta in deltas.items() if any(delta.values())}
    if changed:
        add_bulk(district, changed)


def add_bulk(district: District, totals: dict[tuple[dt.date, str, int], dict[str, int]]) -> None:
    """Add (signed) counts to many buckets at once: one prepared UPSERT (SQLite ≥ 3.24,
    PostgreSQL), safe against concurrent writers creating the same bucket."""
    table = connection.ops.quote_name(KpiDaily._meta.db_table)
    names = list(KpiDaily.COUNTERS)
    columns = ", ".join(["district_id", "day", "dim", "key", *names])
    marks = ", ".join(["%s"] * (4 + len(names)))
    sets = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in names)
    sql = (f"INSERT INTO {table} ({columns}) VALUES ({marks}) "
           f"ON CONFLICT (district_id, dim, key, day) DO UPDATE SET {sets}")
    rows = [(district.pk, connection.ops.adapt_datefield_value(day), dim, key,
             *(counts.get(n, 0) for n in names))
            for (day, dim, key), counts in totals.items()]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def rebuild(*, district: District) -> int:
    """Recompute every counter of a district from its orders, with the same
    :func:`contribution` the services apply (so a handling counts where it did)."""
    fields = ["status", "created_at", "category_id", "grid_id", "department_id",
              "dispatched_at", "accepted_at", "resolved_at", "rated_at", "rating",
              "rating_excluded", "response_overdue", "resolution_overdue", "past_handlings"]
    totals: dict[tuple[dt.date, str, int], dict[str, int]] = {}
    orders = WorkOrder.objects.filter(district=district).only(*fields).order_by()
    for order in orders.iterator(chunk_size=2000):
        day, buckets = contribution(order)
        for (dim, key), vec in buckets.items():
            _add(totals.setdefault((day, dim, key), dict.fromkeys(KpiDaily.COUNTERS, 0)), vec)
    rows = [KpiDaily(district=district, day=day, dim=dim, key=key, **counts)
            for (day, dim, key), counts in totals.items()]
    with transaction.atomic():
        KpiDaily.objects.filter(district=district).delete()
        KpiDaily.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
