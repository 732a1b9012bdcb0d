"""REST endpoints under /api/v1/districts/{code}/: merchants, grids, rosters, imports.

Public (anonymous): /api/v1/public/merchants/{token} — what the QR page shows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, FilterSchema, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shangquan.core import policies
from shangquan.core.apibase import XLSX, Id, Rows, file_download, paginate
from shangquan.core.pii import phone_mask
from shangquan.core.selectors import access_district, access_member_user

from . import grids, jobs, rosters, selectors, services
from .exporting import merchants_export_xlsx
from .policies import can_see_phone
from .public import report_url

router = Router(tags=["merchants"])
public_router = Router(tags=["merchants"])


class MerchantOut(Schema):
    id: int
    public_token: str
    name: str
    licence_no: str
    licence_kind: str
    category: str
    status: str
    status_reason: str
    grid_id: int | None
    association_id: int | None
    address: str
    stall_no: str
    latitude: Decimal | None
    longitude: Decimal | None
    contact_name: str
    phone: str
    opening_hours: str
    outdoor_area: Decimal | None
    is_party_member: bool
    party_badge: str
    party_member_id: int | None
    commit_identity: str
    commit_duty: str
    commit_promise: str
    owner_id: int | None
    updated_at: dt.datetime


class MerchantFilter(FilterSchema):
    q: str = ""
    category: str = ""
    status: str = ""
    grid: str = Field("", pattern=r"^(|none|[1-9][0-9]{0,17})$",
                      description="a grid id, or 'none' for merchants without a grid")
    association: Id | None = None
    party: bool | None = None


class MerchantIn(Schema):
    name: str
    licence_no: str
    category: str
    address: str = ""
    stall_no: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    contact_name: str = ""
    phone: str = ""
    opening_hours: str = ""
    outdoor_area: Decimal | None = None
    association: Id | None = None
    grid: Id | None = None
    is_party_member: bool = False
    party_badge: str = ""
    party_member: Id | None = None
    commit_identity: str = ""
    commit_duty: str = ""
    commit_promise: str = ""


class MerchantPatch(Schema):
    name: str | None = None
    licence_no: str | None = None
    category: str | None = None
    address: str | None = None
    stall_no: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    contact_name: str | None = None
    phone: str | None = None
    opening_hours: str | None = None
    outdoor_area: Decimal | None = None
    association: Id | None = None
    grid: Id | None = None
    is_party_member: bool | None = None
    party_badge: str | None = None
    party_member: Id | None = None
    commit_identity: str | None = None
    commit_duty: str | None = None
    commit_promise: str | None = None


class MerchantStatusIn(Schema):
    status: str
    reason: str


def _out(request: HttpRequest, merchant) -> dict:
    data = MerchantOut.from_orm(merchant).dict()
    if not can_see_phone(request.user, merchant):
        data["phone"] = phone_mask(merchant.phone)
    return data


@router.get("merchants", response=list[MerchantOut])
@paginate
def merchant_list(request: HttpRequest, code: Path[str], filters: Query[MerchantFilter]):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "merchant.view", district)
    qs = selectors.merchant_list(district=district, q=filters.q, category=filters.category,
                                 status=filters.status, grid=filters.grid or None,
                                 association=filters.association, party=filters.party)
    return Rows(qs, lambda m: _out(request, m))



@router.post("merchants", response={201: MerchantOut})
def merchant_create(request: HttpRequest, code: Path[str], payload: MerchantIn):
    district = access_district(user=request.user, code=code)
    data = payload.dict()
    merchant = services.merchant_create(actor=request.user, district=district, **data)
    return Status(201, _out(request, merchant))


@router.get("merchants.xlsx", openapi_extra=file_download(XLSX))
def merchant_export(request: HttpRequest, code: Path[str]):
    district = access_district(user=request.user, code=code)
    return HttpResponse(merchants_export_xlsx(actor=request.user, district=district),
                        content_type="application/vnd.openxmlformats-officedocument"
                                     ".spreadsheetml.sheet")


@router.get("merchants/{int:merchant_id}", response=MerchantOut)
def merchant_get(request: HttpRequest, code: Path[str], merchant_id: Id):
    district = access_district(user=request.user, code=code)
    merchant = selectors.access_merchant(district=district, merchant_id=merchant_id)
    if not can_see_phone(request.user, merchant):
        policies.require(request.user, "merchant.view", district)
    return _out(request, merchant)


@router.patch("merchants/{int:merchant_id}", response=MerchantOut)
def merchant_update(request: HttpRequest, code: Path[str], merchant_id: Id,
                    payload: MerchantPatch):
    district = access_district(user=request.user, code=code)
    merchant = selectors.access_merchant(district=district, merchant_id=merchant_id)
    fields = payload.dict(exclude_unset=True)
    return _out(request, services.merchant_update(actor=request.user, merchant=merchant,
                                                  **fields))


@router.post("merchants/{int:merchant_id}/status", response=MerchantOut)
def merchant_status(request: HttpRequest, code: Path[str], merchant_id: Id,
                    payload: MerchantStatusIn):
    district = access_district(user=request.user, code=code)
    merchant = selectors.access_merchant(district=district, merchant_id=merchant_id)
    return _out(request, services.merchant_status_set(actor=request.user, merchant=merchant,
                                                      status=payload.status,
                                                      reason=payload.reason))


class ImportJobOut(Schema):
    id: int
    filename: str
    status: str
    total: int
    processed: int
    created: int
    updated: int
    errors: list[dict]
    message: str


@router.post("merchants/import", response={201: ImportJobOut})
def merchant_import(request: HttpRequest, code: Path[str], file: File[UploadedFile]):
    district = access_district(user=request.user, code=code)
    job = jobs.import_job_create(actor=request.user, district=district,
                                 filename=file.name or "upload.xlsx", data=file.read())
    return Status(201, job)


@router.get("merchants/imports/{int:job_id}", response=ImportJobOut)
def merchant_import_get(request: HttpRequest, code: Path[str], job_id: Id):
    district = access_district(user=request.user, code=code)
    return selectors.import_job_get(user=request.user, district=district, job_id=job_id)


class AssociationOut(Schema):
    id: int
    name: str
    contact: str
    public_phone: str
    n: int


@router.get("associations", response=list[AssociationOut])
def association_list(request: HttpRequest, code: Path[str]):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "merchant.view", district)
    return list(selectors.association_list(district=district))


class GridOut(Schema):
    id: int
    name: str
    leader_id: int | None
    leader_name: str
    public_contact: str
    latitude: Decimal | None
    longitude: Decimal | None
    n: int = 0


class GridFilter(FilterSchema):
    q: str = ""


class GridIn(Schema):
    name: str
    leader_name: str = ""
    public_contact: str = ""


class GridPatch(Schema):
    name: str | None = None
    leader_id: Id | None = None
    leader_name: str | None = None
    public_contact: str | None = None


class ProposeIn(Schema):
    size: int = Field(10, ge=1, le=500)


class ProposedOut(Schema):
    name: str
    merchant_ids: list[int]
    latitude: Decimal | None
    longitude: Decimal | None


class GridAssignIn(Schema):
    merchant_ids: list[Id]


class GridContactIn(Schema):
    kind: str
    name: str
    phone: str = ""


class GridContactOut(Schema):
    id: int
    kind: str
    name: str
    phone: str


@router.get("grids", response=list[GridOut])
@paginate
def grid_list(request: HttpRequest, code: Path[str], filters: Query[GridFilter]):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "merchant.view", district)
    qs = selectors.grid_list(district=district)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    return qs


@router.post("grids", response={201: GridOut})
def grid_create(request: HttpRequest, code: Path[str], payload: GridIn):
    district = access_district(user=request.user, code=code)
    return Status(201, grids.grid_create(actor=request.user, district=district,
                                         **payload.dict()))


@router.post("grids/propose", response=list[ProposedOut])
def grid_propose(request: HttpRequest, code: Path[str], payload: ProposeIn):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "grid.manage", district)
    return grids.grids_propose(district=district, size=payload.size)


@router.post("grids/apply", response=list[GridOut])
def grid_apply(request: HttpRequest, code: Path[str], payload: ProposeIn):
    district = access_district(user=request.user, code=code)
    grids.grids_apply(actor=request.user, district=district,
                      proposal=grids.grids_propose(district=district, size=payload.size))
    return list(selectors.grid_list(district=district))


@router.get("grids/{int:grid_id}", response=GridOut)
def grid_get(request: HttpRequest, code: Path[str], grid_id: Id):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "merchant.view", district)
    return selectors.grid_list(district=district).filter(pk=grid_id).first() or \
        selectors.access_grid(district=district, grid_id=grid_id)


@router.patch("grids/{int:grid_id}", response=GridOut)
def grid_update(request: HttpRequest, code: Path[str], grid_id: Id, payload: GridPatch):
    district = access_district(user=request.user, code=code)
    grid = selectors.access_grid(district=district, grid_id=grid_id)
    fields = payload.dict(exclude_unset=True)
    if "leader_id" in fields:
        leader_id = fields.pop("leader_id")
        fields["leader"] = (access_member_user(district=district, user_id=leader_id)
                            if leader_id else None)
    return grids.grid_update(actor=request.user, grid=grid, **fields)


@router.post("grids/{int:grid_id}/assign", response=GridOut)
def grid_assign(request: HttpRequest, code: Path[str], grid_id: Id, payload: GridAssignIn):
    district = access_district(user=request.user, code=code)
    grid = selectors.access_grid(district=district, grid_id=grid_id)
    merchants = [selectors.access_merchant(district=district, merchant_id=i)
                 for i in payload.merchant_ids]
    grids.grid_assign(actor=request.user, grid=grid, merchants=merchants)
    return selectors.grid_list(district=district).get(pk=grid.pk)


@router.post("grids/{int:grid_id}/contacts", response={201: GridContactOut})
def grid_contact_add(request: HttpRequest, code: Path[str], grid_id: Id,
                     payload: GridContactIn):
    district = access_district(user=request.user, code=code)
    grid = selectors.access_grid(district=district, grid_id=grid_id)
    contact = grids.grid_contact_add(actor=request.user, grid=grid, **payload.dict())
    return Status(201, {"id": contact.pk, "kind": contact.kind, "name": contact.name,
                        "phone": phone_mask(contact.phone)})


class RosterOut(Schema):
    id: int
    title: str
    grid_id: int | None
    starts_on: dt.date
    ends_on: dt.date
    closed_weekdays: list[int]
    closed_dates: list[str]


class RosterFilter(FilterSchema):
    grid: Id | None = None


class AssignmentOut(Schema):
    date: dt.date
    merchant_id: int
    merchant_name: str


class RosterDetail(RosterOut):
    assignments: list[AssignmentOut]


class RosterIn(Schema):
    title: str = ""
    grid_id: Id | None = None
    starts_on: dt.date
    ends_on: dt.date
    closed_weekdays: list[int] = []
    closed_dates: list[dt.date] = []


class SwapIn(Schema):
    merchant_id: Id
    date: dt.date
    partner_id: Id | None = None
    reason: str = ""


def _roster_detail(roster) -> dict:
    data = RosterOut.from_orm(roster).dict()
    data["assignments"] = [{"date": a.date, "merchant_id": a.merchant_id,
                            "merchant_name": a.merchant.name}
                           for a in roster.assignments.select_related("merchant").order_by("date")]
    return data


@router.get("rosters", response=list[RosterOut])
@paginate
def roster_list(request: HttpRequest, code: Path[str], filters: Query[RosterFilter]):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "merchant.view", district)
    return selectors.roster_list(district=district, grid=filters.grid)


@router.post("rosters", response={201: RosterDetail})
def roster_create(request: HttpRequest, code: Path[str], payload: RosterIn):
    district = access_district(user=request.user, code=code)
    grid = selectors.access_grid(district=district, grid_id=payload.grid_id) \
        if payload.grid_id else None
    roster = rosters.roster_generate(actor=request.user, district=district, title=payload.title,
                                     grid=grid, starts_on=payload.starts_on,
                                     ends_on=payload.ends_on,
                                     closed_weekdays=payload.closed_weekdays,
                                     closed_dates=payload.closed_dates)
    return Status(201, _roster_detail(roster))


class StewardOut(Schema):
    date: dt.date
    merchant_id: int | None
    merchant_name: str


@router.get("rosters/today", response=StewardOut)
def roster_today(request: HttpRequest, code: Path[str], grid: Id | None = None):
    district = access_district(user=request.user, code=code)
    grid_obj = selectors.access_grid(district=district, grid_id=grid) if grid else None
    duty = selectors.steward_today(district=district, grid=grid_obj)
    return {"date": duty.date if duty else dt.date.today(),
            "merchant_id": duty.merchant_id if duty else None,
            "merchant_name": duty.merchant.name if duty else ""}


@router.get("rosters/{int:roster_id}", response=RosterDetail)
def roster_get(request: HttpRequest, code: Path[str], roster_id: Id):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "merchant.view", district)
    return _roster_detail(selectors.access_roster(district=district, roster_id=roster_id))


@router.post("rosters/{int:roster_id}/swaps", response={201: RosterDetail})
def roster_swap(request: HttpRequest, code: Path[str], roster_id: Id, payload: SwapIn):
    district = access_district(user=request.user, code=code)
    roster = selectors.access_roster(district=district, roster_id=roster_id)
    merchant = selectors.access_merchant(district=district, merchant_id=payload.merchant_id)
    partner = selectors.access_merchant(district=district, merchant_id=payload.partner_id) \
        if payload.partner_id else None
    rosters.duty_swap_request(actor=request.user, roster=roster, merchant=merchant,
                              date=payload.date, partner=partner, reason=payload.reason)
    return Status(201, _roster_detail(roster))


class PublicCommitments(Schema):
    identity: str
    duty: str
    promise: str


class PublicMerchantOut(Schema):

    name: str
    category: str
    status: str
    district: str
    address: str
    stall_no: str
    opening_hours: str
    latitude: Decimal | None
    longitude: Decimal | None
    association: str
    grid: str
    grid_leader: str
    grid_contact: str
    party_badge: str
    commitments: PublicCommitments | None
    steward: str
    report_url: str


@public_router.get("merchants/{token}", response=PublicMerchantOut, auth=None)
def merchant_public(request: HttpRequest, token: str):
    merchant = selectors.merchant_get_public(token=token)
    duty = selectors.steward_today(district=merchant.district, grid=merchant.grid)
    grid = merchant.grid
    return {
        "name": merchant.name, "category": merchant.category, "status": merchant.status,
        "district": merchant.district.name, "address": merchant.address,
        "stall_no": merchant.stall_no, "opening_hours": merchant.opening_hours,
        "latitude": merchant.latitude, "longitude": merchant.longitude,
        "association": merchant.association.name if merchant.association else "",
        "grid": grid.name if grid else "", "grid_leader": grid.leader_name if grid else "",
        "grid_contact": grid.public_contact if grid else "",
        "party_badge": merchant.party_badge_label,
        "commitments": ({"identity": merchant.commit_identity, "duty": merchant.commit_duty,
                         "promise": merchant.commit_promise}
                        if merchant.is_party_member else None),

        "steward": duty.merchant.name if duty else "", "report_url": report_url(merchant),
    }
