"""Searchable pickers: one JSON search endpoint per source, district-scoped (another
district's code answers 404, its rows never appear); the grid page's 调入商户 uses it, by
keyboard, with the merchant's grid named."""

from __future__ import annotations

import pytest

from shangquan.core.roles import Role
from shangquan.merchants.models import Merchant
from shangquan.merchants.tests.factories import grid_factory, merchant_factory

pytestmark = pytest.mark.django_db


def test_search_is_district_scoped(client, north, south):
    grid = grid_factory(north.district, name="东一网格")
    merchant_factory(north.district, name="王记烧烤", stall_no="A-01", grid=grid)
    merchant_factory(south.district, name="王记南店")
    client.force_login(north.people[Role.COMMITTEE])
    found = client.get(f"/console/{north.district.code}/pick/merchant/", {"q": "王记"}).json()
    labels = [r["label"] for r in found["results"]]
    assert labels == ["王记烧烤"] and "东一网格" in found["results"][0]["hint"]
    assert client.get(f"/console/{south.district.code}/pick/merchant/",
                      {"q": "王记"}).status_code == 404
    assert client.get(f"/console/{north.district.code}/pick/nope/").status_code == 404
    depts = client.get(f"/console/{north.district.code}/pick/department/", {"q": "城管"}).json()
    assert [r["label"] for r in depts["results"]] == ["城管执法"]
    people = client.get(f"/console/{north.district.code}/pick/user/", {"q": "north-grid"}).json()
    assert people["results"] and all("south" not in r["hint"] for r in people["results"])
    # Bounded: a district with many shops answers a page, not all of them.
    for i in range(30):
        merchant_factory(north.district, name=f"批量店{i:02d}")
    many = client.get(f"/console/{north.district.code}/pick/merchant/", {"q": "批量"}).json()
    assert len(many["results"]) == 20


def test_residents_get_no_people(client, north):
    client.force_login(north.people[Role.RESIDENT])
    answer = client.get(f"/console/{north.district.code}/pick/user/", {"q": "north"})
    assert answer.status_code in (200, 403, 404)
    if answer.status_code == 200:
        assert answer.json()["results"] == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_grid_page_moves_a_merchant_by_keyboard(live_server, desktop_page, north, login_page,
                                                assert_accessible):
    grid = grid_factory(north.district, name="东一网格")
    other = grid_factory(north.district, name="西二网格")
    shop = merchant_factory(north.district, name="马记小炒", stall_no="B-07", grid=other)
    page = desktop_page
    login_page(page, live_server, north.people[Role.COMMITTEE])
    page.goto(f"{live_server.url}/console/{north.district.code}/grids/{grid.pk}/")
    page.locator("#mv").fill("马记")
    page.wait_for_selector("#mv-list [role=option]")
    assert "西二网格" in page.inner_text("#mv-list")
    assert_accessible(page)
    page.locator("#mv").press("ArrowDown")
    page.locator("#mv").press("Enter")
    assert page.input_value("#mv") == "马记小炒"
    page.get_by_role("button", name="调入").click()
    page.wait_for_load_state("networkidle")
    assert Merchant.objects.get(pk=shop.pk).grid_id == grid.pk
