"""The demo loader builds past campaigns with orders in every state, once."""

from __future__ import annotations

import random

import pytest

from shangquan.core.demo import DISTRICTS, DemoContext
from shangquan.core.roles import Role
from shangquan.core.tests.factories import department_factory, member_factory
from shangquan.inspections import demo
from shangquan.inspections.models import Campaign, Finding, Inspection, Rectification

from .factories import grid_factory, merchant_factory

pytestmark = pytest.mark.django_db


def test_demo_has_a_past_spring_festival_campaign(north):
    d = north.district
    departments, dept_users = {}, {}
    for code, name in (("scjg", "市场监管"), ("cgzf", "城管执法"), ("xf", "消防救援"),
                       ("yjgl", "应急管理")):
        departments[code] = department_factory(d, code, name)
        dept_users[code] = member_factory(d, Role.DEPARTMENT, department=departments[code])
    for g in range(3):
        grid = grid_factory(d, name=f"十邻铺{g}")
        for _n in range(6):
            merchant_factory(d, grid=grid, category="小吃")
    merchant_factory(d, owner=north.people[Role.MERCHANT], category="小吃")
    ctx = DemoContext(district=d, spec=DISTRICTS[0], rng=random.Random(1), scale=1,
                      users=north.people, departments=departments,
                      department_users=dept_users, progress=lambda m: None, logins=[])
    demo.load(ctx)
    demo.load(ctx)  # re-runnable
    spring = Campaign.objects.get(district=d, holiday="春节", start__year=2026)
    assert spring.status == "closed" and spring.teams.count() == 2
    assert Inspection.objects.filter(campaign=spring, status="completed",
                                     merchant__isnull=False).count() >= 10
    states = set(Rectification.objects.filter(district=d).values_list("status", flat=True))
    assert {"verified", "escalated"} <= states
    assert Campaign.objects.filter(district=d, status="draft").count() == 1
    # the demo merchant has an order to answer and a repeated finding
    mine = Rectification.objects.filter(merchant__owner=north.people[Role.MERCHANT])
    assert mine.filter(status="issued").exists() and mine.filter(status="verified").exists()
    assert Finding.objects.filter(merchant__owner=north.people[Role.MERCHANT],
                                  repeat_of__isnull=False).exists()
    assert Inspection.objects.filter(district=d, status="planned").exists()
