"""The nightly audit after a randomised sequence of 10 000 postings, reversals, spending
and expiries: every account's balance equals the sum of its legs (and its lots), no
holder is below zero, every posting balances.

The sequence is drawn from a seeded generator (``SHANGQUAN_PROPERTY_SEED`` picks another;
the seed is in the failure message), through the real services, so it also proves that
every refusal (not enough points, a second reversal) leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import os
import random

import pytest
from django.db import connection
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.errors import Conflict
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory
from shangquan.points import selectors
from shangquan.points.models import HOLDER_KINDS, Account, Lot, Posting
from shangquan.points.services import ledger, shop

from .factories import bonus_rule, item_factory

pytestmark = pytest.mark.django_db

STEPS = int(os.environ.get("SHANGQUAN_PROPERTY_STEPS", "10000"))


def test_the_audit_holds_after_ten_thousand_random_movements(north, settings):
    settings.SHANGQUAN_AUDIT_STRICT = True
    seed = int(os.environ.get("SHANGQUAN_PROPERTY_SEED", "14"))
    rng = random.Random(seed)
    district = north.district
    committee = north.people[Role.COMMITTEE]
    people = [member_factory(district, Role.RESIDENT, username=f"prop-{i}") for i in range(12)]
    bonus_rule(district)
    item = item_factory(district, price=7, stock=10**5, limit_per_month=10**2)
    accounts = [ledger.account_for(district=district, user=p) for p in people]
    today = timezone.localdate()
    open_holds, refused, counts = [], 0, {}
    postings_before = Posting.objects.filter(district=district).count()
    n = 0
    while Posting.objects.filter(district=district).count() - postings_before < STEPS:
        n += 1
        op = rng.choices(["earn", "spend", "reverse", "reserve", "release", "expire"],
                         weights=[40, 15, 12, 15, 12, 6])[0]
        person = rng.randrange(len(people))
        try:
            if op == "earn":
                ledger.award_post(actor=SYSTEM, district=district, rule_code="test_bonus",
                                  source_type="prop", source_id=f"{n}",
                                  user=people[person], quantity=rng.randint(1, 60), today=today)
            elif op == "spend":
                ledger.adjustment_request(actor=committee, account=accounts[person],
                                          amount=-rng.randint(1, 80), reason="随机扣减")
            elif op == "reverse":
                last = (Posting.objects.filter(district=district, kind__in=["earn", "adjust"],
                                               reversed_by__isnull=True)
                        .order_by("-id").values_list("pk", flat=True)[:30])
                if last:
                    posting = Posting.objects.get(pk=rng.choice(list(last)))
                    ledger.posting_reverse(actor=committee, posting=posting, reason="随机冲正")
            elif op == "reserve":
                open_holds.append(shop.redemption_reserve(actor=people[person], item=item))
            elif op == "release" and open_holds:
                redemption = open_holds.pop(rng.randrange(len(open_holds)))
                if rng.random() < 0.5:
                    shop.redemption_cancel(actor=redemption.user, redemption=redemption)
                else:
                    shop.redemption_fulfil(actor=committee, district=district,
                                           code=redemption.code)
            elif op == "expire":
                # time passes: some lots reach their date and expire
                today += dt.timedelta(days=rng.randint(1, 40))
                Lot.objects.filter(district=district, remaining__gt=0,
                                   pk__in=list(Lot.objects.filter(district=district,
                                                                  remaining__gt=0)
                                               .order_by("?").values_list("pk", flat=True)[:3]))\
                    .update(expires_on=today)
                ledger.lots_expire(today=today, district=district)
            counts[op] = counts.get(op, 0) + 1
        except Conflict:
            refused += 1  # not enough points, already reversed …: nothing may be left behind
    result = selectors.ledger_check(district=district)
    assert result.ok, f"seed {seed}: {result.problems[:5]}"
    assert result.postings - postings_before >= STEPS
    assert not Account.objects.filter(district=district, kind__in=HOLDER_KINDS,
                                      balance__lt=0).exists()
    assert refused > 0 and counts.get("expire", 0) > 0 and counts.get("reverse", 0) > 0, counts
    assert ledger.ledger_audit()[district.code] is True
    assert connection.vendor in ("sqlite", "postgresql")
