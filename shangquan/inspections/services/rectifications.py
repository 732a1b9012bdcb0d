"""Rectification orders (整改单): issue, evidence, verify / reject, escalate, follow up.

State machine (DESIGN section 5)::

    issued ──submit──▶ submitted ──verify──▶ verified
      │  ▲                 │
      │  └──── submit ─────┴──reject──▶ rejected ──submit──▶ submitted …
      └──(deadline passed, issued/rejected)──▶ escalated ──submit──▶ submitted …

A serious finding may stop business (停业整改): the merchant is suspended when the
order is issued and reopened when the last such order of that merchant is verified.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import SYSTEM, is_system, user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import NotFound, ValidationFailed
from shangquan.core.models import Department, District, Membership
from shangquan.core.pii import photos_clean
from shangquan.core.roles import Role
from shangquan.core.services import notification_send
from shangquan.merchants.models import Merchant
from shangquan.merchants.public import fragment_forget
from shangquan.merchants.services import merchant_status_set

from ..models import (
    Campaign,
    Evidence,
    EvidencePhoto,
    FollowUpVisit,
    Rectification,
    Severity,
)
from ..policies import can_see_merchant, owns_merchant
from ..selectors import rectification_days, rules_for
from ..states import RECTIFICATION

_SOURCE = re.compile(r"^[a-z][a-z0-9_]{1,19}$")
OPEN = Rectification.OPEN_STATUSES


def default_deadline(*, district: District, severity: str, issued_at: datetime) -> datetime:
    return issued_at + timedelta(days=rectification_days(rules_for(district), severity))


def _department_of(actor: Any, district: District) -> Department | None:
    ids = policies.departments_of(actor, district)
    return Department.objects.filter(pk__in=ids).order_by("pk").first() if ids else None


def _merchant_users(merchant: Merchant) -> list:
    """The owner and staff accounts: whoever answers the shop's orders."""
    from django.contrib.auth import get_user_model

    ids = set(merchant.staff.values_list("user_id", flat=True))
    if merchant.owner_id:
        ids.add(merchant.owner_id)
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


def _oversight_users(district: District) -> list:
    memberships = (Membership.objects.filter(district=district, is_active=True,
                                             role__in=[Role.COMMITTEE, Role.STREET])
                   .select_related("user"))
    return list({m.user_id: m.user for m in memberships}.values())


def _notify(district: District, users: list, title: str, body: str, link: str = "") -> None:
    for user in users:
        notification_send(district=district, user=user, title=title, body=body, link=link)


def public_page_changed(merchant: Merchant) -> None:
    """The QR page shows the latest inspection outcome; its cache is keyed on the
    merchant's ``updated_at``, so bump it (and forget this worker's copy) on commit."""
    pk, token = merchant.pk, merchant.public_token

    def forget() -> None:
        Merchant.objects.filter(pk=pk).update(updated_at=timezone.now())
        fragment_forget(token)

    transaction.on_commit(forget)


def _merchant_set_status(*, actor: Any, merchant: Merchant, status: str, reason: str) -> None:
    """停业整改 / 恢复营业 through the merchants app, which owns the status."""
    if is_system(actor):
        raise ValidationFailed(_("停业整改须由检查人员作出"), code="actor_required")
    merchant_status_set(actor=actor, merchant=merchant, status=status, reason=reason)


