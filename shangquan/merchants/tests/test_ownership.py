"""One ownership rule for every app: a person linked to a shop as 经营者 (not its owner
account) sees that shop's scales and rectifications, and nobody else's."""

import pytest

from shangquan.core.actors import SYSTEM
from shangquan.core.roles import Role
from shangquan.merchants import policies, services
from shangquan.merchants.models import MerchantStaff
from shangquan.scales.tests.factories import instrument_factory

from .factories import merchant_factory

pytestmark = pytest.mark.django_db


def test_an_operator_sees_its_own_scales_in_every_app(client, north):
    operator = north.people[Role.MERCHANT]
    mine = merchant_factory(north.district, name="经营者的铺子")
    other = merchant_factory(north.district, name="别人的铺子")
    services.merchant_staff_add(actor=SYSTEM, merchant=mine, user=operator,
                                role=MerchantStaff.Role.OWNER)
    assert mine.owner_id != operator.pk  # linked as 经营者 only
    scale = instrument_factory(north.district, mine, serial_no="MINE-0001")
    theirs = instrument_factory(north.district, other, serial_no="THEIRS-0002")
    assert policies.owns_merchant(operator, mine) and not policies.owns_merchant(operator, other)
    assert policies.can_edit_own(operator, mine)
    client.force_login(operator)
    code = north.district.code
    listing = client.get(f"/console/{code}/scales/").content.decode()
    assert "MINE-0001" in listing and "THEIRS-0002" not in listing
    assert client.get(f"/console/{code}/scales/{scale.pk}/").status_code == 200
    assert client.get(f"/console/{code}/scales/{theirs.pk}/").status_code == 404


def test_a_shop_assistant_acts_for_the_shop_but_does_not_edit_it(north):
    assistant = north.people[Role.MERCHANT]
    shop = merchant_factory(north.district)
    services.merchant_staff_add(actor=SYSTEM, merchant=shop, user=assistant)
    assert policies.owns_merchant(assistant, shop)
    assert not policies.can_edit_own(assistant, shop)
    assert list(policies.owned_merchant_ids(assistant, north.district)
                .values_list("pk", flat=True)) == [shop.pk]
