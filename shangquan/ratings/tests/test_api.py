"""The ratings API: scheme, periods, scores (bad input, conflicts), results, appeals,
titles, outdoor checks and the public open data."""

from __future__ import annotations

import pytest
from django.test.client import MULTIPART_CONTENT

from shangquan.core.roles import Role
from shangquan.inspections.tests.factories import photo
from shangquan.ratings.models import OutdoorCheck, Score

from .factories import resident, shops

pytestmark = pytest.mark.django_db

BASE = "/api/v1/districts/{code}/ratings/"


def _url(persona, tail: str) -> str:
    return BASE.format(code=persona.district.code) + tail


def _put(client, url: str, data: dict):
    """The shared ApiClient has no put(); the bearer header by hand."""
    return client.put(url, data, content_type="application/json",
                      headers={"Authorization": f"Bearer {client.token}"})


def _form(client, url: str, data: dict):
    return client.post(url, data, content_type=MULTIPART_CONTENT)


def test_scheme_update_checks_the_shares(north, api_client):
    committee = api_client(north.people[Role.COMMITTEE])
    scheme = committee.get(_url(north, "scheme")).json()
    assert len(scheme["dimensions"]) == 6 and scheme["shares"]["association"] == 40
    scheme["shares"] = {"association": 50, "community": 30, "residents": 30}
    r = _put(committee, _url(north, "scheme"), scheme)
    assert r.status_code == 422 and r.json()["code"] == "shares_must_sum_100"
    scheme["shares"] = {"association": 50, "community": 30, "residents": 20}
    scheme["dimensions"] = scheme["dimensions"][:5]
    r = _put(committee, _url(north, "scheme"), scheme)
    assert r.status_code == 200 and len(r.json()["dimensions"]) == 5
    r = _put(api_client(north.people[Role.ASSOCIATION]), _url(north, "scheme"), scheme)
    assert r.status_code == 403


