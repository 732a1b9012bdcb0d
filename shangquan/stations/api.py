"""Stations API: /api/v1/districts/{code}/stations/… (members) and
/api/v1/public/stations/{code}/… (the map, a station's page, slots, fault reports)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from shangquan.core.apibase import (
    OPTIONAL_AUTH,
    XLSX,
    Id,
    Rows,
    file_download,
    paginate,
    request_device,
)
from shangquan.core.masking import phone_mask
from shangquan.core.ratelimit import client_ip
from shangquan.core.selectors import access_district, district_get_public

from . import exporting, selectors, services
from .models import (
    Amenity,
    AmenityKind,
    Booking,
    DutyPost,
    Loan,
    Room,
    Service,
    Station,
    StationKind,
)

router = Router(tags=["stations"])
public_router = Router(tags=["stations (public)"])
PathStr = Path[str]


# --- schemas ---------------------------------------------------------------------------------
class StationAmenityOut(Schema):
    kind: str
    label: str
    status: str


class StationCard(Schema):
    id: int
    token: str
    name: str
    kind: str
    kind_label: str
    latitude: float
    longitude: float
    address: str
    host: str
    open_now: bool
    open_24h: bool
    hours: str
    capacity: int | None
    occupancy: int | None
    free: int | None
    amenities: list[StationAmenityOut]
    distance_m: int | None


class StationMapFilter(Schema):
    kind: StationKind | None = None
    amenity: AmenityKind | None = None
    open_now: bool = False
    lat: float | None = Field(None, ge=-90, le=90, description="the visitor, WGS-84")
    lon: float | None = Field(None, ge=-180, le=180, description="the visitor, WGS-84")


class ServiceStationIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    kind: StationKind
    kind_label: str = Field("", max_length=30)
    latitude: Decimal = Field(..., ge=-90, le=90, description="WGS-84")
    longitude: Decimal = Field(..., ge=-180, le=180, description="WGS-84")
    address: str = Field("", max_length=120)
    host_name: str = Field("", max_length=80)
    contact_phone: str = Field("", max_length=20)
    open_24h: bool = False
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    capacity: int | None = Field(None, ge=0, le=100_000)
    amenities: list[AmenityKind] = []


class ServiceStationOut(Schema):
    id: int
    name: str
    kind: str
    latitude: Decimal
    longitude: Decimal
    address: str
    host_name: str
    open_24h: bool
    opens_at: dt.time | None
    closes_at: dt.time | None
    capacity: int | None
    occupancy: int
    public_token: str
    is_active: bool


class StationAmenityStaffOut(Schema):
    id: int
    station_id: int
    kind: str
    status: str
    note: str


class StationAmenityMarkIn(Schema):
    status: Amenity.Status
    note: str = Field("", max_length=120)


class StationFaultIn(Schema):
    amenity_id: Id
    status: Amenity.Status = Amenity.Status.OUT_OF_ORDER
    note: str = Field("", max_length=150)


class StationFaultOut(Schema):
    id: int
    reports: int
    work_order_number: str


class StationOccupancyIn(Schema):
    occupancy: int = Field(..., ge=0, le=100_000)


class ParkingReadingIn(Schema):
    seq: int = Field(..., ge=0)
    ts: dt.datetime | int
    entries: int = Field(0, ge=0, le=10_000)
    exits: int = Field(0, ge=0, le=10_000)


class ParkingReadingBatch(Schema):
    readings: list[ParkingReadingIn] = Field(..., max_length=1000)


class StationParkingOut(Schema):
    station: int
    accepted: int
    duplicates: int
    occupancy: int
    capacity: int | None
    free: int | None


class StationServiceOut(Schema):
    id: int
    station_id: int
    name: str
    day_name: str
    kind: str
    topic: str
    weekday: int
    starts_at: dt.time
    ends_at: dt.time
    slot_minutes: int
    capacity: int
    checklist: list[str]
    department: str | None = None

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return obj.department.name if obj.department_id else None


class StationSlotOut(Schema):
    starts_at: dt.datetime
    label: str
    free: int
    capacity: int
    waiting: int


class StationDayOut(Schema):
    day: dt.date
    slots: list[StationSlotOut]


class StationBookingIn(Schema):
    service_id: Id
    starts_at: dt.datetime
    name: str = Field("", max_length=60)
    phone: str = Field("", max_length=20)


class StationBookingOut(Schema):
    id: int
    code: str
    status: str
    service: str
    station: str
    starts_at: dt.datetime
    seat: int | None
    queue_no: int | None
    hold_until: dt.datetime | None
    outcome: str
    name: str
    phone: str


class StationBookingMarkIn(Schema):
    action: str = Field(..., pattern="^(arrive|finish|no_show)$")
    outcome: Booking.Outcome | None = None
    notes: str = Field("", max_length=2000)


class StationRoomOut(Schema):
    id: int
    station_id: int
    name: str
    kind: str
    seats: int


class StationRoomBookingIn(Schema):
    room_id: Id
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str = Field(..., min_length=1, max_length=80)
    source: str = Field("", max_length=60)


class StationRoomBookingOut(Schema):
    id: int
    room_id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    code: str


class StationLoanIn(Schema):
    station_id: Id
    item: Loan.Item
    borrower_name: str = Field("", max_length=40)
    borrower_phone: str = Field("", max_length=20)


class StationLoanOut(Schema):
    id: int
    station_id: int
    item: str
    borrower: str
    phone: str
    lent_at: dt.datetime
    due_at: dt.datetime
    returned_at: dt.datetime | None
    overdue: bool


class StationWristbandIn(Schema):
    station_id: Id
    number: str = Field(..., min_length=1, max_length=12)
    guardian_phone: str = Field(..., min_length=5, max_length=20)
    child_note: str = Field("", max_length=40)


class StationWristbandOut(Schema):
    id: int
    number: str
    station: str
    guardian_phone: str
    registered_at: dt.datetime


class StationWristbandLookupIn(Schema):
    number: str = Field(..., min_length=1, max_length=12)


class StationsHandledOut(Schema):
    service: str
    month: str
    handled: int
    merchants: int


class StationHoursExceptionIn(Schema):
    day: dt.date
    closed: bool = False
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    note: str = Field("", max_length=60)


class StationHoursExceptionOut(Schema):
    id: int
    station_id: int
    day: dt.date
    closed: bool
    opens_at: dt.time | None
    closes_at: dt.time | None
    note: str


class StationServiceIn(Schema):
    station_id: Id
    name: str = Field(..., min_length=1, max_length=60)
    day_name: str = Field("", max_length=30)
    kind: Service.Kind = Service.Kind.SERVICE_DAY
    topic: str = Field("", max_length=30)
    weekday: int = Field(..., ge=0, le=6, description="0 = Monday")
    starts_at: dt.time
    ends_at: dt.time
    slot_minutes: int = Field(30, ge=5, le=240)
    capacity: int = Field(1, ge=1, le=50, description="desks: bookings per slot")
    checklist: list[str] = Field([], max_length=30)
    department_id: Id | None = None


class StationServicePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    day_name: str | None = Field(None, max_length=30)
    topic: str | None = Field(None, max_length=30)
    weekday: int | None = Field(None, ge=0, le=6)
    starts_at: dt.time | None = None
    ends_at: dt.time | None = None
    slot_minutes: int | None = Field(None, ge=5, le=240)
    capacity: int | None = Field(None, ge=1, le=50)
    checklist: list[str] | None = Field(None, max_length=30)
    is_active: bool | None = None


class StationRoomIn(Schema):
    station_id: Id
    name: str = Field(..., min_length=1, max_length=60)
    kind: Room.Kind
    seats: int = Field(10, ge=1, le=1000)


class StationRoomPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    kind: Room.Kind | None = None
    seats: int | None = Field(None, ge=1, le=1000)
    is_active: bool | None = None


class StationDutyPostIn(Schema):
    station_id: Id | None = None
    zone_id: Id | None = Field(None, description="a crowd zone (waiting line)")
    day: dt.date = Field(..., description="the evening")
    starts_at: dt.time
    ends_at: dt.time = Field(..., description="earlier than starts_at: past midnight")
    post: str = Field(..., min_length=1, max_length=60)
    group: DutyPost.Group = DutyPost.Group.STATION
    unit: str = Field(..., min_length=1, max_length=60)
    person_name: str = Field(..., min_length=1, max_length=40)


class StationDutyPostOut(Schema):
    id: int
    station_id: int | None
    zone_id: int | None
    place: str
    day: dt.date
    starts_at: dt.time
    ends_at: dt.time
    post: str
    group: str
    unit: str
    person_name: str
    checked_in_at: dt.datetime | None


class StationDutyPublicOut(Schema):
    post: str
    place: str
    group: str
    group_label: str
    unit: str
    person: str = Field(..., description="masked (张*)")
    hours: str
    on_duty_now: bool
    checked_in: bool


class StationRemovedOut(Schema):
    id: int
    removed: bool


class StationDutyFilter(Schema):
    day: dt.date | None = None


def _booking_out(b: Booking, *, reveal: bool = False) -> dict:
    slot = b.slot
    return {"id": b.pk, "code": b.code, "status": b.status, "service": slot.service.name,
            "station": slot.service.station.name, "starts_at": slot.starts_at,
            "seat": b.seat, "queue_no": b.queue_no, "hold_until": b.hold_until,
            "outcome": b.outcome, "name": b.name,
            "phone": b.phone if reveal else phone_mask(b.phone)}


def _loan_out(loan: Loan, now: dt.datetime) -> dict:
    return {"id": loan.pk, "station_id": loan.station_id, "item": loan.item,
            "borrower": loan.borrower_name, "phone": phone_mask(loan.borrower_phone),
            "lent_at": loan.lent_at, "due_at": loan.due_at, "returned_at": loan.returned_at,
            "overdue": loan.returned_at is None and loan.due_at < now}


# --- public -------------------------------------------------------------------------------------
@public_router.get("stations/{code}/stations", auth=None, response=list[StationCard])
def public_stations(request, code: PathStr, filters: Query[StationMapFilter]) -> Any:
    """The map's stations: open now, amenity and type filters, distance when given."""
    district = district_get_public(code=code)
    return selectors.station_cards(district=district, kind=filters.kind or "",
                                   amenity=filters.amenity or "", open_now=filters.open_now,
                                   lat=filters.lat, lon=filters.lon)


