"""Each panel of the big screen: its data function, and a per-panel cache that keeps a
panel's figures for its refresh interval.

``panel_data`` computes one panel (the benchmark times each on its own); ``panel_cached``
gives it through an in-process cache keyed by the districts, the slot, the language and
*today*, kept ``panel.refresh`` seconds — so a panel refreshes on its own interval
whenever the stream sends (and at once after midnight: a new day is a new key).

Today's figures are measured live (no KPI cache: the screen is where a new order must
show); earlier days, the month and the trend go through ``selectors`` (KPI cache and
snapshots, shared with the KPI page).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.errors import DomainError
from shangquan.core.indicators import UP, Indicator, Measure
from shangquan.core.models import District
from shangquan.core.pagecache import PageCache
from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.crowd.selectors import board_data

from . import screen_map, selectors
from .layouts import DEFAULT_LAYOUT, RANKING, STREET_LAYOUT, Panel
from .models import REFRESH_MAX, PanelKind

if apps.is_installed("shangquan.ratings"):  # optional: without it no honour board
    from shangquan.ratings.selectors import honour_board

# What the tiles show, in order (an indicator whose app is absent is left out).
TILE_KEYS = (
    "workorders.total", "workorders.response_rate", "workorders.resolution_rate",
    "workorders.satisfaction_rate", "workorders.overdue", "crowd.peak_vs_capacity",
    "ratings.outdoor_compliance", "stations.bookings_handled", "points.issued",
    "activities.volunteer_hours",
)
TREND_KEYS = ("workorders.total", "workorders.satisfaction_rate")
TREND_DAYS = 14
HISTORY_PERIODS = 8  # an indicator panel of a coarser indicator: its last 8 periods
RANK_KEY = selectors.STREET_KEY  # the street screen ranks its districts by it


def chosen(keys: tuple[str, ...]) -> list[Indicator]:
    by_key = {i.key: i for i in selectors.indicators()}
    return [by_key[k] for k in keys if k in by_key]


def number(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def live(indicator: Indicator, districts: list[District], period: Period) -> Measure:
    return selectors.combine(indicator, [indicator.measure(d, period.start, period.end)
                                         for d in districts])


def cached(indicator: Indicator, districts: list[District], period: Period) -> Measure:
    """One period's value through the KPI cache (and snapshots of closed periods)."""
    return selectors.combine(indicator, [selectors._measure(indicator, d, period)
                                         for d in districts])


def _current(indicator: Indicator, today: dt.date) -> Period:
    return Period.containing(indicator.period, today)


def tile(indicator: Indicator, districts: list[District], today: dt.date,
         code: str) -> dict[str, Any]:
    """An indicator's value now (its current period, measured live) against the one before."""
    period = _current(indicator, today)
    now = live(indicator, districts, period)
    before = cached(indicator, districts, period.previous())
    change = None if now.value is None or before.value is None else now.value - before.value
    better = None if not change else (change > 0) == (indicator.direction == UP)
    drill = (reverse("dashboard:drill", kwargs={"code": code, "key": indicator.key})
             + f"?period={period.label}") if indicator.breakdown or indicator.rows else ""
    return {"key": indicator.key, "label": str(indicator.label), "unit": str(indicator.unit),
            "module": str(indicator.module), "value": number(now.value),
            "previous": number(before.value), "change": number(change), "better": better,
            "period": period.label, "drill": drill}


def tiles_data(districts: list[District], today: dt.date, code: str) -> dict[str, Any]:
    return {"tiles": [tile(i, districts, today, code) for i in chosen(TILE_KEYS)]}


def _series(indicator: Indicator, districts: list[District], today: dt.date
            ) -> tuple[list[str], list[float | None]]:
    if indicator.period == "day":
        periods = [Period("day", today - dt.timedelta(days=n))
                   for n in range(TREND_DAYS - 1, -1, -1)]
    else:
        current = _current(indicator, today)
        periods = [current]
        for _i in range(HISTORY_PERIODS - 1):
            periods.insert(0, periods[0].previous())
    values = []
    for p in periods:
        is_open = not p.is_closed(today)
        values.append(number((live if is_open else cached)(indicator, districts, p).value))
    labels = [p.start.strftime("%m-%d") if p.kind == "day" else p.label for p in periods]
    return labels, values


def trend_data(districts: list[District], today: dt.date) -> dict[str, Any]:
    days: list[str] = []
    series = []
    for indicator in chosen(TREND_KEYS):
        days, values = _series(indicator, districts, today)
        series.append({"key": indicator.key, "label": str(indicator.label),
                       "unit": str(indicator.unit), "values": values})
    return {"days": days, "series": series}


def month_data(districts: list[District], today: dt.date) -> dict[str, Any]:
    month = Period.containing("month", today)
    rows = []
    for indicator in selectors.indicators():
        if indicator.unit != "%" or not month.finer_or_equal(indicator.period):
            continue
        rows.append({"key": indicator.key, "label": str(indicator.label),
                     "value": number(cached(indicator, districts, month).value),
                     "direction": indicator.direction})
    return {"month": rows, "month_label": month.label}


