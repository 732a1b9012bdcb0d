"""The double-entry ledger: postings, awards by rule, reversals, adjustments, expiry, audit.

Every posting goes through :func:`_post`, which

1. refuses a posting of fewer than two legs, a zero leg, or legs that do not sum to zero
   (``unbalanced_posting``; on PostgreSQL a deferred constraint trigger refuses it too);
2. is idempotent by its ``key``: the same key returns the first posting;
3. locks the accounts it moves (``select_for_update(of=("self",))``, in primary-key
   order, so two postings never wait on each other in a cycle) and updates their
   balances in the same transaction; the database refuses a negative holder balance;
4. keeps the lots: a credit to a holder opens a lot (expiring after the district's
   ``points.expiry_months``) or gives back what a hold drew; a debit draws from the
   soonest-expiring lots first.

Callers write the audit row of what the posting means (an award, a redemption …).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, F, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import SYSTEM, user_of
from shangquan.core.audit import audit_record, audited
from shangquan.core.district_settings import district_settings
from shangquan.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangquan.core.models import District, Membership
from shangquan.core.services import notification_send
from shangquan.workorders.models import Status as WorkOrderStatus
from shangquan.workorders.models import WorkOrder

from .. import selectors
from ..models import (
    HOLDER_KINDS,
    Account,
    AccountKind,
    Adjustment,
    Award,
    Beneficiary,
    Category,
    EarningRule,
    Leg,
    Lot,
    LotDraw,
    Posting,
    PostingKind,
)

# (code, name, source type, category, beneficiary, points per unit, unit, day cap, month cap)
DEFAULT_RULES = [
    ("volunteer_hour", "志愿服务时长", "activities.attendance", Category.VOLUNTEER,
     Beneficiary.PERSON, 10, "小时", 40, None),
    ("report_substantiated", "随手拍问题属实", "workorders.order", Category.REPORT,
     Beneficiary.PERSON, 5, "件", None, None),
    ("grade_excellent", "季度评定优秀", "ratings.evaluation", Category.CONDUCT,
     Beneficiary.MERCHANT, 100, "次", None, None),
    ("job_created", "带动就业岗位", "merchants.job", Category.JOBS,
     Beneficiary.MERCHANT, 50, "个", None, None),
]


@dataclass(frozen=True)
class LegIn:
    account: Account
    amount: int


# --- accounts --------------------------------------------------------------------------
def _system_account(district: District, kind: str) -> Account:
    account = Account.objects.filter(district=district, kind=kind, ref="").first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(district=district, kind=kind,
                                                 name=str(AccountKind(kind).label))
        except IntegrityError:
            account = Account.objects.get(district=district, kind=kind, ref="")
    return account


def _account_get_or_open(district: District, **owner: Any) -> tuple[Account, bool]:
    account = Account.objects.filter(district=district, **owner).first()
    if account is not None:
        return account, False
    kind = (AccountKind.PERSON if "user" in owner else
            AccountKind.MERCHANT if "merchant" in owner else AccountKind.TEAM)
    name = owner.get("name") or str(owner.get("user") or owner.get("merchant") or "")
    fields = {k: v for k, v in owner.items() if k != "name"}
    try:
        with transaction.atomic():
            return Account.objects.create(district=district, kind=kind, name=name[:100],
                                          **fields), True
    except IntegrityError:
        return Account.objects.get(district=district, **fields), False


@audited("points.account.open")
def account_for(*, district: District, user: Any = None, merchant: Any = None,
                team_ref: str = "", team_name: str = "") -> Account:
    """The person's, merchant's or team's account in the district, opened on first use."""
    if sum(x is not None and x != "" for x in (user, merchant, team_ref)) != 1:
        raise ValidationFailed(_("须指定一个账户持有者"), code="amount_invalid")
    if merchant is not None and merchant.district_id != district.pk:
        raise ValidationFailed(_("商户不属于该商圈"), code="wrong_district")
    if user is not None:
        account, new = _account_get_or_open(district, user=user)
    elif merchant is not None:
        account, new = _account_get_or_open(district, merchant=merchant)
    else:
        account, new = _account_get_or_open(district, kind=AccountKind.TEAM, ref=team_ref,
                                            name=team_name or team_ref)
    if new:
        audit_record(actor=SYSTEM, district=district, obj=account, action="points.account.open",
                     object_type="points.account", object_id=account.pk,
                     after={"kind": account.kind, "name": account.name})
    return account