def test_a_period_through_the_api(north, south, api_client):
    committee = api_client(north.people[Role.COMMITTEE])
    staff = api_client(north.people[Role.ASSOCIATION])
    (shop,) = shops(north, 1, owner=north.people[Role.MERCHANT])
    created = committee.post(_url(north, "periods"), {}, content_type="application/json")
    assert created.status_code == 201
    pid = created.json()["id"]
    assert committee.post(_url(north, f"periods/{pid}/open")).json()["status"] == "scoring"
    cells = {"hygiene": 90, "service": 85}
    r = _put(staff, _url(north, f"periods/{pid}/scores/{shop.pk}"), {"scores": cells})
    assert r.status_code == 200 and {c["dimension"] for c in r.json()} == set(cells)
    bad = _put(staff, _url(north, f"periods/{pid}/scores/{shop.pk}"), {"scores": {"hygiene": 150}})
    assert bad.status_code == 422 and bad.json()["code"] == "score_out_of_range"
    stale = _put(staff, _url(north, f"periods/{pid}/scores/{shop.pk}"),
                 {"scores": {"hygiene": 70}, "versions": {"hygiene": 0}})
    assert stale.status_code == 409 and stale.json()["code"] == "score_changed"
    assert Score.objects.get(dimension="hygiene").value == 90
    # another district's staff cannot see the period
    other = api_client(south.people[Role.ASSOCIATION])
    assert other.get(_url(north, f"periods/{pid}")).status_code == 404
    progress = committee.get(_url(north, f"periods/{pid}/progress")).json()
    assert progress["raters"][0]["cells"] == 2
    # a resident's stars, once
    person = api_client(resident(north, 1))
    url = f"/api/v1/public/ratings/m/{shop.public_token}/score"
    assert person.post(url, {"stars": 5}, content_type="application/json").status_code == 201
    again = person.post(url, {"stars": 1}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_scored"
    assert api_client(None).post(url, {"stars": 5}, content_type="application/json").status_code == 401

    assert committee.post(_url(north, f"periods/{pid}/close")).json()["status"] == "provisional"
    late = _put(staff, _url(north, f"periods/{pid}/scores/{shop.pk}"), {"scores": {"hygiene": 10}})
    assert late.status_code == 409 and late.json()["code"] == "period_closed"
    results = committee.get(_url(north, "results")).json()["items"]
    rid = results[0]["id"]
    detail = committee.get(_url(north, f"results/{rid}")).json()
    assert detail["merchant_id"] == shop.pk and "adjustments" in detail
    owner = api_client(north.people[Role.MERCHANT])
    assert owner.post(_url(north, f"results/{rid}/reply"), {"text": "欢迎监督"},
                      content_type="application/json").json()["reply"] == "欢迎监督"
    unknown = owner.post(_url(north, f"results/{rid}/appeal"),
                         {"text": "请复核", "adjustments": [10 ** 6]},
                         content_type="application/json")
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_adjustment"
    appeal = owner.post(_url(north, f"results/{rid}/appeal"), {"text": "请复核"},
                        content_type="application/json")
    assert appeal.status_code == 201 and appeal.json()["contested_adjustments"] == []
    decided = committee.post(_url(north, f"appeals/{appeal.json()['id']}/decide"),
                             {"uphold": False, "decision": "维持"},
                             content_type="application/json")
    assert decided.json()["status"] == "dismissed"
    early = committee.post(_url(north, f"periods/{pid}/publish"), {},
                           content_type="application/json")
    assert early.status_code == 409 and early.json()["code"] == "provisional_window_open"
    for _ in range(2):
        r = committee.post(_url(north, f"periods/{pid}/publish"), {"force": True},
                           content_type="application/json")
        assert r.json()["status"] == "published"
    export = committee.post(_url(north, f"periods/{pid}/export"))
    assert export.status_code == 200 and export.content[:2] == b"PK"
    data = api_client(None).get(f"/api/v1/public/ratings/{north.district.code}/grades").json()
    assert data[0]["token"] == shop.public_token and data[0]["reply"] == "欢迎监督"
    assert set(data[0]["sub_scores"]) >= {"卫生", "服务"}


def test_titles_and_outdoor_checks(north, api_client):
    committee = api_client(north.people[Role.COMMITTEE])
    leader = api_client(north.people[Role.GRID_LEADER])
    (shop,) = shops(north, 1)
    r = committee.post(_url(north, "titles"), {"merchant_id": shop.pk, "kind": "fangxin"},
                       content_type="application/json")
    assert r.status_code == 201
    tid = r.json()["id"]
    assert committee.post(_url(north, f"titles/{tid}/list"), {}, content_type="application/json"
                          ).json()["status"] == "listed"
    no_reason = committee.post(_url(north, f"titles/{tid}/delist"), {},
                               content_type="application/json")
    assert no_reason.status_code == 422
    bad = committee.post(_url(north, f"titles/{tid}/relist"), {}, content_type="application/json")
    assert bad.status_code == 409
    assert _put(committee, _url(north, f"outdoor/zones/{shop.pk}"), {"area_m2": 6}).status_code == 200
    low = {"merchant_id": shop.pk, "area": 5, "passage": 4, "tidy": 6, "hours": 8}
    refused = _form(leader, _url(north, "outdoor/checks"), low)
    assert refused.status_code == 422 and refused.json()["code"] == "photo_required"
    for i in range(3):
        r = _form(leader, _url(north, "outdoor/checks"), {**low, "photo": photo(), "client_key": f"k{i}"})
        assert r.status_code == 201 and r.json()["passed"] is False
    assert r.json()["rectification_id"]  # three failures in a row became a rectification
    retry = _form(leader, _url(north, "outdoor/checks"), {**low, "photo": photo(), "client_key": "k2"})
    assert retry.json()["id"] == r.json()["id"] and OutdoorCheck.objects.count() == 3
    good = _form(leader, _url(north, "outdoor/checks"),
                 {"merchant_id": shop.pk, "area": 10, "passage": 10, "tidy": 9, "hours": 10})
    assert good.json()["passed"] is True
    rate = committee.get(_url(north, "outdoor/compliance")).json()
    assert rate["total"] == 4 and rate["rate"] == 25.0
