"""Mobile-member check-in and personal data (issue 11, section 2): knowing a member's
phone is not being them; the audit trail masks members' names; erasure."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from shangquan.core import notify
from shangquan.core import services as core_services
from shangquan.core.models import AuditLog
from shangquan.org import services
from shangquan.org.models import CheckIn, MobileMember, PartyMember

from .factories import party_member_factory, station_factory, unit_factory

pytestmark = pytest.mark.django_db


def _verified(phone: str, capture):
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.7")
    with capture(execute=True):
        core_services.otp_send(request=request, phone=phone)
    return core_services.otp_verify(request=request, phone=phone,
                                    code=notify.SENT[-1].params["code"])


def test_whoever_knows_a_phone_cannot_overwrite_the_member_nor_learn_their_count(
        north, client, api_client, django_capture_on_commit_callbacks):
    station = station_factory(north.district, name="红色驿站", unit=unit_factory(north.district))
    api = f"/api/v1/public/stations/{station.token}/check-in"
    page = f"/s/{station.token}/"
    anonymous = api_client(None)
    first = anonymous.post(api, {"name": "孙丽", "phone": "13600001234",
                                 "home_unit": "黑山县某村党支部"})
    assert first.status_code == 201
    # Someone else, with the same phone, over the API and the page.
    other = anonymous.post(api, {"name": "冒名者", "phone": "13600001234",
                                 "home_unit": "别的支部"})
    assert other.status_code == 201
    assert other.json()["check_in_count"] is None and other.json()["name"] == "冒名者"
    shown = client.post(page, {"name": "又一个", "phone": "13600001234", "home_unit": "某处"})
    assert shown.status_code == 200 and "累计报到" not in shown.content.decode()
    assert "孙丽" not in shown.content.decode()
    member = MobileMember.objects.get(district=north.district, phone="13600001234")
    assert (member.name, member.home_unit) == ("孙丽", "黑山县某村党支部")
    assert member.check_in_count == 3 and CheckIn.objects.filter(member=member).count() == 3

    # The member themself, signed in with that verified phone, may correct and see it.
    holder = _verified("13600001234", django_capture_on_commit_callbacks)
    mine = api_client(holder).post(api, {"name": "孙丽", "phone": "13600001234",
                                         "home_unit": "义县某社区党支部"})
    assert mine.status_code == 201 and mine.json()["check_in_count"] == 4
    member.refresh_from_db()
    assert member.home_unit == "义县某社区党支部"
    client.force_login(holder)
    again = client.post(page, {"name": "孙丽", "phone": "13600001234",
                               "home_unit": "义县某社区党支部"})
    assert "累计报到 5 次" in again.content.decode()


def test_audit_rows_of_party_members_mask_their_names(north):
    member = party_member_factory(north.district, name="刘建国", phone="13811112222",
                                  role="secretary")
    row = AuditLog.objects.filter(action="org.member.create").latest("id")
    assert "刘建国" not in str(row.after) + row.object_repr
    assert row.after["name"] == "刘**" and member.name == "刘建国"


def test_erasure_removes_the_mobile_member_and_unlinks_the_party_member(
        north, city_admin, django_capture_on_commit_callbacks):
    station = station_factory(north.district)
    person = _verified("13600005678", django_capture_on_commit_callbacks)
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.6")
    services.check_in(request=request, station=station, name="王芳", phone="13600005678",
                      home_unit="某支部")
    roster = party_member_factory(north.district, name="王芳", phone="13600005678")
    core_services.resident_erase(actor=city_admin, user=person, reason="本人申请删除个人信息")
    assert not MobileMember.objects.filter(phone="13600005678").exists()
    roster = PartyMember.objects.get(pk=roster.pk)
    assert roster.phone == "" and roster.user_id is None
    assert AuditLog.objects.filter(action="org.member.erase",
                                   district=north.district).exists()
