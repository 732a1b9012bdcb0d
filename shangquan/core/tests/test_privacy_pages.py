"""Issue 11 leftovers: the console's personal-data pages. Staff who must call a member
reveal the full phone with a reason (audited, masked in the row); a city admin erases a
person found by phone (PIPL art. 47). Role-limited; another district's person is 404."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from shangquan.core.models import AuditLog
from shangquan.core.roles import Role

from .factories import member_factory

pytestmark = pytest.mark.django_db
User = get_user_model()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(district, user) -> str:
    return f"/console/{district.code}/people/{user.pk}/phone/"


def test_committee_reveals_a_members_phone_with_a_reason_and_it_is_audited(north):
    leader = member_factory(north.district, Role.GRID_LEADER, phone="13900002468")
    committee = _client(north.people[Role.COMMITTEE])
    people = committee.get(f"/console/{north.district.code}/people/")
    assert _url(north.district, leader) in people.content.decode()
    page = committee.get(_url(north.district, leader))
    assert page.status_code == 200
    body = page.content.decode()
    assert "139****2468" in body and "13900002468" not in body
    short = committee.post(_url(north.district, leader), {"reason": "看"})
    assert short.status_code == 422 and "13900002468" not in short.content.decode()
    assert not AuditLog.objects.filter(action="core.phone.reveal").exists()
    shown = committee.post(_url(north.district, leader), {"reason": "联系邻铺长处理油烟投诉"})
    assert shown.status_code == 200 and "13900002468" in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    row = AuditLog.objects.get(action="core.phone.reveal")
    assert row.district == north.district and row.actor == north.people[Role.COMMITTEE]
    assert row.after == {"reason": "联系邻铺长处理油烟投诉", "phone": "139****2468"}
    assert row.object_id == str(leader.pk)


def test_reveal_is_for_committee_and_street_and_only_for_members_here(north, south):
    leader = member_factory(north.district, Role.GRID_LEADER, phone="13900002469")
    stranger = member_factory(south.district, Role.GRID_LEADER, phone="13900002470")
    for role in (Role.DEPARTMENT, Role.GRID_LEADER, Role.MERCHANT):
        response = _client(north.people[role]).post(_url(north.district, leader),
                                                    {"reason": "想看看号码"})
        assert response.status_code == 403, role
        assert "13900002469" not in response.content.decode()
    committee = _client(north.people[Role.COMMITTEE])
    # Another district's person, through this district: as if there were no such person.
    assert committee.post(_url(north.district, stranger),
                          {"reason": "联系一下"}).status_code == 404
    assert committee.get(f"/console/{north.district.code}/people/999999/phone/"
                         ).status_code == 404
    # This district's committee in another district: 404 as well.
    assert committee.get(_url(south.district, stranger)).status_code == 404
    assert not AuditLog.objects.filter(action="core.phone.reveal").exists()
    people = _client(north.people[Role.DEPARTMENT]).get(f"/console/{north.district.code}/people/")
    assert _url(north.district, leader) not in people.content.decode()


def test_a_city_admin_finds_a_person_by_phone_and_erases_them_with_a_reason(
        north, city_admin, django_capture_on_commit_callbacks):
    from shangquan.core import notify, services

    from .test_otp import _request

    with django_capture_on_commit_callbacks(execute=True):
        services.otp_send(request=_request(), phone="13700001357")
    person = services.otp_verify(request=_request(), phone="13700001357",
                                 code=notify.SENT[-1].params["code"])
    assert _client(north.people[Role.COMMITTEE]).get("/console/privacy/erase/").status_code == 403
    admin = _client(city_admin)
    assert "/console/privacy/erase/" in admin.get(
        f"/console/{north.district.code}/people/").content.decode()  # the way there
    assert "/console/privacy/erase/" not in _client(north.people[Role.COMMITTEE]).get(
        f"/console/{north.district.code}/people/").content.decode()
    assert admin.get("/console/privacy/erase/").status_code == 200
    found = admin.post("/console/privacy/erase/", {"step": "find", "phone": "13700001357"})
    assert found.status_code == 200 and person.username in found.content.decode()
    refused = admin.post("/console/privacy/erase/", {"step": "erase", "phone": "13700001357",
                                                     "reason": ""})
    assert refused.status_code == 422 and User.objects.filter(pk=person.pk).exists()
    done = admin.post("/console/privacy/erase/", {"step": "erase", "phone": "13700001357",
                                                  "reason": "本人来电申请删除个人信息"})
    assert done.status_code == 200, done.content
    assert not User.objects.filter(pk=person.pk).exists()
    row = AuditLog.objects.filter(action="core.user.erase").latest("id")
    assert row.after["pseudonym"] in done.content.decode()
    again = admin.post("/console/privacy/erase/", {"step": "find", "phone": "13700001357"})
    assert "没有使用该手机号的账号" in again.content.decode()
