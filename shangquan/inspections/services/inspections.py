"""Inspections: plan, tick items (idempotent saves), photos, sign and complete.

A phone on a poor connection retries: an answer is keyed by (inspection, item), so a
retried save updates the same row, and a late retry of an older answer (by the
phone's own clock) does not overwrite a newer one. Photos carry a client key.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from shangquan.core import policies
from shangquan.core.actors import user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from shangquan.core.models import Department, District
from shangquan.core.pii import photo_clean
from shangquan.merchants.models import Grid, Merchant

from ..models import (
    SEVERITY_RANK,
    Answer,
    AnswerPhoto,
    Campaign,
    CampaignTeam,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Inspection,
    Rectification,
    Severity,
)
from .rectifications import (
    _notify,
    _oversight_users,
    public_page_changed,
    rectification_issue,
    rules_for,
)

# core.audit.snapshot trips on an empty FileField (hasattr(url) raises ValueError),
# so the signature is recorded by name, separately.
SNAP_FIELDS = ["kind", "status", "result", "merchant", "grid", "parent", "campaign", "team",
               "follow_up_of", "planned_for", "reason", "started_at", "completed_at",
               "signed_name"]
ACTIVE = (Inspection.Status.PLANNED, Inspection.Status.IN_PROGRESS)
MAX_PHOTOS_PER_ANSWER = 9
SIGNATURE_MAX_BYTES = 300 * 1024


def _latest_versions(district: District, templates: Iterable[ChecklistTemplate]) -> list:
    versions = []
    for template in templates:
        if template.district_id != district.pk:
            raise NotFound()
        version = template.versions.order_by("-number").first()
        if version is None:
            raise ValidationFailed(_("检查表没有已发布的版本"), code="template_unpublished")
        versions.append(version)
    if not versions:
        raise ValidationFailed(_("请选择至少一张检查表"), code="templates_required")
    return versions


def _check_district(district: District, *objs: Any) -> None:
    for obj in objs:
        if obj is not None and obj.district_id != district.pk:
            raise NotFound()


@audited("inspections.inspection.plan")
@transaction.atomic
def inspection_plan(*, actor: Any, district: District, templates: Iterable[ChecklistTemplate],
                    planned_for: date, merchant: Merchant | None = None, grid: Grid | None = None,
                    kind: str = Inspection.Kind.ROUTINE,
                    departments: Iterable[Department] = (), inspectors: Iterable[Any] = (),
                    campaign: Campaign | None = None, team: CampaignTeam | None = None,
                    reason: str = "", follow_up_of: Rectification | None = None,
                    categories: Iterable[str] | None = None) -> Inspection:
    """Plan a visit to one merchant, or to a whole grid (one child per merchant).

    ``actor=SYSTEM`` is the platform (campaign planning on the committee's behalf, demo).
    """
    policies.require(actor, "inspections.plan", district)
    if (merchant is None) == (grid is None):
        raise ValidationFailed(_("请选择一个商户或一个网格"), code="target_required")
    if kind not in Inspection.Kind.values:
        raise ValidationFailed(_("未知检查类型"), code="unknown_kind")
    _check_district(district, merchant, grid, campaign, team, follow_up_of)
    departments, inspectors = list(departments), list(inspectors)
    _check_district(district, *departments)
    if team is not None:
        departments = departments or list(team.departments.all())
        inspectors = inspectors or list(team.members.all())
    versions = _latest_versions(district, templates)
    common = {"district": district, "kind": kind, "planned_for": planned_for,
              "campaign": campaign, "team": team, "reason": reason[:200],
              "follow_up_of": follow_up_of, "created_by": user_of(actor)}

    def make(**target) -> Inspection:
        inspection = Inspection.objects.create(**common, **target)
        here = {"district": district}  # each link row carries the inspection's district
        inspection.versions.set(versions, through_defaults=here)
        inspection.departments.set(departments, through_defaults=here)
        inspection.inspectors.set(inspectors, through_defaults=here)
        return inspection

    if merchant is not None:
        if merchant.status == Merchant.Status.DEREGISTERED:
            raise ValidationFailed(_("该商户已注销"), code="merchant_deregistered")
        inspection = make(merchant=merchant, grid=merchant.grid)
        children = []
    else:
        inspection = make(grid=grid)
        shops = grid.merchants.filter(district=district).exclude(
            status=Merchant.Status.DEREGISTERED)
        if categories:
            shops = shops.filter(category__in=list(categories))
        children = [make(merchant=shop, grid=grid, parent=inspection) for shop in shops]
        if not children:
            raise ValidationFailed(_("该网格内没有可检查的商户"), code="grid_empty")
    audit_record(actor=actor, district=district, obj=inspection, action="inspections.inspection.plan",
                 after={**snapshot(inspection, SNAP_FIELDS), "versions": [v.pk for v in versions],
                        "departments": [d.pk for d in departments],
                        "inspectors": [u.pk for u in inspectors],
                        "children": [c.pk for c in children]})
    return inspection


def _lock_active(inspection: Inspection, district: District) -> Inspection:
    locked = Inspection.objects.select_for_update(of=("self",)).filter(pk=inspection.pk,
                                                          district=district).first()
    if locked is None:
        raise NotFound()
    if locked.is_grid:
        raise ValidationFailed(_("网格检查请逐户填写"), code="grid_parent")
    if locked.status not in ACTIVE:
        raise InvalidTransition(_("检查已结束，不能再修改"), details={"status": locked.status})
    return locked


def _join(actor: Any, district: District, inspection: Inspection) -> None:
    """Whoever ticks an item is on the team, with their department."""
    if inspection.inspectors.filter(pk=actor.pk).exists():
        return
    here = {"district": district}
    inspection.inspectors.add(actor, through_defaults=here)
    dept_ids = policies.departments_of(actor, district)
    if dept_ids:
        inspection.departments.add(*dept_ids, through_defaults=here)


def _start(actor: Any, district: District, inspection: Inspection) -> None:
    if inspection.status == Inspection.Status.PLANNED:
        inspection.status = Inspection.Status.IN_PROGRESS
        inspection.started_at = timezone.now()
        inspection.save(update_fields=["status", "started_at"])
        audit_record(actor=actor, district=district, obj=inspection, action="inspections.inspection.start",
                     before={"status": "planned"}, after={"status": "in_progress"})
        if inspection.parent_id:
            Inspection.objects.filter(pk=inspection.parent_id,
                                      status=Inspection.Status.PLANNED).update(
                status=Inspection.Status.IN_PROGRESS, started_at=inspection.started_at)


@audited("inspections.inspection.start")
@transaction.atomic
def inspection_start(*, actor: Any, district: District, inspection: Inspection) -> Inspection:
    policies.require(actor, "inspections.conduct", district)
    locked = _lock_active(inspection, district)
    _join(actor, district, locked)
    _start(actor, district, locked)
    return locked


def _item_of(inspection: Inspection, item_id: int) -> ChecklistItem:
    item = ChecklistItem.objects.filter(pk=item_id, district_id=inspection.district_id,
                                        version__in=inspection.versions.all()).first()
    if item is None:
        raise ValidationFailed(_("该条目不在本次检查表中"), code="unknown_item",
                               details={"item": item_id})
    return item


def _nothing_new(answer: Answer | None, value: str, note: str,
                 client_time: datetime | None) -> bool:
    if answer is None:
        return False
    stale = (client_time is not None and answer.client_time is not None
             and client_time < answer.client_time)
    return stale or (answer.value == value and answer.note == note)


@audited("inspections.inspection.answer")
def answer_save(*, actor: Any, district: District, inspection: Inspection, item_id: int,
                value: str, note: str = "", client_time: datetime | None = None) -> Answer:
    """Record one item. Safe to retry: same key, same row; older retries lose."""
    policies.require(actor, "inspections.conduct", district)
    if value not in Answer.Value.values:
        raise ValidationFailed(_("请选择符合、不符合或不适用"), code="invalid_value")
    note = (note or "").strip()[:500]
    now = timezone.now()
    if client_time is not None and client_time > now + timedelta(minutes=5):
        client_time = now  # a phone with a clock in the future must not pin its answers
    # A retry of what is already stored needs no lock (on SQLite, no write transaction).
    current = Answer.objects.filter(district=district, inspection_id=inspection.pk,
                                    item_id=item_id).first()
    if inspection.status in ACTIVE and _nothing_new(current, value, note, client_time):
        return current
    return _answer_write(actor=actor, district=district, inspection=inspection,
                         item_id=item_id, value=value, note=note, client_time=client_time,
                         now=now)


@transaction.atomic
def _answer_write(*, actor: Any, district: District, inspection: Inspection, item_id: int,
                  value: str, note: str, client_time: datetime | None,
                  now: datetime) -> Answer:
    locked = _lock_active(inspection, district)
    item = _item_of(locked, item_id)
    answer = Answer.objects.filter(district=district, inspection=locked, item=item).first()
    if answer is not None:
        if _nothing_new(answer, value, note, client_time):
            return answer
        before = snapshot(answer, ["value", "note"])
        answer.value, answer.note, answer.answered_by = value, note, user_of(actor)
        answer.client_time, answer.updated_at = client_time, now
        answer.save(update_fields=["value", "note", "answered_by", "client_time", "updated_at"])
    else:
        before = None
        answer = Answer.objects.create(district=district, inspection=locked, item=item,
                                       value=value, note=note, answered_by=user_of(actor),
                                       client_time=client_time, updated_at=now)
    _join(actor, district, locked)
    _start(actor, district, locked)
    audit_record(actor=actor, district=district, obj=answer, action="inspections.inspection.answer",
                 before=before, after={"inspection": locked.pk, "item": item.code,
                                       "value": value, "note": note})
    return answer


@audited("inspections.inspection.photo")
@transaction.atomic
def answer_photo_add(*, actor: Any, district: District, inspection: Inspection, item_id: int,
                     upload: Any, client_key: str = "") -> AnswerPhoto:
    """A photo for an answered item; a retry with the same client key returns the first."""
    policies.require(actor, "inspections.conduct", district)
    locked = _lock_active(inspection, district)
    item = _item_of(locked, item_id)
    answer = Answer.objects.filter(district=district, inspection=locked, item=item).first()
    if answer is None:
        raise ValidationFailed(_("请先选择该条目的检查结果"), code="answer_required")
    client_key = (client_key or uuid.uuid4().hex)[:64]
    existing = answer.photos.filter(client_key=client_key).first()
    if existing is not None:
        return existing
    if answer.photos.count() >= MAX_PHOTOS_PER_ANSWER:
        raise ValidationFailed(_("最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS_PER_ANSWER},
                               code="too_many_photos")
    cleaned = photo_clean(upload)
    photo = AnswerPhoto.objects.create(district=district, answer=answer, image=cleaned.content,
                                       client_key=client_key)
    audit_record(actor=actor, district=district, obj=photo, action="inspections.inspection.photo",
                 after={"inspection": locked.pk, "item": item.code, "photo": photo.image.name})
    return photo


def _signature_file(data: bytes | None) -> ContentFile | None:
    if not data:
        return None
    if len(data) > SIGNATURE_MAX_BYTES:
        raise ValidationFailed(_("签名图片过大"), code="signature_too_large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG" or max(image.size) > 2000:
                raise ValidationFailed(_("签名须为 PNG 图片"), code="signature_invalid")
            image.load()
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)  # re-encoded: no smuggled chunks
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed(_("签名须为 PNG 图片"), code="signature_invalid") from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.png")


def _finding_for(*, actor: Any, district: District, inspection: Inspection, answer: Answer,
                 stop_business: bool, window_days: int) -> Finding:
    item = answer.item
    item_key = f"{item.version.template.code}/{item.code}"
    basis = _("依据：%(b)s") % {"b": item.legal_basis} if item.legal_basis else ""
    description = "\n".join(p for p in (answer.note, basis) if p)
    order = rectification_issue(
        actor=actor, district=district, merchant=inspection.merchant, title=item.text,
        severity=item.severity, source="inspection", source_ref=f"inspection:{inspection.pk}",
        description=description,
        stop_business=stop_business and item.severity == Severity.SERIOUS)
    since = timezone.now() - timedelta(days=window_days)
    previous = (Finding.objects.filter(district=district, merchant=inspection.merchant,
                                       item_key=item_key, created_at__gte=since)
                .order_by("-created_at").first())
    finding = Finding.objects.create(district=district, inspection=inspection, answer=answer,
                                     merchant=inspection.merchant, item=item, item_key=item_key,
                                     severity=item.severity, rectification=order,
                                     repeat_of=previous)
    if previous is not None:
        audit_record(actor=actor, district=district, obj=finding, action="inspections.finding.repeat",
                     after={"item_key": item_key, "previous": previous.pk,
                            "merchant": inspection.merchant_id})
        _notify(district, _oversight_users(district) + [actor],
                _("重复隐患预警：%(m)s") % {"m": inspection.merchant.name},
                _("%(d)s 天内再次发现：%(t)s") % {"d": window_days, "t": item.text})
    return finding


@audited("inspections.inspection.complete")
@transaction.atomic
def inspection_complete(*, actor: Any, district: District, inspection: Inspection,
                        signed_name: str, signature_png: bytes | None = None, notes: str = "",
                        stop_business: bool = False) -> Inspection:
    """Sign off: every item answered; each failed item becomes a finding with an order."""
    policies.require(actor, "inspections.conduct", district)
    locked = _lock_active(inspection, district)
    signed_name = (signed_name or "").strip()[:60]
    if not signed_name:
        raise ValidationFailed(_("请签名确认"), code="signature_required")
    items = list(ChecklistItem.objects.filter(version__in=locked.versions.all())
                 .select_related("version__template"))
    answers = {a.item_id: a for a in Answer.objects.filter(inspection=locked)
               .select_related("item__version__template").prefetch_related("photos")}
    missing = [i.pk for i in items if i.pk not in answers]
    if missing:
        raise ValidationFailed(_("还有 %(n)s 项未检查") % {"n": len(missing)},
                               code="items_unanswered", details={"items": missing})
    failed = [answers[i.pk] for i in items if answers[i.pk].value == Answer.Value.FAIL]
    no_photo = [a.item_id for a in failed if a.item.photo_required and not a.photos.all()]
    if no_photo:
        raise ValidationFailed(_("不符合项须拍照取证"), code="photo_required",
                               details={"items": no_photo})
    if stop_business and not any(a.item.severity == Severity.SERIOUS for a in failed):
        raise ValidationFailed(_("只有严重隐患可以责令停业整改"), code="stop_requires_serious")
    before = snapshot(locked, ["status", "result", "completed_at"])
    window = rules_for(district).repeat_window_days
    findings = [_finding_for(actor=actor, district=district, inspection=locked, answer=a,
                             stop_business=stop_business, window_days=window) for a in failed]
    worst = max((SEVERITY_RANK[Severity(f.severity)] for f in findings), default=0)
    locked.result = (Inspection.Result.PASSED if not findings else
                     Inspection.Result.SERIOUS if worst == 3 else Inspection.Result.ISSUES)
    signature = _signature_file(signature_png)
    if signature is not None:
        locked.signature.save(signature.name, signature, save=False)
    locked.signed_name = signed_name
    locked.notes = (notes or locked.notes)[:2000]
    locked.status = Inspection.Status.COMPLETED
    locked.completed_at = timezone.now()
    locked.started_at = locked.started_at or locked.completed_at
    locked.save()
    _join(actor, district, locked)
    audit_record(actor=actor, district=district, obj=locked, action="inspections.inspection.complete",
                 before=before, after={**snapshot(locked, ["status", "result", "completed_at",
                                                          "signed_name"]),
                                       "signature": locked.signature.name or None,
                                       "findings": [f.pk for f in findings]})
    public_page_changed(locked.merchant)
    if locked.parent_id:
        _roll_up(actor, district, locked.parent_id)
    return locked


def _roll_up(actor: Any, district: District, parent_id: int) -> None:
    """A grid inspection is done when each of its shops is done or cancelled."""
    parent = Inspection.objects.select_for_update(of=("self",)).get(pk=parent_id)
    children = list(parent.children.values_list("status", "result"))
    if any(status in ACTIVE for status, _r in children):
        return
    results = {r for status, r in children if status == Inspection.Status.COMPLETED}
    parent.result = next((r for r in (Inspection.Result.SERIOUS, Inspection.Result.ISSUES,
                                      Inspection.Result.PASSED) if r in results), "")
    parent.status = (Inspection.Status.COMPLETED if results else Inspection.Status.CANCELLED)
    parent.completed_at = timezone.now()
    parent.save(update_fields=["status", "result", "completed_at"])
    audit_record(actor=actor, district=district, obj=parent, action="inspections.inspection.complete",
                 after={"status": parent.status, "result": parent.result})


@audited("inspections.inspection.cancel")
@transaction.atomic
def inspection_cancel(*, actor: Any, district: District, inspection: Inspection,
                      reason: str) -> Inspection:
    policies.require(actor, "inspections.plan", district)
    locked = Inspection.objects.select_for_update(of=("self",)).filter(pk=inspection.pk,
                                                          district=district).first()
    if locked is None:
        raise NotFound()
    if locked.status not in ACTIVE:
        raise InvalidTransition(details={"status": locked.status})
    if not (reason or "").strip():
        raise ValidationFailed(_("请说明取消原因"), code="reason_required")
    if Answer.objects.filter(inspection__in=[locked, *locked.children.all()]).exists():
        raise Conflict(_("已有检查记录，不能取消"), code="inspection_has_answers")
    before = snapshot(locked, ["status", "notes"])
    locked.status = Inspection.Status.CANCELLED
    locked.notes = f"{locked.notes}\n{_('取消原因')}：{reason.strip()}".strip()[:2000]
    locked.save(update_fields=["status", "notes"])
    locked.children.filter(status__in=ACTIVE).update(status=Inspection.Status.CANCELLED)
    audit_record(actor=actor, district=district, obj=locked, action="inspections.inspection.cancel",
                 before=before, after=snapshot(locked, ["status", "notes"]))
    if locked.parent_id:
        _roll_up(actor, district, locked.parent_id)
    return locked
