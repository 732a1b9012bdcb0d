"""The 数据大屏: a full-screen page per district (or the street's districts together),
ECharts panels fed by one server-sent event stream (``core.live``, as the crowd board).

The panels are the district's layout (``layouts``: chosen by the committee, or the
default), each computed by ``screen_panels`` and kept for its own refresh interval.
Every open screen of the same scope and kind of viewer shares one rendering per change
and language: the feed's signature moves when today's figures move (work orders, crowd
zones), with the day, and with the slice of the shortest panel interval (at least once a
minute), so each panel is sent again when its interval runs out. When the stream is down
the browser polls each panel's JSON (``…/screen/panel/<slot>/``) at its interval. It shows
a banner when the stream is down or the newest data is older than ``STALE_SECONDS``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shangquan.core import live, policies
from shangquan.core.models import District
from shangquan.core.periods import Period
from shangquan.core.selectors import access_district
from shangquan.core.views import district_console_view
from shangquan.crowd.selectors import board_signature

from . import layouts, screen_panels, selectors
from .layouts import Panel
from .screen_panels import viewer

STALE_SECONDS = 300  # the issue: a banner when data is older than 5 minutes
DESIGN_SIZES = {"1920x1080": (1920, 1080), "3840x1080": (3840, 1080),
                "3840x2160": (3840, 2160), "6656x1792": (6656, 1792)}
TREND_DAYS = screen_panels.TREND_DAYS


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


def _panel_view(panel: Panel, districts: list[District], district: District, scope: str,
                data: dict[str, Any]) -> dict[str, Any]:
    kwargs = {"code": district.code, "slot": panel.slot}
    url = reverse("dashboard:screen_panel", kwargs=kwargs)
    return {"slot": panel.slot, "kind": panel.kind, "indicator": panel.indicator,
            "title": panel.title, "width": panel.width, "height": panel.height,
            "refresh": panel.refresh, "url": url + ("?scope=street" if scope == "street" else ""),
            "data": data}


def screen_data(*, user: Any, district: District, scope: str = "district",
                fresh: bool = False) -> dict[str, Any]:
    """Everything one screen shows, as JSON-ready data (the page's first paint and every
    event of its stream): each configured panel's figures, from the panel cache unless
    ``fresh``."""
    districts = screen_districts(user=user, district=district, scope=scope)
    today = timezone.localdate()
    now = timezone.now()
    panels = layouts.screen_layout(district=district, scope=scope)
    get = screen_panels.panel_data if fresh else screen_panels.panel_cached
    slot_user = user
    return {
        "title": (_("%(name)s 数据大屏") % {"name": district.name} if scope != "street"
                  else _("街道数据大屏（%(n)d 个商圈）") % {"n": len(districts)}),
        "scope": scope, "today": today.isoformat(),
        "generated_at": int(now.timestamp() * 1000),
        "generated_label": timezone.localtime(now).strftime("%H:%M:%S"),
        "panels": [_panel_view(p, districts, district, scope,
                               get(p, user=slot_user, district=district, districts=districts,
                                   today=today))
                   for p in panels],
    }


def panel_json(*, user: Any, district: District, slot: str, scope: str) -> dict[str, Any]:
    """One panel, for a browser polling it at its own interval (the stream is down)."""
    districts = screen_districts(user=user, district=district, scope=scope)
    panel = layouts.panel_for_slot(district=district, slot=slot, scope=scope)
    now = timezone.now()
    data = screen_panels.panel_cached(panel, user=user, district=district, districts=districts)
    return {"today": timezone.localdate().isoformat(),
            "generated_at": int(now.timestamp() * 1000),
            "generated_label": timezone.localtime(now).strftime("%H:%M:%S"),
            "panel": _panel_view(panel, districts, district, scope, data)}


def screen_signature(*, districts: list[District], panels: list[Panel] | None = None) -> tuple:
    """Cheap: today's work-order counters and the crowd boards, the day (so "today"
    resets at midnight), and the slice of the shortest panel refresh (at least each
    minute), so every panel is sent again when its interval has run out."""
    today = Period("day", timezone.localdate())
    tick = min(60, screen_panels.shortest_refresh(panels or []))
    parts: list[Any] = [int(time.time() // tick), today.start]
    for indicator in screen_panels.chosen(("workorders.total", "workorders.resolution_rate")):
        m = screen_panels.live(indicator, districts, today)
        parts.append((m.value, m.numerator, m.denominator))
    parts.extend(board_signature(district=d) for d in districts[:20])
    return tuple(parts)


def _event(data: dict) -> bytes:
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return f"event: screen\ndata: {body}\n\n".encode()


def screen_channel(districts: list[District], scope: str, view: str = "all") -> str:
    return f"dashboard:screen:{scope}:{view}:" + ",".join(str(d.pk) for d in districts)


def screen_feed(user: Any, district: District, scope: str) -> live.Feed:
    districts = screen_districts(user=user, district=district, scope=scope)

    def render_event(language: str) -> bytes:
        with translation.override(language):
            return _event(screen_data(user=user, district=district, scope=scope))

    def signature() -> tuple:
        panels = layouts.screen_layout(district=district, scope=scope)
        return screen_signature(districts=districts, panels=panels)

    return live.feed(screen_channel(districts, scope, viewer(user, district)),
                     render=render_event, signature=signature)


# The map's tiles (高德, GCJ-02, allowed by the CSP); "" draws the layers on a plain
# background (tests, a screen without internet).
DEFAULT_TILE_URL = ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                    "&style=8&x={x}&y={y}&z={z}")


def map_tiles() -> tuple[str, bool]:
    conf = getattr(settings, "SHANGQUAN", {}) or {}
    return conf.get("SCREEN_TILE_URL", DEFAULT_TILE_URL), conf.get("SCREEN_TILES_GCJ02", True)


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
    tiles, gcj = map_tiles()
    stream = reverse("dashboard:screen_stream", kwargs={"code": district.code})
    if scope == "street":
        stream += "?scope=street"
    try:
        stale = max(5, int(request.GET.get("stale", STALE_SECONDS)))
    except ValueError:
        stale = STALE_SECONDS
    return render(request, "dashboard/screen.html", {
        "data": data, "scope": scope, "width": width, "height": height,
        "wide": width > 2 * height, "stream": stream, "tile_url": tiles, "gcj02": gcj,
        "has_map": any(p["kind"] == "map" for p in data["panels"]),
        "may_configure": scope != "street" and policies.can(
            request.user, "dashboard.screen_configure", district),
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


@district_console_view
def screen_panel_view(request: HttpRequest, slot: str) -> JsonResponse:
    """One panel's figures as JSON (polled by the screen while its stream is down)."""
    district = request.district  # type: ignore[attr-defined]
    scope = "street" if request.GET.get("scope") == "street" else "district"
    data = panel_json(user=request.user, district=district, slot=slot, scope=scope)
    response = JsonResponse(data, encoder=DjangoJSONEncoder,
                            json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response
