"""REST endpoints under /api/v1/districts/{code}/org/…; public check-in under /public/."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, FilterSchema, Path, Query, Router, Schema, Status

from shangquan.core import policies
from shangquan.core.apibase import OPTIONAL_AUTH, Id, Rows, paginate
from shangquan.core.pii import phone_mask
from shangquan.core.selectors import access_district

from . import selectors, services
from .qr import station_url

router = Router(tags=["org"])
public_router = Router(tags=["org"])


class LevelOut(Schema):
    id: int
    name: str
    depth: int


class LevelsIn(Schema):
    names: list[str]


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    level_id: int | None
    parent_id: int | None
    hotspot: str
    policy: str
    description: str
    member_count: int = 0


class UnitFilter(FilterSchema):
    kind: str = ""
    parent: Id | None = None
    q: str = ""


class UnitIn(Schema):
    name: str
    kind: str = "tree"
    parent_id: Id | None = None
    level_id: Id | None = None
    hotspot: str = ""
    policy: str = ""
    description: str = ""


class JoinIn(Schema):
    unit_id: Id
    duty: str = ""


class AgreementOut(Schema):
    id: int
    kind: str
    title: str
    unit_a_id: int
    unit_b_id: int
    starts_on: dt.date
    ends_on: dt.date | None
    content: str


class AgreementFilter(FilterSchema):
    kind: str = ""
    active_on: dt.date | None = None


class AgreementIn(Schema):
    title: str
    unit_a_id: Id
    unit_b_id: Id
    starts_on: dt.date
    ends_on: dt.date | None = None
    kind: str = "agreement"
    content: str = ""


class PartyMemberOut(Schema):
    id: int
    name: str
    role: str
    unit_id: int
    phone: str
    is_instructor: bool
    merchant_ids: list[int]


class PartyMemberFilter(FilterSchema):
    unit: Id | None = None
    role: str = ""
    q: str = ""
    instructors: bool | None = None


class PartyMemberIn(Schema):
    name: str
    unit_id: Id
    role: str = "member"
    phone: str = ""
    is_instructor: bool = False


class StationOut(Schema):
    id: int
    name: str
    address: str
    unit_id: int | None
    url: str
    check_in_count: int = 0
    last_check_in: dt.datetime | None = None


class StationIn(Schema):
    name: str
    address: str = ""
    unit_id: Id | None = None


class MobileOut(Schema):
    id: int
    name: str
    phone: str
    home_unit: str
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    last_station_id: int | None
    check_in_count: int


class MobileFilter(FilterSchema):
    unseen_days: int | None = Field(None, ge=0, le=3650)
    station: Id | None = None
    q: str = ""


class CheckInOut(Schema):
    id: int
    created_at: dt.datetime
    station_id: int
    station: str
    member_id: int
    name: str
    phone: str
    home_unit: str


class CheckInFilter(FilterSchema):
    station: Id | None = None
    since: dt.datetime | None = None


class CheckInIn(Schema):
    name: str
    phone: str
    home_unit: str


class CheckInDone(Schema):
    station: str
    name: str  # as the caller typed it
    phone: str  # masked
    # Only for the member themself (signed in with that verified phone); else null.
    check_in_count: int | None
    created_at: dt.datetime


def _unit(district, unit_id):
    return selectors.access_unit(district=district, unit_id=unit_id) if unit_id else None


@router.get("org/levels", response=list[LevelOut])
def level_list(request: HttpRequest, code: Path[str]):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "org.view", district)
    return list(selectors.level_list(district=district))


@router.post("org/levels", response=list[LevelOut])
def level_set(request: HttpRequest, code: Path[str], payload: LevelsIn):
    district = access_district(user=request.user, code=code)
    return services.org_levels_set(actor=request.user, district=district, names=payload.names)


@router.get("org/units", response=list[UnitOut])
@paginate
def unit_list(request: HttpRequest, code: Path[str], filters: Query[UnitFilter]):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "org.view", district)
    return selectors.unit_list(district=district, kind=filters.kind, parent=filters.parent,
                               q=filters.q)


@router.post("org/units", response={201: UnitOut})
def unit_create(request: HttpRequest, code: Path[str], payload: UnitIn):
    district = access_district(user=request.user, code=code)
    level = selectors.level_list(district=district).filter(pk=payload.level_id).first() \
        if payload.level_id else None
    unit = services.org_unit_create(actor=request.user, district=district, name=payload.name,
                                    kind=payload.kind, parent=_unit(district, payload.parent_id),
                                    level=level, hotspot=payload.hotspot, policy=payload.policy,
                                    description=payload.description)
    return Status(201, unit)


@router.post("org/units/{int:unit_id}/members", response={201: UnitOut})
def alliance_join(request: HttpRequest, code: Path[str], unit_id: Id, payload: JoinIn):
    district = access_district(user=request.user, code=code)
    alliance = _unit(district, unit_id)
    services.alliance_join(actor=request.user, alliance=alliance,
                           unit=_unit(district, payload.unit_id), duty=payload.duty)
    return Status(201, alliance)


@router.get("org/agreements", response=list[AgreementOut])
@paginate
def agreement_list(request: HttpRequest, code: Path[str], filters: Query[AgreementFilter]):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "org.view", district)
    return selectors.agreement_list(district=district, kind=filters.kind,
                                    active_on=filters.active_on)


@router.post("org/agreements", response={201: AgreementOut})
def agreement_create(request: HttpRequest, code: Path[str], payload: AgreementIn):
    district = access_district(user=request.user, code=code)
    return Status(201, services.agreement_create(
        actor=request.user, district=district, title=payload.title,
        unit_a=_unit(district, payload.unit_a_id), unit_b=_unit(district, payload.unit_b_id),
        starts_on=payload.starts_on, ends_on=payload.ends_on, kind=payload.kind,
        content=payload.content))


def _member_out(m) -> dict:
    return {"id": m.pk, "name": m.name, "role": m.role, "unit_id": m.unit_id,
            "phone": phone_mask(m.phone), "is_instructor": m.is_instructor,
            "merchant_ids": [s.pk for s in m.merchants.all()]}


@router.get("org/members", response=list[PartyMemberOut])
@paginate
def member_list(request: HttpRequest, code: Path[str], filters: Query[PartyMemberFilter]):
    district = access_district(user=request.user, code=code)
    qs = selectors.member_list(user=request.user, district=district, unit=filters.unit,
                               role=filters.role, q=filters.q, instructors=filters.instructors)
    return Rows(qs, _member_out)


@router.post("org/members", response={201: PartyMemberOut})
def member_create(request: HttpRequest, code: Path[str], payload: PartyMemberIn):
    district = access_district(user=request.user, code=code)
    member = services.party_member_create(actor=request.user, district=district,
                                          unit=_unit(district, payload.unit_id),
                                          name=payload.name, role=payload.role,
                                          phone=payload.phone,
                                          is_instructor=payload.is_instructor)
    return Status(201, _member_out(member))


def _station_out(s) -> dict:
    return {"id": s.pk, "name": s.name, "address": s.address, "unit_id": s.unit_id,
            "url": station_url(s), "check_in_count": getattr(s, "check_in_count", 0),
            "last_check_in": getattr(s, "last_check_in", None)}


@router.get("org/stations", response=list[StationOut])
def station_list(request: HttpRequest, code: Path[str]):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "checkin.view", district)
    return [_station_out(s) for s in selectors.station_list(district=district)]


@router.post("org/stations", response={201: StationOut})
def station_create(request: HttpRequest, code: Path[str], payload: StationIn):
    district = access_district(user=request.user, code=code)
    station = services.station_create(actor=request.user, district=district, name=payload.name,
                                      address=payload.address,
                                      unit=_unit(district, payload.unit_id))
    return Status(201, _station_out(station))


def _masked(m):
    m.phone = phone_mask(m.phone)
    return m


@router.get("org/mobile-members", response=list[MobileOut])
@paginate
def mobile_member_list(request: HttpRequest, code: Path[str], filters: Query[MobileFilter]):
    district = access_district(user=request.user, code=code)
    qs = selectors.mobile_member_list(user=request.user, district=district,
                                      unseen_days=filters.unseen_days, station=filters.station,
                                      q=filters.q)
    return Rows(qs, _masked)


def _check_in_out(c) -> dict:
    return {"id": c.pk, "created_at": c.created_at, "station_id": c.station_id,
            "station": c.station.name, "member_id": c.member_id, "name": c.member.name,
            "phone": phone_mask(c.member.phone), "home_unit": c.member.home_unit}


@router.get("org/check-ins", response=list[CheckInOut])
@paginate
def check_in_list(request: HttpRequest, code: Path[str], filters: Query[CheckInFilter]):
    district = access_district(user=request.user, code=code)
    qs = selectors.check_in_list(user=request.user, district=district, station=filters.station,
                                 since=filters.since)
    return Rows(qs, _check_in_out)



@public_router.post("stations/{token}/check-in", response={201: CheckInDone},
                    auth=OPTIONAL_AUTH)
def check_in(request: HttpRequest, token: str, payload: CheckInIn):
    station = selectors.station_get_public(token=token)
    record = services.check_in(request=request, station=station, name=payload.name,
                               phone=payload.phone, home_unit=payload.home_unit)
    return Status(201, {"station": station.name, "name": payload.name.strip()[:40],
                        "phone": phone_mask(record.member.phone),
                        "check_in_count": record.member_check_ins,
                        "created_at": record.created_at})
