"""Points API under /api/v1/districts/{code}/points/…: my points, the shop, the counter,
and the staff's ledger, rules, adjustments and settlements.

``POST …/items/{id}/redeem`` accepts an ``Idempotency-Key`` header: a retried request
returns the first answer (the middleware), and the key also reaches the service, so a
reservation is never made twice for one key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema

from shangquan.core import policies
from shangquan.core.apibase import XLSX, Id, Rows, file_download, paginate
from shangquan.core.errors import NotFound
from shangquan.core.selectors import access_district, access_member_user
from shangquan.merchants.selectors import access_merchant

from . import selectors
from .models import Eligibility, Item
from .services import exports, ledger, shop

router = Router(tags=["points"])
PathStr = Path[str]


class PointsLotOut(Schema):
    id: int
    category: str
    amount: int
    remaining: int
    expires_on: dt.date


class PointsCategoryTotal(Schema):
    category: str
    label: str
    credit: int
    debit: int


class PointsStatementOut(Schema):
    account_id: int | None
    name: str
    kind: str
    balance: int
    earned: int
    spent: int
    expiring_soon: int
    by_category: list[PointsCategoryTotal]
    lots: list[PointsLotOut]


class PointsMovementOut(Schema):
    id: int
    posting_id: int
    at: dt.datetime
    kind: str
    category: str
    memo: str
    source: str
    amount: int
    balance_after: int


class PointsAccountOut(Schema):
    id: int
    kind: str
    name: str
    balance: int
    user_id: int | None
    merchant_id: int | None
    ref: str


class PointsLegOut(Schema):
    account_id: int
    amount: int
    balance_after: int


class PointsPostingOut(Schema):
    id: int
    kind: str
    category: str
    memo: str
    source_type: str
    source_id: str
    key: str
    reverses_id: int | None
    created_at: dt.datetime


class PointsPostingDetail(PointsPostingOut):
    legs: list[PointsLegOut]


class PointsReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class PointsRuleOut(Schema):
    id: int
    code: str
    name: str
    source_type: str
    category: str
    beneficiary: str
    points_per_unit: int
    unit: str
    daily_cap: int | None
    monthly_cap: int | None
    is_active: bool


class PointsRulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    points_per_unit: int | None = Field(None, ge=1, le=100000)
    unit: str | None = Field(None, max_length=10)
    daily_cap: int | None = Field(None, ge=0)
    monthly_cap: int | None = Field(None, ge=0)
    is_active: bool | None = None


class PointsAwardIn(Schema):
    rule_code: str = Field(..., max_length=40)
    source_type: str = Field(..., min_length=1, max_length=40)
    source_id: str = Field(..., min_length=1, max_length=40)
    user_id: Id | None = None
    merchant_id: Id | None = None
    quantity: float = Field(1, gt=0, le=10000)
    memo: str = Field("", max_length=200)


class PointsAwardOut(Schema):
    id: int
    rule_id: int
    source_type: str
    source_id: str
    account_id: int
    requested: int
    paid: int
    posting_id: int | None
    reversed_at: dt.datetime | None


class PointsAdjustmentIn(Schema):
    account_id: Id
    amount: int = Field(..., ge=-10**7, le=10**7)
    reason: str = Field(..., min_length=1, max_length=200)


class PointsDecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=200)


class PointsAdjustmentOut(Schema):
    id: int
    account_id: int
    amount: int
    reason: str
    status: str
    requested_by_id: int | None
    decided_by_id: int | None
    posting_id: int | None
    created_at: dt.datetime


class PointsItemOut(Schema):
    id: int
    kind: str
    name: str
    description: str
    merchant_id: int | None
    provider: str
    price: int
    stock: int
    daily_capacity: int
    limit_per_month: int
    eligibility: str
    is_active: bool


class PointsItemIn(Schema):
    kind: Item.Kind = Item.Kind.GOODS
    name: str = Field(..., min_length=1, max_length=80)
    description: str = Field("", max_length=300)
    merchant_id: Id | None = None
    provider: str = Field("", max_length=80)
    price: int = Field(..., ge=1, le=10**6)
    stock: int = Field(0, ge=0, le=10**6)
    daily_capacity: int = Field(0, ge=0, le=10000)
    limit_per_month: int = Field(1, ge=1, le=100)
    eligibility: Eligibility = Eligibility.ANYONE


class PointsItemPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    description: str | None = Field(None, max_length=300)
    price: int | None = Field(None, ge=1, le=10**6)
    stock_add: int | None = Field(None, ge=-10**6, le=10**6)
    daily_capacity: int | None = Field(None, ge=0, le=10000)
    limit_per_month: int | None = Field(None, ge=1, le=100)
    eligibility: Eligibility | None = None
    is_active: bool | None = None


class PointsRedeemIn(Schema):
    for_date: dt.date | None = None


class PointsRedemptionOut(Schema):
    id: int
    item_id: int
    item: str
    provider: str
    points: int
    status: str
    code: str | None = Field(None, description="only for the person who redeemed")
    for_date: dt.date
    expires_at: dt.datetime
    created_at: dt.datetime
    closed_at: dt.datetime | None


class PointsFulfilIn(Schema):
    code: str = Field(..., min_length=4, max_length=20)


class PointsSettlementItem(Schema):
    item: str
    count: int
    points: int


class PointsSettlementOut(Schema):
    merchant: str
    month: str
    services: int
    points: int
    items: list[PointsSettlementItem]


class PointsMonthQuery(Schema):
    month: str | None = Field(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")


def _statement_out(account, name: str = "", kind: str = "person") -> dict:
    if account is None:
        return {"account_id": None, "name": name, "kind": kind, "balance": 0, "earned": 0,
                "spent": 0, "expiring_soon": 0, "by_category": [], "lots": []}
    s = selectors.statement(account=account)
    return {"account_id": account.pk, "name": account.name, "kind": account.kind,
            "balance": s.balance, "earned": s.earned, "spent": s.spent,
            "expiring_soon": s.expiring_soon, "by_category": s.by_category,
            "lots": [{"id": lot.pk, "category": lot.category, "amount": lot.amount,
                      "remaining": lot.remaining, "expires_on": lot.expires_on}
                     for lot in s.lots]}


def _movement(leg) -> dict:
    p = leg.posting
    return {"id": leg.pk, "posting_id": p.pk, "at": p.created_at, "kind": p.kind,
            "category": p.category, "memo": p.memo,
            "source": f"{p.source_type}:{p.source_id}" if p.source_type else "",
            "amount": leg.amount, "balance_after": leg.balance_after}


def _redemption_out(user):
    def shape(r) -> dict:
        return {"id": r.pk, "item_id": r.item_id, "item": r.item.name,
                "provider": r.item.provider, "points": r.points, "status": r.status,
                "code": r.code if r.user_id == getattr(user, "pk", None) else None,
                "for_date": r.for_date, "expires_at": r.expires_at,
                "created_at": r.created_at, "closed_at": r.closed_at}
    return shape


# --- my points ---------------------------------------------------------------------------
@router.get("points/me", response=PointsStatementOut)
def me(request, code: PathStr):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "points.statement", district)
    return _statement_out(selectors.account_mine(user=request.user, district=district),
                          name=str(request.user))


@router.get("points/me/movements", response=list[PointsMovementOut])
@paginate
def me_movements(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "points.statement", district)
    account = selectors.account_mine(user=request.user, district=district)
    if account is None:
        return Rows(selectors.movements(account=None).none(), _movement)
    return Rows(selectors.movements(account=account), _movement)


# --- the ledger (staff) ---------------------------------------------------------------------
@router.get("points/accounts", response=list[PointsAccountOut])
@paginate
def accounts(request, code: PathStr, kind: str = "", q: str = "") -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.account_list(user=request.user, district=district, kind=kind, q=q)


@router.get("points/accounts/{account_id}", response=PointsStatementOut)
def account_statement(request, code: PathStr, account_id: Id):
    district = access_district(user=request.user, code=code)
    return _statement_out(selectors.access_account(user=request.user, district=district,
                                                   account_id=account_id))


@router.get("points/accounts/{account_id}/movements", response=list[PointsMovementOut])
@paginate
def account_movements(request, code: PathStr, account_id: Id) -> Any:
    district = access_district(user=request.user, code=code)
    account = selectors.access_account(user=request.user, district=district,
                                       account_id=account_id)
    return Rows(selectors.movements(account=account), _movement)


@router.get("points/postings", response=list[PointsPostingOut])
@paginate
def postings(request, code: PathStr, kind: str = "") -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.posting_list(user=request.user, district=district, kind=kind)


@router.get("points/postings/{posting_id}", response=PointsPostingDetail)
def posting_get(request, code: PathStr, posting_id: Id):
    district = access_district(user=request.user, code=code)
    posting = selectors.access_posting(user=request.user, district=district,
                                       posting_id=posting_id)
    return {**PointsPostingOut.from_orm(posting).dict(),
            "legs": [{"account_id": leg.account_id, "amount": leg.amount,
                      "balance_after": leg.balance_after} for leg in posting.legs.all()]}


@router.post("points/postings/{posting_id}/reverse", response={201: PointsPostingOut})
def posting_reverse(request, code: PathStr, posting_id: Id, payload: PointsReasonIn):
    district = access_district(user=request.user, code=code)
    posting = selectors.access_posting(user=request.user, district=district,
                                       posting_id=posting_id)
    return 201, ledger.posting_reverse(actor=request.user, posting=posting,
                                       reason=payload.reason)


@router.get("points/rules", response=list[PointsRuleOut])
def rules(request, code: PathStr):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "points.shop", district)
    return selectors.rule_list(district=district)


@router.patch("points/rules/{rule_id}", response=PointsRuleOut)
def rule_update(request, code: PathStr, rule_id: Id, payload: PointsRulePatch):
    district = access_district(user=request.user, code=code)
    rule = selectors.access_rule(district=district, rule_id=rule_id)
    return ledger.rule_update(actor=request.user, rule=rule,
                              **payload.dict(exclude_unset=True))


@router.post("points/awards", response={201: PointsAwardOut})
def award(request, code: PathStr, payload: PointsAwardIn):
    """Award a rule's points for one source (e.g. a job created); once per source."""
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "points.manage", district)
    user = merchant = None
    if payload.user_id:
        user = access_member_user(district=district, user_id=payload.user_id)
    elif payload.merchant_id:
        merchant = access_merchant(district=district, merchant_id=payload.merchant_id)
    else:
        raise NotFound()
    return 201, ledger.award_post(actor=request.user, district=district,
                                  rule_code=payload.rule_code, source_type=payload.source_type,
                                  source_id=payload.source_id, user=user, merchant=merchant,
                                  quantity=str(payload.quantity), memo=payload.memo)


