"""The 数据大屏: a full-screen page per district (or the street's districts together),
ECharts panels fed by one server-sent event stream (``core.live``, as the crowd board).

Every open screen of the same scope shares one rendering per change and language: the
feed's signature moves when today's figures move (work orders, crowd zones) and once a
minute, so a screen is never more than about a minute behind while its stream is up. The
browser shows a banner when the stream is down or the newest data is older than
``STALE_SECONDS``.

Today's tiles are measured live (no cache: the screen is the place where a new order
must show); the 14-day trend and the month's rates come through ``selectors.value``
(cached, shared with the KPI page).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shangquan.core import live, policies
from shangquan.core.indicators import UP, Indicator, Measure
from shangquan.core.models import District
from shangquan.core.periods import Period
from shangquan.core.selectors import access_district
from shangquan.core.views import district_console_view
from shangquan.crowd.selectors import board_data, board_signature

from . import selectors

# What the tiles show, in order (an indicator whose app is absent is left out).
TILE_KEYS = (
    "workorders.total", "workorders.response_rate", "workorders.resolution_rate",
    "workorders.satisfaction_rate", "workorders.overdue", "crowd.peak_vs_capacity",
    "ratings.outdoor_compliance", "stations.bookings_handled", "points.issued",
    "activities.volunteer_hours",
)
TREND_KEYS = ("workorders.total", "workorders.satisfaction_rate")
TREND_DAYS = 14
RANK_KEY = "workorders.satisfaction_rate"  # the street screen ranks its districts by it
STALE_SECONDS = 300  # the issue: a banner when data is older than 5 minutes
DESIGN_SIZES = {"1920x1080": (1920, 1080), "3840x1080": (3840, 1080),
                "3840x2160": (3840, 2160), "6656x1792": (6656, 1792)}


def _chosen(keys: tuple[str, ...]) -> list[Indicator]:
    by_key = {i.key: i for i in selectors.indicators()}
    return [by_key[k] for k in keys if k in by_key]


def _number(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def screen_districts(*, user: Any, district: District, scope: str) -> list[District]:
    """The districts one screen covers: its own, or for ``street`` every district the
    caller oversees (at least two, else there is no street screen)."""
    policies.require(user, "dashboard.view", district)
    if scope != "street":
        return [district]
    districts = selectors.overseen_districts(user=user)
    if len(districts) < 2 or district.pk not in {d.pk for d in districts}:
        raise Http404
    return districts


def _live(indicator: Indicator, districts: list[District], period: Period) -> Measure:
    return selectors.combine(indicator, [indicator.measure(d, period.start, period.end)
                                         for d in districts])


def _cached(indicator: Indicator, districts: list[District], period: Period) -> Measure:
    """One period's value through the KPI cache (and snapshots of closed periods), without
    the previous period that ``selectors.value`` adds."""
    return selectors.combine(indicator, [selectors._measure(indicator, d, period)
                                         for d in districts])


def _tile(indicator: Indicator, districts: list[District], today: Period,
          code: str) -> dict[str, Any]:
    now = _live(indicator, districts, today)
    before = _cached(indicator, districts, today.previous())
    change = None if now.value is None or before.value is None else now.value - before.value
    better = None if not change else (change > 0) == (indicator.direction == UP)
    drill = (reverse("dashboard:drill", kwargs={"code": code, "key": indicator.key})
             + f"?period={today.label}") if indicator.breakdown or indicator.rows else ""
    return {"key": indicator.key, "label": str(indicator.label), "unit": str(indicator.unit),
            "module": str(indicator.module), "value": _number(now.value),
            "previous": _number(before.value), "change": _number(change), "better": better,
            "drill": drill}


def _trend(indicators: list[Indicator], districts: list[District],
           today: dt.date) -> dict[str, Any]:
    days = [Period("day", today - dt.timedelta(days=n)) for n in range(TREND_DAYS - 1, -1, -1)]
    series = []
    for indicator in indicators:
        values = []
        for p in days:
            if p.start == today:
                values.append(_number(_live(indicator, districts, p).value))
            else:
                values.append(_number(_cached(indicator, districts, p).value))
        series.append({"key": indicator.key, "label": str(indicator.label),
                       "unit": str(indicator.unit), "values": values})
    return {"days": [p.start.strftime("%m-%d") for p in days], "series": series}


def _month(districts: list[District], today: dt.date) -> list[dict[str, Any]]:
    month = Period.containing("month", today)
    out = []
    for indicator in selectors.indicators():
        if indicator.unit != "%" or not month.finer_or_equal(indicator.period):
            continue
        out.append({"key": indicator.key, "label": str(indicator.label),
                    "value": _number(_cached(indicator, districts, month).value),
                    "direction": indicator.direction})
    return out


def _crowd(district: District) -> list[dict[str, Any]]:
    if not apps.is_installed("shangquan.crowd"):
        return []
    return [{"name": z["name"], "percent": z["percent"], "level": z["level"],
             "level_label": z["level_label"], "occupancy": z["occupancy"]}
            for z in board_data(district=district)["zones"]]


def _ranking(user: Any, today: dt.date) -> list[dict[str, Any]]:
    try:
        view = selectors.street_view(user=user, key=RANK_KEY,
                                     period=Period.containing("month", today))
    except Exception:  # the indicator's app is absent: no ranking panel
        return []
    return [{"name": r["name"], "value": _number(r["value"]), "rank": r.get("rank")}
            for r in view["rows"]]


def screen_data(*, user: Any, district: District, scope: str = "district") -> dict[str, Any]:
    """Everything one screen shows, as JSON-ready data (the page's first paint and every
    event of its stream)."""
    districts = screen_districts(user=user, district=district, scope=scope)
    today = timezone.localdate()
    day = Period("day", today)
    now = timezone.now()
    data: dict[str, Any] = {
        "title": (_("%(name)s 数据大屏") % {"name": district.name} if scope != "street"
                  else _("街道数据大屏（%(n)d 个商圈）") % {"n": len(districts)}),
        "scope": scope, "today": today.isoformat(),
        "generated_at": int(now.timestamp() * 1000),
        "generated_label": timezone.localtime(now).strftime("%H:%M:%S"),
        "tiles": [_tile(i, districts, day, district.code) for i in _chosen(TILE_KEYS)],
        "trend": _trend(_chosen(TREND_KEYS), districts, today),
        "month": _month(districts, today),
        "month_label": Period.containing("month", today).label,
    }
    if scope == "street":
        data["ranking"] = _ranking(user, today)
        data["ranking_label"] = str(_chosen((RANK_KEY,))[0].label) if data["ranking"] else ""
    else:
        data["zones"] = _crowd(district)
    return data


def screen_signature(*, districts: list[District]) -> tuple:
    """Cheap: today's work-order counters and the crowd boards, plus the minute."""
    today = Period("day", timezone.localdate())
    parts: list[Any] = [int(time.time() // 60), today.start]
    for indicator in _chosen(("workorders.total", "workorders.resolution_rate")):
        m = _live(indicator, districts, today)
        parts.append((m.value, m.numerator, m.denominator))
    if apps.is_installed("shangquan.crowd"):
        parts.extend(board_signature(district=d) for d in districts[:20])
    return tuple(parts)


def _event(data: dict) -> bytes:
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return f"event: screen\ndata: {body}\n\n".encode()


def screen_channel(districts: list[District], scope: str) -> str:
    return f"dashboard:screen:{scope}:" + ",".join(str(d.pk) for d in districts)


def screen_feed(user: Any, district: District, scope: str) -> live.Feed:
    districts = screen_districts(user=user, district=district, scope=scope)

    def render_event(language: str) -> bytes:
        with translation.override(language):
            return _event(screen_data(user=user, district=district, scope=scope))

    return live.feed(screen_channel(districts, scope), render=render_event,
                     signature=lambda: screen_signature(districts=districts))


def _design(raw: str) -> tuple[int, int]:
    conf = getattr(settings, "SHANGQUAN", {}) or {}
    return DESIGN_SIZES.get(raw) or DESIGN_SIZES.get(conf.get("SCREEN_DESIGN", ""),
                                                     (1920, 1080))


@district_console_view
def screen_view(request: HttpRequest) -> HttpResponse:
    district = request.district  # type: ignore[attr-defined]
    scope = "street" if request.GET.get("scope") == "street" else "district"
    data = screen_data(user=request.user, district=district, scope=scope)
    width, height = _design(request.GET.get("size", ""))
    stream = reverse("dashboard:screen_stream", kwargs={"code": district.code})
    if scope == "street":
        stream += "?scope=street"
    try:
        stale = max(5, int(request.GET.get("stale", STALE_SECONDS)))
    except ValueError:
        stale = STALE_SECONDS
    return render(request, "dashboard/screen.html", {
        "data": data, "scope": scope, "width": width, "height": height,
        "wide": width > 2 * height, "stream": stream,
        "stale_seconds": stale, "street_possible":
            len(selectors.overseen_districts(user=request.user)) > 1})


def _authorise(user: Any, code: str, scope: str) -> District:
    district = access_district(user=user, code=code)
    screen_districts(user=user, district=district, scope=scope)
    return district


async def screen_stream(request: HttpRequest, code: str) -> HttpResponse:
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(status=401)
    scope = "street" if request.GET.get("scope") == "street" else "district"
    district = await sync_to_async(_authorise)(user, code, scope)
    feed = await sync_to_async(screen_feed)(user, district, scope)
    return live.stream_response(request, feed)
