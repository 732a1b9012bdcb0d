"""Console pages and the board's event stream, through Django's test client."""

import datetime as dt
import json
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.core.tests.streams import close_stream
from shangquan.crowd import services, stream
from shangquan.crowd.models import Alert, Gate, ManualCount, Zone

from .factories import gate_factory, reading, zone_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone(north):
    z = zone_factory(north.district, name="小吃区", area_m2=100)
    return z


def login(client, user):
    client.force_login(user)
    return client


def url(district, name="", **kw):
    from django.urls import reverse
    return reverse(f"crowd:{name}", kwargs={"code": district.code, **kw})


def test_board_renders_for_staff_and_hides_from_other_districts(client, north, south, zone):
    login(client, north.people[Role.VOLUNTEER])
    page = client.get(url(north.district, "board"))
    assert page.status_code == 200
    assert "小吃区" in page.content.decode() and 'data-stream="' in page.content.decode()
    assert client.get(url(north.district, "board") + "?screen=big").status_code == 200
    assert client.get(url(south.district, "board")).status_code == 404
    login(client, north.people[Role.MERCHANT])
    assert client.get(url(north.district, "board")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_stream_sends_the_board_and_again_when_it_changes(client, north, zone):
    """The reading's commit publishes (in-process on SQLite, NOTIFY on PostgreSQL); the
    stream sends the new board well before its signature re-check would."""
    login(client, north.people[Role.COMMITTEE])
    response = client.get(url(north.district, "stream"))
    assert response["Content-Type"] == "text/event-stream"
    chunks = iter(response.streaming_content)
    assert next(chunks).startswith(b"retry:")
    first = next(chunks).decode()
    assert first.startswith("event: board\ndata: ")
    assert json.loads(first.split("data: ", 1)[1])["zones"][0]["level"] == "green"
    gate, _raw = gate_factory(north.district, zone)
    # no signature re-check during the test: only the publication can bring the update
    feed = stream.board_feed(north.district)
    feed.refresh = feed.local_refresh = 120
    services.readings_ingest(device=gate.device, readings=[
        reading(1, timezone.now() + dt.timedelta(seconds=1), 101, 0)])
    chunk = next(chunks)
    while chunk == b":\n\n":
        chunk = next(chunks)
    update = json.loads(chunk.decode().split("data: ", 1)[1])
    assert update["zones"][0]["level"] == "red" and update["zones"][0]["control"] == "closed"
    assert update["alerts"][0]["level"] == "red"
    close_stream(response)
    feed.refresh, feed.local_refresh = 15.0, 0.5


def test_stream_refuses_strangers(client, north, south):
    assert client.get(url(north.district, "stream")).status_code == 401
    login(client, south.people[Role.COMMITTEE])
    assert client.get(url(north.district, "stream")).status_code == 404


def test_committee_creates_zone_and_gate_and_sees_the_token_once(client, north):
    login(client, north.people[Role.COMMITTEE])
    response = client.post(url(north.district, "zones"), {
        "name": "服饰区", "kind": "section", "area_m2": "900", "area_per_person": "1.5",
        "opens_at": "17:00", "closes_at": "23:30", "mean_stay_minutes": 60,
        "yellow_pct": 80, "orange_pct": 90, "red_pct": 100, "limit_at_pct": 90,
        "open_below_pct": 80, "close_at_pct": 100, "reopen_below_pct": 92,
        "unstable_density": "4"})
    zone = Zone.objects.get(name="服饰区")
    assert response.status_code == 302 and zone.capacity == 600
    response = client.post(url(north.district, "gates"), {"zone": zone.pk, "code": "F1",
                                                          "name": "服饰区东口"})
    assert response.status_code == 200
    gate = Gate.objects.get(code="F1")
    token = response.context["new_token"][1]
    assert token.startswith("sq_") and token in response.content.decode()
    assert client.get(url(north.district, "gates")).content.decode().count(token) == 0
    assert gate.device.kind == "gate_counter"


def test_zone_edit_with_bad_thresholds_shows_errors(client, north, zone):
    login(client, north.people[Role.COMMITTEE])
    data = {"name": "小吃区", "kind": "section", "area_m2": "100", "area_per_person": "1",
            "opens_at": "17:00", "closes_at": "23:30", "mean_stay_minutes": 90,
            "yellow_pct": 95, "orange_pct": 90, "red_pct": 100, "limit_at_pct": 90,
            "open_below_pct": 80, "close_at_pct": 100, "reopen_below_pct": 92,
            "unstable_density": "4"}
    response = client.post(url(north.district, "zone_edit", pk=zone.pk), data)
    assert response.status_code == 422
    data["yellow_pct"] = 75
    response = client.post(url(north.district, "zone_edit", pk=zone.pk), data)
    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.yellow_pct == 75


def test_staff_count_override_release_and_acknowledge_from_the_pages(client, north, zone):
    gate, _ = gate_factory(north.district, zone)
    services.readings_ingest(device=gate.device, readings=[
        reading(1, timezone.now(), 92, 0)])
    login(client, north.people[Role.GRID_LEADER])
    page = url(north.district, "zone", pk=zone.pk)
    assert client.get(page).status_code == 200
    form = urlencode({"action": "count", "counted": 70, "note": "清点",
                      "idempotency_key": "k1"})
    for _retry in range(2):  # as a browser posts it: urlencoded, with its key
        response = client.post(page, form, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 302
    assert ManualCount.objects.filter(zone=zone).count() == 1
    assert client.post(page, {"action": "override", "control": "closed",
                              "minutes": 20, "note": ""}).status_code == 400
    assert client.post(page, {"action": "override", "control": "closed", "minutes": 20,
                              "note": "演出散场"}).status_code == 302
    zone.refresh_from_db()
    assert (zone.control, zone.control_mode) == ("closed", "manual")
    assert client.post(page, {"action": "release"}).status_code == 302
    zone.refresh_from_db()
    assert (zone.control, zone.control_mode) == ("open", "auto")
    alert = Alert.objects.get(zone=zone)
    response = client.post(url(north.district, "alert_ack", pk=alert.pk),
                           {"next": "board", "note": "已处理"})
    assert response.status_code == 302 and response["Location"].endswith("/crowd/")
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    actions = set(AuditLog.objects.filter(district=north.district)
                  .values_list("action", flat=True))
    assert {"crowd.zone.count", "crowd.zone.override", "crowd.zone.release",
            "crowd.alert.acknowledge"} <= actions


def test_alerts_and_report_pages(client, north, zone):
    gate, _ = gate_factory(north.district, zone)
    services.readings_ingest(device=gate.device, readings=[
        reading(1, timezone.now() + dt.timedelta(seconds=1), 85, 0)])
    login(client, north.people[Role.STREET])
    assert "黄色预警" in client.get(url(north.district, "alerts")).content.decode()
    report = client.get(url(north.district, "report"))
    assert report.status_code == 200 and "小吃区" in report.content.decode()
    assert client.get(url(north.district, "report") + "?day=bad").status_code == 200


def test_console_home_cards_and_menu(client, north, zone):
    login(client, north.people[Role.COMMITTEE])
    page = client.get(f"/console/{north.district.code}/").content.decode()
    assert "在场游客" in page and "待确认客流预警" in page and "客流看板" in page
    login(client, north.people[Role.MERCHANT])
    page = client.get(f"/console/{north.district.code}/").content.decode()
    assert "在场游客" not in page and "客流看板" not in page
