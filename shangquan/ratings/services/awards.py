"""Awards: the 流动红旗 at each publication, and titles with 优进绌退."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import SYSTEM
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import Conflict, NotFound, ValidationFailed
from shangquan.core.models import District
from shangquan.core.services import notification_send
from shangquan.merchants.models import Merchant
from shangquan.merchants.public import fragment_forget

from .. import selectors
from ..models import Flag, FlagScope, Grade, Period, Result, Title, TitleKind
from ..states import TITLE

FLAG_GRADES = (Grade.EXCELLENT, Grade.GOOD)
TITLE_FIELDS = ["status", "warned_until", "public_reason", "listed_on", "delisted_on"]


def _forget_page(merchant: Merchant) -> None:
    """The QR page caches on the merchant's ``updated_at``: bump it on commit."""
    pk, token = merchant.pk, merchant.public_token

    def bump() -> None:
        Merchant.objects.filter(pk=pk).update(updated_at=timezone.now())
        fragment_forget(token)

    transaction.on_commit(bump)


def _tell(merchant: Merchant, title: str, body: str) -> None:
    if merchant.owner_id:
        notification_send(district=merchant.district, user=merchant.owner, title=title, body=body,
                          link=reverse("merchants:public_page", kwargs={"token": merchant.public_token}))


# --- flags ----------------------------------------------------------------------------------
def _award_flags(actor: Any, period: Period) -> int:
    """One flag per association (or grid): the best total among 良好 or better; ties go to
    fewer substantiated complaints, then the earlier merchant. Kept per period (history)."""
    scope = period.flag_scope
    key = "merchant__association_id" if scope == FlagScope.ASSOCIATION else "merchant__grid_id"
    rows = (Result.objects.filter(district=period.district, period=period, grade__in=FLAG_GRADES)
            .exclude(**{f"{key}__isnull": True})
            .values_list(key, "merchant_id", "total_tenths", "complaints"))
    best: dict[int, tuple] = {}
    for group, merchant_id, total, complaints in rows:
        rank = (-total, complaints, merchant_id)
        if group not in best or rank < best[group][0]:
            best[group] = (rank, merchant_id, total)
    made = 0
    for group, (_rank, merchant_id, total) in sorted(best.items()):
        target = {"association_id": group} if scope == FlagScope.ASSOCIATION else {"grid_id": group}
        flag, created = Flag.objects.get_or_create(
            district=period.district, period=period, scope=scope, **target,
            defaults={"merchant_id": merchant_id, "total_tenths": total})
        if created:
            made += 1
            audit_record(actor=actor, district=period.district, obj=flag,
                         action="ratings.flag.award",
                         after=snapshot(flag, ["scope", "association", "grid", "merchant",
                                               "total_tenths"]))
    return made


# --- titles ---------------------------------------------------------------------------------
def _move(actor: Any, title: Title, action: str, *, reason: str = "",
          deadline: dt.date | None = None) -> Title:
    before = snapshot(title, TITLE_FIELDS)
    TITLE.apply(title, action)
    today = timezone.localdate()
    if action in ("list", "relist", "clear"):
        title.warned_until = None
        if action != "clear":
            title.listed_on, title.delisted_on = today, None
        title.public_reason = reason[:200]
    elif action == "warn":
        title.warned_until = deadline
        title.public_reason = reason[:200]
    elif action == "delist":
        title.delisted_on, title.warned_until = today, None
        title.public_reason = reason[:200]
    title.save()
    audit_record(actor=actor, district=title.district, obj=title, action=f"ratings.title.{action}",
                 before=before, after=snapshot(title, TITLE_FIELDS))
    _forget_page(title.merchant)
    if action in ("warn", "delist"):
        label = _("称号警示") if action == "warn" else _("称号摘牌")
        _tell(title.merchant, f"{label}：{title.kind.name}", reason)
    return title


def _rule_reasons(district: District, merchant_ids: set[int] | None = None) -> dict[int, str]:
    """merchant id -> the 优进绌退 reason that delists it now (complaints, re-weighs)."""
    settings = selectors.settings_for(district)
    out: dict[int, str] = {}
    for merchant_id, n in selectors.complaints_since(district=district, days=90).items():
        if n >= settings.delist_complaints:
            out[merchant_id] = _("90 天内查实投诉 %(n)s 件") % {"n": n}
    if settings.delist_on_short_reweigh:
        for merchant_id in selectors.short_reweighs(district=district, days=90):
            out.setdefault(merchant_id, _("公平秤复称缺斤短两"))
    if merchant_ids is not None:
        out = {m: r for m, r in out.items() if m in merchant_ids}
    return out


