"""The booth tablet: an officer verifies each voter, the voter chooses; one vote per person
across channels; nothing of one voter reaches the next (no session, no cached page, a
token bound to this convention and officer that lives minutes)."""

from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse

from shangquan.core.errors import Conflict
from shangquan.core.roles import Role
from shangquan.core.tests.factories import PASSWORD

from ..models import Ballot, VoterRoll
from ..services import conventions
from ..views.booth import SALT
from .factories import convention_factory, resident_voter, shop_owner

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.logout()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def _token(html: str) -> str:
    marker = 'name="token" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def test_voters_one_after_another(north, client):
    d = north.district
    c = convention_factory(d, status="voting", electorate="both")
    first = resident_voter(d, phone="13900003333")
    _owner, shop = shop_owner(d, name="鱼巷一号")
    url = reverse("deliberation:booth", kwargs={"code": d.code, "pk": c.pk})
    _login(client, north.people[Role.COMMUNITY])
    page = client.get(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    r = client.post(url, {"action": "verify", "phone": "13900003333"})
    html = r.content.decode()
    assert r.status_code == 200 and "139****3333" in html and "13900003333" not in html
    assert "no-store" in r["Cache-Control"]
    token = _token(html)
    r = client.post(url, {"action": "vote", "token": token, "choice": "yes"})
    assert r.status_code == 302
    after = client.get(r["Location"]).content.decode()
    assert "请下一位" in after and "3333" not in after and 'name="token"' not in after
    assert "token" not in "".join(client.session.keys())
    # the next voter is a shop; the previous voter's token cannot vote again
    r = client.post(url, {"action": "vote", "token": token, "choice": "no"})
    assert r.status_code == 409
    html = client.post(url, {"action": "verify", "licence_no": shop.licence_no}).content.decode()
    assert "鱼巷一号" in html
    client.post(url, {"action": "vote", "token": _token(html), "choice": "no"})
    roll = VoterRoll.objects.filter(convention=c)
    assert sorted(roll.values_list("channel", "college")) == [("booth", "merchant"),
                                                              ("booth", "resident")]
    assert roll.get(college="resident").user is None  # the roll says who, never how
    assert sorted(Ballot.objects.filter(convention=c).values_list("choice", flat=True)) == [
        "no", "yes"]
    # who voted at the booth cannot vote online afterwards, and is refused at verify
    with pytest.raises(Conflict):
        conventions.vote_cast(actor=first, convention=c, choice="no", college="resident")
    r = client.post(url, {"action": "verify", "phone": "13900003333"})
    assert r.status_code == 409 and "已经投过票" in r.content.decode()
    assert Ballot.objects.filter(convention=c).count() == 2


def test_token_is_bound_to_officer_and_convention(north, client):
    d = north.district
    c = convention_factory(d, status="voting", electorate="residents")
    other = convention_factory(d, status="voting", electorate="residents")
    resident_voter(d, phone="13900004444")
    url = reverse("deliberation:booth", kwargs={"code": d.code, "pk": c.pk})
    _login(client, north.people[Role.COMMUNITY])
    token = _token(client.post(url, {"action": "verify", "phone": "13900004444"}).content.decode())
    other_url = reverse("deliberation:booth", kwargs={"code": d.code, "pk": other.pk})
    r = client.post(other_url, {"action": "vote", "token": token, "choice": "yes"})
    assert r.status_code == 422
    _login(client, north.people[Role.COMMITTEE])
    r = client.post(url, {"action": "vote", "token": token, "choice": "yes"})
    assert r.status_code == 422
    forged = signing.dumps({"c": c.pk, "o": 0, "p": "13900004444"}, salt="other")
    assert client.post(url, {"action": "vote", "token": forged, "choice": "yes"}).status_code == 422
    assert signing.loads(token, salt=SALT)["c"] == c.pk
    assert not VoterRoll.objects.exists()


def test_only_ballot_officers(north, client):
    c = convention_factory(north.district, status="voting")
    url = reverse("deliberation:booth", kwargs={"code": north.district.code, "pk": c.pk})
    _login(client, north.people[Role.GRID_LEADER])
    assert client.get(url).status_code == 403
    _login(client, north.people[Role.RESIDENT])
    assert client.get(url).status_code in (403, 404)