@router.get("points/adjustments", response=list[PointsAdjustmentOut])
@paginate
def adjustments(request, code: PathStr, status: str = "") -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.adjustment_list(user=request.user, district=district, status=status)


@router.post("points/adjustments", response={201: PointsAdjustmentOut})
def adjustment_create(request, code: PathStr, payload: PointsAdjustmentIn):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "points.manage", district)
    account = selectors.access_account(user=request.user, district=district,
                                       account_id=payload.account_id)
    return 201, ledger.adjustment_request(actor=request.user, account=account,
                                          amount=payload.amount, reason=payload.reason)


@router.post("points/adjustments/{adjustment_id}/decide", response=PointsAdjustmentOut)
def adjustment_decide(request, code: PathStr, adjustment_id: Id, payload: PointsDecideIn):
    district = access_district(user=request.user, code=code)
    adjustment = selectors.access_adjustment(user=request.user, district=district,
                                             adjustment_id=adjustment_id)
    return ledger.adjustment_decide(actor=request.user, adjustment=adjustment,
                                    approve=payload.approve, note=payload.note)


@router.get("points/ledger.xlsx", openapi_extra=file_download(XLSX))
def ledger_export(request, code: PathStr):
    district = access_district(user=request.user, code=code)
    data = exports.ledger_export_xlsx(actor=request.user, district=district)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="points-{district.code}.xlsx"'
    return response