# --- the one way to post -----------------------------------------------------------------
def _validate(district: District, legs: Sequence[LegIn]) -> None:
    if len(legs) < 2:
        raise ValidationFailed(_("每笔记账至少两条分录"), code="too_few_legs")
    for leg in legs:
        if not isinstance(leg.amount, int) or isinstance(leg.amount, bool) or leg.amount == 0:
            raise ValidationFailed(_("分录金额须为非零整数"), code="zero_leg")
        if leg.account.district_id != district.pk:
            raise ValidationFailed(_("账户不属于该商圈"), code="wrong_district")
    total = sum(leg.amount for leg in legs)
    if total != 0:
        raise ValidationFailed(_("借贷不平衡：分录合计须为 0"), code="unbalanced_posting",
                               details={"sum": total})


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _draw(account: Account, posting: Posting, amount: int, *, today: dt.date,
          prefer: Iterable[int] = (), spendable_only: bool) -> None:
    """Take ``amount`` from the account's lots, soonest-expiring first (``prefer`` first)."""
    lots = Lot.objects.select_for_update(of=("self",)).filter(
        account=account, remaining__gt=0).order_by("expires_on", "id")
    if spendable_only:
        lots = lots.filter(expires_on__gt=today)
    ordered = list(lots)
    preferred = set(prefer)
    ordered.sort(key=lambda lot: (lot.pk not in preferred, lot.expires_on, lot.pk))
    left = amount
    draws = []
    for lot in ordered:
        take = min(lot.remaining, left)
        lot.remaining -= take
        left -= take
        draws.append(LotDraw(district_id=account.district_id, lot=lot, posting=posting,
                             amount=take))
        Lot.objects.filter(pk=lot.pk).update(remaining=lot.remaining)
        if left == 0:
            break
    if left:
        raise Conflict(_("积分不足"), code="insufficient_points",
                       details={"account": account.pk, "short": left})
    LotDraw.objects.bulk_create(draws)


def _give_back(posting: Posting, account: Account, amount: int) -> int:
    """Return what ``posting`` drew from ``account``'s lots; the rest is returned as 0."""
    left = amount
    for draw in (LotDraw.objects.select_for_update(of=("self",))
                 .filter(posting=posting, lot__account=account, returned=False)
                 .select_related("lot").order_by("id")):
        if left <= 0:
            break
        Lot.objects.filter(pk=draw.lot_id).update(remaining=F("remaining") + draw.amount)
        LotDraw.objects.filter(pk=draw.pk).update(returned=True)
        left -= draw.amount
    return amount - max(left, 0)


