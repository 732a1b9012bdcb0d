import pytest

from shangquan.core.errors import Conflict, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.merchants import services
from shangquan.merchants.models import Merchant
from shangquan.org.tests.factories import party_member_factory

from .factories import grid_factory, licence_for, merchant_factory

pytestmark = pytest.mark.django_db


def test_create_validates_and_normalises(north):
    actor = north.people[Role.COMMITTEE]
    merchant = services.merchant_create(
        actor=actor, district=north.district, name=" 老锦州烧烤 ", licence_no=licence_for(9001),
        category="烧烤", phone="0416-1234567", outdoor_area="6.5", latitude="41.119",
        longitude="121.147", opening_hours="17:00–次日01:00")
    assert merchant.name == "老锦州烧烤" and merchant.phone == "04161234567"
    assert str(merchant.outdoor_area) == "6.50"
    assert AuditLog.objects.filter(action="merchants.merchant.create", object_id=str(merchant.pk)).exists()
    with pytest.raises(ValidationFailed) as exc:
        services.merchant_create(actor=actor, district=north.district, name="", licence_no="123",
                                 category="", phone="abc", outdoor_area="-1")
    assert set(exc.value.details) == {"name", "licence_no", "category", "phone", "outdoor_area"}
    with pytest.raises(Conflict):
        services.merchant_create(actor=actor, district=north.district, name="重复",
                                 licence_no=licence_for(9001), category="烧烤")
    with pytest.raises(PermissionDenied):
        services.merchant_create(actor=north.people[Role.RESIDENT], district=north.district,
                                 name="x", licence_no=licence_for(9002), category="x")


def test_same_licence_allowed_in_another_district(north, south):
    merchant_factory(north.district, licence_no=licence_for(9100))
    merchant_factory(south.district, licence_no=licence_for(9100))


def test_party_member_link_and_badge(north):
    member = party_member_factory(north.district, name="王大姐")
    merchant = merchant_factory(north.district, party_member=member.pk)
    assert merchant.is_party_member and merchant.party_badge == Merchant.PartyBadge.SHOP
    assert list(member.merchants.all()) == [merchant]
    updated = services.merchant_update(actor=north.people[Role.COMMITTEE], merchant=merchant,
                                       party_member=None, is_party_member=False)
    assert updated.party_badge == "" and not updated.is_party_member


def test_owner_edits_own_hours_only(north):
    owner = north.people[Role.MERCHANT]
    merchant = merchant_factory(north.district, owner=owner)
    assert merchant.staff.get().role == "owner"
    services.merchant_update(actor=owner, merchant=merchant, opening_hours="10:00-22:00",
                             commit_promise="不缺斤少两")
    merchant.refresh_from_db()
    assert merchant.opening_hours == "10:00-22:00"
    with pytest.raises(PermissionDenied):
        services.merchant_update(actor=owner, merchant=merchant, name="改名")
    other = merchant_factory(north.district)
    with pytest.raises(PermissionDenied):
        services.merchant_update(actor=owner, merchant=other, opening_hours="x")


def test_grid_from_another_district_is_refused(north, south):
    foreign = grid_factory(south.district)
    with pytest.raises(ValidationFailed):
        merchant_factory(north.district, grid=foreign)


def test_deregistered_is_final(north):
    merchant = merchant_factory(north.district)
    actor = north.people[Role.COMMITTEE]
    services.merchant_status_set(actor=actor, merchant=merchant, status="deregistered",
                                 reason="注销登记")
    with pytest.raises(Conflict):
        services.merchant_status_set(actor=actor, merchant=merchant, status="open", reason="x")