def _awards_on_publish(*, actor: Any, period: Period) -> dict[str, int]:
    """At publication: flags, then titles by the period's grades and the standing rules."""
    flags = _award_flags(actor, period)
    grades = dict(Result.objects.filter(district=period.district, period=period)
                  .values_list("merchant_id", "grade"))
    settings = selectors.settings_for(period.district)
    deadline = timezone.localdate() + dt.timedelta(days=settings.warn_days)
    standing = _rule_reasons(period.district)
    moved = 0
    titles = (Title.objects.select_for_update(of=("self",))
              .filter(district=period.district, status__in=[Title.Status.LISTED, Title.Status.WARNED])
              .select_related("kind", "merchant", "merchant__district", "district").order_by("pk"))
    for title in titles:
        grade = grades.get(title.merchant_id)
        if period.year_end and grade in (Grade.FAIR, Grade.FAIL):
            _move(actor, title, "delist", reason=_("年终评定为%(g)s") % {"g": Grade(grade).label})
        elif title.merchant_id in standing:
            _move(actor, title, "delist", reason=standing[title.merchant_id])
        elif grade == Grade.FAIL and title.status == Title.Status.LISTED:
            _move(actor, title, "warn", reason=_("%(p)s评定为不合格，限期整改") % {"p": period.name},
                  deadline=deadline)
        else:
            continue
        moved += 1
    return {"flags": flags, "titles": moved}


@audited("ratings.title.propose")
@transaction.atomic
def title_propose(*, actor: Any, district: District, merchant: Merchant, kind: TitleKind,
                  reason: str = "") -> Title:
    """A candidate for a title (诚信遴选)."""
    policies.require(actor, "ratings.title_propose", district)
    if merchant.district_id != district.pk or kind.district_id != district.pk:
        raise NotFound()
    if not kind.is_active:
        raise ValidationFailed(_("该称号已停用"), code="unknown_title_kind")
    title, created = Title.objects.get_or_create(district=district, kind=kind, merchant=merchant,
                                                 defaults={"public_reason": reason[:200]})
    if not created:
        raise Conflict(_("该商户已有此称号记录"), code="title_exists",
                       details={"title_id": title.pk, "status": title.status})
    audit_record(actor=actor, district=district, obj=title, action="ratings.title.propose",
                 after=snapshot(title, ["kind", "merchant", "status"]))
    return title


@audited("ratings.title.list", "ratings.title.warn", "ratings.title.clear",
         "ratings.title.delist", "ratings.title.relist")
@transaction.atomic
def title_transition(*, actor: Any, title: Title, action: str, reason: str = "",
                     deadline: dt.date | None = None) -> Title:
    """list / warn (with a deadline) / clear / delist (with the public reason) / relist
    (after a period at 良好 or better)."""
    if action not in TITLE.transitions:
        raise ValidationFailed(_("未知操作"), code="not_in_scope", details={"action": action})
    policies.require(actor, f"ratings.title_{action}", title)
    locked = (Title.objects.select_for_update(of=("self",))
              .select_related("kind", "merchant", "merchant__district", "district").get(pk=title.pk))
    policies.require(actor, f"ratings.title_{action}", locked)
    reason = (reason or "").strip()
    if action == "delist" and not reason:
        raise ValidationFailed(_("摘牌须写明公开说明"), code="reason_required")
    if action == "warn":
        settings = selectors.settings_for(locked.district)
        deadline = deadline or timezone.localdate() + dt.timedelta(days=settings.warn_days)
        if deadline <= timezone.localdate():
            raise ValidationFailed(_("整改期限须晚于今天"), code="deadline_required")
        if not reason:
            raise ValidationFailed(_("警示须写明原因"), code="reason_required")
    if action == "relist" and not selectors.merchant_good_recently(merchant=locked.merchant):
        raise Conflict(_("最近一期评定达到良好及以上方可重新授牌"), code="relist_needs_good_period")
    _move(actor, locked, action, reason=reason, deadline=deadline)
    title.status = locked.status
    return locked


@audited("ratings.title.delist")
@transaction.atomic
def titles_sweep(*, actor: Any = SYSTEM, district: District) -> int:
    """Daily 优进绌退: warned titles past their deadline and titles whose merchant now meets
    a delisting rule (complaints in 90 days, a short re-weigh) lose the plaque."""
    today = timezone.localdate()
    standing = _rule_reasons(district)
    titles = (Title.objects.select_for_update(of=("self",))
              .filter(district=district, status__in=[Title.Status.LISTED, Title.Status.WARNED])
              .select_related("kind", "merchant", "merchant__district", "district").order_by("pk"))
    moved = 0
    for title in titles:
        if title.merchant_id in standing:
            _move(actor, title, "delist", reason=standing[title.merchant_id])
        elif title.status == Title.Status.WARNED and title.warned_until and title.warned_until < today:
            _move(actor, title, "delist", reason=_("整改期满未达标"))
        else:
            continue
        moved += 1
    return moved


@audited("ratings.title.delist")
def titles_sweep_all() -> int:
    return sum(titles_sweep(actor=SYSTEM, district=d)
               for d in District.objects.filter(is_active=True))

