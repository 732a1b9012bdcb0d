"""Reads of the crowd module, always scoped by district."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.models import District
from shangquan.core.selectors import access_scoped

from . import rules
from .models import (
    LEVEL_RANK,
    Alert,
    AlertSubscription,
    ControlEvent,
    Gate,
    Level,
    ManualCount,
    MinuteFlow,
    Zone,
)

RECENT_MINUTES = 15
TREND_MINUTES = 60
STALE_AFTER = dt.timedelta(minutes=30)


def zone_list(*, user: Any, district: District, active_only: bool = False) -> QuerySet[Zone]:
    policies.require(user, "crowd.view", district)
    qs = Zone.objects.filter(district=district).select_related("parent", "waiting_zone")
    return qs.filter(is_active=True) if active_only else qs


def zone_get(*, user: Any, district: District, pk: Any) -> Zone:
    policies.require(user, "crowd.view", district)
    return access_scoped(Zone.objects.select_related("district", "parent", "waiting_zone"),
                         district=district, pk=pk)


def gate_list(*, user: Any, district: District) -> QuerySet[Gate]:
    policies.require(user, "crowd.view", district)
    return Gate.objects.filter(district=district).select_related("zone", "device")


def gate_get(*, user: Any, district: District, pk: Any) -> Gate:
    policies.require(user, "crowd.view", district)
    return access_scoped(Gate.objects.select_related("district", "zone", "device"),
                         district=district, pk=pk)


def my_alert_subscriptions(*, user: Any, district: District) -> list:
    """The zones (and levels) ``user`` takes alerts for, besides the committee's duty."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(AlertSubscription.objects.filter(district=district, user_id=user.pk)
                .select_related("zone").order_by("zone__name", "id"))


def alert_list(*, user: Any, district: District, open_only: bool = False,
               zone: Zone | None = None) -> QuerySet[Alert]:
    policies.require(user, "crowd.view", district)
    qs = Alert.objects.filter(district=district).select_related("zone", "acknowledged_by")
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs.filter(zone=zone) if zone is not None else qs


def alert_get(*, user: Any, district: District, pk: Any) -> Alert:
    policies.require(user, "crowd.view", district)
    return access_scoped(Alert.objects.select_related("district", "zone"), district=district,
                         pk=pk)


def control_event_list(*, user: Any, district: District,
                       zone: Zone | None = None) -> QuerySet[ControlEvent]:
    policies.require(user, "crowd.view", district)
    qs = ControlEvent.objects.filter(district=district).select_related("zone", "actor")
    return qs.filter(zone=zone) if zone is not None else qs


def manual_count_list(*, user: Any, district: District,
                      zone: Zone | None = None) -> QuerySet[ManualCount]:
    policies.require(user, "crowd.view", district)
    qs = ManualCount.objects.filter(district=district).select_related("zone", "actor")
    return qs.filter(zone=zone) if zone is not None else qs


# --- the live board ------------------------------------------------------------------
def board_channel(district_id: int) -> str:
    """The live channel a district's board listens on (``core.live``)."""
    return f"crowd:{district_id}"


def board_signature(*, district: District) -> tuple:
    """Changes whenever anything on the board changes: cheap enough to poll."""
    zones = Zone.objects.filter(district=district).aggregate(m=Max("updated_at"))["m"]
    alerts = Alert.objects.filter(district=district).aggregate(m=Max("id"))["m"]
    return (zones.isoformat() if zones else "", alerts or 0)