# --- the shop ------------------------------------------------------------------------------
@router.get("points/items", response=list[PointsItemOut])
@paginate
def items(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "points.shop", district)
    return selectors.item_list(district=district)


@router.post("points/items", response={201: PointsItemOut})
def item_create(request, code: PathStr, payload: PointsItemIn):
    district = access_district(user=request.user, code=code)
    data = payload.dict()
    merchant_id = data.pop("merchant_id")
    if merchant_id:
        data["merchant"] = access_merchant(district=district, merchant_id=merchant_id)
    return 201, shop.item_create(actor=request.user, district=district, **data)


@router.get("points/items/{item_id}", response=PointsItemOut)
def item_get(request, code: PathStr, item_id: Id):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "points.shop", district)
    return selectors.access_item(district=district, item_id=item_id)


@router.patch("points/items/{item_id}", response=PointsItemOut)
def item_update(request, code: PathStr, item_id: Id, payload: PointsItemPatch):
    district = access_district(user=request.user, code=code)
    item = selectors.access_item(district=district, item_id=item_id)
    return shop.item_update(actor=request.user, item=item, **payload.dict(exclude_unset=True))


@router.post("points/items/{item_id}/redeem", response={201: PointsRedemptionOut})
def redeem(request, code: PathStr, item_id: Id, payload: PointsRedeemIn):
    district = access_district(user=request.user, code=code)
    item = selectors.access_item(district=district, item_id=item_id, active_only=True)
    redemption = shop.redemption_reserve(actor=request.user, item=item,
                                         for_date=payload.for_date,
                                         key=request.headers.get("Idempotency-Key", "")[:80])
    return 201, _redemption_out(request.user)(redemption)


