"""Merge candidates in a fixed number of queries, with the rule of ``duplicates_find``.

The console's 疑似重复 page used to run ``duplicates_find`` (settings + a query) for each
of up to 200 waiting orders; it now reads every live order of the window once and
matches in Python. These tests hold it to the per-order rule and to its query count.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import grid_factory, merchant_factory

from .. import selectors, services
from ..models import Status, WorkOrder
from .factories import advance, order_factory

pytestmark = pytest.mark.django_db

PIN = (Decimal("41.119200"), Decimal("121.147700"))


def _at(dlat_m: float) -> dict:
    """A pin ``dlat_m`` metres north of PIN."""
    return {"latitude": PIN[0] + Decimal(str(round(dlat_m / 111_320, 6))),
            "longitude": PIN[1]}


def _mixed_orders(persona, tag: str) -> list[WorkOrder]:
    district = persona.district
    grid = grid_factory(district, name=f"重复测试网格{tag}")
    shop = merchant_factory(district, name=f"重复测试商户{tag}")
    orders = [order_factory(persona, **_at(d)) for d in (0, 20, 40, 60)]  # one cluster
    orders += [order_factory(persona, **_at(d)) for d in (900, 2000)]  # far away
    orders += [order_factory(persona, grid=grid) for _ in range(3)]  # no pin: by grid
    orders += [order_factory(persona, merchant=shop, **_at(d)) for d in (3000, 6000)]
    orders += [order_factory(persona, category_code="noise", **_at(d)) for d in (0, 10)]
    advance(persona, orders[0], "dispatched")  # live, not waiting: a candidate only
    services.work_order_reject(actor=persona.people[Role.COMMITTEE], district=district,
                               order=orders[4], reason="重复测试")  # not live
    old = orders[1]  # outside every window
    WorkOrder.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=30))
    return orders


def _one_by_one(district) -> list[tuple[int, list[int]]]:
    """The former algorithm: ``duplicates_find`` for each waiting order."""
    out = []
    waiting = (WorkOrder.objects.filter(district=district, status=Status.SUBMITTED)
               .select_related("category").order_by("-created_at")[:200])
    for order in waiting:
        earlier = [o.pk for o in selectors.duplicates_find(
            district=district, category=order.category, latitude=order.latitude,
            longitude=order.longitude, merchant_id=order.merchant_id, grid_id=order.grid_id,
            at=order.created_at, exclude_pk=order.pk) if o.created_at <= order.created_at]
        if earlier:
            out.append((order.pk, earlier))
    return out


def test_merge_candidates_follow_the_duplicates_rule(north):
    _mixed_orders(north, "a")
    pairs = selectors.merge_candidates(district=north.district)
    got = [(order.pk, [e.pk for e in earlier]) for order, earlier in pairs]
    assert got == _one_by_one(north.district)
    # the cluster's two waiting ones (the dispatched one is a candidate, the rejected and
    # the month-old ones are not), the grid-only reports, the merchant's far-apart pair,
    # the noise reports
    assert len(got) == 2 + 2 + 1 + 1


def test_merge_candidates_take_the_same_queries_for_more_orders(
        north, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _mixed_orders(north, "a")
    with CaptureQueriesContext(connection) as small:
        found_small = selectors.merge_candidates(district=north.district)
    _mixed_orders(north, "b")
    _mixed_orders(north, "c")
    with django_assert_max_num_queries(len(small.captured_queries)):
        found_large = selectors.merge_candidates(district=north.district)
    # three times the waiting orders, no more queries (before: two more per waiting order)
    assert len(found_large) > len(found_small)