def _post(*, actor: Any, district: District, kind: str, legs: Sequence[LegIn], key: str,
          category: str = Category.OTHER, memo: str = "", source_type: str = "",
          source_id: Any = "", reverses: Posting | None = None,
          give_back_from: Posting | None = None, prefer_lots: Iterable[int] = (),
          today: dt.date | None = None) -> tuple[Posting, bool]:
    """Post balanced legs; (posting, created). Must run inside a transaction."""
    _validate(district, legs)
    existing = Posting.objects.filter(district=district, key=key).first()
    if existing is not None:
        return existing, False
    today = today or timezone.localdate()
    deltas: dict[int, int] = {}
    for leg in legs:
        deltas[leg.account.pk] = deltas.get(leg.account.pk, 0) + leg.amount
    locked = {a.pk: a for a in Account.objects.select_for_update(of=("self",))
              .filter(pk__in=deltas).order_by("pk")}
    try:
        with transaction.atomic():
            posting = Posting.objects.create(
                district=district, kind=kind, category=category, memo=memo[:200],
                source_type=source_type, source_id=str(source_id)[:40], key=key[:120],
                reverses=reverses, created_by=user_of(actor))
    except IntegrityError:
        return Posting.objects.get(district=district, key=key[:120]), False
    expiry_months = district_settings(district=district, app="points")["expiry_months"]
    rows = []
    for pk in sorted(deltas):
        account, delta = locked[pk], deltas[pk]
        if delta == 0:
            continue
        new_balance = account.balance + delta
        if account.kind in HOLDER_KINDS:
            if new_balance < 0:
                raise Conflict(_("积分不足"), code="insufficient_points",
                               details={"account": account.pk, "balance": account.balance,
                                        "needed": -delta})
            if delta < 0:
                _draw(account, posting, -delta, today=today, prefer=prefer_lots,
                      spendable_only=kind in (PostingKind.HOLD, PostingKind.ADJUST))
            else:
                given = _give_back(give_back_from, account, delta) if give_back_from else 0
                if delta - given > 0:
                    Lot.objects.create(district=district, account=account, posting=posting,
                                       category=category, amount=delta - given,
                                       remaining=delta - given,
                                       expires_on=_add_months(today, expiry_months))
        Account.objects.filter(pk=pk).update(balance=new_balance)
        account.balance = new_balance
    for leg in legs:
        rows.append(Leg(district=district, posting=posting, account_id=leg.account.pk,
                        amount=leg.amount, balance_after=locked[leg.account.pk].balance))
    Leg.objects.bulk_create(rows)
    return posting, True


@audited("points.posting.create")
@transaction.atomic
def posting_create(*, actor: Any, district: District, legs: Sequence[LegIn], key: str,
                   memo: str = "", category: str = Category.OTHER) -> Posting:
    """A balanced posting between accounts by staff (a team's budget, a transfer)."""
    policies.require(actor, "points.manage", district)
    posting, created = _post(actor=actor, district=district, kind=PostingKind.ADJUST,
                             legs=legs, key=f"manual:{key}", memo=memo, category=category)
    if created:
        audit_record(actor=actor, district=district, obj=posting,
                     action="points.posting.create", object_type="points.posting",
                     object_id=posting.pk,
                     after={"legs": [(leg.account.pk, leg.amount) for leg in legs],
                            "memo": memo})
    return posting


@audited("points.posting.reverse")
@transaction.atomic
def posting_reverse(*, actor: Any, posting: Posting, reason: str) -> Posting:
    """The correction of a posting: the same legs negated. History is never edited."""
    policies.require(actor, "points.manage", posting.district)
    reversal = _reverse(actor=actor, posting=posting, reason=reason)
    audit_record(actor=actor, district=posting.district, obj=reversal,
                 action="points.posting.reverse", object_type="points.posting",
                 object_id=posting.pk, after={"reversal": reversal.pk, "reason": reason})
    return reversal


def _reverse(*, actor: Any, posting: Posting, reason: str, partial: int | None = None
             ) -> Posting:
    if posting.kind == PostingKind.REVERSAL:
        raise Conflict(_("冲正凭证不能再冲正"), code="not_reversible")
    if Posting.objects.filter(reverses=posting).exists():
        raise Conflict(_("该凭证已冲正"), code="already_reversed")
    legs = list(posting.legs.select_related("account"))
    if partial is not None:  # a two-leg posting reversed for part of its amount
        legs = [LegIn(leg.account, -(partial if leg.amount > 0 else -partial)) for leg in legs]
    else:
        legs = [LegIn(leg.account, -leg.amount) for leg in legs]
    reversal, _created = _post(
        actor=actor, district=posting.district, kind=PostingKind.REVERSAL, legs=legs,
        key=f"reverse:{posting.pk}", category=posting.category,
        memo=(_("冲正 #%(id)s：%(reason)s") % {"id": posting.pk, "reason": reason})[:200],
        source_type=posting.source_type, source_id=posting.source_id, reverses=posting,
        give_back_from=posting, prefer_lots=posting.lots.values_list("pk", flat=True))
    return reversal


# --- awards by rule ----------------------------------------------------------------------
def _local_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    month = dt.datetime.combine(day.replace(day=1), dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1), month


