"""The points ledger (double entry, integers), earning rules, lots, and the 积分超市.

Every movement is a :class:`Posting` of two or more :class:`Leg` rows whose amounts sum
to zero. Credits are positive, debits negative. An account's ``balance`` is the sum of
its legs, kept on the row under a row lock in the same transaction; the database refuses
a negative balance for people, merchants and teams (``points_account_balance_floor``).
Points in a holder's account live in :class:`Lot` rows (one per earning), which expire;
spending draws from the soonest-expiring lot first (:class:`LotDraw` remembers from which,
so a release gives the same points back). Postings and legs are append-only: a correction
is a reversal posting (``Posting.reverses``), never an edit.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shangquan.core.models import DistrictOneToOneField, DistrictScoped
from shangquan.merchants.models import Merchant


class AccountKind(models.TextChoices):
    PERSON = "person", _("个人")
    MERCHANT = "merchant", _("商户")
    TEAM = "team", _("队伍")
    ISSUANCE = "issuance", _("积分发行")
    EXPIRY = "expiry", _("积分过期")
    ESCROW = "escrow", _("兑换冻结")
    SHOP = "shop", _("积分超市兑出")


HOLDER_KINDS = (AccountKind.PERSON, AccountKind.MERCHANT, AccountKind.TEAM)
SYSTEM_KINDS = (AccountKind.ISSUANCE, AccountKind.EXPIRY, AccountKind.ESCROW, AccountKind.SHOP)


class Account(DistrictScoped):
    """One balance: a person's, a merchant's, a team's, or one of the district's own."""

    kind = models.CharField(_("类型"), max_length=10, choices=AccountKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                             blank=True, related_name="points_accounts")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="points_accounts")
    # a team's key (``activities.team:12``): points knows nothing of activities
    ref = models.CharField(_("外部标识"), max_length=60, blank=True)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    balance = models.BigIntegerField(_("余额"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints = [
            # Only the issuance account goes below zero: it is where points come from.
            models.CheckConstraint(condition=Q(balance__gte=0) | Q(kind=AccountKind.ISSUANCE),
                                   name="points_account_balance_floor"),
            models.CheckConstraint(
                condition=(Q(kind=AccountKind.PERSON, user__isnull=False, merchant__isnull=True)
                           | Q(kind=AccountKind.MERCHANT, merchant__isnull=False,
                               user__isnull=True)
                           | (Q(user__isnull=True, merchant__isnull=True)
                              & ~Q(kind__in=[AccountKind.PERSON, AccountKind.MERCHANT]))),
                name="points_account_owner_matches_kind"),
            models.CheckConstraint(condition=~Q(kind=AccountKind.TEAM) | ~Q(ref=""),
                                   name="points_account_team_has_ref"),
            models.UniqueConstraint(fields=["district", "user"], condition=Q(kind="person"),
                                    name="points_account_one_per_person"),
            models.UniqueConstraint(fields=["district", "merchant"],
                                    condition=Q(kind="merchant"),
                                    name="points_account_one_per_merchant"),
            models.UniqueConstraint(fields=["district", "kind", "ref"],
                                    condition=~Q(kind__in=["person", "merchant"]),
                                    name="points_account_one_per_ref"),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.pk}"

    @property
    def is_holder(self) -> bool:
        return self.kind in HOLDER_KINDS


class PostingKind(models.TextChoices):
    EARN = "earn", _("获得积分")
    ADJUST = "adjust", _("人工调整")
    HOLD = "hold", _("兑换冻结")
    SETTLE = "settle", _("兑换核销")
    RELEASE = "release", _("兑换释放")
    EXPIRE = "expire", _("积分过期")
    REVERSAL = "reversal", _("冲正")


class Category(models.TextChoices):
    VOLUNTEER = "volunteer", _("志愿服务")
    REPORT = "report", _("随手拍")
    CONDUCT = "conduct", _("诚信经营")
    JOBS = "jobs", _("带动就业")
    SHOP = "shop", _("积分兑换")
    SERVICE = "service", _("商户服务收入")
    EXPIRY = "expiry", _("过期")
    ADJUSTMENT = "adjustment", _("调整")
    OTHER = "other", _("其他")


class Posting(DistrictScoped):
    """One balanced journal entry. Never edited: a correction is another posting."""

    kind = models.CharField(_("类型"), max_length=10, choices=PostingKind.choices)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices,
                                default=Category.OTHER)
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    # What caused it, e.g. ("activities.attendance", "42"); "" for none.
    source_type = models.CharField(_("来源类型"), max_length=40, blank=True)
    source_id = models.CharField(_("来源编号"), max_length=40, blank=True)
    # Idempotency: the same key never posts twice in a district.
    key = models.CharField(max_length=120)
    reverses = DistrictOneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="reversed_by", verbose_name=_("冲正对象"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        constraints = [
            models.UniqueConstraint(fields=["district", "key"], name="points_posting_key_once"),
            models.UniqueConstraint(fields=["district", "reverses"],
                                    name="points_posting_reversed_once"),
            models.CheckConstraint(condition=~Q(key=""), name="points_posting_has_key"),
            models.CheckConstraint(condition=Q(reverses__isnull=True) | Q(kind="reversal"),
                                   name="points_posting_reversal_kind"),
        ]
        indexes = [models.Index(fields=["district", "source_type", "source_id"],
                                name="points_posting_source")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.memo}"


class Leg(DistrictScoped):
    """One side of a posting: credit (positive) or debit (negative) of one account."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="legs")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="legs")
    amount = models.BigIntegerField(_("金额"))
    # the account's balance just after this leg (for statements; the audit rechecks it)
    balance_after = models.BigIntegerField(_("余额"))

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        constraints = [models.CheckConstraint(condition=~Q(amount=0),
                                              name="points_leg_not_zero")]
        indexes = [models.Index(fields=["account", "-id"], name="points_leg_account")]


