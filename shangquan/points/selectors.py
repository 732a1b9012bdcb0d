"""Reads of the points app, always scoped to a district ("not yours" = NotFound)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.errors import NotFound
from shangquan.core.models import District
from shangquan.core.selectors import access_scoped
from shangquan.merchants.models import Merchant
from shangquan.merchants.policies import owned_merchant_ids, owns_merchant

from .models import (
    HOLDER_KINDS,
    Account,
    AccountKind,
    Adjustment,
    Category,
    EarningRule,
    Item,
    Leg,
    Lot,
    Posting,
    Redemption,
)


def account_mine(*, user: Any, district: District) -> Account | None:
    """The caller's own account, or None before their first points."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Account.objects.filter(district=district, kind=AccountKind.PERSON, user=user).first()


def access_account(*, user: Any, district: District, account_id: Any) -> Account:
    """Staff see every account; a person only their own (others' are "not found")."""
    account = access_scoped(Account.objects.select_related("user", "merchant"),
                            district=district, pk=account_id)
    if policies.can(user, "points.view", district) or (
            account.user_id is not None and account.user_id == getattr(user, "pk", None)):
        return account
    if account.merchant_id and owns_merchant(user, account.merchant):
        return account
    raise NotFound()


def _merchant_ids(user: Any) -> QuerySet:
    """The shops ``user`` acts for, by the merchants app's one ownership rule."""
    return owned_merchant_ids(user)


def is_merchant_staff(*, user: Any, merchant: Merchant) -> bool:
    return owns_merchant(user, merchant)


def merchant_accounts_mine(*, user: Any, district: District) -> QuerySet[Account]:
    return Account.objects.filter(district=district, kind=AccountKind.MERCHANT,
                                  merchant_id__in=_merchant_ids(user)).select_related("merchant")


def account_list(*, user: Any, district: District, kind: str = "", q: str = ""
                 ) -> QuerySet[Account]:
    policies.require(user, "points.view", district)
    qs = Account.objects.filter(district=district).select_related("user", "merchant")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("kind", "-balance", "pk")


def movements(*, account: Account) -> QuerySet[Leg]:
    """Each movement of one account, newest first, with its posting (one query a page)."""
    return (Leg.objects.filter(account=account).select_related("posting")
            .order_by("-id"))


@dataclass
class Statement:
    account: Account
    balance: int
    earned: int
    spent: int
    by_category: list[dict] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)
    expiring_soon: int = 0


def statement(*, account: Account, today: dt.date | None = None, soon_days: int = 30
              ) -> Statement:
    """Totals by category and the open lots with their expiry dates: three aggregate
    queries whatever the number of movements (the movements themselves are paged)."""
    today = today or timezone.localdate()
    rows = list(Leg.objects.filter(account=account).values("posting__category")
                .annotate(credit=Sum("amount", filter=Q(amount__gt=0)),
                          debit=Sum("amount", filter=Q(amount__lt=0)))
                .order_by("posting__category"))
    labels = dict(Category.choices)
    by_category = [{"category": r["posting__category"],
                    "label": str(labels.get(r["posting__category"], r["posting__category"])),
                    "credit": r["credit"] or 0, "debit": -(r["debit"] or 0)} for r in rows]
    lots = list(Lot.objects.filter(account=account, remaining__gt=0).order_by("expires_on", "id")[:50])
    soon = sum(lot.remaining for lot in lots
               if lot.expires_on <= today + dt.timedelta(days=soon_days))
    return Statement(account=account, balance=account.balance,
                     earned=sum(r["credit"] for r in by_category),
                     spent=sum(r["debit"] for r in by_category),
                     by_category=by_category, lots=lots, expiring_soon=soon)


def posting_list(*, user: Any, district: District, kind: str = "") -> QuerySet[Posting]:
    policies.require(user, "points.view", district)
    qs = Posting.objects.filter(district=district).select_related("created_by")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-id")


def access_posting(*, user: Any, district: District, posting_id: Any) -> Posting:
    policies.require(user, "points.view", district)
    return access_scoped(Posting.objects.prefetch_related("legs__account"), district=district,
                         pk=posting_id)


def rule_list(*, district: District) -> QuerySet[EarningRule]:
    return EarningRule.objects.filter(district=district).order_by("pk")


def access_rule(*, district: District, rule_id: Any) -> EarningRule:
    return access_scoped(EarningRule, district=district, pk=rule_id)


