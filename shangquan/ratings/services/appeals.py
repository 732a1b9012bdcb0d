"""The merchant's side of a result: a public reply, an appeal decided by someone not
involved, and one re-rating per period after fixes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import Conflict, PermissionDenied, ValidationFailed
from shangquan.core.models import Membership
from shangquan.core.roles import Role
from shangquan.core.services import notification_send

from .. import selectors
from ..models import Adjustment, Appeal, Period, Rerating, Result
from ..states import APPEAL
from .awards import _forget_page, _tell
from .compute import _compute

SHOWN = (Period.Status.PROVISIONAL, Period.Status.PUBLISHED)


def _locked_result(result: Result) -> Result:
    return (Result.objects.select_for_update(of=("self",))
            .select_related("period", "merchant", "merchant__district", "district").get(pk=result.pk))


def _appeal_deadline(period: Period) -> dt.datetime:
    days = selectors.settings_for(period.district).appeal_days
    return (period.provisional_at or timezone.now()) + dt.timedelta(days=days)


@audited("ratings.result.reply")
@transaction.atomic
def result_reply(*, actor: Any, result: Result, text: str) -> Result:
    """The merchant's reply, published beside the grade (right to reply)."""
    policies.require(actor, "ratings.reply", result)
    locked = _locked_result(result)
    if locked.period.status not in SHOWN:
        raise Conflict(_("结果公示或发布后方可回应"), code="reply_window_closed")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写回应内容"), code="reply_required")
    before = snapshot(locked, ["reply"])
    locked.reply, locked.reply_at = text[:1000], timezone.now()
    locked.save(update_fields=["reply", "reply_at"])
    audit_record(actor=actor, district=locked.district, obj=locked, action="ratings.result.reply",
                 before=before, after=snapshot(locked, ["reply"]))
    _forget_page(locked.merchant)
    result.reply, result.reply_at = locked.reply, locked.reply_at
    return locked


def _result_adjustments(result: Result, ids: list[Any] | None) -> list[int]:
    """``ids`` as this result's adjustments (same district, period and merchant), else
    ``unknown_adjustment`` — another district's or merchant's id is simply unknown."""
    try:
        wanted = {int(i) for i in ids or []}
    except (TypeError, ValueError):
        raise ValidationFailed(_("只能选择本结果的证据调整"), code="unknown_adjustment") from None
    found = set(Adjustment.objects.filter(district_id=result.district_id, period_id=result.period_id,
                                          merchant_id=result.merchant_id, pk__in=wanted)
                .values_list("pk", flat=True))
    if found != wanted:
        raise ValidationFailed(_("只能选择本结果的证据调整"), code="unknown_adjustment",
                               details={"unknown": sorted(wanted - found)})
    return sorted(found)


@audited("ratings.appeal.file")
@transaction.atomic
def appeal_file(*, actor: Any, result: Result, reason: str,
                adjustments: list[int] | None = None) -> Appeal:
    """An appeal within the window (default 21 days from 公示); one per result. It names
    the deductions it contests (``adjustments``: ids of this result's adjustments)."""
    if user_of(actor) is None:  # a person files, decides and asks, never the system
        raise PermissionDenied()
    policies.require(actor, "ratings.appeal_file", result)
    locked = _locked_result(result)
    if locked.period.status not in SHOWN or timezone.now() > _appeal_deadline(locked.period):
        raise Conflict(_("已超过申诉期限"), code="appeal_window_closed")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请写明申诉理由"), code="reason_required")
    if Appeal.objects.filter(district=locked.district, result=locked).exists():
        raise Conflict(_("本期结果已提出过申诉"), code="appeal_exists")
    contested = _result_adjustments(locked, adjustments)
    appeal = Appeal.objects.create(district=locked.district, result=locked, period=locked.period,
                                   merchant=locked.merchant, reason=reason[:2000], filed_by=actor,
                                   contested_adjustments=contested)
    audit_record(actor=actor, district=locked.district, obj=appeal, action="ratings.appeal.file",
                 after=snapshot(appeal, ["result", "merchant", "reason", "status",
                                         "contested_adjustments"]))
    committee = Membership.objects.filter(district=locked.district, role=Role.COMMITTEE,
                                          is_active=True).select_related("user")
    for membership in committee:
        notification_send(district=locked.district, user=membership.user,
                          title=_("新的评比申诉"), body=locked.merchant.name)
    return appeal


