"""Inspections API under /api/v1/districts/{code}/: checklists, inspections,
rectifications, the risk register and holiday campaigns. Thin: parse, call, shape."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, FilterSchema, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shangquan.core.apibase import XLSX, Id, Rows, file_download, paginate
from shangquan.core.district_settings import district_settings_update, settings_read
from shangquan.core.errors import ValidationFailed
from shangquan.core.models import Department
from shangquan.core.selectors import (
    access_district,
    access_member_users,
    access_scoped,
    access_scoped_many,
)
from shangquan.merchants.models import Grid, Merchant

from . import reports, selectors, services
from .models import ChecklistTemplate, Inspection

router = Router(tags=["inspections"])
# The district code comes from the mount prefix /districts/{code}/: declared as a path
# parameter, or django-ninja would look for it in the query string.
PathStr = Path[str]


# --- schemas ------------------------------------------------------------------------------
class ItemIn(Schema):
    code: str
    text: str
    severity: str = "general"
    legal_basis: str = ""
    photo_required: bool = False


class ItemOut(ItemIn):
    id: int
    order: int


class VersionOut(Schema):
    id: int
    number: int
    note: str
    created_at: datetime
    items: list[ItemOut]


class TemplateOut(Schema):
    id: int
    code: str
    name: str
    description: str
    is_active: bool
    version: VersionOut | None


class TemplateIn(Schema):
    code: str
    name: str
    description: str = ""
    items: list[ItemIn]


class VersionIn(Schema):
    items: list[ItemIn]
    note: str = ""


class RulesOut(Schema):
    general_days: int
    major_days: int
    serious_days: int
    repeat_window_days: int


class RulesPatch(Schema):
    general_days: int | None = None
    major_days: int | None = None
    serious_days: int | None = None
    repeat_window_days: int | None = None


class InspectionOut(Schema):
    id: int
    kind: str
    status: str
    result: str
    merchant_id: int | None
    merchant: str | None
    grid_id: int | None
    parent_id: int | None
    campaign_id: int | None
    team_id: int | None
    planned_for: date
    reason: str
    started_at: datetime | None
    completed_at: datetime | None
    signed_name: str


class InspectionFilter(FilterSchema):
    status: str = ""
    kind: str = ""
    campaign_id: Id | None = None
    merchant_id: Id | None = None
    grid_id: Id | None = None
    mine: bool = False


class AnswerOut(Schema):
    item_id: int
    value: str
    note: str
    photos: int
    updated_at: datetime


class SheetItem(Schema):
    id: int
    code: str
    text: str
    severity: str
    legal_basis: str
    photo_required: bool
    answer: AnswerOut | None


class SheetSection(Schema):
    template: str
    version: int
    items: list[SheetItem]


class InspectionDetail(InspectionOut):
    departments: list[str]
    inspectors: list[str]
    children: list[InspectionOut]
    sheet: list[SheetSection]


class PlanIn(Schema):
    template_ids: list[Id]
    planned_for: date
    merchant_id: Id | None = None
    grid_id: Id | None = None
    kind: str = "routine"
    department_ids: list[Id] = []
    reason: str = ""
    follow_up_of: Id | None = None


class AnswerIn(Schema):
    value: str
    note: str = ""
    client_time: datetime | None = None


class CompleteIn(Schema):
    signed_name: str
    signature_png: str = ""  # base64, or a data: URL from a canvas
    notes: str = ""
    stop_business: bool = False


class InspectionReasonIn(Schema):
    reason: str


class AnswerPhotoOut(Schema):
    id: int
    client_key: str
    url: str


class RectificationOut(Schema):
    id: int
    number: str
    merchant_id: int
    merchant: str
    title: str
    description: str
    severity: str
    source: str
    source_ref: str
    status: str
    deadline: datetime
    stop_business: bool
    issued_at: datetime
    submitted_at: datetime | None
    verified_at: datetime | None
    escalated_at: datetime | None
    overdue: bool


class RectificationFilter(FilterSchema):
    status: str = ""
    severity: str = ""
    source: str = ""
    merchant_id: Id | None = None
    grid_id: Id | None = None
    overdue: bool = False
    open_only: bool = False


class MerchantHistoryOut(Schema):
    inspections: list[InspectionOut]
    rectifications: list[RectificationOut]


class EvidenceOut(Schema):
    id: int
    note: str
    submitted_at: datetime
    decision: str
    decision_note: str
    decided_at: datetime | None
    photos: list[str]

    @staticmethod
    def resolve_photos(obj) -> list[str]:
        return [p.image.url for p in obj.photos.all()]


class VisitOut(Schema):
    id: int
    outcome: str
    note: str
    visited_at: datetime
    campaign_id: int | None


class RectificationDetail(RectificationOut):
    evidence: list[EvidenceOut]
    visits: list[VisitOut]


class IssueIn(Schema):
    merchant_id: Id
    title: str
    severity: str
    source: str = "inspection"
    source_ref: str = ""
    deadline: datetime | None = None
    stop_business: bool = False
    description: str = ""


class DecisionIn(Schema):
    note: str = ""


class VisitIn(Schema):
    outcome: str
    note: str = ""
    campaign_id: Id | None = None


class RiskRow(Schema):
    grid_id: int | None
    grid: str
    merchants: int
    open: int
    overdue: int
    serious: int
    stopped: int
    repeated: int
    level: str


class WarningOut(Schema):
    finding_id: int
    merchant_id: int
    merchant: str
    item: str
    created_at: datetime
    previous_at: datetime
    rectification_id: int


class CampaignIn(Schema):
    name: str
    holiday: str
    prep_start: date
    start: date
    end: date
    review_end: date
    grid_ids: list[Id] = []
    categories: list[str] = []
    template_ids: list[Id]


class CampaignOut(Schema):
    id: int
    name: str
    holiday: str
    prep_start: date
    start: date
    end: date
    review_end: date
    categories: list[str]
    status: str
    summary: str
    phase: str


class CampaignStatusCounts(Schema):
    total: int
    planned: int
    in_progress: int
    completed: int
    cancelled: int
    percent: int


class CampaignProgress(Schema):
    phase: str
    targets: int
    concentrated: CampaignStatusCounts
    targeted: CampaignStatusCounts
    findings: int
    by_severity: dict[str, int]
    orders: dict[str, int]
    orders_total: int
    rectified_percent: int
    open_follow_ups: int
    visits: int
    complained_merchants: int
    complaints: int
    repeated: int


class CampaignTeamOut(Schema):
    id: int
    name: str
    departments: list[str]
    members: list[str]
    grids: list[str]


class CampaignDetail(CampaignOut):
    progress: CampaignProgress
    teams: list[CampaignTeamOut]


class TeamIn(Schema):
    name: str
    department_ids: list[Id] = []
    member_ids: list[Id] = []
    grid_ids: list[Id] = []


class TeamCreatedOut(Schema):
    id: int
    name: str


class IdsOut(Schema):
    created: list[int]


class CloseIn(Schema):
    summary: str = ""


# --- helpers ----------------------------------------------------------------------------------
_INSPECTION_FIELDS = ["id", "kind", "status", "result", "merchant_id", "grid_id", "parent_id",
                      "campaign_id", "team_id", "planned_for", "reason", "started_at",
                      "completed_at", "signed_name"]
_ORDER_FIELDS = ["id", "number", "merchant_id", "title", "description", "severity", "source",
                 "source_ref", "status", "deadline", "stop_business", "issued_at",
                 "submitted_at", "verified_at", "escalated_at"]
_CAMPAIGN_FIELDS = ["id", "name", "holiday", "prep_start", "start", "end", "review_end",
                    "categories", "status", "summary"]


def _inspection_row(i: Inspection) -> dict:
    return {**{f: getattr(i, f) for f in _INSPECTION_FIELDS},
            "merchant": i.merchant.name if i.merchant_id else None}


def _order_row(o) -> dict:
    return {**{f: getattr(o, f) for f in _ORDER_FIELDS}, "merchant": o.merchant.name,
            "overdue": o.is_overdue}


def _campaign_row(c) -> dict:
    return {**{f: getattr(c, f) for f in _CAMPAIGN_FIELDS}, "phase": c.phase()}


def _many(model, district, ids: list[int]) -> list:
    return access_scoped_many(model, district=district, ids=ids)


def _template_out(t: ChecklistTemplate) -> dict:
    version = selectors.template_latest_version(t)
    return {"id": t.pk, "code": t.code, "name": t.name, "description": t.description,
            "is_active": t.is_active,
            "version": None if version is None else {
                "id": version.pk, "number": version.number, "note": version.note,
                "created_at": version.created_at, "items": list(version.items.all())}}


def _detail(inspection: Inspection) -> dict:
    sheet = []
    for section in selectors.inspection_sheet(inspection):
        items = []
        for row in section["items"]:
            item, answer = row["item"], row["answer"]
            items.append({"id": item.pk, "code": item.code, "text": item.text,
                          "severity": item.severity, "legal_basis": item.legal_basis,
                          "photo_required": item.photo_required,
                          "answer": None if answer is None else {
                              "item_id": item.pk, "value": answer.value, "note": answer.note,
                              "photos": len(row["photos"]), "updated_at": answer.updated_at}})
        sheet.append({"template": section["version"].template.name,
                      "version": section["version"].number, "items": items})
    data = _inspection_row(inspection)
    data.update(departments=[d.name for d in inspection.departments.all()],
                inspectors=[u.first_name or u.get_username() for u in inspection.inspectors.all()],
                children=[_inspection_row(c) for c in
                          inspection.children.select_related("merchant")], sheet=sheet)
    return data


def _signature(raw: str) -> bytes | None:
    if not raw:
        return None
    if raw.startswith("data:"):
        raw = raw.split(",", 1)[-1]
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(code="signature_invalid") from None


def _inspection(request, code: PathStr, inspection_id: int):
    district = access_district(user=request.user, code=code)
    return district, selectors.inspection_get(user=request.user, district=district,
                                              inspection_id=inspection_id)


def _order(request, code: PathStr, rectification_id: int):
    district = access_district(user=request.user, code=code)
    return district, selectors.rectification_get(user=request.user, district=district,
                                                 rectification_id=rectification_id)


# --- checklists -------------------------------------------------------------------------------
@router.get("inspections/templates", response=list[TemplateOut])
def template_list(request: HttpRequest, code: PathStr, include_inactive: bool = False):
    district = access_district(user=request.user, code=code)
    return [_template_out(t) for t in selectors.template_list(
        user=request.user, district=district, active_only=not include_inactive)]


@router.post("inspections/templates", response={201: TemplateOut})
def template_create(request: HttpRequest, code: PathStr, payload: TemplateIn):
    district = access_district(user=request.user, code=code)
    template = services.checklist_template_create(
        actor=request.user, district=district, code=payload.code, name=payload.name,
        description=payload.description, items=[i.dict() for i in payload.items])
    return Status(201, _template_out(template))


@router.get("inspections/templates/{int:template_id}", response=TemplateOut)
def template_get(request: HttpRequest, code: PathStr, template_id: Id):
    district = access_district(user=request.user, code=code)
    return _template_out(selectors.template_get(user=request.user, district=district,
                                                template_id=template_id))


@router.post("inspections/templates/{int:template_id}/versions", response={201: TemplateOut})
def template_publish(request: HttpRequest, code: PathStr, template_id: Id, payload: VersionIn):
    district = access_district(user=request.user, code=code)
    template = selectors.template_get(user=request.user, district=district,
                                      template_id=template_id)
    services.checklist_version_publish(actor=request.user, district=district, template=template,
                                       items=[i.dict() for i in payload.items],
                                       note=payload.note)
    return Status(201, _template_out(template))


@router.get("inspections/rules", response=RulesOut)
def rules_get(request: HttpRequest, code: PathStr):
    district = access_district(user=request.user, code=code)
    return dict(settings_read(user=request.user, district=district, app="inspections"))


@router.patch("inspections/rules", response=RulesOut)
def rules_update(request: HttpRequest, code: PathStr, payload: RulesPatch):
    district = access_district(user=request.user, code=code)
    return dict(district_settings_update(actor=request.user, district=district,
                                         app="inspections",
                                         values=payload.dict(exclude_none=True)))


# --- inspections ------------------------------------------------------------------------------
@router.get("inspections", response=list[InspectionOut])
@paginate
def inspection_list(request: HttpRequest, code: PathStr, filters: Query[InspectionFilter]):
    district = access_district(user=request.user, code=code)
    qs = selectors.inspection_list(user=request.user, district=district, status=filters.status,
                                   kind=filters.kind, campaign_id=filters.campaign_id,
                                   merchant_id=filters.merchant_id, grid_id=filters.grid_id,
                                   mine=filters.mine)
    return Rows(qs, _inspection_row)


@router.post("inspections", response={201: InspectionDetail})
def inspection_plan(request: HttpRequest, code: PathStr, payload: PlanIn):
    district = access_district(user=request.user, code=code)
    merchant = (access_scoped(Merchant, district=district, pk=payload.merchant_id)
                if payload.merchant_id else None)
    grid = access_scoped(Grid, district=district, pk=payload.grid_id) if payload.grid_id else None
    follow_up = (selectors.rectification_get(user=request.user, district=district,
                                             rectification_id=payload.follow_up_of)
                 if payload.follow_up_of else None)
    inspection = services.inspection_plan(
        actor=request.user, district=district,
        templates=_many(ChecklistTemplate, district, payload.template_ids),
        planned_for=payload.planned_for, merchant=merchant, grid=grid, kind=payload.kind,
        departments=_many(Department, district, payload.department_ids),
        reason=payload.reason, follow_up_of=follow_up)
    return Status(201, _detail(inspection))


@router.get("inspections/{int:inspection_id}", response=InspectionDetail)
def inspection_get(request: HttpRequest, code: PathStr, inspection_id: Id):
    _district, inspection = _inspection(request, code, inspection_id)
    return _detail(inspection)


@router.post("inspections/{int:inspection_id}/start", response=InspectionOut)
def inspection_start(request: HttpRequest, code: PathStr, inspection_id: Id):
    district, inspection = _inspection(request, code, inspection_id)
    return _inspection_row(services.inspection_start(actor=request.user, district=district,
                                                     inspection=inspection))


@router.put("inspections/{int:inspection_id}/answers/{int:item_id}", response=AnswerOut)
def answer_save(request: HttpRequest, code: PathStr, inspection_id: Id, item_id: Id,
                payload: AnswerIn):
    """Idempotent: the same item twice updates one answer; an older client_time loses."""
    district, inspection = _inspection(request, code, inspection_id)
    answer = services.answer_save(actor=request.user, district=district, inspection=inspection,
                                  item_id=item_id, value=payload.value, note=payload.note,
                                  client_time=payload.client_time)
    return {"item_id": answer.item_id, "value": answer.value, "note": answer.note,
            "photos": answer.photos.count(), "updated_at": answer.updated_at}


@router.post("inspections/{int:inspection_id}/answers/{int:item_id}/photos",
             response={201: AnswerPhotoOut})
def answer_photo(request: HttpRequest, code: PathStr, inspection_id: Id, item_id: Id,
                 photo: File[UploadedFile], client_key: Form[str] = ""):
    district, inspection = _inspection(request, code, inspection_id)
    saved = services.answer_photo_add(actor=request.user, district=district,
                                      inspection=inspection, item_id=item_id, upload=photo,
                                      client_key=client_key)
    return Status(201, {"id": saved.pk, "client_key": saved.client_key, "url": saved.image.url})


@router.post("inspections/{int:inspection_id}/complete", response=InspectionOut)
def inspection_complete(request: HttpRequest, code: PathStr, inspection_id: Id,
                        payload: CompleteIn):
    district, inspection = _inspection(request, code, inspection_id)
    return _inspection_row(services.inspection_complete(
        actor=request.user, district=district, inspection=inspection,
        signed_name=payload.signed_name, signature_png=_signature(payload.signature_png),
        notes=payload.notes, stop_business=payload.stop_business))


@router.post("inspections/{int:inspection_id}/cancel", response=InspectionOut)
def inspection_cancel(request: HttpRequest, code: PathStr, inspection_id: Id,
                      payload: InspectionReasonIn):
    district, inspection = _inspection(request, code, inspection_id)
    return _inspection_row(services.inspection_cancel(actor=request.user, district=district,
                                                      inspection=inspection,
                                                      reason=payload.reason))


@router.get("inspections/merchants/{int:merchant_id}/history", response=MerchantHistoryOut)
def merchant_history(request: HttpRequest, code: PathStr, merchant_id: Id):
    district = access_district(user=request.user, code=code)
    merchant = access_scoped(Merchant, district=district, pk=merchant_id)
    history = selectors.merchant_history(user=request.user, district=district,
                                         merchant=merchant)
    return {"inspections": [_inspection_row(i) for i in history["inspections"]],
            "rectifications": [_order_row(r) for r in history["rectifications"]]}


# --- closed loop --------------------------------------------------------------------------------
@router.get("inspections/risk-register", response=list[RiskRow])
def risk_register(request: HttpRequest, code: PathStr):
    district = access_district(user=request.user, code=code)
    return [{**row, "grid": row["grid"].name if row["grid"] else "（未分网格）"}
            for row in selectors.risk_register(user=request.user, district=district)]


@router.get("inspections/repeat-warnings", response=list[WarningOut])
def repeat_warnings(request: HttpRequest, code: PathStr):
    district = access_district(user=request.user, code=code)
    return [{"finding_id": f.pk, "merchant_id": f.merchant_id, "merchant": f.merchant.name,
             "item": f.item.text, "created_at": f.created_at,
             "previous_at": f.repeat_of.created_at, "rectification_id": f.rectification_id}
            for f in selectors.repeat_warnings(user=request.user, district=district)]


# --- rectification ------------------------------------------------------------------------------
@router.get("rectifications", response=list[RectificationOut])
@paginate
def rectification_list(request: HttpRequest, code: PathStr,
                       filters: Query[RectificationFilter]):
    district = access_district(user=request.user, code=code)
    qs = selectors.rectification_list(user=request.user, district=district,
                                      status=filters.status, severity=filters.severity,
                                      source=filters.source, merchant_id=filters.merchant_id,
                                      grid_id=filters.grid_id, overdue=filters.overdue,
                                      open_only=filters.open_only)
    return Rows(qs, _order_row)


@router.post("rectifications", response={201: RectificationOut})
def rectification_issue(request: HttpRequest, code: PathStr, payload: IssueIn):
    district = access_district(user=request.user, code=code)
    merchant = access_scoped(Merchant, district=district, pk=payload.merchant_id)
    return Status(201, _order_row(services.rectification_issue(
        actor=request.user, district=district, merchant=merchant, title=payload.title,
        severity=payload.severity, source=payload.source, source_ref=payload.source_ref,
        deadline=payload.deadline, stop_business=payload.stop_business,
        description=payload.description)))


@router.get("rectifications/{int:rectification_id}", response=RectificationDetail)
def rectification_get(request: HttpRequest, code: PathStr, rectification_id: Id):
    _district, order = _order(request, code, rectification_id)
    data = _order_row(order)
    timeline = selectors.rectification_timeline(order)
    return {**data, "evidence": timeline["evidence"], "visits": timeline["visits"]}


@router.post("rectifications/{int:rectification_id}/evidence", response={201: RectificationOut})
def rectification_evidence(request: HttpRequest, code: PathStr, rectification_id: Id,
                           note: Form[str], photos: File[list[UploadedFile]]):
    district, order = _order(request, code, rectification_id)
    services.rectification_evidence_submit(actor=request.user, district=district,
                                           rectification=order, note=note, photos=photos)
    order.refresh_from_db()
    return Status(201, _order_row(order))


@router.post("rectifications/{int:rectification_id}/verify", response=RectificationOut)
def rectification_verify(request: HttpRequest, code: PathStr, rectification_id: Id,
                         payload: DecisionIn):
    district, order = _order(request, code, rectification_id)
    return _order_row(services.rectification_verify(actor=request.user, district=district,
                                                   rectification=order, note=payload.note))


@router.post("rectifications/{int:rectification_id}/reject", response=RectificationOut)
def rectification_reject(request: HttpRequest, code: PathStr, rectification_id: Id,
                         payload: DecisionIn):
    district, order = _order(request, code, rectification_id)
    return _order_row(services.rectification_reject(actor=request.user, district=district,
                                                   rectification=order, note=payload.note))


@router.post("rectifications/{int:rectification_id}/visits", response={201: VisitOut})
def rectification_visit(request: HttpRequest, code: PathStr, rectification_id: Id,
                        payload: VisitIn):
    district, order = _order(request, code, rectification_id)
    campaign = (selectors.campaign_get(user=request.user, district=district,
                                       campaign_id=payload.campaign_id)
                if payload.campaign_id else None)
    return Status(201, services.follow_up_record(actor=request.user, district=district,
                                                 rectification=order, outcome=payload.outcome,
                                                 note=payload.note, campaign=campaign))


# --- campaigns ------------------------------------------------------------------------------------
def _campaign(request, code: PathStr, campaign_id: int):
    district = access_district(user=request.user, code=code)
    return district, selectors.campaign_get(user=request.user, district=district,
                                            campaign_id=campaign_id)


def _campaign_detail(campaign) -> dict:
    data = _campaign_row(campaign)
    teams = [{"id": t.pk, "name": t.name,
              "departments": [d.name for d in t.departments.all()],
              "members": [u.first_name or u.get_username() for u in t.members.all()],
              "grids": [g.name for g in t.grids.all()]}
             for t in campaign.teams.prefetch_related("departments", "members", "grids")]
    return {**data, "progress": selectors.campaign_progress(campaign), "teams": teams}


@router.get("campaigns", response=list[CampaignOut])
def campaign_list(request: HttpRequest, code: PathStr):
    district = access_district(user=request.user, code=code)
    return [_campaign_row(c) for c in selectors.campaign_list(user=request.user,
                                                              district=district)]


@router.post("campaigns", response={201: CampaignDetail})
def campaign_create(request: HttpRequest, code: PathStr, payload: CampaignIn):
    district = access_district(user=request.user, code=code)
    campaign = services.campaign_create(
        actor=request.user, district=district, name=payload.name, holiday=payload.holiday,
        prep_start=payload.prep_start, start=payload.start, end=payload.end,
        review_end=payload.review_end, grids=_many(Grid, district, payload.grid_ids),
        categories=payload.categories,
        templates=_many(ChecklistTemplate, district, payload.template_ids))
    return Status(201, _campaign_detail(campaign))


@router.get("campaigns/{int:campaign_id}", response=CampaignDetail)
def campaign_get(request: HttpRequest, code: PathStr, campaign_id: Id):
    _district, campaign = _campaign(request, code, campaign_id)
    return _campaign_detail(campaign)


@router.post("campaigns/{int:campaign_id}/teams", response={201: TeamCreatedOut})
def campaign_team(request: HttpRequest, code: PathStr, campaign_id: Id, payload: TeamIn):
    district, campaign = _campaign(request, code, campaign_id)
    members = access_member_users(district=district, user_ids=payload.member_ids)
    team = services.campaign_team_create(
        actor=request.user, district=district, campaign=campaign, name=payload.name,
        departments=_many(Department, district, payload.department_ids), members=members,
        grids=_many(Grid, district, payload.grid_ids))
    return Status(201, {"id": team.pk, "name": team.name})


@router.post("campaigns/{int:campaign_id}/plan-before", response=IdsOut)
def campaign_plan_before(request: HttpRequest, code: PathStr, campaign_id: Id):
    district, campaign = _campaign(request, code, campaign_id)
    planned = services.campaign_plan_before(actor=request.user, district=district,
                                            campaign=campaign)
    return {"created": [p.pk for p in planned]}


@router.post("campaigns/{int:campaign_id}/plan-after", response=IdsOut)
def campaign_plan_after(request: HttpRequest, code: PathStr, campaign_id: Id):
    district, campaign = _campaign(request, code, campaign_id)
    planned = services.campaign_plan_after(actor=request.user, district=district,
                                           campaign=campaign)
    return {"created": [p.pk for p in planned]}


@router.get("campaigns/{int:campaign_id}/open-findings", response=list[RectificationOut])
def campaign_open_findings(request: HttpRequest, code: PathStr, campaign_id: Id):
    _district, campaign = _campaign(request, code, campaign_id)
    return [_order_row(o) for o in selectors.campaign_open_findings(campaign)[:500]]


@router.post("campaigns/{int:campaign_id}/close", response=CampaignOut)
def campaign_close(request: HttpRequest, code: PathStr, campaign_id: Id, payload: CloseIn):
    district, campaign = _campaign(request, code, campaign_id)
    return _campaign_row(services.campaign_close(actor=request.user, district=district,
                                                 campaign=campaign, summary=payload.summary))


@router.get("campaigns/{int:campaign_id}/report.{fmt}",
            openapi_extra=file_download(XLSX, "application/pdf"))
def campaign_report(request: HttpRequest, code: PathStr, campaign_id: Id, fmt: str):
    district, campaign = _campaign(request, code, campaign_id)
    body, ctype = reports.campaign_report(actor=request.user, district=district,
                                          campaign=campaign, fmt=fmt)
    response = HttpResponse(body, content_type=ctype)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-{stamp}.{fmt}"'
    return response
