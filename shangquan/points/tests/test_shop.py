"""积分超市: reservations hold points and stock, a code works once, expiry releases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core.errors import Conflict, NotFound, PermissionDenied
from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.points import selectors
from shangquan.points.models import AccountKind, Eligibility, Item, Redemption
from shangquan.points.services import ledger, shop

from .factories import earn, item_factory

pytestmark = pytest.mark.django_db


def test_reserve_holds_points_and_stock_and_the_merchant_fulfils_by_code(north):
    resident = north.people[Role.RESIDENT]
    merchant = merchant_factory(north.district, owner=north.people[Role.MERCHANT])
    item = item_factory(north.district, kind=Item.Kind.SERVICE, name="健康体检",
                        merchant=merchant, price=200, daily_capacity=2)
    earn(north.district, resident, 250)
    redemption = shop.redemption_reserve(actor=resident, item=item)
    assert redemption.status == "reserved" and len(redemption.code) == 8
    account = selectors.account_mine(user=resident, district=north.district)
    assert account.balance == 50
    escrow = ledger._system_account(north.district, AccountKind.ESCROW)
    assert escrow.balance == 200
    assert redemption.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)

    # another merchant's staff may not fulfil it
    other_owner = north.people[Role.GRID_LEADER]
    with pytest.raises(PermissionDenied):
        shop.redemption_fulfil(actor=other_owner, district=north.district, code=redemption.code)
    done = shop.redemption_fulfil(actor=north.people[Role.MERCHANT], district=north.district,
                                  code=f" {redemption.code[:4]} {redemption.code[4:]} ")
    assert done.status == "fulfilled"
    with pytest.raises(Conflict) as exc:
        shop.redemption_fulfil(actor=north.people[Role.MERCHANT], district=north.district,
                               code=redemption.code)
    assert exc.value.code == "code_used"
    merchant_account = ledger.account_for(district=north.district, merchant=merchant)
    assert merchant_account.balance == 200
    month = timezone.localdate().strftime("%Y-%m")
    statement = selectors.settlement(district=north.district, merchant=merchant, month=month)
    assert statement["services"] == 1 and statement["points"] == 200
    assert selectors.ledger_check(district=north.district).ok


def test_unknown_code_and_other_districts_code_are_refused(north, south):
    resident = north.people[Role.RESIDENT]
    item = item_factory(north.district, price=10)
    earn(north.district, resident, 10)
    redemption = shop.redemption_reserve(actor=resident, item=item)
    with pytest.raises(NotFound) as exc:
        shop.redemption_fulfil(actor=south.people[Role.COMMITTEE], district=south.district,
                               code=redemption.code)
    assert exc.value.code == "unknown_code"
    with pytest.raises(NotFound):
        shop.redemption_fulfil(actor=north.people[Role.COMMITTEE], district=north.district,
                               code="00000000" if redemption.code != "00000000" else "11111111")


def test_refused_reservations_hold_nothing(north):
    resident = north.people[Role.RESIDENT]
    item = item_factory(north.district, price=100, stock=1, limit_per_month=1)
    earn(north.district, resident, 50)
    with pytest.raises(Conflict) as exc:
        shop.redemption_reserve(actor=resident, item=item)
    assert exc.value.code == "insufficient_points"
    item.refresh_from_db()
    assert item.stock == 1
    assert not Redemption.objects.exists()
    earn(north.district, resident, 200)
    shop.redemption_reserve(actor=resident, item=item)
    with pytest.raises(Conflict) as exc:
        shop.redemption_reserve(actor=resident, item=item)
    assert exc.value.code == "limit_reached"
    other = item_factory(north.district, price=10, stock=1, limit_per_month=5)
    shop.redemption_reserve(actor=resident, item=other)
    with pytest.raises(Conflict) as exc:
        shop.redemption_reserve(actor=resident, item=other)
    assert exc.value.code == "out_of_stock"
    assert selectors.account_mine(user=resident, district=north.district).balance == 250 - 110


def test_eligibility_is_checked(north):
    item = item_factory(north.district, price=10, eligibility=Eligibility.VOLUNTEERS)
    earn(north.district, north.people[Role.RESIDENT], 10)
    with pytest.raises(PermissionDenied) as exc:
        shop.redemption_reserve(actor=north.people[Role.RESIDENT], item=item)
    assert exc.value.code == "not_eligible"
    earn(north.district, north.people[Role.VOLUNTEER], 10)
    assert shop.redemption_reserve(actor=north.people[Role.VOLUNTEER], item=item)


def test_cancel_and_expiry_release_points_stock_and_the_same_lots(north):
    resident = north.people[Role.RESIDENT]
    item = item_factory(north.district, price=40, stock=2, limit_per_month=5)
    earn(north.district, resident, 100)
    first = shop.redemption_reserve(actor=resident, item=item)
    shop.redemption_cancel(actor=resident, redemption=first)
    second = shop.redemption_reserve(actor=resident, item=item)
    assert shop.redemptions_expire(now=second.expires_at + dt.timedelta(seconds=1)) == 1
    assert shop.redemptions_expire(now=second.expires_at + dt.timedelta(seconds=1)) == 0
    second.refresh_from_db()
    assert second.status == "expired"
    with pytest.raises(Conflict) as exc:
        shop.redemption_fulfil(actor=north.people[Role.COMMITTEE], district=north.district,
                               code=second.code)
    assert exc.value.code == "reservation_expired"
    item.refresh_from_db()
    assert item.stock == 2
    account = selectors.account_mine(user=resident, district=north.district)
    assert account.balance == 100
    assert sum(lot.remaining for lot in account.lots.all()) == 100
    assert selectors.ledger_check(district=north.district).ok


def test_a_retried_reservation_with_the_same_key_returns_the_first(north):
    resident = north.people[Role.RESIDENT]
    item = item_factory(north.district, price=10, limit_per_month=5)
    earn(north.district, resident, 100)
    a = shop.redemption_reserve(actor=resident, item=item, key="k1")
    b = shop.redemption_reserve(actor=resident, item=item, key="k1")
    assert a.pk == b.pk
    assert selectors.account_mine(user=resident, district=north.district).balance == 90


def test_service_places_per_day(north):
    item = item_factory(north.district, kind=Item.Kind.SERVICE, price=10, daily_capacity=1,
                        limit_per_month=5)
    for role in (Role.RESIDENT, Role.VOLUNTEER):
        earn(north.district, north.people[role], 10)
    shop.redemption_reserve(actor=north.people[Role.RESIDENT], item=item)
    with pytest.raises(Conflict) as exc:
        shop.redemption_reserve(actor=north.people[Role.VOLUNTEER], item=item)
    assert exc.value.code == "out_of_stock"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert shop.redemption_reserve(actor=north.people[Role.VOLUNTEER], item=item,
                                   for_date=tomorrow)
