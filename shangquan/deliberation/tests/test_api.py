"""The API: staff lists behind the view role, people's votes with Idempotency-Key, the
tally hidden from the API until the close, errors in our format."""

from __future__ import annotations

import pytest

from shangquan.core.roles import Role

from ..models import Ballot, VoterRoll
from ..services import suggestions
from .factories import convention_factory, shop_owner, talk_factory

pytestmark = pytest.mark.django_db


def _votes(code, c):
    return f"/api/v1/public/deliberation/{code}/conventions/{c.pk}/votes"


def test_a_retried_vote_with_the_same_key_returns_the_first_answer(north, api_client):
    owner, _shop = shop_owner(north.district)
    c = convention_factory(north.district, status="voting")
    client = api_client(owner)
    url = _votes(north.district.code, c)
    first = client.post(url, {"choice": "yes"}, headers={"Idempotency-Key": "vote-1"})
    again = client.post(url, {"choice": "yes"}, headers={"Idempotency-Key": "vote-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    # a second vote without the key is refused clearly and the first stands
    second = client.post(url, {"choice": "no"})
    assert second.status_code == 409 and second.json()["code"] == "already_voted"
    assert VoterRoll.objects.filter(convention=c).count() == Ballot.objects.count() == 1
    assert Ballot.objects.get().choice == "yes"


def test_tally_hidden_in_the_api_until_close(north, api_client):
    owner, _shop = shop_owner(north.district)
    c = convention_factory(north.district, status="voting")
    api_client(owner).post(_votes(north.district.code, c), {"choice": "yes"})
    staff = api_client(north.people[Role.COMMITTEE])
    detail = staff.get(f"/api/v1/districts/{north.district.code}/deliberation/conventions/{c.pk}")
    body = detail.json()
    assert body["result"] is None and body["turnout"]["colleges"]["merchant"]["voted"] == 1
    public = api_client(None).get(f"/api/v1/public/deliberation/{north.district.code}"
                                  f"/conventions/{c.pk}").json()
    assert public["result"] is None and public["turnout"] is None
    moved = staff.post(f"/api/v1/districts/{north.district.code}/deliberation/conventions/"
                       f"{c.pk}/move", {"action": "close"})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["result"]["colleges"]["merchant"]["yes"] == 1


def test_outside_electorate_and_anonymous(north, api_client):
    c = convention_factory(north.district, status="voting")
    r = api_client(north.people[Role.RESIDENT]).post(_votes(north.district.code, c),
                                                     {"choice": "yes"})
    assert r.status_code == 403 and r.json()["code"] == "not_in_electorate"
    assert api_client(None).post(_votes(north.district.code, c), {"choice": "yes"}).status_code == 401


def test_staff_lists_need_the_view_role(north, south, api_client):
    suggestions.suggestion_submit(actor=north.people[Role.RESIDENT], district=north.district,
                                  title="停车", body="难")
    url = f"/api/v1/districts/{north.district.code}/deliberation/suggestions"
    assert api_client(north.people[Role.COMMITTEE]).get(url).json()["count"] == 1
    assert api_client(north.people[Role.MERCHANT]).get(url).status_code == 403
    assert api_client(south.people[Role.COMMITTEE]).get(url).status_code == 404


def test_offline_entry_and_decision_through_the_api(north, api_client):
    talk = talk_factory(north.district)
    staff = api_client(north.people[Role.COMMUNITY])
    base = f"/api/v1/districts/{north.district.code}/deliberation"
    r = staff.post(f"{base}/offline-suggestions", {"origin_id": talk.pk, "title": "油烟",
                                                    "body": "开不了窗", "author_name": "栾女士"})
    assert r.status_code == 201 and r.json()["channel"] == "offline"
    sid = r.json()["id"]
    assert staff.post(f"{base}/suggestions/{sid}/decide", {"decision": "review"}).status_code == 200
    r = staff.post(f"{base}/suggestions/{sid}/decide", {"decision": "decline", "answer": ""})
    assert r.status_code == 422 and r.json()["code"] == "reason_required"


def test_a_vote_reads_little(north, api_client):
    """The vote intake path: the convention with its district in one query, the voter's
    phone with the membership in one, two columns under the lock, three inserts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import resident_voter

    c = convention_factory(north.district, status="voting", electorate="residents")
    client = api_client(resident_voter(north.district))
    with CaptureQueriesContext(connection) as ctx:
        r = client.post(_votes(north.district.code, c), {"choice": "yes"})
    assert r.status_code == 201, r.json()
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) <= 12, "\n".join(sql)
    assert not [s for s in sql if 'FROM "core_district"' in s], sql  # joined, not read again
    assert not [s for s in sql if 'FROM "core_profile"' in s], sql  # with the membership
    assert sum(s.startswith("INSERT") for s in sql) == 3  # roll, ballot, audit row
