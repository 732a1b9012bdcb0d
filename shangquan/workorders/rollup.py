"""Keep the per-day KPI counters (KpiDaily) in step with the orders.

Every service snapshots an order's contribution before changing it and applies the
difference afterwards, so the counters never drift; ``kpi_rebuild`` recomputes them
from the orders with one aggregate query per dimension (demo bulk loads, repairs).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncDate

from shangquan.core.models import District

from .models import KpiDaily, Status, WorkOrder

Bucket = tuple[str, int]  # (dim, key)
Vector = dict[str, int]

_TZ = ZoneInfo(settings.TIME_ZONE)
_NOT_COUNTED = (Status.REJECTED, Status.MERGED)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(_TZ).date()


def vector(order: WorkOrder) -> Vector:
    counted = order.status not in _NOT_COUNTED
    dispatched = counted and order.dispatched_at is not None
    rated = bool(order.rating) and counted
    kept = rated and not order.rating_excluded
    return {
        "total": 1,
        "dispatched": int(dispatched),
        "responded": int(dispatched and order.accepted_at is not None
                         and not order.response_overdue),
        "resolved": int(dispatched and order.status in (Status.RESOLVED, Status.CLOSED)
                        and order.resolved_at is not None),
        "rated": int(kept),
        "satisfied": int(kept and order.rating == "satisfied"),
        "basic": int(kept and order.rating == "basic"),
        "unsatisfied": int(kept and order.rating == "unsatisfied"),
        "excluded": int(rated and order.rating_excluded),
        "response_overdue": int(counted and order.response_overdue),
        "resolution_overdue": int(counted and order.resolution_overdue),
    }


def contribution(order: WorkOrder) -> tuple[dt.date, dict[Bucket, Vector]]:
    vec = vector(order)
    buckets = {
        ("all", 0): vec,
        ("department", order.department_id or 0): vec,
        ("category", order.category_id): vec,
        ("grid", order.grid_id or 0): vec,
    }
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


def _flag(condition: Q) -> Sum:
    return Sum(Case(When(condition, then=Value(1)), default=Value(0),
                    output_field=IntegerField()))


def rebuild(*, district: District) -> int:
    """Recompute every counter of a district from its orders (aggregate SQL only)."""
    counted = ~Q(status__in=_NOT_COUNTED)
    dispatched = counted & Q(dispatched_at__isnull=False)
    rated = counted & ~Q(rating="")
    kept = rated & Q(rating_excluded=False)
    aggregates = {
        "total": Count("id"),
        "dispatched": _flag(dispatched),
        "responded": _flag(dispatched & Q(accepted_at__isnull=False, response_overdue=False)),
        "resolved": _flag(dispatched & Q(status__in=[Status.RESOLVED, Status.CLOSED],
                                         resolved_at__isnull=False)),
        "rated": _flag(kept),
        "satisfied": _flag(kept & Q(rating="satisfied")),
        "basic": _flag(kept & Q(rating="basic")),
        "unsatisfied": _flag(kept & Q(rating="unsatisfied")),
        "excluded": _flag(rated & Q(rating_excluded=True)),
        "response_overdue": _flag(counted & Q(response_overdue=True)),
        "resolution_overdue": _flag(counted & Q(resolution_overdue=True)),
    }
    base = WorkOrder.objects.filter(district=district).annotate(
        day=TruncDate("created_at", tzinfo=_TZ))
    rows: list[KpiDaily] = []
    for dim, field in (("all", None), ("department", "department_id"),
                       ("category", "category_id"), ("grid", "grid_id")):
        keys = ["day"] + ([field] if field else [])
        for row in base.values(*keys).annotate(**aggregates).order_by():
            rows.append(KpiDaily(district=district, day=row["day"], dim=dim,
                                 key=(row[field] or 0) if field else 0,
                                 **{name: row[name] or 0 for name in KpiDaily.COUNTERS}))
    with transaction.atomic():
        KpiDaily.objects.filter(district=district).delete()
        KpiDaily.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