@audited("ratings.appeal.uphold", "ratings.appeal.dismiss", "ratings.adjustment.void")
@transaction.atomic
def appeal_decide(*, actor: Any, appeal: Appeal, uphold: bool, decision: str,
                  void_adjustments: list[int] | None = None) -> Appeal:
    """Decided with a reason by a committee member who neither filed it nor scored the
    merchant in that period. Upheld: the adjustments it contested (or those of them named
    in ``void_adjustments``) are voided with the decision as reason, each voiding audited,
    and the result is computed again. An appeal that contested none may name any of the
    result's adjustments."""
    transition = "uphold" if uphold else "dismiss"
    if user_of(actor) is None:  # a person files, decides and asks, never the system
        raise PermissionDenied()
    policies.require(actor, f"ratings.appeal_{transition}", appeal)
    locked = (Appeal.objects.select_for_update(of=("self",))
              .select_related("result", "period", "merchant", "merchant__district", "district")
              .get(pk=appeal.pk))
    policies.require(actor, f"ratings.appeal_{transition}", locked)
    decision = (decision or "").strip()
    if not decision:
        raise ValidationFailed(_("请写明裁决理由"), code="decision_required")
    before = snapshot(locked, ["status"])
    APPEAL.apply(locked, transition)
    voided: list[int] = []
    contested = list(locked.contested_adjustments or [])
    wanted = contested if void_adjustments is None else void_adjustments
    if uphold and wanted:
        voided = _result_adjustments(locked.result, wanted)
        if contested and not set(voided) <= set(contested):
            raise ValidationFailed(_("只能撤销申诉所列的证据调整"), code="unknown_adjustment",
                                   details={"contested": contested})
        rows = list(Adjustment.objects.select_for_update(of=("self",))
                    .filter(district=locked.district, pk__in=voided, voided=False).order_by("pk"))
        for row in rows:
            before_row = snapshot(row, ["voided", "void_reason"])
            row.voided, row.void_reason = True, decision[:200]
            row.save(update_fields=["voided", "void_reason"])
            audit_record(actor=actor, district=locked.district, obj=row,
                         action="ratings.adjustment.void", before=before_row,
                         after={**snapshot(row, ["voided", "void_reason"]), "appeal": locked.pk,
                                "rule": row.rule, "points": row.points,
                                "source": f"{row.source_type}:{row.source_id}"})
    locked.decision, locked.decided_by = decision[:2000], actor
    locked.decided_at, locked.voided_adjustments = timezone.now(), voided
    locked.save()
    grade_before = locked.result.grade
    if uphold:
        _compute(locked.period, [locked.merchant_id])
        locked.result.refresh_from_db()
    audit_record(actor=actor, district=locked.district, obj=locked,
                 action=f"ratings.appeal.{transition}", before=before,
                 after={"status": locked.status, "decision": locked.decision, "voided": voided,
                        "grade_before": grade_before, "grade_after": locked.result.grade})
    _forget_page(locked.merchant)
    _tell(locked.merchant, _("申诉已裁决"), f"{locked.get_status_display()}：{locked.decision}")
    appeal.status = locked.status
    return locked


@audited("ratings.rerating.request")
@transaction.atomic
def rerating_request(*, actor: Any, result: Result, note: str) -> Rerating:
    """After fixes, one re-rating per period; the public page shows 复评中 meanwhile."""
    if user_of(actor) is None:  # a person files, decides and asks, never the system
        raise PermissionDenied()
    policies.require(actor, "ratings.rerating_request", result)
    locked = _locked_result(result)
    if locked.period.status not in SHOWN:
        raise Conflict(_("结果公示或发布后方可申请复评"), code="rerating_not_allowed")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请说明已完成的整改"), code="reason_required")
    if Rerating.objects.filter(district=locked.district, period=locked.period,
                               merchant=locked.merchant).exists():
        raise Conflict(_("每期只能申请一次复评"), code="rerating_exists")
    rerating = Rerating.objects.create(district=locked.district, period=locked.period,
                                       merchant=locked.merchant, note=note[:300], requested_by=actor)
    locked.rerating = Result.Rerating.REQUESTED
    locked.save(update_fields=["rerating"])
    audit_record(actor=actor, district=locked.district, obj=rerating,
                 action="ratings.rerating.request", after=snapshot(rerating, ["note", "status"]))
    _forget_page(locked.merchant)
    return rerating


@audited("ratings.rerating.complete")
@transaction.atomic
def rerating_complete(*, actor: Any, rerating: Rerating) -> Result:
    """The raters have re-scored: the merchant's result is computed again (new evidence
    since the close counts too) and 复评中 ends."""
    policies.require(actor, "ratings.rerating_complete", rerating.district)
    locked = (Rerating.objects.select_for_update(of=("self",))
              .select_related("period", "period__district", "merchant", "merchant__district")
              .get(pk=rerating.pk))
    if locked.status != Rerating.Status.REQUESTED:
        raise Conflict(_("该复评已完成"), code="rerating_not_allowed")
    result = Result.objects.get(district_id=locked.district_id, period=locked.period,
                                merchant=locked.merchant)
    before = snapshot(result, ["total_tenths", "grade"])
    _compute(locked.period, [locked.merchant_id])
    locked.status, locked.done_at = Rerating.Status.DONE, timezone.now()
    locked.save(update_fields=["status", "done_at"])
    Result.objects.filter(pk=result.pk).update(rerating=Result.Rerating.DONE)
    result.refresh_from_db()
    audit_record(actor=actor, district=result.district, obj=locked,
                 action="ratings.rerating.complete", before=before,
                 after=snapshot(result, ["total_tenths", "grade"]))
    _forget_page(locked.merchant)
    _tell(locked.merchant, _("复评完成"), result.get_grade_display())
    rerating.status = locked.status
    return result