@public_router.get("stations/{code}/services/{service_id}/slots", auth=None,
                   response=list[StationDayOut])
def public_slots(request, code: PathStr, service_id: Id) -> Any:
    district = district_get_public(code=code)
    service = selectors.service_get(district=district, pk=service_id)
    return selectors.service_slots(service=service)


@public_router.post("stations/{code}/faults", auth=OPTIONAL_AUTH, response={201: StationFaultOut})
def public_fault(request, code: PathStr, payload: StationFaultIn):
    """A visitor reports a broken or empty amenity: one work order per fault."""
    district = district_get_public(code=code)
    amenity = selectors.amenity_public_by_id(district=district, pk=payload.amenity_id)
    fault = services.amenity_report(actor=request.user, amenity=amenity,
                                    status=payload.status, note=payload.note,
                                    client_key=client_ip(request))
    return Status(201, {"id": fault.pk, "reports": fault.reports,
                        "work_order_number": fault.work_order_number})


@public_router.get("stations/{code}/stations/{station_token}/duty", auth=None,
                   response=list[StationDutyPublicOut])
def public_duty(request, code: PathStr, station_token: PathStr) -> Any:
    """Who is on duty at a station this evening (names masked)."""
    district = district_get_public(code=code)
    station = selectors.station_by_token(district=district, token=station_token)
    return selectors.duty_posts_public(station=station)


