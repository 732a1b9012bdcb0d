"""The 数据大屏's data and pages: today's figures live, scope, the event stream's first
event, the street screen only for users over several districts."""

import json

import pytest
from django.test import Client

from shangquan.core.roles import Role
from shangquan.core.tests.streams import close_stream
from shangquan.dashboard import screen
from shangquan.workorders.tests.factories import advance, order_factory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _panel(data, kind):
    return next(p["data"] for p in data["panels"] if p["kind"] == kind)


def _tiles(data):
    return {t["key"]: t for t in _panel(data, "tiles")["tiles"]}


def test_today_tiles_are_live_and_link_to_the_drill_down(north):
    user = north.people[Role.COMMITTEE]
    before = _tiles(screen.screen_data(user=user, district=north.district))
    assert before["workorders.total"]["value"] == 0
    advance(north, order_factory(north), "closed", rating="satisfied")
    order_factory(north)
    after = screen.screen_data(user=user, district=north.district, fresh=True)
    tiles = _tiles(after)
    assert tiles["workorders.total"]["value"] == 2  # no cache between a new order and the screen
    assert tiles["workorders.satisfaction_rate"]["value"] == 100.0
    assert tiles["workorders.total"]["drill"].startswith(
        f"/console/{north.district.code}/dashboard/drill/workorders.total/?period=")
    trend = _panel(after, "trend")
    assert trend["series"][0]["values"][-1] == 2
    assert len(trend["days"]) == screen.TREND_DAYS
    assert {m["key"] for m in _panel(after, "month")["month"]} >= {
        "workorders.response_rate", "ratings.outdoor_compliance"}


def test_signature_moves_with_a_new_order(north):
    sig = screen.screen_signature(districts=[north.district])
    assert screen.screen_signature(districts=[north.district]) == sig
    order_factory(north)
    assert screen.screen_signature(districts=[north.district]) != sig


def test_page_renders_the_first_paint_and_the_design_size(north):
    client = _client(north.people[Role.COMMITTEE])
    page = client.get(f"/console/{north.district.code}/dashboard/screen/?size=3840x1080")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-width="3840"' in body and 'data-height="1080"' in body
    assert "北街夜市 数据大屏" in body
    assert f"/console/{north.district.code}/dashboard/screen/stream/" in body
    default = client.get(f"/console/{north.district.code}/dashboard/screen/").content.decode()
    assert 'data-width="1920"' in default


def test_english(north):
    client = _client(north.people[Role.COMMITTEE])
    client.cookies["django_language"] = "en"
    body = client.get(f"/console/{north.district.code}/dashboard/screen/",
                      headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in body
    # the indicators' labels are lazy: rendered in the viewer's language
    assert "Response rate" in body and "Satisfaction rate" in body


def test_scoping_and_roles(north, south):
    committee = _client(north.people[Role.COMMITTEE])
    assert committee.get(f"/console/{south.district.code}/dashboard/screen/").status_code == 404
    assert committee.get(
        f"/console/{south.district.code}/dashboard/screen/stream/").status_code == 404
    # one district only: no street screen
    assert committee.get(
        f"/console/{north.district.code}/dashboard/screen/?scope=street").status_code == 404
    for role in (Role.MERCHANT, Role.RESIDENT, Role.GRID_LEADER):
        assert _client(north.people[role]).get(
            f"/console/{north.district.code}/dashboard/screen/").status_code in (403, 404)
    assert Client().get(f"/console/{north.district.code}/dashboard/screen/stream/"
                        ).status_code == 401


def test_the_stream_sends_the_screen_first(north):
    order_factory(north)
    client = _client(north.people[Role.COMMITTEE])
    response = client.get(f"/console/{north.district.code}/dashboard/screen/stream/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    chunks = iter(response.streaming_content)
    assert next(chunks).startswith(b"retry:")
    event = next(chunks).decode()
    assert event.startswith("event: screen\n")
    data = json.loads(event.split("data: ", 1)[1])
    assert _tiles(data)["workorders.total"]["value"] == 1
    close_stream(response)