def _rule_get(*, district: District, code: str) -> EarningRule:
    try:
        return EarningRule.objects.get(district=district, code=code)
    except EarningRule.DoesNotExist:
        raise NotFound(_("没有这条积分规则"), code="unknown_rule") from None


@audited("points.award.create", "points.award.cap")
@transaction.atomic
def award_post(*, actor: Any, district: District, rule_code: str, source_type: str,
               source_id: Any, user: Any = None, merchant: Any = None,
               quantity: int | Decimal = 1, memo: str = "",
               today: dt.date | None = None) -> Award:
    """Pay a rule's points for one source, once: a retry returns the first award.

    The caps per day and per month cut the payment (to 0 once reached); the award is
    still recorded, so a later retry of the same source does not pay on another day.
    """
    policies.require(actor, "points.manage", district)
    rule = _rule_get(district=district, code=rule_code)
    source_id = str(source_id)
    existing = Award.objects.filter(district=district, rule=rule, source_type=source_type,
                                    source_id=source_id).first()
    if existing is not None:
        return existing
    if not rule.is_active:
        raise Conflict(_("该积分规则已停用"), code="rule_inactive")
    account = account_for(district=district, user=user, merchant=merchant)
    # the account's row lock serialises the cap arithmetic of concurrent awards
    Account.objects.select_for_update(of=("self",)).filter(pk=account.pk).first()
    quantity = Decimal(str(quantity))
    if quantity <= 0:
        raise ValidationFailed(_("数量须大于 0"), code="amount_invalid")
    requested = int((quantity * rule.points_per_unit).to_integral_value(ROUND_FLOOR))
    today = today or timezone.localdate()
    day_start, day_end, month_start = _local_bounds(today)
    paid = requested
    previous = Award.objects.filter(district=district, rule=rule, account=account,
                                    reversed_at__isnull=True)
    if rule.daily_cap is not None:
        so_far = previous.filter(created_at__gte=day_start, created_at__lt=day_end)\
            .aggregate(n=Sum("paid"))["n"] or 0
        paid = min(paid, max(0, rule.daily_cap - so_far))
    if rule.monthly_cap is not None:
        so_far = previous.filter(created_at__gte=month_start, created_at__lt=day_end)\
            .aggregate(n=Sum("paid"))["n"] or 0
        paid = min(paid, max(0, rule.monthly_cap - so_far))
    try:
        with transaction.atomic():
            award = Award.objects.create(district=district, rule=rule, source_type=source_type,
                                         source_id=source_id, account=account,
                                         quantity=quantity, requested=requested, paid=paid)
    except IntegrityError:
        return Award.objects.get(district=district, rule=rule, source_type=source_type,
                                 source_id=source_id)
    if paid > 0:
        posting, _created = _post(
            actor=actor, district=district, kind=PostingKind.EARN, category=rule.category,
            legs=[LegIn(_system_account(district, AccountKind.ISSUANCE), -paid),
                  LegIn(account, paid)],
            key=f"award:{award.pk}", memo=memo or rule.name, source_type=source_type,
            source_id=source_id, today=today)
        Award.objects.filter(pk=award.pk).update(posting=posting)
        award.posting = posting
    audit_record(actor=actor, district=district, obj=award,
                 action="points.award.create" if paid else "points.award.cap",
                 object_type="points.award", object_id=award.pk,
                 after={"rule": rule.code, "source": f"{source_type}:{source_id}",
                        "account": account.pk, "requested": requested, "paid": paid})
    return award


@audited("points.award.reverse")
@transaction.atomic
def award_reverse(*, actor: Any, district: District, rule_code: str, source_type: str,
                  source_id: Any, reason: str) -> Award | None:
    """The source was overturned: take the award back (once). What the person already
    spent cannot be taken back; the shortfall is recorded in the audit row."""
    policies.require(actor, "points.manage", district)
    rule = _rule_get(district=district, code=rule_code)
    award = (Award.objects.select_for_update(of=("self",))
             .filter(district=district, rule=rule, source_type=source_type,
                     source_id=str(source_id)).first())
    if award is None or award.reversed_at is not None:
        return award
    reversal, shortfall = None, 0
    if award.posting_id:
        account = Account.objects.select_for_update(of=("self",)).get(pk=award.account_id)
        take = min(award.paid, account.balance)
        shortfall = award.paid - take
        if take > 0:
            reversal = _reverse(actor=actor, posting=award.posting, reason=reason,
                                partial=take)
    award.reversed_at = timezone.now()
    award.reversal = reversal
    award.reason = reason[:200]
    award.save(update_fields=["reversed_at", "reversal", "reason"])
    audit_record(actor=actor, district=district, obj=award, action="points.award.reverse",
                 object_type="points.award", object_id=award.pk,
                 after={"reason": reason, "reversed": award.paid - shortfall,
                        "shortfall": shortfall})
    return award