@router.get("points/redemptions", response=list[PointsRedemptionOut])
@paginate
def redemptions_mine(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return Rows(selectors.redemption_list_mine(user=request.user, district=district),
                _redemption_out(request.user))


@router.get("points/redemptions/{redemption_id}", response=PointsRedemptionOut)
def redemption_get(request, code: PathStr, redemption_id: Id):
    district = access_district(user=request.user, code=code)
    redemption = selectors.access_redemption(user=request.user, district=district,
                                             redemption_id=redemption_id)
    return _redemption_out(request.user)(redemption)


@router.post("points/redemptions/{redemption_id}/cancel", response=PointsRedemptionOut)
def redemption_cancel(request, code: PathStr, redemption_id: Id):
    district = access_district(user=request.user, code=code)
    redemption = selectors.access_redemption(user=request.user, district=district,
                                             redemption_id=redemption_id)
    return _redemption_out(request.user)(shop.redemption_cancel(actor=request.user,
                                                                redemption=redemption))


@router.get("points/counter", response=list[PointsRedemptionOut])
@paginate
def counter(request, code: PathStr, status: str = "") -> Any:
    """What a merchant's (or the station's) counter sees: its items' redemptions."""
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "points.fulfil", district)
    return Rows(selectors.redemption_list(user=request.user, district=district,
                                          status=status), _redemption_out(request.user))


@router.post("points/fulfil", response=PointsRedemptionOut)
def fulfil(request, code: PathStr, payload: PointsFulfilIn):
    district = access_district(user=request.user, code=code)
    return _redemption_out(request.user)(
        shop.redemption_fulfil(actor=request.user, district=district, code=payload.code))


@router.get("points/settlements/{merchant_id}", response=PointsSettlementOut)
def settlement(request, code: PathStr, merchant_id: Id, query: Query[PointsMonthQuery]):
    """A merchant's monthly statement of services given and points received."""
    district = access_district(user=request.user, code=code)
    merchant = access_merchant(district=district, merchant_id=merchant_id)
    if not (policies.can(request.user, "points.view", district)
            or selectors.is_merchant_staff(user=request.user, merchant=merchant)):
        raise NotFound()
    month = query.month or timezone.localdate().strftime("%Y-%m")
    return selectors.settlement(district=district, merchant=merchant, month=month)
