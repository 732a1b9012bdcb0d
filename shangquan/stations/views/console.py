"""Console pages for hosts and staff: stations and amenities with holiday hours, services
and their service days, the service-day desk with today's queue, rooms and their
bookings, loans, duty posts, the wristband look-up, and the xlsx exports.

Every id and number from a form goes through ``core.inputs.form_int`` (422 naming the
field); times and dates through ``_time``/``_date`` (422 too)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangquan.core import policies
from shangquan.core.errors import DomainError, ValidationFailed
from shangquan.core.exports import XLSX
from shangquan.core.inputs import form_int
from shangquan.core.selectors import department_list
from shangquan.core.views import district_console_view

from .. import exporting, selectors, services
from ..models import AmenityKind, Booking, DutyPost, Loan, Room, Service, StationKind
from ..qr import station_qr_png, station_qr_svg

WEEKDAYS = [(0, gettext_lazy("周一")), (1, gettext_lazy("周二")), (2, gettext_lazy("周三")),
            (3, gettext_lazy("周四")), (4, gettext_lazy("周五")), (5, gettext_lazy("周六")),
            (6, gettext_lazy("周日"))]


def _can(request: HttpRequest, action: str) -> bool:
    return policies.can(request.user, action, request.district)


def _id(request: HttpRequest, name: str) -> int | None:
    return form_int(request.POST.get(name), name)


def _time(value: str | None, field: str, *, required: bool = False) -> dt.time | None:
    if not value:
        if required:
            raise ValidationFailed(_("请填写时间"), details={field: ""})
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("时间格式不正确"), details={field: value[:20]}) from None


def _date(value: str | None, field: str) -> dt.date:
    try:
        day = parse_date(value or "")
    except ValueError:
        day = None
    if day is None:
        raise ValidationFailed(_("日期格式不正确"), details={field: (value or "")[:20]})
    return day


def _fail(request: HttpRequest, exc: DomainError) -> int:
    messages.error(request, str(exc.message))
    return exc.status


# --- stations ----------------------------------------------------------------------------------
@district_console_view
def stations_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        p = request.POST
        try:
            if action == "create":
                station = services.station_create(
                    actor=request.user, district=district, name=p.get("name", ""),
                    kind=p.get("kind", ""), latitude=p.get("latitude") or "0",
                    longitude=p.get("longitude") or "0", address=p.get("address", ""),
                    host_name=p.get("host_name", ""), open_24h=p.get("open_24h") == "1",
                    opens_at=_time(p.get("opens_at"), "opens_at"),
                    closes_at=_time(p.get("closes_at"), "closes_at"),
                    capacity=form_int(p.get("capacity"), "capacity", low=0, high=100_000),
                    amenities=p.getlist("amenities"))
                messages.success(request, _("已添加站点 %(n)s") % {"n": station.name})
            elif action == "mark":
                amenity = selectors.access_amenity(user=request.user, district=district,
                                                   pk=_id(request, "amenity"))
                services.amenity_mark(actor=request.user, amenity=amenity,
                                      status=p.get("status", ""), note=p.get("note", ""))
                messages.success(request, _("已更新设施状态"))
            elif action == "occupancy":
                station = selectors.access_station(user=request.user, district=district,
                                                   pk=_id(request, "station"))
                services.occupancy_set(actor=request.user, station=station,
                                       occupancy=form_int(p.get("occupancy"), "occupancy",
                                                          low=0, high=100_000) or 0)
                messages.success(request, _("已更新占用"))
            return redirect("stations:console", code=district.code)
        except DomainError as exc:
            status = _fail(request, exc)
    stations = list(selectors.station_list(user=request.user, district=district)
                    .prefetch_related("amenities"))
    return render(request, "stations/console/stations.html", {
        "stations": stations, "kinds": StationKind.choices, "amenity_kinds": AmenityKind.choices,
        "can_manage": _can(request, "stations.manage"),
        "can_mark": _can(request, "stations.amenity.mark"),
        "can_count": _can(request, "stations.occupancy.set"),
        "can_export_faults": _can(request, "stations.fault.export"),
        "can_export_parking": _can(request, "stations.parking.export")}, status=status)


@district_console_view
def hours_view(request: HttpRequest) -> HttpResponse:
    """Holiday hours (HoursException): a station closed, or open other hours, on a day."""
    district = request.district
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("action") == "remove":
                row = selectors.access_hours_exception(user=request.user, district=district,
                                                       pk=_id(request, "exception"))
                services.hours_exception_remove(actor=request.user, exception=row)
                messages.success(request, _("已恢复正常开放时间"))
            else:
                station = selectors.access_station(user=request.user, district=district,
                                                   pk=_id(request, "station"))
                closed = p.get("closed") == "1"
                services.hours_exception_set(
                    actor=request.user, station=station, day=_date(p.get("day"), "day"),
                    closed=closed, opens_at=_time(p.get("opens_at"), "opens_at"),
                    closes_at=_time(p.get("closes_at"), "closes_at"), note=p.get("note", ""))
                messages.success(request, _("已设置特殊开放时间"))
            return redirect("stations:hours", code=district.code)
        except DomainError as exc:
            status = _fail(request, exc)
    return render(request, "stations/console/hours.html", {
        "exceptions": selectors.hours_exception_list(user=request.user, district=district),
        "stations": selectors.station_list(user=request.user, district=district),
        "can_manage": _can(request, "stations.manage")}, status=status)


# --- services ----------------------------------------------------------------------------------
def _service_fields(request: HttpRequest, district: Any) -> dict:
    p = request.POST
    return {
        "name": p.get("name", ""), "day_name": p.get("day_name", ""),
        "kind": p.get("kind") or Service.Kind.SERVICE_DAY, "topic": p.get("topic", ""),
        "weekday": form_int(p.get("weekday"), "weekday", low=0, high=6, default=0),
        "starts_at": _time(p.get("starts_at"), "starts_at", required=True),
        "ends_at": _time(p.get("ends_at"), "ends_at", required=True),
        "slot_minutes": form_int(p.get("slot_minutes"), "slot_minutes", low=5, high=240,
                                 default=30),
        "capacity": form_int(p.get("capacity"), "capacity", low=1, high=50, default=1),
        "checklist": [line.strip() for line in p.get("checklist", "").splitlines()
                      if line.strip()][:30],
        "department": selectors.access_department(
            district=district, pk=form_int(p.get("department"), "department")),
    }


@district_console_view
def services_view(request: HttpRequest) -> HttpResponse:
    """Weekly service days and consultations: their checklists, slot length and desks."""
    district = request.district
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "create":
                station = selectors.access_station(user=request.user, district=district,
                                                   pk=_id(request, "station"))
                service = services.service_create(actor=request.user, station=station,
                                                  **_service_fields(request, district))
                messages.success(request, _("已新增预约事项 %(n)s") % {"n": service.name})
            else:
                service = selectors.access_service(user=request.user, district=district,
                                                   pk=_id(request, "service"))
                if request.POST.get("action") == "toggle":
                    changes: dict = {"is_active": not service.is_active}
                else:
                    changes = _service_fields(request, district)
                services.service_update(actor=request.user, service=service, **changes)
                messages.success(request, _("已保存"))
            return redirect("stations:services_console", code=district.code)
        except DomainError as exc:
            status = _fail(request, exc)
    return render(request, "stations/console/services.html", {
        "services": selectors.service_list_staff(user=request.user, district=district),
        "stations": selectors.station_list(user=request.user, district=district),
        "departments": department_list(district=district), "weekdays": WEEKDAYS,
        "kinds": Service.Kind.choices,
        "can_manage": _can(request, "stations.manage")}, status=status)


@district_console_view
def desk_view(request: HttpRequest) -> HttpResponse:
    """Today's queue at the service-day desk: arrived, done (with an outcome), no-show;
    walk-ins join the same queue."""
    district = request.district
    day = parse_date(request.GET.get("day", "")) or timezone.localdate()
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "walk_in":
                service = selectors.service_get(district=district, pk=_id(request, "service"))
                services.booking_walk_in(actor=request.user, service=service,
                                         name=request.POST.get("name", ""),
                                         phone=request.POST.get("phone", ""))
            else:
                booking = selectors.booking_get(user=request.user, district=district,
                                                pk=_id(request, "booking"))
                services.booking_mark(actor=request.user, booking=booking,
                                      action=request.POST.get("action", ""),
                                      outcome=request.POST.get("outcome", ""),
                                      notes=request.POST.get("notes", ""))
            messages.success(request, _("已记录"))
            return redirect(f"{request.path}?day={day.isoformat()}")
        except DomainError as exc:
            status = _fail(request, exc)
    queue = list(selectors.desk_queue(user=request.user, district=district, day=day))
    for b in queue:
        b.may = {a: policies.can(request.user, f"stations.booking.{a}", b)
                 for a in ("arrive", "finish", "no_show")}
    return render(request, "stations/console/desk.html", {
        "day": day, "queue": queue, "outcomes": Booking.Outcome.choices,
        "services": [s for s in selectors.service_list(district=district)
                     if s.weekday == day.weekday()],
        "can_export": _can(request, "stations.booking.export"),
        "counts": selectors.handled_counts(district=district)[:12]}, status=status)


# --- rooms -------------------------------------------------------------------------------------
@district_console_view
def rooms_view(request: HttpRequest) -> HttpResponse:
    """Rooms at stations (add, rename, close) and their bookings (cancel)."""
    district = request.district
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            action = p.get("action")
            if action == "create":
                station = selectors.access_station(user=request.user, district=district,
                                                   pk=_id(request, "station"))
                services.room_create(actor=request.user, station=station,
                                     name=p.get("name", ""), kind=p.get("kind", ""),
                                     seats=form_int(p.get("seats"), "seats", low=1, high=1000,
                                                    default=10) or 10)
                messages.success(request, _("已新增场地"))
            elif action in ("update", "toggle"):
                room = selectors.access_room(user=request.user, district=district,
                                             pk=_id(request, "room"))
                changes: dict = {"is_active": not room.is_active} if action == "toggle" else {
                    "name": p.get("name", room.name), "kind": p.get("kind") or room.kind,
                    "seats": form_int(p.get("seats"), "seats", low=1, high=1000,
                                      default=room.seats)}
                services.room_update(actor=request.user, room=room, **changes)
                messages.success(request, _("已保存"))
            elif action == "cancel":
                booking = selectors.room_booking_get(user=request.user, district=district,
                                                     pk=_id(request, "booking"))
                services.room_cancel(actor=request.user, booking=booking)
                messages.success(request, _("已取消预订"))
            return redirect("stations:rooms", code=district.code)
        except DomainError as exc:
            status = _fail(request, exc)
    bookings = selectors.room_booking_list(user=request.user, district=district)\
        .filter(starts_at__gte=timezone.now() - dt.timedelta(days=1))[:200]
    can_manage = _can(request, "stations.room.manage")
    return render(request, "stations/console/rooms.html", {
        "rooms": selectors.room_list_staff(user=request.user, district=district)
        if _can(request, "stations.view") else selectors.room_list(district=district),
        "bookings": bookings, "room_kinds": Room.Kind.choices,
        "stations": selectors.station_list(user=request.user, district=district)
        if can_manage else [],
        "can_manage": can_manage,
        "can_export": _can(request, "stations.room.export")}, status=status)


@district_console_view
def loans_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "return":
                loan = selectors.access_loan(user=request.user, district=district,
                                             pk=_id(request, "loan"))
                services.loan_return(actor=request.user, loan=loan)
            else:
                station = selectors.access_station(user=request.user, district=district,
                                                   pk=_id(request, "station"))
                services.loan_lend(actor=request.user, station=station,
                                   item=request.POST.get("item", ""),
                                   borrower_name=request.POST.get("borrower_name", ""),
                                   borrower_phone=request.POST.get("borrower_phone", ""))
            messages.success(request, _("已记录"))
            return redirect("stations:loans", code=district.code)
        except DomainError as exc:
            status = _fail(request, exc)
    return render(request, "stations/console/loans.html", {
        "loans": selectors.loan_list(user=request.user, district=district)[:200],
        "now": timezone.now(), "items": Loan.Item.choices,
        "can_export": _can(request, "stations.loan.export"),
        "stations": selectors.station_list(user=request.user, district=district)},
        status=status)


# --- duty posts --------------------------------------------------------------------------------
@district_console_view
def duty_view(request: HttpRequest) -> HttpResponse:
    """值班/坐班: who stands where on an evening, from which unit; check-in at the post."""
    district = request.district
    day = parse_date(request.GET.get("day", "")) or selectors.evening_of(timezone.now())
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            action = p.get("action")
            if action == "create":
                station_id, zone_id = form_int(p.get("station"), "station"), \
                    form_int(p.get("zone"), "zone")
                post = services.duty_post_create(
                    actor=request.user, district=district,
                    station=None if station_id is None else selectors.access_station(
                        user=request.user, district=district, pk=station_id),
                    zone=None if zone_id is None else selectors.access_zone(
                        district=district, pk=zone_id),
                    day=_date(p.get("day"), "day"),
                    starts_at=_time(p.get("starts_at"), "starts_at", required=True),
                    ends_at=_time(p.get("ends_at"), "ends_at", required=True),
                    post=p.get("post", ""), group=p.get("group", DutyPost.Group.STATION),
                    unit=p.get("unit", ""), person_name=p.get("person_name", ""))
                day = post.day
                messages.success(request, _("已安排值班岗位"))
            else:
                post = selectors.access_duty_post(user=request.user, district=district,
                                                  pk=_id(request, "post"))
                day = post.day
                if action == "check_in":
                    services.duty_post_check_in(actor=request.user, post=post)
                    messages.success(request, _("已到岗签到"))
                elif action == "remove":
                    services.duty_post_remove(actor=request.user, post=post)
                    messages.success(request, _("已撤销"))
            return redirect(f"{request.path}?day={day.isoformat()}")
        except DomainError as exc:
            status = _fail(request, exc)
    posts = list(selectors.duty_post_list(user=request.user, district=district, day=day))
    for post in posts:
        post.may_check_in = post.checked_in_at is None and \
            policies.can(request.user, "stations.duty.check_in", post)
    can_manage = _can(request, "stations.duty.manage")
    return render(request, "stations/console/duty.html", {
        "day": day, "posts": posts, "duty_groups": DutyPost.Group.choices,
        "stations": selectors.station_list(user=request.user, district=district)
        if can_manage else [],
        "zones": selectors.zone_choices(district=district) if can_manage else [],
        "can_manage": can_manage}, status=status)


@district_console_view
def wristbands_view(request: HttpRequest) -> HttpResponse:
    """Register a wristband at the children's waiting area; staff who find a child look
    it up and call the guardian (every look-up audited)."""
    district = request.district
    found, status = None, 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "lookup":
                found = services.wristband_lookup(actor=request.user, district=district,
                                                  number=request.POST.get("number", ""))
            else:
                station = selectors.access_station(user=request.user, district=district,
                                                   pk=_id(request, "station"))
                band = services.wristband_register(
                    actor=request.user, station=station, number=request.POST.get("number", ""),
                    guardian_phone=request.POST.get("guardian_phone", ""),
                    child_note=request.POST.get("child_note", ""))
                messages.success(request, _("已登记手环 %(n)s") % {"n": band.number})
                return redirect("stations:wristbands", code=district.code)
        except DomainError as exc:
            status = _fail(request, exc)
    return render(request, "stations/console/wristbands.html", {
        "found": found, "bands": selectors.wristband_list(user=request.user, district=district),
        "stations": selectors.station_list(user=request.user, district=district),
        "can_register": _can(request, "stations.wristband.register")}, status=status)


@district_console_view
def export_view(request: HttpRequest, what: str) -> HttpResponse:
    """The same xlsx as the API's, for a signed-in console user."""
    data, filename = exporting.export_xlsx(what, actor=request.user, district=request.district)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@district_console_view
def station_qr_view(request: HttpRequest, station_id: int, fmt: str) -> HttpResponse:
    """The station's printable code (SVG card, or a bare PNG) pointing at its page."""
    station = selectors.access_station(user=request.user, district=request.district,
                                       pk=station_id)
    if fmt == "png":
        response = HttpResponse(station_qr_png(station), content_type="image/png")
    else:
        response = HttpResponse(station_qr_svg(station), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="station-{station.public_token}.{fmt}"'
    return response
