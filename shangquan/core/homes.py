"""Each role's home, its own work first.

- the resident's home ``/d/<code>/me/`` (我的): the entries the apps mark ``"mine": True``
  in their ``public_tiles`` — my reports, the reports I joined (我也遇到), my points, my
  events, my bookings — each with its count and a few entries;
- the street's home: its districts side by side, each with the cards that need someone
  now (``console_select``);
- the committee's queue (``queue_cards``): the console home's cards that are waiting
  (tone ``warn``/``danger`` and a count), before the district-wide counters.

Core knows no app: everything here comes from the extension points.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import notification_kinds, policies, services
from .dashboard import cards_for
from .errors import DomainError
from .extensions import collect
from .models import NotificationPreference
from .roles import Role
from .selectors import district_get_public

QUEUE_TONES = ("warn", "danger")


def mine_tiles(district: Any, user: Any) -> list[dict]:
    """The apps' entries about this person's own things (``"mine": True``), in order."""
    tiles = [tile for provider in collect("public_tiles")
             for tile in provider(district, user) if tile.get("mine")]
    tiles.sort(key=lambda t: t.get("order", 100))
    return tiles


def resident_home(request: HttpRequest, code: str) -> HttpResponse:
    """我的: a resident's own reports, followed reports, points and events in one place."""
    district = district_get_public(code=code)
    if not request.user.is_authenticated:
        return redirect(reverse("core:login_phone") + "?next=" + request.path)
    return render(request, "core/resident_home.html", {
        "district": district, "tiles": mine_tiles(district, request.user)})


def queue_cards(cards: list[dict]) -> tuple[list[dict], list[dict]]:
    """(waiting, the rest): what needs someone now comes first on the console home."""
    waiting = [c for c in cards if c.get("tone") in QUEUE_TONES and c.get("value")]
    rest = [c for c in cards if c not in waiting]
    return waiting, rest


def street_overview(user: Any, districts: list) -> list[dict] | None:
    """For a street (街道) member of several districts: each district with its waiting
    cards (cached per district and person like the console home). None for anyone else."""
    if len(districts) < 2 or not any(policies.has_role(user, d, Role.STREET)
                                      for d in districts):
        return None
    rows = []
    for district in districts:
        waiting, _rest = queue_cards(cards_for(user, district))
        rows.append({"district": district, "waiting": waiting,
                     "total": sum(int(c.get("value") or 0) for c in waiting)})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings_view(request: HttpRequest) -> HttpResponse:
    """My notification settings: for each kind, immediately, in-app only, daily digest or
    off. The person's own, whoever they are (resident or staff)."""
    from django.contrib import messages

    error = None
    if request.method == "POST":
        modes = {kind: request.POST.get(f"kind-{kind}", "")
                 for kind in notification_kinds.KINDS if f"kind-{kind}" in request.POST}
        try:
            services.notification_preferences_set(actor=request.user, user=request.user,
                                                  modes=modes)
            messages.success(request, _("通知设置已保存"))
            return redirect("core:notification_settings")
        except DomainError as exc:
            error = exc
    current = dict(NotificationPreference.objects.filter(user=request.user)
                   .values_list("kind", "mode"))
    rows = [{"kind": kind, "label": label,
             "mode": current.get(kind, NotificationPreference.Mode.IMMEDIATE)}
            for kind, label in notification_kinds.KINDS.items()]
    return render(request, "core/notification_settings.html", {
        "rows": rows, "modes": NotificationPreference.Mode.choices, "error": error},
        status=error.status if error else 200)
