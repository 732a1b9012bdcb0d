"""Work orders and personal data (issue 11, section 2): anonymous reports name nobody,
snapshots mask the reporter, SMS only to verified numbers, public coordinates rounded."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from shangquan.core import notify
from shangquan.core import services as core_services
from shangquan.core.models import AuditLog, AuditSealedActor
from shangquan.core.roles import Role
from shangquan.core.tests.factories import token_for

from ..models import Event
from .factories import advance, order_factory

pytestmark = pytest.mark.django_db


def _verified_resident(phone: str, capture):
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.8")
    with capture(execute=True):
        core_services.otp_send(request=request, phone=phone)
    return core_services.otp_verify(request=request, phone=phone,
                                    code=notify.SENT[-1].params["code"])


def test_an_anonymous_report_by_a_signed_in_resident_names_them_nowhere_staff_look(
        north, client, api_client, django_capture_on_commit_callbacks):
    resident = _verified_resident("13800138140", django_capture_on_commit_callbacks)
    order = order_factory(north, actor=resident, anonymous=True,
                          description="深夜烧烤噪音，匿名反映")
    row = AuditLog.objects.get(action="workorders.order.submit", object_id=str(order.pk))
    assert row.actor_id is None and row.actor_label == "anonymous"
    assert AuditSealedActor.objects.get(audit=row).user == resident
    submit = Event.objects.get(order=order, action="submit")
    assert submit.actor_id is None
    advance(north, order, "accepted")

    marks = (resident.username, "13800138140", "138****0140")
    committee = north.people[Role.COMMITTEE]
    audit = api_client(committee).get(f"/api/v1/districts/{north.district.code}/audit",
                                      {"limit": 200}).json()
    assert not [m for m in marks if m in json.dumps(audit, ensure_ascii=False)]
    for user, path in [(committee, f"/console/{north.district.code}/audit/"),
                       (committee, f"/console/{north.district.code}/"),
                       (committee, f"/console/{north.district.code}/workorders/{order.pk}/"),
                       (north.people[Role.DEPARTMENT],
                        f"/console/{north.district.code}/workorders/{order.pk}/")]:
        client.force_login(user)
        page = client.get(path)
        assert page.status_code == 200, path
        assert not [m for m in marks if m in page.content.decode()], path
    assert "· 匿名" in page.content.decode()  # the timeline says who: nobody known


def test_a_named_report_keeps_its_actor_and_masks_the_reporter_in_snapshots(north):
    order = order_factory(north, reporter_name="张伟", reporter_phone="13800138141")
    advance(north, order, "dispatched")
    rows = AuditLog.objects.filter(object_type="workorders.workorder", object_id=str(order.pk))
    submit = rows.get(action="workorders.order.submit")
    assert submit.actor == north.people[Role.RESIDENT]
    dispatch = rows.get(action="workorders.order.dispatch")
    assert dispatch.before["reporter_phone"] == "138****8141"
    assert dispatch.before["reporter_name"] == "张*"


def test_sms_goes_only_to_a_verified_number(north, django_capture_on_commit_callbacks):
    resident = _verified_resident("13800138142", django_capture_on_commit_callbacks)
    typed = order_factory(north, actor=north.people[Role.COMMITTEE], channel="hotline",
                          reporter_phone="13800138143")
    anyone = order_factory(north, actor=north.people[Role.RESIDENT],
                           reporter_phone="13800138144")  # persona: phone never verified
    mine = order_factory(north, actor=resident)
    sent_before = len(notify.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        for order in (typed, anyone, mine):
            advance(north, order, "dispatched")
    assert [m.to for m in notify.SENT[sent_before:]] == ["13800138142"]
    assert notify.SENT[-1].params == {"title": "您反映的问题已派单"}


def test_public_open311_rounds_coordinates_unless_the_category_is_a_public_place(
        north, client):
    home = order_factory(north, category_code="noise", latitude="41.123456",
                         longitude="121.654321")
    road = order_factory(north, category_code="waterlogging", latitude="41.111111",
                         longitude="121.222222")
    public = {d["service_request_id"]: d for d in client.get(
        "/open311/v2/requests.json", {"jurisdiction_id": "NORTH"}).json()}
    assert (public[home.number]["lat"], public[home.number]["long"]) == (41.123, 121.654)
    assert (public[road.number]["lat"], public[road.number]["long"]) == (41.111111, 121.222222)
    one = client.get(f"/open311/v2/requests/{home.number}.json",
                     {"jurisdiction_id": "NORTH"}).json()[0]
    assert (one["lat"], one["long"]) == (41.123, 121.654)
    staff = client.get(f"/open311/v2/requests/{home.number}.json",
                       {"jurisdiction_id": "NORTH",
                        "api_key": token_for(north.people[Role.COMMITTEE])}).json()[0]
    assert (staff["lat"], staff["long"]) == (41.123456, 121.654321)