class Lot(DistrictScoped):
    """Points a holder earned at one time, expiring together."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lots")
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="lots")
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    amount = models.BigIntegerField(_("获得"))
    remaining = models.BigIntegerField(_("剩余"))
    expires_on = models.DateField(_("到期日"), db_index=True)
    expiries = models.PositiveIntegerField(default=0)
    reminded_30 = models.BooleanField(default=False)
    reminded_7 = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分批次")
        verbose_name_plural = _("积分批次")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_lot_amount_positive"),
            models.CheckConstraint(condition=Q(remaining__gte=0) & Q(remaining__lte=F("amount")),
                                   name="points_lot_remaining_in_range"),
        ]
        indexes = [models.Index(fields=["account", "expires_on", "id"], name="points_lot_fifo")]


class LotDraw(DistrictScoped):
    """How much a debit took from one lot (a release gives exactly this back)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="draws")
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="draws")
    amount = models.BigIntegerField()
    returned = models.BooleanField(default=False)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0),
                                              name="points_draw_positive")]


class Beneficiary(models.TextChoices):
    PERSON = "person", _("个人")
    MERCHANT = "merchant", _("商户")


class EarningRule(DistrictScoped):
    """How many points one unit of a source earns, with caps per day and month."""

    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    source_type = models.CharField(_("来源"), max_length=40)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    beneficiary = models.CharField(_("获得者"), max_length=10, choices=Beneficiary.choices,
                                   default=Beneficiary.PERSON)
    points_per_unit = models.PositiveIntegerField(_("每单位积分"))
    unit = models.CharField(_("单位"), max_length=10, default="次")
    daily_cap = models.PositiveIntegerField(_("每日上限（分）"), null=True, blank=True)
    monthly_cap = models.PositiveIntegerField(_("每月上限（分）"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="points_rule_code_unique"),
            models.CheckConstraint(condition=Q(points_per_unit__gt=0),
                                   name="points_rule_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Award(DistrictScoped):
    """One award by (rule, source): retried or replayed, it never pays twice."""

    rule = models.ForeignKey(EarningRule, on_delete=models.PROTECT, related_name="awards")
    source_type = models.CharField(max_length=40)
    source_id = models.CharField(max_length=40)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="awards")
    quantity = models.DecimalField(max_digits=9, decimal_places=2, default=1)
    requested = models.PositiveIntegerField()
    paid = models.PositiveIntegerField()  # after the caps; 0 when a cap was reached
    posting = DistrictOneToOneField(Posting, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="award")
    reversal = DistrictOneToOneField(Posting, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    reversed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "rule", "source_type", "source_id"],
                                    name="points_award_once_per_source"),
            models.UniqueConstraint(fields=["district", "posting"], name="points_award_posting_unique"),
            models.UniqueConstraint(fields=["district", "reversal"],
                                    name="points_award_reversal_unique"),
            models.CheckConstraint(condition=Q(paid__lte=F("requested")),
                                   name="points_award_paid_within_request"),
        ]