def indicator_data(key: str, districts: list[District], today: dt.date,
                   code: str) -> dict[str, Any]:
    try:
        indicator = selectors.indicator_get(key=key)
    except DomainError:  # its app was removed since the panel was chosen
        return {"missing": True, "indicator": None}
    labels, values = _series(indicator, districts, today)
    return {"indicator": tile(indicator, districts, today, code),
            "series": {"labels": labels, "values": values}}


def crowd_data(district: District) -> dict[str, Any]:
    board = board_data(district=district)
    return {"zones": [{"name": z["name"], "percent": z["percent"], "level": z["level"],
                       "level_label": z["level_label"], "occupancy": z["occupancy"]}
                      for z in board["zones"]],
            "occupancy": board["occupancy"], "level": board["level"],
            "level_label": board["level_label"]}


def honour_data(district: District) -> dict[str, Any]:
    """The ratings app's honour board, names of shops only (no people)."""
    if not apps.is_installed("shangquan.ratings"):
        return {"period": "", "flags": [], "excellent": [], "titles": []}
    board = honour_board(district=district)
    return {
        "period": board["period"].name if board["period"] is not None else "",
        "flags": [{"merchant": f.merchant.name, "group": f.group_name}
                  for f in board["flags"]][:12],
        "excellent": [r.merchant.name for r in board["excellent"]][:20],
        "titles": [{"kind": kind, "merchants": [t.merchant.name for t in titles][:12]}
                   for kind, titles in board["titles"].items()][:6],
    }


def ranking_data(user: Any, today: dt.date) -> dict[str, Any]:
    try:
        view = selectors.street_view(user=user, key=RANK_KEY,
                                     period=Period.containing("month", today))
    except DomainError:  # the indicator's app is absent: no ranking
        return {"ranking": [], "ranking_label": ""}
    label = chosen((RANK_KEY,))
    return {"ranking": [{"name": r["name"], "value": number(r["value"]), "rank": r.get("rank")}
                        for r in view["rows"]],
            "ranking_label": str(label[0].label) if label else ""}


def panel_data(panel: Panel, *, user: Any, district: District,
               districts: list[District], today: dt.date | None = None) -> dict[str, Any]:
    """One panel's figures, computed now."""
    today = today or timezone.localdate()
    kind = panel.kind
    if kind == PanelKind.TILES:
        return tiles_data(districts, today, district.code)
    if kind == PanelKind.TREND:
        return trend_data(districts, today)
    if kind == PanelKind.MONTH:
        return month_data(districts, today)
    if kind == PanelKind.INDICATOR:
        return indicator_data(panel.indicator, districts, today, district.code)
    if kind == PanelKind.CROWD:
        return crowd_data(district)
    if kind == PanelKind.MAP:
        return screen_map.map_data(user=user, district=district)
    if kind == PanelKind.HONOUR:
        return honour_data(district)
    if kind == RANKING:
        return ranking_data(user, today)
    return {}


# --- the per-panel cache -----------------------------------------------------------------
# In-process (the stream renders once per process): a panel's entry lives for the current
# slice of ``refresh`` seconds of the wall clock, so every stream of a process shows the
# same figures and a panel is recomputed when its slice turns over. Emptied with the
# other page caches (``pagecache.clear_all``).
PANELS = PageCache(seconds=REFRESH_MAX, size=2000)


def viewer(user: Any, district: District) -> str:
    """Who sees the same screen: the committee and the street the whole district; a
    department its own orders on the map (one stream and panel cache per kind of viewer)."""
    if policies.has_role(user, district, Role.COMMITTEE, Role.STREET):
        return "all"
    return f"u{getattr(user, 'pk', 0)}"


def panel_key(panel: Panel, districts: list[District], today: dt.date, view: str) -> tuple:
    return (tuple(d.pk for d in districts), panel.slot, panel.kind, panel.indicator,
            panel.refresh, view, translation.get_language() or "zh-hans", today.isoformat())


def panel_slice(panel: Panel, at: float | None = None) -> int:
    return int((time.time() if at is None else at) // max(1, panel.refresh))


def panel_cached(panel: Panel, *, user: Any, district: District, districts: list[District],
                 today: dt.date | None = None) -> dict[str, Any]:
    """The panel's figures, recomputed at most once per its refresh interval."""
    today = today or timezone.localdate()
    key = panel_key(panel, districts, today, viewer(user, district))
    stamp = panel_slice(panel)
    data = PANELS.get(key, stamp)
    if data is None:
        data = panel_data(panel, user=user, district=district, districts=districts,
                          today=today)
        PANELS.put(key, stamp, data)
    return data


def forget_panels(district_id: int) -> None:
    """A layout changed: the district's panels are computed afresh."""
    with PANELS.lock:
        for key in [k for k in PANELS.data if district_id in k[0]]:
            del PANELS.data[key]


def shortest_refresh(panels: list[Panel]) -> int:
    return min((p.refresh for p in panels), default=60)


def bench_panels(*, district: District) -> list[Panel]:
    """Every kind of panel once (the benchmark): the default layout, an indicator panel,
    the honour board and the street's ranking."""
    extra = (Panel(slot="b0", kind=PanelKind.INDICATOR, indicator="workorders.resolution_rate"),
             Panel(slot="b1", kind=PanelKind.HONOUR))
    return [*DEFAULT_LAYOUT, *extra, *[p for p in STREET_LAYOUT if p.kind == RANKING]]


def panel_title(panel: Panel) -> str:
    return panel.title or _("面板")
