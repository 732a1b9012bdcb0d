"""Each role's home shows its own work first: the resident's 我的 page (my reports, the
reports I joined, my points, my events), the committee's queue, the street's districts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shangquan.core import services
from shangquan.core.actors import SYSTEM
from shangquan.core.models import Profile
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory
from shangquan.workorders import metoo
from shangquan.workorders.tests.factories import advance, order_factory

pytestmark = pytest.mark.django_db


def test_resident_home_shows_my_things_only(client, north, south):
    resident = north.people[Role.RESIDENT]
    mine = order_factory(north)
    advance(north, order_factory(north), "resolved")
    theirs = order_factory(north, actor=north.people[Role.VOLUNTEER])
    order_factory(south, description="南街的问题")  # another district's: never here
    Profile.objects.filter(user=resident).update(phone_verified_at=timezone.now())
    resident.refresh_from_db()
    metoo.metoo_add(actor=resident, district=north.district, order=theirs)
    url = f"/d/{north.district.code}/me/"
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(resident)
    page = client.get(url).content.decode()
    for words in ("我的反映", "1 件待评价", mine.number, "我也遇到的问题", theirs.number,
                  "我的积分", "我报名的活动"):
        assert words in page, words
    assert "南街的问题" not in page and "大家反映的问题" not in page  # only mine
    assert client.get("/d/NOPE/me/").status_code == 404
    # The district home links to it once signed in.
    assert f'href="{url}"' in client.get(f"/d/{north.district.code}/").content.decode()


def test_committee_home_puts_the_queue_first(client, north):
    order_factory(north)
    client.force_login(north.people[Role.COMMITTEE])
    page = client.get(f"/console/{north.district.code}/").content.decode()
    assert "现在需要处理" in page
    queue = page[page.index("现在需要处理"):page.index("</section>", page.index("现在需要处理"))]
    assert "待派单" in queue and "成员" not in queue  # counters come after the queue


def test_street_home_lists_its_districts(client, north, south):
    street = north.people[Role.STREET]
    services.membership_grant(actor=SYSTEM, district=south.district, user=street,
                              role=Role.STREET)
    order_factory(south)
    client.force_login(street)
    page = client.get("/console/").content.decode()
    assert "各商圈待处理" in page and north.district.name in page and south.district.name in page
    # A member of one district only goes straight to it; a resident never sees the table.
    client.force_login(member_factory(north.district, Role.COMMITTEE))
    assert client.get("/console/").status_code == 302
