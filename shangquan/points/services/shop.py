"""积分超市: items, reservations with a one-time code, fulfilment, cancellation, expiry.

Locks are always taken in the same order — the item, then the redemption, then the
accounts (by primary key, inside the ledger) — so concurrent reservations of the last
units queue on the item's row instead of deadlocking. A refused reservation (no stock,
limit reached, not enough points) raises inside the transaction: nothing is held.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import SYSTEM, user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.district_settings import district_settings
from shangquan.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangquan.core.models import District
from shangquan.core.roles import Role
from shangquan.core.services import notification_send

from ..models import (
    AccountKind,
    Category,
    Eligibility,
    Item,
    PostingKind,
    Redemption,
    new_pickup_code,
)
from ..states import REDEMPTION
from .ledger import LegIn, _post, _system_account, account_for

ITEM_FIELDS = {"kind", "name", "description", "merchant", "provider", "price", "stock",
               "daily_capacity", "limit_per_month", "eligibility", "is_active"}
LIVE = (Redemption.Status.RESERVED, Redemption.Status.FULFILLED)
ELIGIBLE_ROLES = {
    Eligibility.RESIDENTS: (Role.RESIDENT,),
    Eligibility.VOLUNTEERS: (Role.VOLUNTEER,),
    Eligibility.MERCHANTS: (Role.MERCHANT,),
}


def _check_item(item: Item) -> None:
    if item.kind == Item.Kind.SERVICE and item.merchant_id is None:
        raise ValidationFailed(_("服务类兑换须指定提供商户"), code="amount_invalid")
    if item.price is None or item.price <= 0:
        raise ValidationFailed(_("所需积分须大于 0"), code="amount_invalid")
    if item.merchant_id and item.merchant.district_id != item.district_id:
        raise ValidationFailed(_("商户不属于该商圈"), code="wrong_district")


@audited("points.item.create")
@transaction.atomic
def item_create(*, actor: Any, district: District, name: str, price: int,
                **fields: Any) -> Item:
    policies.require(actor, "points.manage", district)
    unknown = set(fields) - ITEM_FIELDS
    if unknown:
        raise ValidationFailed(details={"unknown": sorted(unknown)})
    item = Item(district=district, name=name.strip(), price=price, **fields)
    if item.merchant_id and not item.provider:
        item.provider = item.merchant.name
    _check_item(item)
    item.save()
    audit_record(actor=actor, district=district, obj=item, action="points.item.create",
                 after=snapshot(item))
    return item


@audited("points.item.update")
@transaction.atomic
def item_update(*, actor: Any, item: Item, **changes: Any) -> Item:
    """Edit an item; ``stock_add`` adds (or removes, if negative) units under the lock."""
    policies.require(actor, "points.manage", item.district)
    stock_add = int(changes.pop("stock_add", 0) or 0)
    unknown = set(changes) - ITEM_FIELDS
    if unknown:
        raise ValidationFailed(details={"unknown": sorted(unknown)})
    item = Item.objects.select_for_update(of=("self",)).get(pk=item.pk)
    before = snapshot(item)
    for name, value in changes.items():
        setattr(item, name, value)
    if item.stock + stock_add < 0:
        raise Conflict(_("库存不能为负"), code="out_of_stock")
    item.stock += stock_add
    _check_item(item)
    item.save()
    audit_record(actor=actor, district=item.district, obj=item, action="points.item.update",
                 before=before, after=snapshot(item))
    return item


def _eligible(user: Any, item: Item) -> bool:
    roles = ELIGIBLE_ROLES.get(item.eligibility)
    return roles is None or policies.has_role(user, item.district, *roles)


def _new_code(district: District) -> str:
    for _attempt in range(20):
        code = new_pickup_code()
        if not Redemption.objects.filter(district=district, code=code).exists():
            return code
    raise Conflict(_("核销码生成失败，请重试"))  # pragma: no cover - 10^8 codes


@audited("points.redemption.reserve")
@transaction.atomic
def redemption_reserve(*, actor: Any, item: Item, for_date: dt.date | None = None,
                       key: str = "") -> Redemption:
    """Hold the points and one unit (or one of the day's places) and give a pickup code.

    ``key`` (the request's Idempotency-Key) makes a retried call return the first
    reservation; the API's middleware does the same for whole HTTP requests.
    """
    district = item.district
    policies.require(actor, "points.redeem", district)
    hold_key = f"reserve:{actor.pk}:{key}" if key else f"reserve:{actor.pk}:{uuid.uuid4().hex}"
    if key:
        first = Redemption.objects.filter(district=district, hold__key=hold_key).first()
        if first is not None:
            return first
    item = Item.objects.select_for_update(of=("self",)).select_related("merchant")\
        .get(pk=item.pk)
    if not item.is_active:
        raise Conflict(_("该商品已下架"), code="item_inactive")
    if not _eligible(actor, item):
        raise PermissionDenied(_("该商品不面向您的身份"), code="not_eligible")
    now = timezone.now()
    today = timezone.localdate()
    for_date = for_date or today
    if for_date < today:
        raise ValidationFailed(_("服务日期不能早于今天"), code="amount_invalid")
    month = today.strftime("%Y-%m")
    mine = Redemption.objects.filter(district=district, user=actor, item=item, month=month,
                                     status__in=LIVE).count()
    if mine >= item.limit_per_month:
        raise Conflict(_("本月兑换次数已达上限（每人每月 %(n)s 次）") % {"n": item.limit_per_month},
                       code="limit_reached", details={"limit": item.limit_per_month})
    if item.kind == Item.Kind.GOODS:
        if item.stock <= 0:
            raise Conflict(_("库存不足"), code="out_of_stock")
        Item.objects.filter(pk=item.pk).update(stock=F("stock") - 1)
    else:
        taken = Redemption.objects.filter(item=item, for_date=for_date, status__in=LIVE).count()
        if taken >= item.daily_capacity:
            raise Conflict(_("当日名额已满"), code="out_of_stock")
    account = account_for(district=district, user=actor)
    escrow = _system_account(district, AccountKind.ESCROW)
    hold, _created = _post(actor=actor, district=district, kind=PostingKind.HOLD,
                           category=Category.SHOP,
                           legs=[LegIn(account, -item.price), LegIn(escrow, item.price)],
                           key=hold_key, memo=_("兑换：%(name)s") % {"name": item.name},
                           source_type="points.item", source_id=item.pk)
    days = district_settings(district=district, app="points")["pickup_days"]
    redemption = Redemption.objects.create(
        district=district, item=item, account=account, user=actor, points=item.price,
        code=_new_code(district), for_date=for_date, month=month, hold=hold,
        expires_at=now + dt.timedelta(days=days))
    audit_record(actor=actor, district=district, obj=redemption,
                 action="points.redemption.reserve", object_type="points.redemption",
                 object_id=redemption.pk,
                 after={"item": item.pk, "points": item.price, "for_date": for_date,
                        "expires_at": redemption.expires_at})
    return redemption


def _locked(redemption_id: int) -> Redemption:
    return (Redemption.objects.select_for_update(of=("self",))
            .select_related("item", "item__merchant", "district", "account")
            .get(pk=redemption_id))


@audited("points.redemption.fulfil")
@transaction.atomic
def redemption_fulfil(*, actor: Any, district: District, code: str) -> Redemption:
    """The counter types or scans the code: it works once, within its validity."""
    code = "".join(ch for ch in str(code) if ch.isdigit())
    found = Redemption.objects.filter(district=district, code=code).values_list("pk", flat=True)
    if not code or not found:
        raise NotFound(_("核销码无效"), code="unknown_code")
    redemption = _locked(found[0])
    if redemption.status == Redemption.Status.FULFILLED:
        raise Conflict(_("该核销码已使用"), code="code_used")
    if redemption.status != Redemption.Status.RESERVED or redemption.expires_at <= timezone.now():
        raise Conflict(_("该兑换已过期或已取消"), code="reservation_expired")
    policies.require(actor, "points.fulfil", redemption)
    item = redemption.item
    escrow = _system_account(district, AccountKind.ESCROW)
    if item.merchant_id:
        receiver = account_for(district=district, merchant=item.merchant)
        category = Category.SERVICE
    else:
        receiver, category = _system_account(district, AccountKind.SHOP), Category.SHOP
    settle, _created = _post(
        actor=actor, district=district, kind=PostingKind.SETTLE, category=category,
        legs=[LegIn(escrow, -redemption.points), LegIn(receiver, redemption.points)],
        key=f"settle:{redemption.pk}", memo=_("核销：%(name)s") % {"name": item.name},
        source_type="points.redemption", source_id=redemption.pk)
    REDEMPTION.apply(redemption, "fulfil")
    redemption.closing = settle
    redemption.fulfilled_by = user_of(actor)
    redemption.closed_at = timezone.now()
    redemption.save(update_fields=["status", "closing", "fulfilled_by", "closed_at"])
    audit_record(actor=actor, district=district, obj=redemption,
                 action="points.redemption.fulfil", object_type="points.redemption",
                 object_id=redemption.pk, before={"status": "reserved"},
                 after={"status": redemption.status, "posting": settle.pk})
    transaction.on_commit(lambda: _user_notice(redemption, _("兑换已核销")))
    return redemption


def _release(*, actor: Any, redemption: Redemption, action: str) -> Redemption:
    """Give the points back (the lots they came from) and the unit back to stock."""
    item = Item.objects.select_for_update(of=("self",)).get(pk=redemption.item_id)
    redemption = _locked(redemption.pk)
    if redemption.status != Redemption.Status.RESERVED:
        raise Conflict(_("该兑换已结束"), code="code_used" if redemption.status ==
                       Redemption.Status.FULFILLED else "reservation_expired")
    if action == "cancel":
        policies.require(actor, "points.cancel", redemption)
    district = redemption.district
    escrow = _system_account(district, AccountKind.ESCROW)
    release, _created = _post(
        actor=actor, district=district, kind=PostingKind.RELEASE, category=Category.SHOP,
        legs=[LegIn(escrow, -redemption.points), LegIn(redemption.account, redemption.points)],
        key=f"release:{redemption.pk}",
        memo=(_("取消兑换：%(name)s") if action == "cancel" else _("兑换过期：%(name)s"))
        % {"name": item.name},
        source_type="points.redemption", source_id=redemption.pk,
        give_back_from=redemption.hold)
    if item.kind == Item.Kind.GOODS:
        Item.objects.filter(pk=item.pk).update(stock=F("stock") + 1)
    REDEMPTION.apply(redemption, action)
    redemption.closing = release
    redemption.closed_at = timezone.now()
    redemption.save(update_fields=["status", "closing", "closed_at"])
    audit_record(actor=actor, district=district, obj=redemption,
                 action=f"points.redemption.{action}", object_type="points.redemption",
                 object_id=redemption.pk, before={"status": "reserved"},
                 after={"status": redemption.status, "posting": release.pk})
    return redemption


@audited("points.redemption.cancel")
@transaction.atomic
def redemption_cancel(*, actor: Any, redemption: Redemption) -> Redemption:
    return _release(actor=actor, redemption=redemption, action="cancel")


@audited("points.redemption.expire")
def redemptions_expire(*, actor: Any = SYSTEM, now: dt.datetime | None = None,
                       batch: int = 500) -> int:
    """Reservations past their pickup window release their points and stock (a job)."""
    now = now or timezone.now()
    due = list(Redemption.objects.filter(status=Redemption.Status.RESERVED, expires_at__lte=now)
               .order_by("expires_at", "id")[:batch])
    done = 0
    for redemption in due:
        with transaction.atomic():
            try:
                _release(actor=actor, redemption=redemption, action="expire")
            except Conflict:
                continue  # fulfilled or cancelled meanwhile
            done += 1
    return done


def _user_notice(redemption: Redemption, title: str) -> None:
    notification_send(district=redemption.district, user=redemption.user, title=title,
                      body=redemption.item.name)
