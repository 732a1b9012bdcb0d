"""PIPL art. 47: erasing a person blanks their copies in merchants (a shop's contact, a
grid contact, a grid leader's name); the shops and grids stay."""

from __future__ import annotations

import pytest

from shangquan.core import services as core_services
from shangquan.core.models import AuditLog
from shangquan.core.tests.factories import user_factory
from shangquan.merchants.models import Grid, GridContact, Merchant

from .factories import grid_factory, merchant_factory

pytestmark = pytest.mark.django_db


def test_erasure_blanks_shop_contacts_grid_contacts_and_leader_names(north, south, city_admin):
    person = user_factory("wangfang", phone="13600001234")
    owned = merchant_factory(north.district, owner=person, contact_name="王芳",
                             phone="13600001234")
    by_phone = merchant_factory(south.district, contact_name="王芳", phone="13600001234")
    other = merchant_factory(north.district, contact_name="赵六", phone="13600009999")
    grid = grid_factory(north.district)
    Grid.objects.filter(pk=grid.pk).update(leader=person, leader_name="王芳")
    contact = GridContact.objects.create(district=north.district, grid=grid, kind="property",
                                         name="王芳", phone="13600001234")
    kept = GridContact.objects.create(district=north.district, grid=grid, kind="fire",
                                      name="消防站", phone="119")
    core_services.resident_erase(actor=city_admin, user=person, reason="本人申请删除个人信息")
    for shop in (owned, by_phone):
        shop = Merchant.objects.get(pk=shop.pk)
        assert (shop.contact_name, shop.phone) == ("", "")
        assert shop.name and shop.licence_no  # the shop's record stays
    assert Merchant.objects.get(pk=other.pk).phone == "13600009999"
    assert Grid.objects.get(pk=grid.pk).leader_name == ""
    contact.refresh_from_db()
    assert (contact.name, contact.phone) == ("（已注销）", "")
    assert GridContact.objects.get(pk=kept.pk).phone == "119"
    rows = {r.district_id: r.after for r in AuditLog.objects.filter(
        action="merchants.person.erase")}
    assert rows == {north.district.pk: {"merchants": 1, "grid_contacts": 1, "grids": 1},
                    south.district.pk: {"merchants": 1, "grid_contacts": 0, "grids": 0}}
