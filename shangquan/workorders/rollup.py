"""Keep the per-day KPI counters (KpiDaily) in step with the orders.

Every service snapshots an order's contribution before changing it and applies the
difference afterwards, so the counters never drift; ``kpi_rebuild`` recomputes them
from the orders with one aggregate query per dimension (demo bulk loads, repairs).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
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
    # Buckets that change by the same amounts (the usual case: one order's four
    # dimensions) are updated with one statement.
    groups: dict[tuple, list[tuple[str, int]]] = {}
    for (day, dim, key), delta in deltas.items():
        changes = tuple(sorted((name, value) for name, value in delta.items() if value))
        if changes:
            groups.setdefault((day, changes), []).append((dim, key))
    for (day, changes), buckets in groups.items():
        where = Q()
        for dim, key in buckets:
            where |= Q(dim=dim, key=key)
        scope = KpiDaily.objects.filter(where, district=district, day=day)
        # Rows are never deleted (outside a rebuild), so what exists now is updated
        # here; a bucket created meanwhile by someone else is caught by bump().
        existing = set(scope.values_list("dim", "key"))
        if existing:
            mine = Q()
            for dim, key in existing:
                mine |= Q(dim=dim, key=key)
            KpiDaily.objects.filter(mine, district=district, day=day).update(
                **{name: F(name) + value for name, value in changes})
        for dim, key in buckets:
            if (dim, key) not in existing:
                bump(district, day, dim, key, dict(changes))


def bump(district: District, day: dt.date, dim: str, key: int, changes: dict[str, int]) -> None:
    qs = KpiDaily.objects.filter(district=district, day=day, dim=dim, key=key)
    updates = {name: F(name) + value for name, value in changes.items()}
    if qs.update(**updates):
        return
    try:
        with transaction.atomic():
            KpiDaily.objects.create(district=district, day=day, dim=dim, key=key, **changes)
    except IntegrityError:  # a concurrent writer created the bucket first
        qs.update(**updates)


def add_bulk(district: District, totals: dict[tuple[dt.date, str, int], dict[str, int]]) -> None:
    """Add many buckets' counts at once: one prepared UPSERT (SQLite ≥ 3.24, PostgreSQL)."""
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