# --- manual adjustments: four eyes above the threshold ---------------------------------
@audited("points.adjustment.request", "points.adjustment.approve")
@transaction.atomic
def adjustment_request(*, actor: Any, account: Account, amount: int,
                       reason: str) -> Adjustment:
    district = account.district
    policies.require(actor, "points.manage", district)
    if not isinstance(amount, int) or amount == 0:
        raise ValidationFailed(_("调整积分须为非零整数"), code="amount_invalid")
    if not reason.strip():
        raise ValidationFailed(_("请填写调整理由"), code="amount_invalid")
    threshold = district_settings(district=district, app="points")["adjust_threshold"]
    adjustment = Adjustment.objects.create(district=district, account=account, amount=amount,
                                           reason=reason.strip()[:200],
                                           requested_by=user_of(actor))
    audit_record(actor=actor, district=district, obj=adjustment,
                 action="points.adjustment.request", object_type="points.adjustment",
                 object_id=adjustment.pk, after={"account": account.pk, "amount": amount,
                                                 "reason": adjustment.reason,
                                                 "needs_second": abs(amount) > threshold})
    if abs(amount) <= threshold:
        _adjustment_apply(actor=actor, adjustment=adjustment, decided_by=None)
    return adjustment


def _adjustment_apply(*, actor: Any, adjustment: Adjustment, decided_by: Any) -> None:
    district = adjustment.district
    issuance = _system_account(district, AccountKind.ISSUANCE)
    posting, _created = _post(
        actor=actor, district=district, kind=PostingKind.ADJUST, category=Category.ADJUSTMENT,
        legs=[LegIn(issuance, -adjustment.amount), LegIn(adjustment.account, adjustment.amount)],
        key=f"adjust:{adjustment.pk}", memo=adjustment.reason,
        source_type="points.adjustment", source_id=adjustment.pk)
    adjustment.status = Adjustment.Status.APPROVED
    adjustment.posting = posting
    adjustment.decided_by = decided_by
    adjustment.decided_at = timezone.now()
    adjustment.save(update_fields=["status", "posting", "decided_by", "decided_at"])
    audit_record(actor=actor, district=district, obj=adjustment,
                 action="points.adjustment.approve", object_type="points.adjustment",
                 object_id=adjustment.pk, after={"posting": posting.pk,
                                                 "second_person": bool(decided_by)})


@audited("points.adjustment.approve", "points.adjustment.reject")
@transaction.atomic
def adjustment_decide(*, actor: Any, adjustment: Adjustment, approve: bool,
                      note: str = "") -> Adjustment:
    policies.require(actor, "points.approve", adjustment.district)
    adjustment = Adjustment.objects.select_for_update(of=("self",)).get(pk=adjustment.pk)
    if adjustment.status != Adjustment.Status.PENDING:
        raise Conflict(_("该调整已处理"), code="adjustment_decided")
    if adjustment.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("须由另一名工作人员复核"), code="second_person_required")
    if approve:
        _adjustment_apply(actor=actor, adjustment=adjustment, decided_by=user_of(actor))
        return adjustment
    adjustment.status = Adjustment.Status.REJECTED
    adjustment.decided_by = user_of(actor)
    adjustment.decided_at = timezone.now()
    adjustment.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=actor, district=adjustment.district, obj=adjustment,
                 action="points.adjustment.reject", object_type="points.adjustment",
                 object_id=adjustment.pk, after={"note": note[:200]})
    return adjustment


