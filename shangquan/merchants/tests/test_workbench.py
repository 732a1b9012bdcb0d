"""Each role's home shows its own work first: a grid leader sees their 十邻铺, not the
district's counters; the committee keeps the district-wide view."""

import pytest
from django.core.cache import cache

from shangquan.core.roles import Role

from .factories import grid_factory, merchant_factory

pytestmark = pytest.mark.django_db


def _grids(north):
    leader = north.people[Role.GRID_LEADER]
    mine = grid_factory(north.district, name="东一巷十邻铺", leader=leader)
    other = grid_factory(north.district, name="西二巷十邻铺")
    for i in range(3):
        merchant_factory(north.district, name=f"东一巷{i}号", grid=mine)
    merchant_factory(north.district, name="西二巷1号", grid=other)
    return leader, mine, other


def test_grid_leader_home_shows_only_their_grid(client, north):
    leader, mine, _other = _grids(north)
    cache.clear()
    client.force_login(leader)
    page = client.get(f"/console/{north.district.code}/").content.decode()
    stats = page[page.index('class="stats"'):page.index("</ul>", page.index('class="stats"'))]
    assert "我的十邻铺：东一巷十邻铺" in stats and f"?grid={mine.pk}" in stats
    assert "西二巷" not in stats
    for district_wide in ("营业商户", "党员商户", "十邻铺网格", "成员", "待整改隐患"):
        assert district_wide not in stats, district_wide


def test_committee_keeps_the_district_view(client, north):
    _grids(north)
    cache.clear()
    client.force_login(north.people[Role.COMMITTEE])
    page = client.get(f"/console/{north.district.code}/").content.decode()
    assert "营业商户" in page and "待派单" in page and "我的十邻铺" not in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_grid_leader_home_on_a_phone(live_server, phone_page, north, login_page,
                                     assert_accessible):
    leader, mine, _other = _grids(north)
    cache.clear()
    login_page(phone_page, live_server, leader)
    phone_page.goto(f"{live_server.url}/console/{north.district.code}/")
    stats = phone_page.locator(".stats").inner_text()
    assert "我的十邻铺：东一巷十邻铺" in stats and "3" in stats
    assert "西二巷" not in stats and "营业商户" not in stats
    assert_accessible(phone_page)
    phone_page.get_by_role("link", name="我的十邻铺：东一巷十邻铺").click()
    body = phone_page.inner_text("main")
    assert "东一巷0号" in body and "西二巷1号" not in body
