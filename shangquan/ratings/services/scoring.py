"""Scores: the association's and the community's staff per dimension (phones or the grid),
residents from the QR page. A refused score leaves the earlier one as it was."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.audit import audit_record, audited
from shangquan.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from shangquan.merchants.models import Merchant

from ..models import Period, Rerating, ResidentScore, Score
from ..policies import party_of


def _phone_key(phone: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:ratings:{phone}".encode()).hexdigest()


def _int(value: Any, code: str, message: str) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(message, code=code)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(message, code=code) from None
    return number


def _may_score(period: Period, merchant: Merchant) -> None:
    """Scoring is open, or this merchant's re-rating is (复评)."""
    if period.status == Period.Status.SCORING:
        return
    if period.status in (Period.Status.PROVISIONAL, Period.Status.PUBLISHED) and \
            Rerating.objects.filter(district_id=period.district_id, period=period, merchant=merchant,
                                    status=Rerating.Status.REQUESTED).exists():
        return
    raise Conflict(_("本期评分已结束"), code="period_closed", details={"status": period.status})


@audited("ratings.score.record")
@transaction.atomic
def score_record(*, actor: Any, period: Period, merchant: Merchant, scores: dict[str, Any],
                 versions: dict[str, Any] | None = None, note: str = "") -> list[Score]:
    """The rater's scores (0–100) of one merchant, by dimension code.

    Each rater has their own row per dimension, so two staff scoring the same merchant at
    once both keep their scores. ``versions`` carries the version of each cell the rater
    last saw: if the row changed since (the same rater on another phone), the whole call is
    refused with ``score_changed`` and nothing is overwritten. The period row is locked, so
    a score cannot slip in after the period closed.
    """
    policies.require(actor, "ratings.score", period.district)
    party = party_of(actor, period.district)
    if party is None:
        raise PermissionDenied(_("只有商会和社区工作人员参与评分"), code="not_a_scoring_party")
    if merchant.district_id != period.district_id:
        raise NotFound()
    locked = Period.objects.select_for_update(of=("self",)).get(pk=period.pk)
    _may_score(locked, merchant)
    codes = {d["code"] for d in locked.dimensions}
    values: dict[str, int] = {}
    for code, raw in (scores or {}).items():
        if code not in codes:
            raise ValidationFailed(_("未知的评比维度"), code="unknown_dimension",
                                   details={"dimension": code})
        if raw in (None, ""):
            continue
        value = _int(raw, "score_out_of_range", _("分数须为 0–100 的整数"))
        if not 0 <= value <= 100:
            raise ValidationFailed(_("分数须为 0–100 的整数"), code="score_out_of_range",
                                   details={"dimension": code, "value": value})
        values[code] = value
    if not values:
        raise ValidationFailed(_("请至少填写一项分数"), code="score_out_of_range")
    versions = versions or {}
    existing = {s.dimension: s for s in Score.objects.select_for_update(of=("self",)).filter(
        district_id=locked.district_id, period=locked, merchant=merchant, rater=actor,
        dimension__in=list(values))}
    saved, before = [], {}
    for code, value in sorted(values.items()):
        seen = versions.get(code)
        row = existing.get(code)
        if row is not None:
            if seen not in (None, "") and str(seen) != str(row.version):
                raise Conflict(_("该分数已在别处修改，请刷新后再评"), code="score_changed",
                               details={"dimension": code, "version": row.version})
            before[code] = row.value
            if row.value != value or note:
                row.value, row.version = value, row.version + 1
                row.note = note[:200] or row.note
                row.save(update_fields=["value", "version", "note", "updated_at"])
        else:
            if seen not in (None, "", 0, "0"):
                raise Conflict(_("该分数已在别处修改，请刷新后再评"), code="score_changed",
                               details={"dimension": code})
            try:
                with transaction.atomic():
                    row = Score.objects.create(
                        district_id=locked.district_id, period=locked, merchant=merchant,
                        dimension=code, party=party, rater=actor, value=value, note=note[:200])
            except IntegrityError:  # the same rater's other phone created it first
                raise Conflict(_("该分数已在别处修改，请刷新后再评"), code="score_changed",
                               details={"dimension": code}) from None
        saved.append(row)
    audit_record(actor=actor, district=locked.district, obj=merchant, action="ratings.score.record",
                 object_type="ratings.score", object_id=f"{locked.pk}:{merchant.pk}",
                 before={"scores": before} if before else None,
                 after={"period": locked.pk, "party": party, "scores": values})
    return saved


@audited("ratings.resident_score.record")
@transaction.atomic
def resident_score_record(*, actor: Any, merchant: Merchant, stars: Any,
                          period: Period | None = None) -> ResidentScore:
    """A resident's 1–5 stars for a merchant they dealt with: one per verified phone per
    merchant per period (a database constraint)."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated(_("请先用手机号验证登录"))
    phone = getattr(getattr(actor, "profile", None), "phone", None)
    if not phone:
        raise ValidationFailed(_("请先验证手机号"), code="phone_required")
    value = _int(stars, "stars_out_of_range", _("请选择 1–5 星"))
    if not 1 <= value <= 5:
        raise ValidationFailed(_("请选择 1–5 星"), code="stars_out_of_range")
    if period is None:
        period = (Period.objects.filter(district_id=merchant.district_id,
                                        status=Period.Status.SCORING).order_by("-starts_on").first())
        if period is None:
            raise Conflict(_("当前没有进行中的评比"), code="period_closed")
    locked = Period.objects.select_for_update(of=("self",)).get(pk=period.pk)
    if locked.status != Period.Status.SCORING or locked.district_id != merchant.district_id:
        raise Conflict(_("本期评分已结束"), code="period_closed")
    try:
        with transaction.atomic():
            row = ResidentScore.objects.create(district_id=merchant.district_id, period=locked,
                                               merchant=merchant, user=actor,
                                               phone_key=_phone_key(phone), stars=value)
    except IntegrityError:
        raise Conflict(_("您本期已为该商户评过分"), code="already_scored") from None
    # no phone, no username in the audit row: the resident is "居民"
    audit_record(actor=actor, district=locked.district, obj=row,
                 action="ratings.resident_score.record", actor_label="resident",
                 after={"period": locked.pk, "merchant": merchant.pk, "stars": value})
    return row