# --- stations -------------------------------------------------------------------------------------
@router.get("stations", response=list[ServiceStationOut])
@paginate
def stations_list(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.station_list(user=request.user, district=district)


@router.post("stations", response={201: ServiceStationOut})
def stations_create(request, code: PathStr, payload: ServiceStationIn):
    district = access_district(user=request.user, code=code)
    data = payload.dict()
    amenities = [str(a) for a in data.pop("amenities")]
    station = services.station_create(actor=request.user, district=district,
                                      amenities=amenities, **data)
    return Status(201, station)


@router.get("stations/{station_id}/amenities", response=list[StationAmenityStaffOut])
def station_amenities(request, code: PathStr, station_id: Id) -> Any:
    district = access_district(user=request.user, code=code)
    station = selectors.access_station(user=request.user, district=district, pk=station_id)
    return list(station.amenities.order_by("kind"))


@router.post("stations/amenities/{amenity_id}/status", response=StationAmenityStaffOut)
def amenity_mark(request, code: PathStr, amenity_id: Id, payload: StationAmenityMarkIn):
    district = access_district(user=request.user, code=code)
    amenity = selectors.access_amenity(user=request.user, district=district, pk=amenity_id)
    return services.amenity_mark(actor=request.user, amenity=amenity, status=payload.status,
                                 note=payload.note)


@router.post("stations/{station_id}/occupancy", response=ServiceStationOut)
def station_occupancy(request, code: PathStr, station_id: Id, payload: StationOccupancyIn):
    district = access_district(user=request.user, code=code)
    station = selectors.access_station(user=request.user, district=district, pk=station_id)
    return services.occupancy_set(actor=request.user, station=station,
                                  occupancy=payload.occupancy)


@router.post("stations/readings", response=StationParkingOut)
def parking_readings(request, code: PathStr, payload: ParkingReadingBatch):
    """A parking or cabinet counter posts ``{seq, ts, entries, exits}`` readings with its
    device token, as the crowd gates do; idempotent by (device, seq)."""
    device = request_device(request)
    district = district_get_public(code=code)
    if device is not None and device.district_id != district.pk:
        device = None
    return services.parking_readings_ingest(device=device,
                                            readings=[r.dict() for r in payload.readings])


# --- services, bookings ---------------------------------------------------------------------------
@router.get("stations/services", response=list[StationServiceOut])
def services_list(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return list(selectors.service_list(district=district))


@router.post("stations/bookings", response={201: StationBookingOut})
def bookings_create(request, code: PathStr, payload: StationBookingIn):
    district = access_district(user=request.user, code=code)
    service = selectors.service_get(district=district, pk=payload.service_id)
    booking = services.booking_create(actor=request.user, service=service,
                                      starts_at=payload.starts_at, name=payload.name,
                                      phone=payload.phone)
    return Status(201, _booking_out(booking, reveal=True))


@router.get("stations/bookings/mine", response=list[StationBookingOut])
@paginate
def bookings_mine(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return Rows(selectors.booking_list_mine(user=request.user, district=district),
                lambda b: _booking_out(b, reveal=True))


@router.get("stations/bookings", response=list[StationBookingOut])
@paginate
def bookings_list(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return Rows(selectors.booking_list(user=request.user, district=district), _booking_out)


@router.post("stations/bookings/{booking_id}/cancel", response=StationBookingOut)
def bookings_cancel(request, code: PathStr, booking_id: Id):
    district = access_district(user=request.user, code=code)
    booking = selectors.booking_get(user=request.user, district=district, pk=booking_id)
    return _booking_out(services.booking_cancel(actor=request.user, booking=booking),
                        reveal=True)


@router.post("stations/bookings/{booking_id}/confirm", response=StationBookingOut)
def bookings_confirm(request, code: PathStr, booking_id: Id):
    district = access_district(user=request.user, code=code)
    booking = selectors.booking_get(user=request.user, district=district, pk=booking_id)
    return _booking_out(services.booking_confirm(actor=request.user, booking=booking),
                        reveal=True)


@router.post("stations/bookings/{booking_id}/mark", response=StationBookingOut)
def bookings_mark(request, code: PathStr, booking_id: Id, payload: StationBookingMarkIn):
    district = access_district(user=request.user, code=code)
    booking = selectors.booking_get(user=request.user, district=district, pk=booking_id)
    booking = services.booking_mark(actor=request.user, booking=booking, action=payload.action,
                                    outcome=payload.outcome or "", notes=payload.notes)
    return _booking_out(booking)


@router.get("stations/handled", response=list[StationsHandledOut])
def handled(request, code: PathStr) -> Any:
    """Handled items per service and month, for the dashboard."""
    district = access_district(user=request.user, code=code)
    selectors.booking_list(user=request.user, district=district)  # the desk's permission
    return selectors.handled_counts(district=district)


@router.get("stations/bookings.xlsx", openapi_extra=file_download(XLSX))
def bookings_export(request, code: PathStr) -> HttpResponse:
    return _download(request, code, "bookings")


# --- rooms --------------------------------------------------------------------------------------------
@router.get("stations/rooms", response=list[StationRoomOut])
def rooms_list(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return list(selectors.room_list(district=district))


@router.get("stations/room-bookings", response=list[StationRoomBookingOut])
@paginate
def room_bookings_list(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.room_booking_list(user=request.user, district=district)


@router.post("stations/room-bookings", response={201: StationRoomBookingOut})
def room_bookings_create(request, code: PathStr, payload: StationRoomBookingIn):
    district = access_district(user=request.user, code=code)
    room: Room = selectors.room_get(district=district, pk=payload.room_id)
    booking = services.room_book(actor=request.user, room=room, starts_at=payload.starts_at,
                                 ends_at=payload.ends_at, title=payload.title,
                                 source=payload.source)
    return Status(201, booking)


@router.post("stations/room-bookings/{booking_id}/cancel", response=StationRoomBookingOut)
def room_bookings_cancel(request, code: PathStr, booking_id: Id):
    district = access_district(user=request.user, code=code)
    booking = selectors.room_booking_get(user=request.user, district=district, pk=booking_id)
    return services.room_cancel(actor=request.user, booking=booking)


# --- loans, wristbands ---------------------------------------------------------------------------------
@router.get("stations/loans", response=list[StationLoanOut])
@paginate
def loans_list(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    now = timezone.now()
    return Rows(selectors.loan_list(user=request.user, district=district),
                lambda loan: _loan_out(loan, now))


@router.post("stations/loans", response={201: StationLoanOut})
def loans_create(request, code: PathStr, payload: StationLoanIn):
    district = access_district(user=request.user, code=code)
    station: Station = selectors.access_station(user=request.user, district=district,
                                                pk=payload.station_id)
    loan = services.loan_lend(actor=request.user, station=station, item=payload.item,
                              borrower_name=payload.borrower_name,
                              borrower_phone=payload.borrower_phone)
    return Status(201, _loan_out(loan, timezone.now()))


@router.post("stations/loans/{loan_id}/return", response=StationLoanOut)
def loans_return(request, code: PathStr, loan_id: Id):
    district = access_district(user=request.user, code=code)
    loan = selectors.access_loan(user=request.user, district=district, pk=loan_id)
    return _loan_out(services.loan_return(actor=request.user, loan=loan), timezone.now())


@router.post("stations/wristbands", response={201: StationWristbandOut})
def wristbands_create(request, code: PathStr, payload: StationWristbandIn):
    district = access_district(user=request.user, code=code)
    station = selectors.access_station(user=request.user, district=district,
                                       pk=payload.station_id)
    band = services.wristband_register(actor=request.user, station=station,
                                       number=payload.number,
                                       guardian_phone=payload.guardian_phone,
                                       child_note=payload.child_note)
    return Status(201, {"id": band.pk, "number": band.number, "station": station.name,
                        "guardian_phone": phone_mask(band.guardian_phone),
                        "registered_at": band.registered_at})


@router.post("stations/wristbands/lookup", response=StationWristbandOut)
def wristbands_lookup(request, code: PathStr, payload: StationWristbandLookupIn):
    """Staff who found a child: the guardian's phone in full, to call. Audited."""
    district = access_district(user=request.user, code=code)
    band = services.wristband_lookup(actor=request.user, district=district,
                                     number=payload.number)
    return {"id": band.pk, "number": band.number, "station": band.station.name,
            "guardian_phone": band.guardian_phone, "registered_at": band.registered_at}


# --- holiday hours, services and rooms (what the console edits) -------------------------------------
@router.get("stations/{station_id}/hours-exceptions", response=list[StationHoursExceptionOut])
def hours_exceptions_list(request, code: PathStr, station_id: Id) -> Any:
    district = access_district(user=request.user, code=code)
    station = selectors.access_station(user=request.user, district=district, pk=station_id)
    return list(selectors.hours_exception_list(user=request.user, district=district)
                .filter(station=station))


@router.post("stations/{station_id}/hours-exceptions", response=StationHoursExceptionOut)
def hours_exceptions_set(request, code: PathStr, station_id: Id,
                         payload: StationHoursExceptionIn):
    """Holiday hours for one day (closed, or other hours); setting a day again replaces it."""
    district = access_district(user=request.user, code=code)
    station = selectors.access_station(user=request.user, district=district, pk=station_id)
    return services.hours_exception_set(actor=request.user, station=station, **payload.dict())


@router.post("stations/hours-exceptions/{exception_id}/remove", response=StationRemovedOut)
def hours_exceptions_remove(request, code: PathStr, exception_id: Id):
    """Back to the usual hours on that day."""
    district = access_district(user=request.user, code=code)
    row = selectors.access_hours_exception(user=request.user, district=district,
                                           pk=exception_id)
    services.hours_exception_remove(actor=request.user, exception=row)
    return {"id": exception_id, "removed": True}


@router.post("stations/services", response={201: StationServiceOut})
def services_create(request, code: PathStr, payload: StationServiceIn):
    district = access_district(user=request.user, code=code)
    data = payload.dict()
    station = selectors.access_station(user=request.user, district=district,
                                       pk=data.pop("station_id"))
    department = selectors.access_department(district=district, pk=data.pop("department_id"))
    service = services.service_create(actor=request.user, station=station,
                                      department=department, **data)
    return Status(201, service)


@router.patch("stations/services/{service_id}", response=StationServiceOut)
def services_update(request, code: PathStr, service_id: Id, payload: StationServicePatch):
    district = access_district(user=request.user, code=code)
    service = selectors.access_service(user=request.user, district=district, pk=service_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.service_update(actor=request.user, service=service, **changes)


@router.post("stations/rooms", response={201: StationRoomOut})
def rooms_create(request, code: PathStr, payload: StationRoomIn):
    district = access_district(user=request.user, code=code)
    station = selectors.access_station(user=request.user, district=district,
                                       pk=payload.station_id)
    room = services.room_create(actor=request.user, station=station, name=payload.name,
                                kind=payload.kind, seats=payload.seats)
    return Status(201, room)


@router.patch("stations/rooms/{room_id}", response=StationRoomOut)
def rooms_update(request, code: PathStr, room_id: Id, payload: StationRoomPatch):
    district = access_district(user=request.user, code=code)
    room = selectors.access_room(user=request.user, district=district, pk=room_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.room_update(actor=request.user, room=room, **changes)


# --- duty posts ---------------------------------------------------------------------------------------
def _duty_out(post: DutyPost) -> dict:
    return {"id": post.pk, "station_id": post.station_id, "zone_id": post.zone_id,
            "place": post.place, "day": post.day, "starts_at": post.starts_at,
            "ends_at": post.ends_at, "post": post.post, "group": post.group,
            "unit": post.unit, "person_name": post.person_name,
            "checked_in_at": post.checked_in_at}


@router.get("stations/duty-posts", response=list[StationDutyPostOut])
@paginate
def duty_posts_list(request, code: PathStr, filters: Query[StationDutyFilter]) -> Any:
    district = access_district(user=request.user, code=code)
    return Rows(selectors.duty_post_list(user=request.user, district=district,
                                         day=filters.day), _duty_out)


@router.post("stations/duty-posts", response={201: StationDutyPostOut})
def duty_posts_create(request, code: PathStr, payload: StationDutyPostIn):
    district = access_district(user=request.user, code=code)
    data = payload.dict()
    station_id, zone_id = data.pop("station_id"), data.pop("zone_id")
    station = None if station_id is None else selectors.access_station(
        user=request.user, district=district, pk=station_id)
    zone = None if zone_id is None else selectors.access_zone(district=district, pk=zone_id)
    post = services.duty_post_create(actor=request.user, district=district, station=station,
                                     zone=zone, **data)
    return Status(201, _duty_out(post))


@router.post("stations/duty-posts/{post_id}/check-in", response=StationDutyPostOut)
def duty_posts_check_in(request, code: PathStr, post_id: Id):
    district = access_district(user=request.user, code=code)
    post = selectors.access_duty_post(user=request.user, district=district, pk=post_id)
    return _duty_out(services.duty_post_check_in(actor=request.user, post=post))


@router.post("stations/duty-posts/{post_id}/remove", response=StationRemovedOut)
def duty_posts_remove(request, code: PathStr, post_id: Id):
    district = access_district(user=request.user, code=code)
    post = selectors.access_duty_post(user=request.user, district=district, pk=post_id)
    services.duty_post_remove(actor=request.user, post=post)
    return {"id": post_id, "removed": True}


# --- exports beyond bookings ----------------------------------------------------------------------------
def _download(request: Any, code: str, what: str) -> HttpResponse:
    district = access_district(user=request.user, code=code)
    data, filename = exporting.export_xlsx(what, actor=request.user, district=district)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("stations/loans.xlsx", openapi_extra=file_download(XLSX))
def loans_export(request, code: PathStr) -> HttpResponse:
    """Loans (phones masked), for the committee and grid leaders."""
    return _download(request, code, "loans")


@router.get("stations/faults.xlsx", openapi_extra=file_download(XLSX))
def faults_export(request, code: PathStr) -> HttpResponse:
    """Amenity faults with their work orders and how many people reported each."""
    return _download(request, code, "faults")


@router.get("stations/room-bookings.xlsx", openapi_extra=file_download(XLSX))
def room_bookings_export(request, code: PathStr) -> HttpResponse:
    """Room bookings, for the committee and the street."""
    return _download(request, code, "room-bookings")


@router.get("stations/parking.xlsx", openapi_extra=file_download(XLSX))
def parking_export(request, code: PathStr) -> HttpResponse:
    """Counted points (rider parking, charging cabinets, car parks) and their readings."""
    return _download(request, code, "parking")
