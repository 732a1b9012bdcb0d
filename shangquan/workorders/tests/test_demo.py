from __future__ import annotations

import random

import pytest

from shangquan.core.demo import DISTRICTS, DemoContext
from shangquan.core.roles import Role
from shangquan.core.tests.factories import department_factory, member_factory
from shangquan.workorders import demo, rollup
from shangquan.workorders.models import KpiDaily, Status, WorkOrder

pytestmark = pytest.mark.django_db


def _dump(district):
    return sorted((r.day, r.dim, r.key, *(getattr(r, c) for c in KpiDaily.COUNTERS))
                  for r in KpiDaily.objects.filter(district=district)
                  if any(getattr(r, c) for c in KpiDaily.COUNTERS))


def test_demo_load_covers_every_state_and_keeps_kpis_exact(north):
    departments = {code: department_factory(north.district, code, name) for code, name in (
        ("scjg", "市场监管"), ("cgzf", "城管执法"), ("xf", "消防救援"), ("ga", "公安派出所"),
        ("yjgl", "应急管理"), ("zj", "住建"))}
    users = dict(north.people)
    ctx = DemoContext(district=north.district, spec=DISTRICTS[0], rng=random.Random(1),
                      scale=1, users=users, departments=departments,
                      department_users={code: member_factory(north.district, Role.DEPARTMENT,
                                                             department=dept)
                                        for code, dept in departments.items()},
                      progress=lambda m: None, logins=[])
    demo.load(ctx)
    orders = WorkOrder.objects.filter(district=north.district)
    assert orders.count() > 200
    assert set(orders.values_list("status", flat=True)) == set(Status.values)
    numbers = list(orders.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    live = _dump(north.district)
    rollup.rebuild(district=north.district)
    assert _dump(north.district) == live
