"""Periods, scores and merchants for ratings tests, built through the services."""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory, user_factory
from shangquan.merchants import services as merchant_services
from shangquan.merchants.tests.factories import grid_factory, merchant_factory
from shangquan.ratings import services
from shangquan.ratings.models import Period

_seq = itertools.count(1)


def period_factory(persona, *, open_: bool = True, **fields: Any) -> Period:
    committee = persona.people[Role.COMMITTEE]
    fields.setdefault("starts_on", timezone.localdate().replace(day=1))
    if "ends_on" not in fields:
        fields["ends_on"] = None
        fields["starts_on"] = None
    period = services.period_create(actor=committee, district=persona.district, **fields)
    if open_:
        services.period_open(actor=committee, period=period)
    return period


def association_factory(persona, name: str = "永安里商会"):
    return merchant_services.association_create(actor=SYSTEM, district=persona.district,
                                                name=f"{name}{next(_seq)}")


def shops(persona, n: int, *, association=None, grid=None, owner=None) -> list:
    association = association or association_factory(persona)
    grid = grid or grid_factory(persona.district, leader=persona.people[Role.GRID_LEADER])
    return [merchant_factory(persona.district, association=association, grid=grid,
                             owner=owner if i == 0 else None, name=f"鱼巷商户{next(_seq)}")
            for i in range(n)]


def all_dims(period: Period, value: int) -> dict[str, int]:
    return {d["code"]: value for d in period.dimensions}


def resident(persona, i: int):
    """A resident with a verified phone (a Profile phone), unique per ``i``."""
    return user_factory(f"res{persona.district.code}{i}{next(_seq)}",
                        phone=f"1390{ord(persona.district.code[0]) % 10}{next(_seq):06d}")


def second_staff(persona, role: str):
    return member_factory(persona.district, role)


def ratings_budget_seed(persona, n: int, tag: str) -> None:
    """Rows for the query-budget test (core/tests/test_query_budgets.py): a published
    period with results, flags, an appeal and a re-rating, a title, outdoor zones and
    checks, and a period being scored. ``tag`` keeps the periods apart when seeded twice."""
    from shangquan.merchants.models import Merchant
    from shangquan.ratings.models import Result, TitleKind

    district, people = persona.district, persona.people
    committee = people[Role.COMMITTEE]
    year = 2020 - (ord(tag[0]) - ord("A")) * 3
    # this seed's merchants (each seeding adds ``n`` new ones)
    merchants = list(Merchant.objects.filter(district=district).order_by("-pk")[:n])[::-1]
    done = period_factory(persona, starts_on=timezone.datetime(year, 1, 1).date(),
                          ends_on=timezone.datetime(year, 3, 31).date())
    for i, merchant in enumerate(merchants[:8]):
        services.score_record(actor=people[Role.ASSOCIATION], period=done, merchant=merchant,
                              scores=all_dims(done, 70 + 3 * i))
        services.score_record(actor=people[Role.COMMUNITY], period=done, merchant=merchant,
                              scores=all_dims(done, 75 + 2 * i))
    services.period_close(actor=committee, period=done)
    # More appeals and re-ratings than one page of 5, so the page-size check means something:
    # the merchant persona runs the eight scored shops of this seed.
    Merchant.objects.filter(pk__in=[m.pk for m in merchants[:8]]).update(
        owner=people[Role.MERCHANT])
    for merchant in merchants[:8]:
        result = Result.objects.get(period=done, merchant=merchant)
        services.result_reply(actor=people[Role.MERCHANT], result=result, text="已整改")
        services.appeal_file(actor=people[Role.MERCHANT], result=result, reason="请复核")
        services.rerating_request(actor=people[Role.MERCHANT], result=result, note="已整改")
    services.period_publish(actor=committee, period=done, force=True)
    kind = TitleKind.objects.filter(district=district).first()
    for merchant in merchants[:6] if kind else []:
        title = services.title_propose(actor=committee, district=district, merchant=merchant,
                                       kind=kind)
        services.title_transition(actor=committee, title=title, action="list")
    for merchant in merchants[:6]:
        services.outdoor_zone_save(actor=committee, merchant=merchant, area_m2="6")
        services.outdoor_check_record(actor=committee, merchant=merchant,
                                      items={"area": 9, "passage": 9, "tidy": 8, "hours": 10})
    # Five more quarters (one being scored), so the periods list is longer than a page.
    for k in range(5):
        first = timezone.datetime(year + 1 + k // 4, 1 + 3 * (k % 4), 1)
        period_factory(persona, open_=k == 0, starts_on=first.date(),
                       ends_on=(first + timezone.timedelta(days=80)).date())