# --- expiry --------------------------------------------------------------------------------
@audited("points.lot.expire")
def lots_expire(*, actor: Any = SYSTEM, today: dt.date | None = None,
                district: District | None = None, batch: int = 500) -> int:
    """Lots past their date give their remaining points to the expiry account. Idempotent:
    an expired lot has nothing left, so a second run finds nothing."""
    today = today or timezone.localdate()
    due = Lot.objects.filter(remaining__gt=0, expires_on__lte=today)
    if district is not None:
        due = due.filter(district=district)
    done = 0
    for lot_id in list(due.order_by("expires_on", "id").values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            lot = (Lot.objects.select_for_update(of=("self",)).select_related("district")
                   .filter(pk=lot_id, remaining__gt=0, expires_on__lte=today).first())
            if lot is None:
                continue
            account = Account.objects.get(pk=lot.account_id)
            amount = lot.remaining
            posting, created = _post(
                actor=actor, district=lot.district, kind=PostingKind.EXPIRE,
                category=Category.EXPIRY,
                legs=[LegIn(account, -amount),
                      LegIn(_system_account(lot.district, AccountKind.EXPIRY), amount)],
                key=f"expire:{lot.pk}:{lot.expiries}", memo=_("积分到期"),
                source_type="points.lot", source_id=lot.pk, prefer_lots=[lot.pk], today=today)
            if not created:
                continue
            Lot.objects.filter(pk=lot.pk).update(expiries=F("expiries") + 1)
            audit_record(actor=actor, district=lot.district, obj=lot, action="points.lot.expire",
                         object_type="points.lot", object_id=lot.pk,
                         after={"amount": amount, "account": account.pk,
                                "posting": posting.pk})
            done += 1
    return done


@audited("points.lot.remind")
def lots_remind(*, actor: Any = SYSTEM, today: dt.date | None = None) -> int:
    """Tell people 30 and 7 days (district settings) before their points expire; once each."""
    today = today or timezone.localdate()
    sent = 0
    for district in District.objects.filter(is_active=True):
        values = district_settings(district=district, app="points")
        for days, flag in ((values["remind_first_days"], "reminded_30"),
                           (values["remind_second_days"], "reminded_7")):
            lots = Lot.objects.filter(district=district, remaining__gt=0,
                                      expires_on__gt=today,
                                      expires_on__lte=today + dt.timedelta(days=days),
                                      **{flag: False}, account__kind=AccountKind.PERSON)
            per_account = (lots.values("account", "account__user")
                           .annotate(n=Sum("remaining")).order_by("account"))
            for row in per_account:
                with transaction.atomic():
                    updated = lots.filter(account=row["account"]).update(**{flag: True})
                    if not updated:
                        continue
                    user = get_user_model().objects.get(pk=row["account__user"])
                    notification_send(
                        district=district, user=user, title=_("积分即将到期"),
                        body=_("您有 %(n)s 积分将在 %(d)s 天内到期，请尽快到积分超市兑换。")
                        % {"n": row["n"], "d": days}, link=f"/d/{district.code}/points/")
                    audit_record(actor=actor, district=district, action="points.lot.remind",
                                 object_type="points.account", object_id=row["account"],
                                 after={"points": row["n"], "days": days})
                    sent += 1
    return sent


# --- the nightly audit -------------------------------------------------------------------
@audited("points.ledger.audit")
def ledger_audit(*, actor: Any = SYSTEM) -> dict[str, Any]:
    """The nightly job: check every district's ledger, write one audit row each, and tell
    the committee at once when something does not add up."""
    out = {}
    for district in District.objects.filter(is_active=True):
        result = selectors.ledger_check(district=district)
        audit_record(actor=actor, district=district, action="points.ledger.audit",
                     object_type="points.ledger", object_id=district.pk,
                     after={"accounts": result.accounts, "postings": result.postings,
                            "problems": result.problems[:50], "ok": result.ok})
        if not result.ok:
            for membership in Membership.objects.filter(district=district, is_active=True,
                                                        role="committee").select_related("user"):
                notification_send(district=district, user=membership.user,
                                  title=_("积分账目核对发现问题"),
                                  body=_("共 %(n)s 处不一致，请查看审计日志。")
                                  % {"n": len(result.problems)})
        out[district.code] = result.ok
    return out


# --- per-district defaults ---------------------------------------------------------------
@audited("points.defaults.seed")
def district_defaults_seed(*, actor: Any, district: District) -> int:
    """``district_created`` hook (and the demo): the four default earning rules."""
    made = []
    for code, name, source, category, beneficiary, amount, unit, day, month in DEFAULT_RULES:
        _rule, created = EarningRule.objects.get_or_create(
            district=district, code=code,
            defaults={"name": name, "source_type": source, "category": category,
                      "beneficiary": beneficiary, "points_per_unit": amount, "unit": unit,
                      "daily_cap": day, "monthly_cap": month})
        if created:
            made.append(code)
    if made:
        audit_record(actor=actor, district=district, action="points.defaults.seed",
                     object_type="points.rule", object_id="*", after={"created": made})
    return len(made)


RULE_FIELDS = {"name", "points_per_unit", "unit", "daily_cap", "monthly_cap", "is_active"}


@audited("points.rule.update")
@transaction.atomic
def rule_update(*, actor: Any, rule: EarningRule, **changes: Any) -> EarningRule:
    policies.require(actor, "points.manage", rule.district)
    unknown = set(changes) - RULE_FIELDS
    if unknown:
        raise ValidationFailed(details={"unknown": sorted(unknown)})
    rule = EarningRule.objects.select_for_update(of=("self",)).get(pk=rule.pk)
    before = {k: getattr(rule, k) for k in changes}
    for name, value in changes.items():
        setattr(rule, name, value)
    if rule.points_per_unit is None or rule.points_per_unit <= 0:
        raise ValidationFailed(_("每单位积分须大于 0"), code="amount_invalid")
    rule.save()
    audit_record(actor=actor, district=rule.district, obj=rule, action="points.rule.update",
                 object_type="points.rule", object_id=rule.pk, before=before,
                 after={k: getattr(rule, k) for k in changes})
    return rule


# --- 随手拍: substantiated reports earn, overturned ones are reversed ------------------------
SUBSTANTIATED = (WorkOrderStatus.RESOLVED, WorkOrderStatus.CLOSED)
OVERTURNED = (WorkOrderStatus.REJECTED, WorkOrderStatus.MERGED)


@audited("points.award.create", "points.award.cap", "points.award.reverse")
def report_awards_sync(*, actor: Any = SYSTEM, batch: int = 500) -> dict[str, int]:
    """A job (the work-order loop knows nothing of points): a signed-in reporter's order
    that a department resolved earns the district's ``report_substantiated`` rule once;
    an awarded order later rejected or merged (found unsubstantiated) is reversed."""
    paid = reversed_ = 0
    for rule in EarningRule.objects.filter(code="report_substantiated", is_active=True)\
            .select_related("district"):
        district = rule.district
        awarded = Award.objects.filter(district=district, rule=rule,
                                       source_type="workorders.order")\
            .annotate(order_id=Cast("source_id", BigIntegerField()))
        new = (WorkOrder.objects.filter(district=district, reporter__isnull=False,
                                        status__in=SUBSTANTIATED)
               .exclude(pk__in=awarded.values("order_id"))
               .order_by("pk").select_related("reporter")[:batch])
        for order in new:
            award_post(actor=actor, district=district, rule_code=rule.code,
                       source_type="workorders.order", source_id=order.pk,
                       user=order.reporter, memo=_("随手拍属实：%(n)s") % {"n": order.number})
            paid += 1
        overturned = WorkOrder.objects.filter(district=district, status__in=OVERTURNED)
        for award in awarded.filter(reversed_at__isnull=True,
                                    order_id__in=overturned.values("pk")).order_by("pk")[:batch]:
            award_reverse(actor=actor, district=district, rule_code=rule.code,
                          source_type="workorders.order", source_id=award.source_id,
                          reason=_("问题经核实不属实"))
            reversed_ += 1
    return {"paid": paid, "reversed": reversed_}