def _recent_net(zone: Zone, rows: list[MinuteFlow]) -> tuple[list[int], list[int]]:
    """Entries and net flow per minute over the last minutes of data, gaps as zero."""
    if not rows:
        return [], []
    last = rows[-1].minute
    by_minute = {r.minute: r for r in rows}
    entries, net = [], []
    # Start at the first minute with data, so a zone that just opened has no fake lull.
    span = min(RECENT_MINUTES, int((last - rows[0].minute).total_seconds() // 60) + 1)
    for k in range(span - 1, -1, -1):
        row = by_minute.get(last - dt.timedelta(minutes=k))
        entries.append(row.entries if row else 0)
        net.append(row.entries - row.exits if row else 0)
    return entries, net


def zone_state(zone: Zone, rows: list[MinuteFlow], now: dt.datetime) -> dict:
    pct = rules.percent(zone.occupancy, zone.capacity)
    dens = rules.density(zone.occupancy, zone.area_m2)
    fresh = zone.last_reading_at is not None and now - zone.last_reading_at < STALE_AFTER
    entries, net = _recent_net(zone, rows) if fresh else ([], [])
    arrivals = round(sum(entries[-5:]) / 5, 1) if entries else 0.0
    return {
        "id": zone.pk, "name": zone.name, "kind": zone.kind,
        "kind_label": str(zone.get_kind_display()),
        "parent": zone.parent_id, "waiting_zone": zone.waiting_zone.name
        if zone.waiting_zone_id else "",
        "occupancy": zone.occupancy, "capacity": zone.capacity,
        "percent": float(rules.shown_percent(pct)), "density": float(rules.shown_density(dens)), "los": rules.fruin_los(zone.occupancy, zone.area_m2),
        "level": zone.level, "level_label": str(Level(zone.level).label),
        "control": zone.control, "control_label": str(zone.get_control_display()),
        "control_mode": zone.control_mode,
        "override_until": zone.override_until.isoformat() if zone.override_until else None,
        "arrivals_per_minute": arrivals,
        "forecast_15": rules.forecast(zone.occupancy, net[-12:]) if fresh else zone.occupancy,
        "flow": net,
        "last_reading_at": zone.last_reading_at.isoformat() if zone.last_reading_at else None,
    }


def board(*, user: Any, district: District) -> dict:
    """Everything the live board shows, as JSON-ready data."""
    policies.require(user, "crowd.view", district)
    return board_data(district=district)


def board_data(*, district: District) -> dict:
    now = timezone.now()
    zones = list(Zone.objects.filter(district=district, is_active=True)
                 .select_related("waiting_zone"))
    since = {z.pk: z.last_reading_at - dt.timedelta(minutes=TREND_MINUTES)
             for z in zones if z.last_reading_at}
    rows_by_zone: dict[int, list[MinuteFlow]] = {z.pk: [] for z in zones}
    by_pk = {z.pk: z for z in zones}
    if since:
        for row in MinuteFlow.objects.filter(district=district, zone_id__in=list(since),
                                             minute__gt=min(since.values())).order_by("minute"):
            zone = by_pk[row.zone_id]
            # Only minutes since the zone's last reset, up to its latest reading.
            if since[row.zone_id] < row.minute <= zone.last_reading_at and \
                    row.minute >= zone.reset_at.replace(second=0, microsecond=0):
                rows_by_zone[row.zone_id].append(row)
    states = [zone_state(z, rows_by_zone[z.pk], now) for z in zones]
    trend = _trend(zones, rows_by_zone)
    top = [s for s in states if s["parent"] is None and s["kind"] != Zone.Kind.WAITING]
    # One line per zone: its highest open alert (acknowledging it clears the lower ones).
    open_alerts: dict[int, Alert] = {}
    pending: dict[int, int] = {}
    for a in Alert.objects.filter(district=district, acknowledged_at__isnull=True)\
            .select_related("zone").order_by("-raised_at", "-id")[:200]:
        pending[a.zone_id] = pending.get(a.zone_id, 0) + 1
        best = open_alerts.get(a.zone_id)
        if best is None or LEVEL_RANK[Level(a.level)] > LEVEL_RANK[Level(best.level)]:
            open_alerts[a.zone_id] = a
    alerts = [{"id": a.pk, "zone": a.zone.name, "level": a.level,
               "level_label": str(Level(a.level).label), "percent": float(a.percent),
               "occupancy": a.occupancy, "raised_at": a.raised_at.isoformat(),
               "raised_label": timezone.localtime(a.raised_at).strftime("%H:%M"),
               "pending": pending[a.zone_id]}
              for a in sorted(open_alerts.values(),
                              key=lambda a: (-LEVEL_RANK[Level(a.level)], a.raised_at))]
    worst = max((s["level"] for s in states), key=lambda lvl: LEVEL_RANK[Level(lvl)],
                default=Level.GREEN)
    return {
        "district": district.code, "generated_at": now.isoformat(),
        "generated_label": timezone.localtime(now).strftime("%H:%M:%S"),
        "level": worst, "level_label": str(Level(worst).label),
        "occupancy": sum(s["occupancy"] for s in top),
        "arrivals_per_minute": round(sum(s["arrivals_per_minute"] for s in top), 1),
        "zones": states, "alerts": alerts, "trend": trend,
    }


def _trend(zones: list[Zone], rows_by_zone: dict[int, list[MinuteFlow]]) -> dict:
    """Occupancy per minute over the last hour of data, per zone (for the chart)."""
    latest = max((rows[-1].minute for rows in rows_by_zone.values() if rows), default=None)
    if latest is None:
        return {"labels": [], "series": []}
    minutes = [latest - dt.timedelta(minutes=k) for k in range(TREND_MINUTES - 1, -1, -1)]
    series = []
    for zone in zones:
        known = {r.minute: r.occupancy_end for r in rows_by_zone[zone.pk]}
        if not known:
            continue
        values, last = [], None
        for minute in minutes:
            last = known.get(minute, last)
            values.append(last)
        series.append({"name": zone.name, "data": values})
    labels = [timezone.localtime(m).strftime("%H:%M") for m in minutes]
    return {"labels": labels, "series": series}


# --- reports ---------------------------------------------------------------------------
EVENING_STARTS = dt.time(6, 0)


def evening_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A report day runs from 06:00 to 06:00 the next morning, local time.

    Night markets close after midnight, so the small hours belong to the evening before;
    the bounds cover every minute of the day so no reading falls between two reports.
    """
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(day, EVENING_STARTS, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def evening_report(*, user: Any, district: District, day: dt.date) -> dict:
    """Per zone: peak occupancy and when, entries, minutes at or above each level."""
    policies.require(user, "crowd.report", district)
    start, end = evening_bounds(day)
    zones = {z.pk: z for z in Zone.objects.filter(district=district)}
    out: dict[int, dict] = {}
    # An evening is zones × 360 minutes: read five columns as tuples, not model rows.
    rank = {str(level): LEVEL_RANK[level] for level in Level}
    levels = [(lvl, LEVEL_RANK[lvl]) for lvl in (Level.YELLOW, Level.ORANGE, Level.RED)]
    for zone_id, minute, entries, exits, occupancy_max, level_max in (
            MinuteFlow.objects.filter(district=district, minute__gte=start, minute__lt=end)
            .order_by("minute").values_list("zone_id", "minute", "entries", "exits",
                                            "occupancy_max", "level_max")):
        zone = zones[zone_id]
        item = out.setdefault(zone_id, {
            "zone": zone.name, "zone_id": zone.pk, "capacity": zone.capacity, "peak": 0,
            "peak_at": None, "entries": 0, "exits": 0,
            "minutes": {Level.YELLOW: 0, Level.ORANGE: 0, Level.RED: 0}})
        item["entries"] += entries
        item["exits"] += exits
        if occupancy_max > item["peak"]:
            item["peak"], item["peak_at"] = occupancy_max, minute
        row_rank = rank[str(level_max)]
        for lvl, lvl_rank in levels:
            if row_rank >= lvl_rank:
                item["minutes"][lvl] += 1
    rows = sorted(out.values(), key=lambda i: (zones[i["zone_id"]].sort, i["zone"]))
    for item in rows:
        item["peak_percent"] = float(rules.shown_percent(rules.percent(item["peak"],
                                                                        item["capacity"])))
    events = ControlEvent.objects.filter(district=district, created_at__gte=start,
                                         created_at__lt=end).count()
    alerts = Alert.objects.filter(district=district, raised_at__gte=start,
                                  raised_at__lt=end).count()
    return {"day": day, "start": start, "end": end, "zones": rows, "control_events": events,
            "alerts": alerts}


def latest_evening(*, district: District) -> dt.date:
    """The evening of the most recent data (for the report's default date)."""
    last = MinuteFlow.objects.filter(district=district).aggregate(m=Max("minute"))["m"]
    return evening_of(last or timezone.now())


def evening_of(moment: dt.datetime) -> dt.date:
    """The report day a moment belongs to (see `evening_bounds`)."""
    local = timezone.localtime(moment)
    since_start = dt.timedelta(hours=EVENING_STARTS.hour, minutes=EVENING_STARTS.minute)
    return (local - since_start).date()
