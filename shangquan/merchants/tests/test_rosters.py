import datetime as dt
from collections import Counter

import pytest

from shangquan.core.actors import SYSTEM
from shangquan.core.errors import Conflict, PermissionDenied
from shangquan.core.roles import Role
from shangquan.merchants import rosters, selectors

from .factories import grid_factory, merchant_factory

pytestmark = pytest.mark.django_db
MON = dt.date(2026, 11, 2)  # a Monday


def test_fair_rotation_skips_closed_days(north):
    grid = grid_factory(north.district, leader=north.people[Role.GRID_LEADER])
    shops = [merchant_factory(north.district, grid=grid, stall_no=f"{i:02d}") for i in range(7)]
    merchant_factory(north.district, grid=grid, status="suspended")  # not on duty
    roster = rosters.roster_generate(actor=north.people[Role.GRID_LEADER], district=north.district,
                                     title="十一月值守", grid=grid, starts_on=MON,
                                     ends_on=MON + dt.timedelta(days=29), closed_weekdays=[0],
                                     closed_dates=[dt.date(2026, 11, 11)])
    days = [a.date for a in roster.assignments.all()]
    assert all(d.weekday() != 0 for d in days) and dt.date(2026, 11, 11) not in days
    assert len(days) == 30 - 5 - 1
    counts = Counter(a.merchant_id for a in roster.assignments.all())
    assert set(counts) == {s.pk for s in shops}
    assert max(counts.values()) - min(counts.values()) <= 1


def test_swaps_are_honoured_and_keep_fairness(north):
    shops = [merchant_factory(north.district, stall_no=f"{i:02d}") for i in range(4)]
    actor = north.people[Role.COMMITTEE]
    roster = rosters.roster_generate(actor=actor, district=north.district, title="全街区",
                                     starts_on=MON, ends_on=MON + dt.timedelta(days=13))
    before = Counter(a.merchant_id for a in roster.assignments.all())
    duty = roster.assignments.order_by("date")[2]
    owner_shop = duty.merchant
    rosters.duty_swap_request(actor=actor, roster=roster, merchant=owner_shop, date=duty.date,
                              reason="家中有事")
    after = {a.date: a.merchant_id for a in roster.assignments.all()}
    assert after[duty.date] != owner_shop.pk
    assert Counter(after.values()) == before
    # A named partner: they take the day, the asker takes the partner's nearest turn.
    target = roster.assignments.order_by("date")[5]
    partner = next(s for s in shops if s.pk not in (target.merchant_id,))
    rosters.duty_swap_request(actor=actor, roster=roster, merchant=target.merchant,
                              date=target.date, partner=partner)
    final = {a.date: a.merchant_id for a in roster.assignments.all()}
    assert final[target.date] == partner.pk
    assert final[duty.date] != owner_shop.pk  # the earlier swap still holds
    assert Counter(final.values()) == before
    with pytest.raises(Conflict):
        rosters.duty_swap_request(actor=actor, roster=roster, merchant=target.merchant,
                                  date=target.date)


def test_today_steward_and_grid_leader_limits(north):
    grid = grid_factory(north.district)
    shop = merchant_factory(north.district, grid=grid, name="今日管家")
    with pytest.raises(PermissionDenied):  # not this leader's grid
        rosters.roster_generate(actor=north.people[Role.GRID_LEADER], district=north.district,
                                title="x", grid=grid, starts_on=MON, ends_on=MON)
    from django.utils import timezone

    today = timezone.localdate()
    rosters.roster_generate(actor=north.people[Role.COMMITTEE], district=north.district,
                            title="今天", grid=grid, starts_on=today, ends_on=today)
    assert selectors.steward_today(district=north.district, grid=grid).merchant == shop


def test_rosters_continue_fairly(north):
    shops = [merchant_factory(north.district, stall_no=f"{i:02d}") for i in range(3)]
    first = rosters.roster_generate(actor=SYSTEM, district=north.district, title="十一月",
                                    starts_on=MON, ends_on=MON + dt.timedelta(days=3))
    last = first.assignments.order_by("-date").first().merchant_id
    assert rosters.rosters_extend(today=MON + dt.timedelta(days=1), length=6) == 1
    follow = rosters.DutyRoster.objects.exclude(pk=first.pk).get()
    assert follow.starts_on == MON + dt.timedelta(days=4)
    opening = follow.assignments.order_by("date").first().merchant_id
    ids = [s.pk for s in sorted(shops, key=lambda s: s.stall_no)]
    assert opening == ids[(ids.index(last) + 1) % 3]  # the turn passes on
    assert rosters.rosters_extend(today=MON + dt.timedelta(days=1), length=6) == 0
