"""The public lite screen for the visitor centre, ``/d/<code>/screen/``: the crowd, the
stations open now, the honour board. No login, no personal data (zone and station names,
shop names; no people, no orders).

A crowd opens it at once and it polls its figures, so both the page and its JSON are
built once per district and language and kept ``LITE_SECONDS`` in each worker
(``core.pagecache``): a hit costs no query (the district's id is remembered a few seconds
too; a closed district answers 404).
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shangquan.core.models import District
from shangquan.core.pagecache import PageCache, shared_page
from shangquan.core.selectors import district_get_public

from . import screen_panels

if apps.is_installed("shangquan.stations"):  # optional: without it no stations listed
    from shangquan.stations.selectors import station_cards

LITE_SECONDS = 15
POLL_SECONDS = 30
PAGES = PageCache(seconds=LITE_SECONDS, size=2000)
DATA = PageCache(seconds=LITE_SECONDS, size=2000)
DISTRICTS = PageCache(seconds=5, size=10000)  # code → the active district


def _district(code: str) -> District:
    code = str(code).upper()[:32]
    district = DISTRICTS.get((code,), None)
    if district is None:
        district = district_get_public(code=code)
        DISTRICTS.put((code,), None, district)
    return district


def _stations(district: District) -> dict[str, Any]:
    if not apps.is_installed("shangquan.stations"):
        return {"open": 0, "total": 0, "list": []}
    cards = station_cards(district=district)
    shown = [{"name": c["name"], "kind_label": str(c["kind_label"]), "open": c["open_now"],
              "hours": c["hours"], "free": c["free"], "capacity": c["capacity"]}
             for c in cards]
    shown.sort(key=lambda c: (not c["open"], c["name"]))
    return {"open": sum(1 for c in cards if c["open_now"]), "total": len(cards),
            "list": shown[:12]}


def lite_data(*, district: District) -> dict[str, Any]:
    """What the lite screen shows: the crowd (level, people, zones), the stations open
    now, the honour board."""
    now = timezone.now()
    crowd = screen_panels.crowd_data(district)
    return {
        "title": _("%(name)s 游客服务屏") % {"name": district.name},
        "generated_at": int(now.timestamp() * 1000),
        "generated_label": timezone.localtime(now).strftime("%H:%M"),
        "crowd": crowd, "stations": _stations(district),
        "honour": screen_panels.honour_data(district),
    }


def _cached_data(district: District) -> dict[str, Any]:
    key = (district.pk, get_language() or "zh-hans")
    data = DATA.get(key, None)
    if data is None:
        data = lite_data(district=district)
        DATA.put(key, None, data)
    return data


def lite_view(request: HttpRequest, code: str) -> HttpResponse:
    district = _district(code)

    def page(extra: dict) -> HttpResponse:
        return render(request, "dashboard/screen_lite.html", {
            "district": district, "data": _cached_data(district),
            "poll_seconds": POLL_SECONDS, **extra})

    key = (district.pk, get_language() or "zh-hans")
    return shared_page(request, PAGES, key, None, page, max_age=LITE_SECONDS)


def lite_data_view(request: HttpRequest, code: str) -> HttpResponse:
    district = _district(code)
    key = (district.pk, get_language() or "zh-hans", "json")
    body = DATA.get(key, None)
    if body is None:
        body = json.dumps(_cached_data(district), cls=DjangoJSONEncoder,
                          ensure_ascii=False).encode()
        DATA.put(key, None, body)
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = f"public, max-age={LITE_SECONDS}"
    return response