@audited("inspections.rectification.issue")
@transaction.atomic
def rectification_issue(*, actor: Any, district: District, merchant: Merchant, title: str,
                        severity: str, source: str, source_ref: str = "",
                        deadline: datetime | None = None, stop_business: bool = False,
                        description: str = "") -> Rectification:
    """Open an order to the merchant. ``actor=SYSTEM`` is the platform itself (demo, imports)."""
    policies.require(actor, "inspections.rectification_issue", district)
    if merchant.district_id != district.pk:
        raise NotFound()
    if severity not in Severity.values:
        raise ValidationFailed(_("未知隐患等级"), code="unknown_severity",
                               details={"severity": severity})
    if not _SOURCE.match(source or ""):
        raise ValidationFailed(_("来源格式不正确"), code="invalid_source",
                               details={"source": source})
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写隐患内容"), code="title_required")
    if stop_business and is_system(actor):
        raise ValidationFailed(_("停业整改须由检查人员作出"), code="actor_required")
    if stop_business and severity != Severity.SERIOUS:
        raise ValidationFailed(_("只有严重隐患可以责令停业整改"), code="stop_requires_serious")
    now = timezone.now()
    if deadline is None:
        deadline = default_deadline(district=district, severity=severity, issued_at=now)
    elif deadline <= now:
        raise ValidationFailed(_("整改期限必须晚于现在"), code="deadline_in_past")
    order = Rectification.objects.create(
        district=district, number=f"tmp-{now.timestamp()}-{merchant.pk}", merchant=merchant,
        title=title[:300], description=description, severity=severity, source=source,
        source_ref=source_ref[:64], deadline=deadline, stop_business=stop_business,
        department=_department_of(actor, district), issued_by=user_of(actor), issued_at=now)
    # The human number carries the district and date; the id makes it unique.
    order.number = f"{district.code}-ZG-{timezone.localdate(now):%Y%m%d}-{order.pk:05d}"
    order.save(update_fields=["number"])
    audit_record(actor=actor, district=district, obj=order, action="inspections.rectification.issue",
                 after=snapshot(order))
    if stop_business and merchant.status == Merchant.Status.OPEN:
        _merchant_set_status(actor=actor, merchant=merchant, status=Merchant.Status.SUSPENDED,
                             reason=_("停业整改：%(no)s") % {"no": order.number})
    public_page_changed(merchant)
    _notify(district, _merchant_users(merchant), _("整改通知：%(t)s") % {"t": title[:60]},
            _("请于 %(d)s 前完成整改并上传整改照片。") % {
                "d": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")})
    return order


def _lock(order: Rectification) -> Rectification:
    return Rectification.objects.select_for_update(of=("self",)).select_related("merchant").get(pk=order.pk)


@audited("inspections.rectification.submit")
@transaction.atomic
def rectification_evidence_submit(*, actor: Any, district: District, rectification: Rectification,
                                  note: str, photos: list | None = None) -> Evidence:
    """The merchant answers with what was done and photos of it."""
    policies.require(actor, "inspections.rectification_respond", district)
    order = _lock(rectification)
    if order.district_id != district.pk:
        raise NotFound()
    if not owns_merchant(actor, order.merchant):  # also for a city admin
        raise NotFound()  # someone else's order is invisible, not forbidden
    # the owner rule and the state, from the RECTIFICATION table
    policies.require(actor, "inspections.rectification_respond", order)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请说明整改情况"), code="note_required")
    cleaned = photos_clean(list(photos or []))
    if not cleaned:
        raise ValidationFailed(_("请上传至少一张整改照片"), code="photo_required")
    before = snapshot(order, ["status", "submitted_at"])
    evidence = Evidence.objects.create(district=district, rectification=order, note=note,
                                       submitted_by=user_of(actor))
    EvidencePhoto.objects.bulk_create([EvidencePhoto(district=district, evidence=evidence,
                                                     image=p.content) for p in cleaned])
    RECTIFICATION.apply(order, "submit")
    order.submitted_at = timezone.now()
    order.save(update_fields=["status", "submitted_at"])
    audit_record(actor=actor, district=district, obj=order, action="inspections.rectification.submit",
                 before=before, after={**snapshot(order, ["status", "submitted_at"]),
                                       "evidence": evidence.pk, "photos": len(cleaned)})
    if order.issued_by_id:
        _notify(district, [order.issued_by], _("整改材料待验收：%(no)s") % {"no": order.number},
                order.title)
    return evidence


def _decide(*, actor: Any, district: District, rectification: Rectification, accept: bool,
            note: str) -> Rectification:
    transition = "verify" if accept else "reject"
    action = f"inspections.rectification_{transition}"
    policies.require(actor, action, district)
    order = _lock(rectification)
    if order.district_id != district.pk:
        raise NotFound()
    policies.require(actor, action, order)  # the state, from the RECTIFICATION table
    if not accept and not (note or "").strip():
        raise ValidationFailed(_("退回时请说明原因"), code="reason_required")
    evidence = order.evidence.filter(decision=Evidence.Decision.PENDING).first()
    now = timezone.now()
    before = snapshot(order, ["status", "verified_at", "verified_by"])
    if evidence is not None:
        evidence.decision = Evidence.Decision.ACCEPTED if accept else Evidence.Decision.REJECTED
        evidence.decision_note = (note or "")[:300]
        evidence.decided_by = user_of(actor)
        evidence.decided_at = now
        evidence.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
    RECTIFICATION.apply(order, transition)
    if accept:
        order.verified_at = now
        order.verified_by = user_of(actor)
    order.save(update_fields=["status", "verified_at", "verified_by"])
    audit_record(actor=actor, district=district, obj=order,
                 action="inspections.rectification.verify" if accept else "inspections.rectification.reject",
                 before=before, after={**snapshot(order, ["status", "verified_at", "verified_by"]),
                                       "note": note})
    merchant = order.merchant
    if accept and order.stop_business and merchant.status == Merchant.Status.SUSPENDED:
        still_stopped = Rectification.objects.filter(
            district=district, merchant=merchant, stop_business=True,
            status__in=OPEN).exclude(pk=order.pk).exists()
        if not still_stopped:
            _merchant_set_status(actor=actor, merchant=merchant, status=Merchant.Status.OPEN,
                                 reason=_("整改验收通过，恢复营业：%(no)s") % {"no": order.number})
    public_page_changed(merchant)
    title = (_("整改已验收通过：%(no)s") if accept else _("整改未通过，请重新整改：%(no)s")) % {
        "no": order.number}
    _notify(district, _merchant_users(merchant), title, note or order.title)
    return order


@audited("inspections.rectification.verify")
@transaction.atomic
def rectification_verify(*, actor: Any, district: District, rectification: Rectification,
                         note: str = "") -> Rectification:
    return _decide(actor=actor, district=district, rectification=rectification, accept=True,
                   note=note)


@audited("inspections.rectification.reject")
@transaction.atomic
def rectification_reject(*, actor: Any, district: District, rectification: Rectification,
                         note: str) -> Rectification:
    return _decide(actor=actor, district=district, rectification=rectification, accept=False,
                   note=note)


@audited("inspections.rectification.escalate")
def rectification_escalate_overdue(*, now: datetime | None = None,
                                   district: District | None = None) -> int:
    """The periodic job: orders past their deadline and not answered go to 督办.

    Orders awaiting verification are the inspectors' turn, so they are not escalated.
    Each order is escalated in its own transaction; a second worker skips it.
    """
    now = now or timezone.now()
    overdue = RECTIFICATION.transitions["escalate"].sources
    qs = Rectification.objects.filter(status__in=overdue, deadline__lt=now)
    if district is not None:
        qs = qs.filter(district=district)
    count = 0
    for pk in list(qs.values_list("pk", flat=True)[:2000]):
        with transaction.atomic():
            order = (Rectification.objects.select_for_update(of=("self",)).select_related("district",
                                                                              "merchant")
                     .filter(pk=pk, status__in=overdue, deadline__lt=now).first())
            if order is None:
                continue
            before = snapshot(order, ["status", "escalated_at"])
            RECTIFICATION.apply(order, "escalate")
            order.escalated_at = now
            order.save(update_fields=["status", "escalated_at"])
            audit_record(actor=SYSTEM, district=order.district, obj=order,
                         action="inspections.rectification.escalate", before=before,
                         after=snapshot(order, ["status", "escalated_at"]),
                         actor_label="system:overdue")
            body = _("%(m)s：%(t)s（期限 %(d)s）") % {
                "m": order.merchant.name, "t": order.title,
                "d": timezone.localtime(order.deadline).strftime("%Y-%m-%d")}
            recipients = _oversight_users(order.district)
            if order.issued_by_id:
                recipients.append(order.issued_by)
            _notify(order.district, list({u.pk: u for u in recipients}.values()),
                    _("整改逾期督办：%(no)s") % {"no": order.number}, body)
            _notify(order.district, _merchant_users(order.merchant),
                    _("整改已逾期，请尽快整改：%(no)s") % {"no": order.number}, order.title)
            count += 1
    return count


@audited("inspections.followup.record")
@transaction.atomic
def follow_up_record(*, actor: Any, district: District, rectification: Rectification,
                     outcome: str, note: str = "",
                     campaign: Campaign | None = None) -> FollowUpVisit:
    """事后回访 / 清单式 follow-up: someone went back and looked."""
    policies.require(actor, "inspections.follow_up", district)
    if rectification.district_id != district.pk:
        raise NotFound()
    if campaign is not None and campaign.district_id != district.pk:
        raise NotFound()
    if outcome not in FollowUpVisit.Outcome.values:
        raise ValidationFailed(_("未知回访结果"), code="unknown_outcome")
    if outcome == FollowUpVisit.Outcome.RESOLVED and rectification.is_open:
        # "Resolved" closes nothing: only an inspector's verification does.
        raise ValidationFailed(_("整改单尚未验收，不能记为已消除"), code="not_verified")
    visit = FollowUpVisit.objects.create(district=district, rectification=rectification,
                                         campaign=campaign, outcome=outcome, note=note[:300],
                                         visited_by=user_of(actor))
    audit_record(actor=actor, district=district, obj=visit, action="inspections.followup.record",
                 after=snapshot(visit))
    return visit


def assert_can_see(*, user: Any, district: District, rectification: Rectification) -> None:
    policies.require(user, "inspections.rectification_view", district)
    if rectification.district_id != district.pk or not can_see_merchant(
            user, district, rectification.merchant):
        raise NotFound()

