"""Public pages for residents, riders, merchants and visitors (phone first): the station
map and list, a station's page with its fault report, booking a service-day slot or a
room, my bookings, and the visitor page."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shangquan.core import ratelimit
from shangquan.core.errors import DomainError, NotFound
from shangquan.core.pagecache import shared_page
from shangquan.core.selectors import district_get_public

from .. import public, selectors, services
from ..models import AmenityKind, Booking, StationKind

# The map's tiles; AutoNavi (GCJ-02) serves mainland China, CSP allows it. Empty: list only.
DEFAULT_TILE_URL = ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                    "&style=8&x={x}&y={y}&z={z}")


def tile_settings() -> tuple[str, bool]:
    conf = getattr(settings, "SHANGQUAN", {})
    return conf.get("STATION_TILE_URL", DEFAULT_TILE_URL), conf.get("STATION_TILES_GCJ02", True)


def _float(value: str | None) -> float | None:
    try:
        out = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return out if out is not None and -180 <= out <= 180 else None


def map_view(request: HttpRequest, code: str) -> HttpResponse:
    """The station map and list: filters (open now, amenity, type) and the distance.

    Without the visitor's position the page is the same for every anonymous visitor with
    the same filter, so a crowd shares one (``stations.public``)."""
    district_id = public.district_id_of(code)
    kind = request.GET.get("kind", "")
    amenity = request.GET.get("amenity", "")
    kind = kind if kind in StationKind.values else ""
    amenity = amenity if amenity in AmenityKind.values else ""
    open_now = request.GET.get("open") == "1"
    lat, lon = _float(request.GET.get("lat")), _float(request.GET.get("lon"))

    def page(extra: dict) -> HttpResponse:
        district = district_get_public(code=code)
        cards = selectors.station_cards(district=district, kind=kind, amenity=amenity,
                                        open_now=open_now, lat=lat, lon=lon)
        tiles, gcj = tile_settings()
        return render(request, "stations/map.html", {
            "district": district, "cards": cards, "kinds": StationKind.choices,
            "amenities": AmenityKind.choices, "kind": kind, "amenity": amenity,
            "open_now": open_now, "lat": lat, "lon": lon, "tile_url": tiles, "gcj02": gcj,
            "markers": [{"name": c["name"], "lat": c["latitude"], "lon": c["longitude"],
                         "url": reverse("stations:station", args=[code, c["token"]]),
                         "open": c["open_now"]} for c in cards], **extra})

    version = public.map_version(district_id)
    # the visitor's position (distance) or unknown parameters: this visitor's own page
    share = version is not None and lat is None and lon is None and \
        not set(request.GET) - {"kind", "amenity", "open"}
    key = (district_id, get_language() or "zh-hans", kind, amenity, open_now)
    return shared_page(request, public.MAPS, key, version, page, share=share)


@require_http_methods(["GET", "POST"])
def station_view(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """A station's page (its QR code points here): hours, amenities, services, rooms, and
    "report a broken amenity"."""
    district = district_get_public(code=code)
    station = selectors.station_by_token(district=district, token=token)
    context = {"district": district, **selectors.station_page(station=station)}
    status = 200
    if request.method == "POST":
        try:
            amenity = selectors.amenity_public(station=station, pk=request.POST.get("amenity"))
            fault = services.amenity_report(
                actor=request.user, amenity=amenity,
                status=request.POST.get("status") or "out_of_order",
                note=request.POST.get("note", "")[:150],
                client_key=ratelimit.client_ip(request))
        except DomainError as exc:
            context["error"], status = exc.message, exc.status
        else:
            context["reported"] = fault
            context.update(selectors.station_page(station=station))
    return render(request, "stations/station.html", context, status=status)


def services_view(request: HttpRequest, code: str) -> HttpResponse:
    district = district_get_public(code=code)
    return render(request, "stations/services.html", {
        "district": district, "services": selectors.service_list(district=district)})


@require_http_methods(["GET", "POST"])
def service_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A service's bookable slots; booking needs a signed-in merchant or resident."""
    district = district_get_public(code=code)
    service = selectors.service_get(district=district, pk=pk)
    context = {"district": district, "service": service}
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('core:login')}?next={request.path}")
        starts_at = parse_datetime(request.POST.get("starts_at", ""))
        try:
            if starts_at is None:
                raise NotFound(_("请选择时段"))
            booking = services.booking_create(actor=request.user, service=service,
                                              starts_at=starts_at,
                                              phone=request.POST.get("phone", ""))
        except DomainError as exc:
            context["error"], status = exc.message, exc.status
        else:
            return redirect("stations:booking", code=code, pk=booking.pk)
    context["days"] = selectors.service_slots(service=service)
    if request.user.is_authenticated:
        context["blocked_until"] = selectors.booking_block(district=district, user=request.user)
    return render(request, "stations/service.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def booking_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The confirmation: code, time, place, the documents to bring; cancel or confirm."""
    district = district_get_public(code=code)
    booking = selectors.booking_get(user=request.user, district=district, pk=pk)
    error, status = "", 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "confirm":
                booking = services.booking_confirm(actor=request.user, booking=booking)
            else:
                booking = services.booking_cancel(actor=request.user, booking=booking)
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect("stations:booking", code=code, pk=booking.pk)
    return render(request, "stations/booking.html", {
        "district": district, "booking": booking, "error": error,
        "can_cancel": booking.status in (Booking.Status.BOOKED, Booking.Status.WAITLISTED)},
        status=status)


@login_required
def mine_view(request: HttpRequest, code: str) -> HttpResponse:
    district = district_get_public(code=code)
    return render(request, "stations/mine.html", {
        "district": district,
        "bookings": selectors.booking_list_mine(user=request.user, district=district)[:50],
        "rooms": selectors.room_booking_list(user=request.user, district=district)
        .filter(user=request.user)[:50] if request.user.is_authenticated else []})


@require_http_methods(["GET", "POST"])
def room_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A room's day and a booking form (half-hour blocks)."""
    district = district_get_public(code=code)
    room = selectors.room_get(district=district, pk=pk)
    day = parse_date(request.GET.get("day") or request.POST.get("day") or "") \
        or timezone.localdate()
    context = {"district": district, "room": room, "day": day, "error": ""}
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('core:login')}?next={request.path}")
        try:
            start = dt.time.fromisoformat(request.POST.get("start", ""))
            end = dt.time.fromisoformat(request.POST.get("end", ""))
        except ValueError:
            context["error"], status = _("请选择开始和结束时间"), 422
        else:
            try:
                booking = services.room_book(
                    actor=request.user, room=room,
                    starts_at=timezone.make_aware(dt.datetime.combine(day, start)),
                    ends_at=timezone.make_aware(dt.datetime.combine(day, end)),
                    title=request.POST.get("title", ""))
            except DomainError as exc:
                context["error"], status = exc.message, exc.status
            else:
                context["booked"] = booking
    context["taken"] = selectors.room_day(room=room, day=day)
    context["times"] = [f"{h:02d}:{m:02d}" for h in range(7, 23) for m in (0, 30)]
    return render(request, "stations/room.html", context, status=status)


@login_required
@require_POST
def room_cancel_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    district = district_get_public(code=code)
    booking = selectors.room_booking_get(user=request.user, district=district, pk=pk)
    services.room_cancel(actor=request.user, booking=booking)
    return redirect("stations:mine", code=code)


def visitors_view(request: HttpRequest, code: str) -> HttpResponse:
    """For the big screen at the entrance and for phones: queues, open stations, parking,
    the children's waiting area."""
    district = district_get_public(code=code)
    return render(request, "stations/visitors.html", {
        "district": district, **selectors.visitor_info(district=district),
        "big": request.GET.get("screen") == "big"})
