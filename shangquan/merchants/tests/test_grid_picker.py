"""A district with more grids than a form lists gets the searchable grid picker."""

import pytest

from shangquan.core.roles import Role
from shangquan.merchants.views import console

from .factories import grid_factory, merchant_factory

pytestmark = pytest.mark.django_db


def test_few_grids_are_a_select_many_are_the_picker(north, client, monkeypatch):
    code = north.district.code
    grids = [grid_factory(north.district, name=f"第{i}网格") for i in range(3)]
    shop = merchant_factory(north.district, name="王记烧烤", grid=grids[1])
    client.force_login(north.people[Role.COMMITTEE])
    html = client.get(f"/console/{code}/merchants/", {"grid": grids[1].pk}).content.decode()
    assert f'<option value="{grids[1].pk}" selected="selected">第1网格</option>' in html
    assert "data-picker-url" not in html

    monkeypatch.setattr(console, "GRID_SELECT_MAX", 2)
    html = client.get(f"/console/{code}/merchants/", {"grid": grids[1].pk}).content.decode()
    assert "data-picker-url" in html and f'<option value="{grids[0].pk}"' not in html
    assert f'name="grid" value="{grids[1].pk}"' in html and 'value="第1网格"' in html
    assert "王记烧烤" in html and "js/picker" in html
    detail = client.get(f"/console/{code}/merchants/{shop.pk}/").content.decode()
    assert "data-picker-url" in detail and f'name="grid" value="{grids[1].pk}"' in detail
