"""Pages: staff console behind the view role; public pages answer by district, 404 for
another district's rows; the result is absent while voting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shangquan.core.roles import Role
from shangquan.core.tests.factories import PASSWORD

from ..services import conventions, suggestions
from .factories import convention_factory, shop_owner

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.logout()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def test_console_pages_for_staff_only(north, client):
    code = north.district.code
    _login(client, north.people[Role.COMMITTEE])
    for name in ("home", "suggestions", "conventions", "announcements"):
        assert client.get(reverse(f"deliberation:{name}", kwargs={"code": code})).status_code == 200
    _login(client, north.people[Role.MERCHANT])
    assert client.get(reverse("deliberation:suggestions", kwargs={"code": code})).status_code == 403


def test_public_convention_page_hides_the_tally_while_voting(north, south, client):
    owner, _shop = shop_owner(north.district)
    c = convention_factory(north.district, status="voting")
    conventions.vote_cast(actor=owner, convention=c, choice="yes")
    url = reverse("deliberation:convention_public", kwargs={"code": north.district.code,
                                                            "pk": c.pk})
    page = _login(client, owner).get(url).content.decode()
    assert "您已投票" in page and "表决结果" not in page
    # a second vote through the page is refused with our message, the first stands
    r = client.post(url, {"action": "vote", "choice": "no"})
    assert r.status_code == 409 and "以第一次为准" in r.content.decode()
    assert c.roll.count() == 1
    # the same id under another district is not found
    other = reverse("deliberation:convention_public", kwargs={"code": south.district.code,
                                                              "pk": c.pk})
    assert client.get(other).status_code == 404


def test_suggestion_page_and_form(north, client):
    resident = north.people[Role.RESIDENT]
    s = suggestions.suggestion_submit(actor=resident, district=north.district, title="路灯",
                                      body="不亮")
    url = reverse("deliberation:suggestion_public", kwargs={"code": north.district.code,
                                                            "number": s.number})
    assert "路灯" in client.get(url).content.decode()
    _login(client, resident)
    r = client.post(reverse("deliberation:suggestions_public",
                            kwargs={"code": north.district.code}), {"title": "座椅", "body": "增设"})
    assert r.status_code == 302
    assert north.district.pk and s.__class__.objects.filter(title="座椅").exists()
