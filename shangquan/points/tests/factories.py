"""Points test data, built through the real services."""

from __future__ import annotations

import itertools
from typing import Any

from shangquan.core.actors import SYSTEM
from shangquan.merchants.models import Merchant
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.points.models import Category, EarningRule, Item
from shangquan.points.services import ledger, shop

_seq = itertools.count(1)


def bonus_rule(district) -> EarningRule:
    """A test rule without caps: one point per unit."""
    rule, _created = EarningRule.objects.get_or_create(
        district=district, code="test_bonus",
        defaults={"name": "测试奖励", "source_type": "test.bonus",
                  "category": Category.OTHER, "points_per_unit": 1})
    return rule


def earn(district, user=None, points: int = 100, *, merchant=None, source: Any = None):
    """Give ``user`` (or ``merchant``) ``points`` through an award posting."""
    bonus_rule(district)
    return ledger.award_post(actor=SYSTEM, district=district, rule_code="test_bonus",
                             source_type="test.bonus", source_id=source or f"s{next(_seq)}",
                             user=user, merchant=merchant, quantity=points)


def item_factory(district, **fields) -> Item:
    n = next(_seq)
    fields.setdefault("name", f"测试商品{n}")
    fields.setdefault("price", 100)
    if fields.get("kind") == Item.Kind.SERVICE:
        fields.setdefault("merchant", merchant_factory(district))
        fields.setdefault("daily_capacity", 5)
    else:
        fields.setdefault("stock", 10)
    return shop.item_create(actor=SYSTEM, district=district, **fields)


def budget_seed(persona, n: int, tag: str, ids: dict) -> None:
    """Rows for the query-budget tests (core/tests/test_query_budgets.py): accounts with
    movements, items, redemptions, adjustments, in the persona's district."""
    from shangquan.core.roles import Role

    district, people = persona.district, persona.people
    resident = people[Role.RESIDENT]
    # the district's own merchants (the core seed's): no new merchant rows here
    merchants = list(Merchant.objects.filter(district=district).order_by("pk")[:9])
    merchant = merchants[0]
    for i in range(n):
        earn(district, resident, 1000, source=f"budget-{tag}-{i}")
    for i in range(8):
        earn(district, people[Role.VOLUNTEER], 50 + i, source=f"budget-v-{tag}-{i}")
        earn(district, merchant=merchants[1 + i % 8], points=10, source=f"budget-m-{tag}-{i}")
    items = [item_factory(district, name=f"商品{tag}{i}", price=10, stock=100,
                          limit_per_month=50) for i in range(8)]
    items.append(item_factory(district, name=f"服务{tag}", kind=Item.Kind.SERVICE,
                              merchant=merchant, price=10, daily_capacity=100,
                              limit_per_month=50))
    for i in range(n):
        redemption = shop.redemption_reserve(actor=resident, item=items[i % len(items)])
    ids["redemption_id"] = redemption.pk
    for i in range(8):  # the committee's own movements (…/points/me/movements)
        earn(district, people[Role.COMMITTEE], 5, source=f"budget-c-{tag}-{i}")
    for i in range(8):
        account = ledger.account_for(district=district, user=resident)
        ledger.adjustment_request(actor=people[Role.COMMITTEE], account=account,
                                  amount=500 + i, reason=f"补录{tag}{i}")
    ids["merchant_id"] = merchant.pk
