"""Committee proposes grids from locations, adjusts them, every shop in exactly one grid."""

from decimal import Decimal

import pytest

from shangquan.core.actors import SYSTEM
from shangquan.core.errors import PermissionDenied, ValidationFailed
from shangquan.core.roles import Role
from shangquan.merchants import grids
from shangquan.merchants.models import Grid, Merchant

from .factories import merchant_factory

pytestmark = pytest.mark.django_db


def street(district, n=47):
    """Two rows of stalls facing each other along a night-market street, built out of order."""
    merchants = []
    for i in reversed(range(n)):
        merchants.append(merchant_factory(
            district, name=f"摊位{i:02d}", stall_no=f"A{i:02d}",
            latitude=Decimal("41.119000") + Decimal(i // 2) * Decimal("0.000150"),
            longitude=Decimal("121.147000") + Decimal(i % 2) * Decimal("0.000080")))
    return merchants


def test_proposal_is_balanced_neighbourly_and_deterministic(north):
    street(north.district)
    proposal = grids.grids_propose(district=north.district, size=10)
    sizes = [len(p.merchant_ids) for p in proposal]
    assert len(proposal) == 5 and max(sizes) - min(sizes) <= 1 and sum(sizes) == 47
    ids = [i for p in proposal for i in p.merchant_ids]
    assert len(ids) == len(set(ids)) == 47
    # Neighbours stay together: each grid covers a short stretch of the street.
    for p in proposal:
        stalls = sorted(int(Merchant.objects.get(pk=i).stall_no[1:]) // 2
                        for i in p.merchant_ids)
        assert stalls[-1] - stalls[0] <= 8, stalls
    again = grids.grids_propose(district=north.district, size=10)
    assert [p.merchant_ids for p in again] == [p.merchant_ids for p in proposal]


def test_apply_then_adjust_by_hand(north):
    street(north.district, 30)
    actor = north.people[Role.COMMITTEE]
    created = grids.grids_apply(actor=actor, district=north.district,
                                proposal=grids.grids_propose(district=north.district))
    assert len(created) == 3
    assert not Merchant.objects.filter(district=north.district, grid__isnull=True).exists()
    first, second = created[0], created[1]
    grids.grid_update(actor=actor, grid=first, leader_name="刘邻铺长",
                      public_contact="夜市服务台 0416-2345678",
                      leader=north.people[Role.GRID_LEADER])
    contact = grids.grid_contact_add(actor=actor, grid=first, kind="fire", name="凌河消防站",
                                     phone="0416-119119")
    assert contact.phone == "0416119119"
    moving = second.merchants.first()
    grids.grid_assign(actor=actor, grid=first, merchants=[moving])
    moving.refresh_from_db()
    assert moving.grid == first
    # Re-applying keeps grid names (and their leaders) and still covers every shop once.
    grids.grids_apply(actor=actor, district=north.district,
                      proposal=grids.grids_propose(district=north.district))
    first.refresh_from_db()
    assert first.leader_name == "刘邻铺长"
    assert Merchant.objects.filter(district=north.district, grid__isnull=True).count() == 0
    # A new shop joins the nearest grid.
    newcomer = merchant_factory(north.district, latitude=Decimal("41.119000"),
                                longitude=Decimal("121.147000"))
    assert newcomer.grid is not None
    with pytest.raises(PermissionDenied):
        grids.grid_update(actor=north.people[Role.MERCHANT], grid=first, name="x")
    with pytest.raises(ValidationFailed):
        grids.grids_propose(district=north.district, size=1)


def test_shops_without_coordinates_are_grouped_too(north):
    for i in range(12):
        merchant_factory(north.district, address="国潮街", stall_no=f"{i:02d}")
    proposal = grids.grids_propose(district=north.district, size=6)
    assert [len(p.merchant_ids) for p in proposal] == [6, 6]
    grids.grids_apply(actor=SYSTEM, district=north.district, proposal=proposal)
    assert Grid.objects.filter(district=north.district).count() == 2