class Adjustment(DistrictScoped):
    """A manual adjustment; above the district's threshold it waits for a second person."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待复核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("已驳回")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="adjustments")
    amount = models.BigIntegerField(_("调整积分"))
    reason = models.CharField(_("理由"), max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", null=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True)
    posting = DistrictOneToOneField(Posting, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="adjustment")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "posting"],
                                    name="points_adjust_posting_unique"),
            models.CheckConstraint(condition=~Q(amount=0), name="points_adjust_not_zero"),
            # the four-eyes rule, in the database too
            models.CheckConstraint(condition=Q(decided_by__isnull=True)
                                   | ~Q(decided_by=F("requested_by")),
                                   name="points_adjust_second_person"),
        ]


# --- 积分超市 -------------------------------------------------------------------------
class Eligibility(models.TextChoices):
    ANYONE = "anyone", _("所有人")
    RESIDENTS = "residents", _("居民")
    VOLUNTEERS = "volunteers", _("志愿者与骑手")
    MERCHANTS = "merchants", _("商户")


class Item(DistrictScoped):
    """Goods with stock, or a merchant's service with a capacity per day."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("实物")
        SERVICE = "service", _("服务")

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.GOODS)
    name = models.CharField(_("名称"), max_length=80)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="shop_items", verbose_name=_("提供商户"))
    provider = models.CharField(_("提供方"), max_length=80, blank=True)
    price = models.PositiveIntegerField(_("所需积分"))
    stock = models.PositiveIntegerField(_("库存"), default=0)  # goods
    daily_capacity = models.PositiveIntegerField(_("每日名额"), default=0)  # services
    limit_per_month = models.PositiveIntegerField(_("每人每月限兑"), default=1)
    eligibility = models.CharField(_("兑换对象"), max_length=12, choices=Eligibility.choices,
                                   default=Eligibility.ANYONE)
    is_active = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("兑换商品")
        verbose_name_plural = _("兑换商品")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="points_item_price_positive"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="points_item_stock_floor"),
            models.CheckConstraint(condition=Q(limit_per_month__gte=1),
                                   name="points_item_limit_positive"),
            models.CheckConstraint(condition=Q(kind="goods") | Q(merchant__isnull=False),
                                   name="points_item_service_has_merchant"),
        ]

    def __str__(self) -> str:
        return self.name


def new_pickup_code() -> str:
    """Eight digits, easy to read out and type at a counter."""
    return f"{secrets.randbelow(10**8):08d}"


class Redemption(DistrictScoped):
    class Status(models.TextChoices):
        RESERVED = "reserved", _("待核销")
        FULFILLED = "fulfilled", _("已核销")
        EXPIRED = "expired", _("已过期")
        CANCELLED = "cancelled", _("已取消")

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="redemptions")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="redemptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="redemptions")
    points = models.PositiveIntegerField(_("积分"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.RESERVED)
    code = models.CharField(_("核销码"), max_length=8, default=new_pickup_code)
    for_date = models.DateField(_("服务日期"))  # the day a service's capacity counts
    month = models.CharField(max_length=7)  # "2026-12": the per-person monthly limit
    expires_at = models.DateTimeField(_("有效期至"))
    hold = DistrictOneToOneField(Posting, on_delete=models.PROTECT, related_name="+")
    closing = DistrictOneToOneField(Posting, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    fulfilled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("兑换记录")
        verbose_name_plural = _("兑换记录")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="points_code_unique"),
            models.UniqueConstraint(fields=["district", "hold"], name="points_redemption_hold_unique"),
            models.UniqueConstraint(fields=["district", "closing"],
                                    name="points_redemption_closing_unique"),
            models.CheckConstraint(condition=Q(points__gt=0), name="points_redemption_positive"),
            models.CheckConstraint(condition=Q(status="reserved", closing__isnull=True)
                                   | (~Q(status="reserved") & Q(closing__isnull=False)),
                                   name="points_redemption_closed_with_posting"),
        ]
        indexes = [models.Index(fields=["district", "status", "expires_at"],
                                name="points_redemption_due"),
                   models.Index(fields=["user", "item", "month"], name="points_redemption_limit")]
