"""Work-order API: the whole loop for members, plus public reporting and tracking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, FilterSchema, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shangquan.core import policies, ratelimit
from shangquan.core.apibase import OPTIONAL_AUTH, Id, Rows, paginate, request_device
from shangquan.core.errors import NotFound
from shangquan.core.selectors import access_district, access_scoped, department_list
from shangquan.core.selectors import district_get_public as public_district

from . import intake, selectors, services
from .forms import grid_by_id, merchant_by_token
from .kpi import DIMENSIONS, kpi_by, kpi_by_period, kpi_totals
from .models import Category, Escalation, WorkOrder
from .policies import can_see_reporter

router = Router(tags=["workorders"])
public_router = Router(tags=["workorders"])
PathStr = Path[str]  # the district code comes from the mount prefix


# --- schemas ------------------------------------------------------------------------
class ReportIn(Schema):
    category: str
    description: str
    channel: str = "resident"
    merchant: str | None = None  # the merchant's public token (QR code)
    grid_id: Id | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    anonymous: bool = False


class Reporter(Schema):
    name: str
    phone: str
    anonymous: bool


class WorkOrderOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    category: str
    category_name: str
    channel: str
    description: str
    department: str | None
    merchant: str | None
    grid: str | None
    latitude: float | None
    longitude: float | None
    address: str
    created_at: dt.datetime
    dispatched_at: dt.datetime | None
    response_due_at: dt.datetime | None
    accepted_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    resolution_note: str
    public_note: str
    merged_into: str | None
    rating: str
    rating_comment: str
    rating_excluded: bool
    reopen_count: int
    response_overdue: bool
    resolution_overdue: bool
    escalated: bool
    reporter: Reporter | None = None
    tracking_url: str


class PublicEvent(Schema):
    at: dt.datetime
    status: str
    status_label: str
    note: str


class TrackOut(Schema):
    number: str
    status: str
    status_label: str
    category_name: str
    public_note: str
    resolution_note: str
    merged_into: str | None
    created_at: dt.datetime
    timeline: list[PublicEvent]


class CreatedOut(Schema):
    id: int
    number: str
    status: str
    tracking_url: str


class CategoryOut(Schema):
    id: int
    code: PathStr
    name: str
    tier: str
    department_id: int | None
    department: str | None
    response_hours: int
    resolution_hours: int
    allow_anonymous: bool
    is_active: bool


class CategoryPatch(Schema):
    name: str | None = None
    tier: str | None = None
    department_id: Id | None = None

    clear_department: bool = False
    response_hours: int | None = None
    resolution_hours: int | None = None
    allow_anonymous: bool | None = None
    is_active: bool | None = None


class WorkOrderFilter(FilterSchema):
    status: str = ""
    category: str = ""
    department_id: Id | None = None
    overdue: bool = False
    mine: bool = False
    q: str = Field("", description="number, description or address (first 40 characters)")


class DispatchIn(Schema):
    department_id: Id
    deadline: dt.datetime | None = None
    note: str = ""


class WorkOrderReasonIn(Schema):
    reason: str


class WorkOrderNoteIn(Schema):
    note: str


class RateIn(Schema):
    rating: str
    comment: str = ""


class MergeIn(Schema):
    into: str  # the target's ticket number
    reason: str


class FollowUpIn(Schema):
    outcome: str
    note: str = ""


class FollowUpOut(Schema):
    id: int
    outcome: str
    note: str
    created_at: dt.datetime


class EscalationFilter(FilterSchema):
    open_only: bool = True


class KpiRowOut(Schema):
    key: int | str | None
    label: str
    total: int
    dispatched: int
    responded: int
    resolved: int
    rated: int
    satisfied: int
    basic: int
    unsatisfied: int
    excluded: int
    response_overdue: int
    resolution_overdue: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    composite: float | None
    overdue: int


class KpiOut(Schema):
    start: dt.date
    end: dt.date
    by: str
    totals: KpiRowOut
    rows: list[KpiRowOut]


class DuplicateOut(Schema):
    number: str
    status: str
    status_label: str
    category_name: str
    created_at: dt.datetime


class EscalationOut(Schema):
    id: int
    order_id: int
    number: str
    reason: str
    note: str
    created_at: dt.datetime
    handled_at: dt.datetime | None
    handling_note: str


# --- helpers ------------------------------------------------------------------------
def _track_url(order: WorkOrder) -> str:
    from django.urls import reverse

    return reverse("workorders:track", kwargs={"code": order.district.code,
                                               "number": order.number})


def order_out(order: WorkOrder, user: Any) -> dict:
    data = {f: getattr(order, f) for f in (
        "id", "number", "status", "channel", "description", "address", "created_at",
        "dispatched_at", "response_due_at", "accepted_at", "resolution_due_at", "resolved_at",
        "closed_at", "resolution_note", "public_note", "rating", "rating_comment",
        "rating_excluded", "reopen_count", "response_overdue", "resolution_overdue",
        "escalated")}
    data.update(
        status_label=str(order.get_status_display()), category=order.category.code,
        category_name=order.category.name,
        department=order.department.name if order.department_id else None,
        merchant=order.merchant.name if order.merchant_id else None,
        grid=order.grid.name if order.grid_id else None,
        latitude=float(order.latitude) if order.latitude is not None else None,
        longitude=float(order.longitude) if order.longitude is not None else None,
        merged_into=order.merged_into.number if order.merged_into_id else None,
        tracking_url=_track_url(order))
    if can_see_reporter(user, order):
        data["reporter"] = {"name": order.reporter_name, "phone": order.reporter_phone,
                            "anonymous": order.anonymous}
    else:
        data["reporter"] = None
    return data


def _submit(request: HttpRequest, district, payload: ReportIn, photos=(), *,
            public: bool = False) -> WorkOrder:
    merchant = merchant_by_token(district, payload.merchant)
    if payload.merchant and merchant is None:
        raise NotFound(code="merchant_not_found")
    return services.work_order_submit(
        actor=request.user, district=district, category_code=payload.category,
        description=payload.description, channel=payload.channel, merchant=merchant,
        grid=grid_by_id(district, payload.grid_id), latitude=payload.latitude,
        longitude=payload.longitude, address=payload.address, photos=photos,
        reporter_name=payload.reporter_name, reporter_phone=payload.reporter_phone,
        anonymous=payload.anonymous, device=request_device(request),
        client_key=ratelimit.client_ip(request) if public else "")


def _created(order: WorkOrder) -> dict:
    return {"id": order.pk, "number": order.number, "status": order.status,
            "tracking_url": _track_url(order)}


def _order(request: HttpRequest, code: PathStr, order_id: int):
    district = access_district(user=request.user, code=code)
    return district, selectors.work_order_get(user=request.user, district=district, pk=order_id)


# --- member endpoints -----------------------------------------------------------------
@router.get("workorders", response=list[WorkOrderOut])
@paginate
def list_orders(request: HttpRequest, code: PathStr, filters: Query[WorkOrderFilter]):
    district = access_district(user=request.user, code=code)
    qs = selectors.work_order_list(user=request.user, district=district, status=filters.status,
                                   category=filters.category, department=filters.department_id,
                                   overdue=filters.overdue, mine=filters.mine, q=filters.q[:40])
    return Rows(qs.select_related("merged_into", "district"),
                lambda o: order_out(o, request.user))


@router.post("workorders", response={201: CreatedOut})
def create_order(request: HttpRequest, code: PathStr, payload: ReportIn):
    district = access_district(user=request.user, code=code)
    return Status(201, _created(_submit(request, district, payload)))


@router.get("workorders/{order_id}", response=WorkOrderOut)
def get_order(request: HttpRequest, code: PathStr, order_id: Id):
    _district, order = _order(request, code, order_id)
    return order_out(order, request.user)


@router.get("workorders/{order_id}/duplicates", response=list[DuplicateOut])
def order_duplicates(request: HttpRequest, code: PathStr, order_id: Id):
    district, order = _order(request, code, order_id)
    found = selectors.duplicates_find(
        district=district, category=order.category, latitude=order.latitude,
        longitude=order.longitude, merchant_id=order.merchant_id, grid_id=order.grid_id,
        at=order.created_at, exclude_pk=order.pk)
    return [_duplicate(o) for o in found]


def _duplicate(o: WorkOrder) -> dict:
    return {"number": o.number, "status": o.status, "status_label": str(o.get_status_display()),
            "category_name": o.category.name, "created_at": o.created_at}


def _done(request: HttpRequest, order: WorkOrder) -> dict:
    order.refresh_from_db()
    return order_out(order, request.user)


@router.post("workorders/{order_id}/dispatch", response=WorkOrderOut)
def dispatch(request: HttpRequest, code: PathStr, order_id: Id, payload: DispatchIn):
    district, order = _order(request, code, order_id)
    department = access_scoped(department_list(district=district), district=district,
                               pk=payload.department_id)
    return _done(request, services.work_order_dispatch(
        actor=request.user, district=district, order=order, department=department,
        deadline=payload.deadline, note=payload.note))


@router.post("workorders/{order_id}/accept", response=WorkOrderOut)
def accept(request: HttpRequest, code: PathStr, order_id: Id):
    district, order = _order(request, code, order_id)
    return _done(request, services.work_order_accept(actor=request.user, district=district,
                                                     order=order))


@router.post("workorders/{order_id}/return", response=WorkOrderOut)
def return_order(request: HttpRequest, code: PathStr, order_id: Id,
                 payload: WorkOrderReasonIn):
    district, order = _order(request, code, order_id)
    return _done(request, services.work_order_return(actor=request.user, district=district,
                                                     order=order, reason=payload.reason))


@router.post("workorders/{order_id}/resolve", response=WorkOrderOut)
def resolve(request: HttpRequest, code: PathStr, order_id: Id, payload: WorkOrderNoteIn):
    district, order = _order(request, code, order_id)
    return _done(request, services.work_order_resolve(actor=request.user, district=district,
                                                      order=order, note=payload.note))


@router.post("workorders/{order_id}/rate", response=WorkOrderOut)
def rate(request: HttpRequest, code: PathStr, order_id: Id, payload: RateIn):
    district, order = _order(request, code, order_id)
    return _done(request, services.work_order_rate(actor=request.user, district=district,
                                                   order=order, rating=payload.rating,
                                                   comment=payload.comment))


@router.post("workorders/{order_id}/reject", response=WorkOrderOut)
def reject(request: HttpRequest, code: PathStr, order_id: Id, payload: WorkOrderReasonIn):
    district, order = _order(request, code, order_id)
    return _done(request, services.work_order_reject(actor=request.user, district=district,
                                                     order=order, reason=payload.reason))


@router.post("workorders/{order_id}/merge", response=WorkOrderOut)
def merge(request: HttpRequest, code: PathStr, order_id: Id, payload: MergeIn):
    district, order = _order(request, code, order_id)
    into = selectors.work_order_by_number(district=district, number=payload.into)
    return _done(request, services.work_order_merge(actor=request.user, district=district,
                                                    order=order, into=into,
                                                    reason=payload.reason))


@router.post("workorders/{order_id}/rating-exclusion", response=WorkOrderOut)
def rating_exclusion(request: HttpRequest, code: PathStr, order_id: Id,
                     payload: WorkOrderReasonIn):
    district, order = _order(request, code, order_id)
    return _done(request, services.rating_mark_unreasonable(
        actor=request.user, district=district, order=order, reason=payload.reason))


@router.post("workorders/{order_id}/escalate", response={201: EscalationOut})
def escalate(request: HttpRequest, code: PathStr, order_id: Id, payload: WorkOrderNoteIn):
    district, order = _order(request, code, order_id)
    esc = services.work_order_escalate(actor=request.user, district=district, order=order,
                                       note=payload.note)
    return Status(201, _escalation(esc))


@router.post("workorders/{order_id}/follow-ups", response={201: FollowUpOut})
def follow_up(request: HttpRequest, code: PathStr, order_id: Id, payload: FollowUpIn):
    district, order = _order(request, code, order_id)
    f = services.follow_up_record(actor=request.user, district=district, order=order,
                                  outcome=payload.outcome, note=payload.note)
    return Status(201, f)


def _escalation(e: Escalation) -> dict:
    return {"id": e.pk, "order_id": e.order_id, "number": e.order.number, "reason": e.reason,
            "note": e.note, "created_at": e.created_at, "handled_at": e.handled_at,
            "handling_note": e.handling_note}


@router.get("workorder-escalations", response=list[EscalationOut])
@paginate
def escalations(request: HttpRequest, code: PathStr, filters: Query[EscalationFilter]):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "workorders.view_all", district)
    return Rows(selectors.escalation_list(district=district, open_only=filters.open_only),
                _escalation)


@router.post("workorder-escalations/{escalation_id}/handle", response=EscalationOut)
def escalation_handle(request: HttpRequest, code: PathStr, escalation_id: Id,
                      payload: WorkOrderNoteIn):
    district = access_district(user=request.user, code=code)
    esc = access_scoped(Escalation.objects.select_related("order"), district=district,
                        pk=escalation_id)
    return _escalation(services.escalation_handle(actor=request.user, district=district,
                                                  escalation=esc, note=payload.note))


def _category(c: Category) -> dict:
    return {"id": c.pk, "code": c.code, "name": c.name, "tier": c.tier,
            "department_id": c.department_id,
            "department": c.department.name if c.department_id else None,
            "response_hours": c.response_hours, "resolution_hours": c.resolution_hours,
            "allow_anonymous": c.allow_anonymous, "is_active": c.is_active}


@router.get("workorder-categories", response=list[CategoryOut])
def categories(request: HttpRequest, code: PathStr):
    district = access_district(user=request.user, code=code)
    return [_category(c) for c in selectors.category_list(district=district, active_only=False)]


@router.patch("workorder-categories/{category_id}", response=CategoryOut)
def category_patch(request: HttpRequest, code: PathStr, category_id: Id,
                   payload: CategoryPatch):
    district = access_district(user=request.user, code=code)
    category = access_scoped(Category, district=district, pk=category_id)
    department: Any = False
    if payload.clear_department:
        department = None
    elif payload.department_id is not None:
        department = access_scoped(department_list(district=district), district=district,
                                   pk=payload.department_id)
    return _category(services.category_update(
        actor=request.user, district=district, category=category, name=payload.name,
        tier=payload.tier, department=department, response_hours=payload.response_hours,
        resolution_hours=payload.resolution_hours, allow_anonymous=payload.allow_anonymous,
        is_active=payload.is_active))


@router.get("workorder-kpis", response=KpiOut)
def kpis(request: HttpRequest, code: PathStr, start: dt.date | None = None,
         end: dt.date | None = None, by: str = "department"):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "workorders.kpi", district)
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=179)
    if by in DIMENSIONS:
        rows = kpi_by(district=district, dim=by, start=start, end=end)
    else:
        rows = kpi_by_period(district=district, start=start, end=end,
                             period=by if by in ("month", "week", "day") else "month")
    for r in rows:
        if isinstance(r.key, dt.date):
            r.key = r.key.isoformat()
    return {"start": start, "end": end, "by": by,
            "totals": kpi_totals(district=district, start=start, end=end).as_dict(),

            "rows": [r.as_dict() for r in rows]}


# --- public endpoints (anonymous or signed in) -------------------------------------
@public_router.get("workorders/{code}/categories", auth=None, response=list[CategoryOut])
def public_categories(request: HttpRequest, code: PathStr):
    district = public_district(code=code)
    return [_category(c) for c in selectors.category_list(district=district)]


@public_router.post("workorders/{code}/reports", auth=OPTIONAL_AUTH, response={201: CreatedOut})
def public_report(request: HttpRequest, code: PathStr, payload: ReportIn):
    """随手拍 without an account (when the category allows) or with a resident's token."""
    district = intake.public_district(code=code)
    return Status(201, _created(_submit(request, district, payload, public=True)))


