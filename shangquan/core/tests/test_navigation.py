"""The console menu: built once per (district, roles, language), marked per page."""

import re

import pytest
from django.test import Client

from shangquan.core import navigation, services
from shangquan.core.actors import SYSTEM
from shangquan.core.models import Membership
from shangquan.core.roles import Role

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    return re.search(r'<nav class="sidenav".*?</nav>', html, re.S).group(0)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_menu_lists_the_roles_items_and_marks_the_current_page_once(north):
    user = north.people[Role.COMMITTEE]
    code = north.district.code
    nav = _nav(_signed_in(user).get(f"/console/{code}/merchants/").content.decode())
    hrefs = re.findall(r'<a href="([^"]+)"', nav)
    assert hrefs == [i["url"] for i in navigation.items_for(user, north.district)]
    assert nav.count('aria-current="page"') == 1
    assert f'href="/console/{code}/merchants/" aria-current="page"' in nav
    assert "商圈党委" in nav  # the roles held, in the summary
    other = _nav(_signed_in(user).get(f"/console/{code}/audit/").content.decode())
    assert f'href="/console/{code}/audit/" aria-current="page"' in other
    assert f'href="/console/{code}/merchants/" aria-current' not in other


def test_a_role_granted_or_revoked_changes_the_menu_at_once(north):
    user = north.people[Role.RESIDENT]
    code = north.district.code
    client = _signed_in(user)
    assert "/audit/" not in _nav(client.get(f"/console/{code}/").content.decode())
    services.membership_grant(actor=SYSTEM, district=north.district, user=user,
                              role=Role.COMMITTEE)
    nav = _nav(client.get(f"/console/{code}/").content.decode())
    assert f"/console/{code}/audit/" in nav and "商圈党委" in nav
    membership = Membership.objects.get(district=north.district, user=user,
                                        role=Role.COMMITTEE)
    services.membership_revoke(actor=SYSTEM, membership=membership)
    assert "/audit/" not in _nav(client.get(f"/console/{code}/").content.decode())


def test_the_menu_follows_the_language(north):
    client = _signed_in(north.people[Role.COMMITTEE])
    code = north.district.code
    zh = _nav(client.get(f"/console/{code}/").content.decode())
    en = _nav(client.get(f"/console/{code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "审计日志" in zh and "审计日志" not in en and "Audit" in en


def test_pages_outside_the_console_do_not_count_unread_notices(north):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _signed_in(north.people[Role.COMMITTEE])
    code = north.district.code
    client.get(f"/console/{code}/audit/")
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/console/{code}/audit/")
    assert not [q for q in ctx.captured_queries if "notification" in q["sql"].lower()]


def test_the_console_frame_costs_three_queries(north):
    """Session, user and memberships (which carry the district): nothing per page for
    the menu, the district or the unread count (the scanner page reads nothing else)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _signed_in(north.people[Role.COMMITTEE])
    path = f"/console/{north.district.code}/activities/scanner/"
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    assert len(ctx.captured_queries) <= 3, [q["sql"][:90] for q in ctx.captured_queries]