def adjustment_list(*, user: Any, district: District, status: str = "") -> QuerySet[Adjustment]:
    policies.require(user, "points.view", district)
    qs = Adjustment.objects.filter(district=district).select_related(
        "account", "requested_by", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def access_adjustment(*, user: Any, district: District, adjustment_id: Any) -> Adjustment:
    policies.require(user, "points.view", district)
    return access_scoped(Adjustment, district=district, pk=adjustment_id)


# --- the shop --------------------------------------------------------------------------------
def item_list(*, district: District, active_only: bool = True) -> QuerySet[Item]:
    qs = Item.objects.filter(district=district).select_related("merchant")
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("price", "pk")


def access_item(*, district: District, item_id: Any, active_only: bool = False) -> Item:
    qs = Item.objects.select_related("merchant", "district")
    if active_only:
        qs = qs.filter(is_active=True)
    return access_scoped(qs, district=district, pk=item_id)


def redemption_list_mine(*, user: Any, district: District) -> QuerySet[Redemption]:
    return (Redemption.objects.filter(district=district, user=user)
            .select_related("item", "item__merchant").order_by("-id"))


def redemption_list(*, user: Any, district: District, status: str = "",
                    merchant: Merchant | None = None) -> QuerySet[Redemption]:
    """Staff see all; a merchant sees the redemptions of its own items."""
    qs = Redemption.objects.filter(district=district).select_related("item", "user",
                                                                      "item__merchant")
    if not policies.can(user, "points.view", district):
        qs = qs.filter(item__merchant_id__in=_merchant_ids(user))
    if merchant is not None:
        qs = qs.filter(item__merchant=merchant)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def access_redemption(*, user: Any, district: District, redemption_id: Any) -> Redemption:
    redemption = access_scoped(Redemption.objects.select_related("item", "item__merchant",
                                                                 "district"),
                               district=district, pk=redemption_id)
    if (redemption.user_id == getattr(user, "pk", None)
            or policies.can(user, "points.view", district)
            or owns_merchant(user, redemption.item.merchant)):
        return redemption
    raise NotFound()


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    year, mon = (int(x) for x in month.split("-"))
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, mon, 1, tzinfo=tz)
    end = dt.datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=tz)
    return start, end


def settlement(*, district: District, merchant: Merchant, month: str) -> dict[str, Any]:
    """A merchant's monthly statement: services given and points received, per item.

    ``month`` is ``YYYY-MM``; what counts is when the redemption was fulfilled."""
    try:
        start, end = month_bounds(month)
    except (ValueError, TypeError):
        raise NotFound() from None
    done = Redemption.objects.filter(district=district, item__merchant=merchant,
                                     status=Redemption.Status.FULFILLED,
                                     closed_at__gte=start, closed_at__lt=end)
    per_item = list(done.values("item__name").annotate(n=Count("id"), points=Sum("points"))
                    .order_by("item__name"))
    return {"merchant": merchant.name, "month": month,
            "services": sum(r["n"] for r in per_item),
            "points": sum(r["points"] or 0 for r in per_item),
            "items": [{"item": r["item__name"], "count": r["n"], "points": r["points"] or 0}
                      for r in per_item]}


def shop_summary(*, district: District) -> dict[str, int]:
    return Redemption.objects.filter(district=district).aggregate(
        reserved=Count("id", filter=Q(status=Redemption.Status.RESERVED)),
        fulfilled=Count("id", filter=Q(status=Redemption.Status.FULFILLED)))


@dataclass
class LedgerAudit:
    accounts: int
    postings: int
    problems: list[dict]

    @property
    def ok(self) -> bool:
        return not self.problems


def ledger_check(*, district: District) -> LedgerAudit:
    """Every balance equals the sum of its legs; every holder's balance equals its lots;
    every posting has two or more legs summing to zero; no holder below zero. Plain
    aggregates, so it runs the same on SQLite and PostgreSQL. A read."""
    problems: list[dict] = []
    sums = dict(Leg.objects.filter(district=district).values("account")
                .annotate(s=Sum("amount")).values_list("account", "s"))
    lots = dict(Lot.objects.filter(district=district).values("account")
                .annotate(s=Sum("remaining")).values_list("account", "s"))
    accounts = list(Account.objects.filter(district=district).values("pk", "kind", "balance"))
    for row in accounts:
        legs_sum = sums.get(row["pk"], 0) or 0
        if legs_sum != row["balance"]:
            problems.append({"account": row["pk"], "problem": "balance_differs_from_legs",
                             "balance": row["balance"], "legs": legs_sum})
        if row["kind"] in HOLDER_KINDS:
            if (lots.get(row["pk"], 0) or 0) != row["balance"]:
                problems.append({"account": row["pk"], "problem": "balance_differs_from_lots",
                                 "balance": row["balance"], "lots": lots.get(row["pk"], 0)})
            if row["balance"] < 0:
                problems.append({"account": row["pk"], "problem": "negative_balance"})
    bad = (Leg.objects.filter(district=district).values("posting")
           .annotate(s=Sum("amount"), n=Count("id")).filter(~Q(s=0) | Q(n__lt=2)))
    problems += [{"posting": row["posting"], "problem": "unbalanced_posting",
                  "sum": row["s"], "legs": row["n"]} for row in bad]
    empty = Posting.objects.filter(district=district, legs__isnull=True).values_list("pk",
                                                                                     flat=True)
    problems += [{"posting": pk, "problem": "posting_without_legs"} for pk in empty]
    return LedgerAudit(accounts=len(accounts),
                       postings=Posting.objects.filter(district=district).count(),
                       problems=problems)