@public_router.post("workorders/{code}/reports/form", auth=OPTIONAL_AUTH,
                    response={201: CreatedOut})
def public_report_form(request: HttpRequest, code: PathStr, payload: Form[ReportIn],
                       photos: File[list[UploadedFile]] = None):
    """The same as multipart/form-data, with up to 9 photos."""
    district = intake.public_district(code=code)
    return Status(201, _created(_submit(request, district, payload, photos or (),
                                        public=True)))


@public_router.get("workorders/{code}/track/{number}", auth=None, response=TrackOut)
def public_track(request: HttpRequest, code: PathStr, number: str):
    """The public timeline: no reporter, no contact, no photos."""
    district = public_district(code=code)
    o = selectors.work_order_by_number(district=district, number=number)
    return {"number": o.number, "status": o.status, "status_label": str(o.get_status_display()),
            "category_name": o.category.name, "public_note": o.public_note,
            "resolution_note": o.resolution_note if o.resolved_at else "",
            "merged_into": o.merged_into.number if o.merged_into_id else None,
            "created_at": o.created_at,
            "timeline": [{"at": e.created_at, "status": e.status,
                          "status_label": str(e.get_status_display()), "note": e.note}
                         for e in selectors.timeline(order=o)]}


@public_router.get("workorders/{code}/nearby", auth=None, response=list[DuplicateOut])
def public_nearby(request: HttpRequest, code: PathStr, category: str,
                  latitude: float | None = None, longitude: float | None = None,
                  merchant: str | None = None):
    """"Already reported?": live reports of this category near the pin or merchant."""
    district = public_district(code=code)
    cat = Category.objects.filter(district=district, code=category, is_active=True).first()
    if cat is None:
        raise NotFound(code="unknown_category")
    m = merchant_by_token(district, merchant)
    return [_duplicate(o) for o in selectors.duplicates_find(
        district=district, category=cat, latitude=latitude, longitude=longitude,
        merchant_id=m.pk if m else None)]


