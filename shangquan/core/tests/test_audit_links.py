"""Audit rows link to the object they are about (the model's ``AUDIT_URL``), in the
district the log is read in; rows about many objects or unknown models link nowhere."""

import pytest

from shangquan.core.roles import Role
from shangquan.merchants.tests.factories import merchant_factory
from shangquan.workorders.tests.factories import order_factory

pytestmark = pytest.mark.django_db


def test_audit_rows_link_to_their_objects(client, north):
    committee = north.people[Role.COMMITTEE]
    merchant = merchant_factory(north.district, name="马记小炒", actor=committee)
    order = order_factory(north)
    client.force_login(committee)
    code = north.district.code
    page = client.get(f"/console/{code}/audit/").content.decode()
    assert f'href="/console/{code}/merchants/{merchant.pk}/"' in page
    assert f'href="/console/{code}/workorders/{order.pk}/"' in page
    # The linked page opens for the reader.
    assert client.get(f"/console/{code}/merchants/{merchant.pk}/").status_code == 200
    # A seed row about every category ("*") has no link.
    assert 'workorders/categories/*' not in page
    home = client.get(f"/console/{code}/").content.decode()
    assert f'href="/console/{code}/workorders/{order.pk}/"' in home
