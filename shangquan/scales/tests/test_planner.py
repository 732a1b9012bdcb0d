"""The daily plan: coverage, weighting and reproducibility (pure, no database)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from shangquan.scales import planner as p

DAY = date(2026, 11, 2)


def _pool(n: int, *, seed: int = 1) -> list[p.Candidate]:
    rng = random.Random(seed)
    return [p.Candidate(i, DAY - timedelta(days=rng.randint(1, 6)) if i % 5 else None,
                        failures=rng.choice([0, 0, 0, 1]), complaints=rng.choice([0, 0, 1]))
            for i in range(1, n + 1)]


def test_same_inputs_same_plan_and_digest():
    pool = _pool(40)
    a = p.plan_day(day=DAY, district_code="LHYS", candidates=pool, window_days=7)
    b = p.plan_day(day=DAY, district_code="LHYS", candidates=list(reversed(pool)),
                   window_days=7)
    assert a == b and a.digest == b.digest


def test_the_date_district_and_inputs_change_the_draw():
    pool = [p.Candidate(i, DAY - timedelta(days=1)) for i in range(1, 200)]
    base = p.plan_day(day=DAY, district_code="LHYS", candidates=pool, window_days=7)
    other_day = p.plan_day(day=DAY + timedelta(days=0), district_code="JFB", candidates=pool,
                           window_days=7)
    assert base.digest != other_day.digest
    assert base.instrument_ids != other_day.instrument_ids


def test_due_and_never_checked_are_always_in_even_beyond_the_quota():
    pool = [p.Candidate(i, None) for i in range(1, 11)]
    plan = p.plan_day(day=DAY, district_code="X", candidates=pool, window_days=7, quota=1)
    assert sorted(plan.instrument_ids) == list(range(1, 11))
    assert {item.reason for item in plan.items} == {"never"}


def test_quota_is_enough_to_cover_the_window():
    assert p.daily_quota(count=100, window_days=7) == 15
    assert p.daily_quota(count=100, window_days=7, minimum=20) == 20
    assert p.daily_quota(count=0, window_days=7) == 0


def test_weighting_prefers_failures_and_complaints():
    # Nothing is due; half the pool has a failure and a complaint. Over many days the
    # risky half is drawn far more often.
    risky = {i for i in range(1, 101) if i % 2}
    picks: Counter = Counter()
    for offset in range(60):
        day = DAY + timedelta(days=offset)
        pool = [p.Candidate(i, day - timedelta(days=1), failures=int(i in risky),
                            complaints=int(i in risky)) for i in range(1, 101)]
        plan = p.plan_day(day=day, district_code="X", candidates=pool, window_days=10)
        picks.update("risky" if i in risky else "plain" for i in plan.instrument_ids)
    assert picks["risky"] > 2 * picks["plain"]


def test_every_instrument_within_its_window_over_a_simulated_month():
    """Carry out each day's plan for a month: no gap between checks exceeds the window."""
    window = 7
    rng = random.Random(7)
    last: dict[int, date | None] = {i: None for i in range(1, 151)}
    registered: dict[int, date] = dict.fromkeys(last, DAY)
    checked: dict[int, list[date]] = {i: [] for i in last}
    failures: Counter = Counter()
    for offset in range(31):
        day = DAY + timedelta(days=offset)
        if offset == 10:  # new scales arrive mid-month
            for i in range(151, 171):
                last[i], registered[i], checked[i] = None, day, []
        pool = [p.Candidate(i, last[i], failures[i]) for i in last]
        plan = p.plan_day(day=day, district_code="LHYS", candidates=pool, window_days=window)
        for i in plan.instrument_ids:
            last[i] = day
            checked[i].append(day)
            if rng.random() < 0.05:
                failures[i] += 1
    end = DAY + timedelta(days=30)
    for i, days in checked.items():
        assert days, i
        assert days[0] == registered[i]  # never-checked scales go first
        edges = days + [end]
        assert all((b - a).days <= window for a, b in zip(edges, edges[1:], strict=False)), i


def test_storage_round_trip_reproduces_the_plan():
    pool = _pool(30)
    plan = p.plan_day(day=DAY, district_code="SYG", candidates=pool, window_days=5)
    stored = p.candidates_to_json(pool)
    again = p.plan_day(day=DAY, district_code="SYG", candidates=p.candidates_from_json(stored),
                       window_days=5)
    assert again == plan
    assert [row["instrument"] for row in p.items_to_json(plan.items)] == plan.instrument_ids
