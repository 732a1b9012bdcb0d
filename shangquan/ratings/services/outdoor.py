"""外摆评分: permitted zones and the grid leader's daily checks; a run of failed checks
becomes a rectification through the inspections app."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import SYSTEM, is_system, user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import NotFound, ValidationFailed
from shangquan.core.pii import photo_clean
from shangquan.inspections.services import rectification_issue
from shangquan.merchants.models import Merchant

from .. import selectors
from ..models import OutdoorCheck, OutdoorZone

# The items of a check, each 0–10.
ITEMS = {
    "area": _("不超出许可范围"),
    "passage": _("通道畅通"),
    "tidy": _("整洁有序"),
    "hours": _("时段合规"),
}


def _decimal(raw: Any, field: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, TypeError):
        raise ValidationFailed(_("请填写有效的数字"), code="not_in_scope",
                               details={"field": field}) from None
    if not value.is_finite() or value <= 0 or value >= 10000:
        raise ValidationFailed(_("请填写有效的数字"), code="not_in_scope", details={"field": field})
    return value.quantize(Decimal("0.1"))


@audited("ratings.outdoor_zone.save")
@transaction.atomic
def outdoor_zone_save(*, actor: Any, merchant: Merchant, area_m2: Any, hours: str = "17:00-23:00",
                      passage_m: Any = "1.5", note: str = "") -> OutdoorZone:
    policies.require(actor, "ratings.outdoor_zone_manage", merchant.district)
    fields = {"area_m2": _decimal(area_m2, "area_m2"), "passage_m": _decimal(passage_m, "passage_m"),
              "hours": (hours or "").strip()[:40], "note": (note or "").strip()[:200]}
    zone = OutdoorZone.objects.select_for_update(of=("self",)).filter(
        district_id=merchant.district_id, merchant=merchant).first()
    before = snapshot(zone, list(fields)) if zone else None
    if zone is None:
        zone = OutdoorZone.objects.create(district_id=merchant.district_id, merchant=merchant,
                                          **fields)
    else:
        for key, value in fields.items():
            setattr(zone, key, value)
        zone.save()
    audit_record(actor=actor, district=merchant.district, obj=zone,
                 action="ratings.outdoor_zone.save", before=before, after=snapshot(zone, list(fields)))
    return zone


@audited("ratings.outdoor_check.record", "ratings.outdoor_check.rectify")
@transaction.atomic
def outdoor_check_record(*, actor: Any, merchant: Merchant, items: dict[str, Any],
                         photo: Any = None, note: str = "", client_key: str = "") -> OutdoorCheck:
    """A daily check: each item 0–10, the score is their mean; below the threshold a photo
    is required and the check counts as failed. ``client_key`` makes an offline retry
    return the first answer. N failed checks in a row issue a rectification."""
    district = merchant.district
    policies.require(actor, "ratings.outdoor_check", district)
    client_key = (client_key or "").strip()[:64]
    if client_key:
        earlier = OutdoorCheck.objects.filter(district=district, client_key=client_key).first()
        if earlier is not None:
            return earlier
    zone = selectors.outdoor_zone_for(merchant=merchant)
    if zone is None:
        raise ValidationFailed(_("该商户没有登记外摆区域"), code="no_outdoor_zone")
    if not is_system(actor) and not policies.has_role(actor, district, "committee") and (
            merchant.grid is None or merchant.grid.leader_id != getattr(actor, "pk", None)):
        raise NotFound()
    scores: dict[str, int] = {}
    for code in ITEMS:
        raw = (items or {}).get(code)
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValidationFailed(_("请为每一项打 0–10 分"), code="items_required",
                                   details={"item": code}) from None
        if not 0 <= value <= 10:
            raise ValidationFailed(_("请为每一项打 0–10 分"), code="items_required",
                                   details={"item": code})
        scores[code] = value
    score_tenths = (2 * sum(scores.values()) * 10 + len(scores)) // (2 * len(scores))
    settings = selectors.settings_for(district)
    passed = score_tenths >= settings.outdoor_threshold * 10
    clean = None
    if photo is not None:
        clean = photo_clean(photo)
    elif not passed:
        raise ValidationFailed(_("低于达标分须拍照留证"), code="photo_required")
    check = OutdoorCheck(district=district, zone=zone, merchant=merchant, checker=user_of(actor),
                         checked_on=timezone.localdate(), items=scores, score_tenths=score_tenths,
                         passed=passed, note=(note or "").strip()[:200], client_key=client_key)
    if clean is not None:
        check.photo.save(clean.content.name, clean.content, save=False)
    try:
        with transaction.atomic():
            check.save()
    except IntegrityError:  # the same offline retry, twice at once
        return OutdoorCheck.objects.get(district=district, client_key=client_key)
    audit_record(actor=actor, district=district, obj=check, action="ratings.outdoor_check.record",
                 after=snapshot(check, ["merchant", "items", "score_tenths", "passed"]))
    if not passed:
        _rectify_streak(actor, merchant, check, settings.outdoor_fail_streak)
    return check


def _rectify_streak(actor: Any, merchant: Merchant, check: OutdoorCheck, streak: int) -> None:
    recent = selectors.outdoor_recent(merchant=merchant, limit=streak)
    if len(recent) < streak or any(c.passed or c.rectification_id for c in recent):
        return
    # the platform issues it (a grid leader may not issue rectifications), on the rule's behalf
    order = rectification_issue(
        actor=SYSTEM, district=merchant.district, merchant=merchant,
        title=_("外摆连续 %(n)s 次检查不达标") % {"n": streak}, severity="general",
        source="outdoor", source_ref=f"outdoor-{check.pk}",
        description=_("请按许可范围、时段摆放，保持通道畅通。"))
    OutdoorCheck.objects.filter(pk=check.pk).update(rectification_id=order.pk)
    check.rectification_id = order.pk
    audit_record(actor=actor, district=merchant.district, obj=check,
                 action="ratings.outdoor_check.rectify",
                 after={"rectification": order.pk, "streak": streak})
