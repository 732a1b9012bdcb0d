"""xlsx exports of attendance, hours, teams and the party registers: staff only, each
one audited, real rows in the workbook."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from shangquan.activities import services
from shangquan.core.models import AuditLog
from shangquan.core.roles import Role
from shangquan.org.tests.factories import unit_factory

from .factories import event_factory, team_factory

pytestmark = pytest.mark.django_db


def _rows(response, sheet=None):
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    ws = book[sheet] if sheet else book.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_attendance_and_hours_exports_hold_the_confirmed_minutes(north, south):
    committee, rider = north.people[Role.COMMITTEE], north.people[Role.VOLUNTEER]
    team_factory(north, name="先蜂骑士队", captain=rider)
    event = event_factory(north, title="驿站志愿服务", starts_in=dt.timedelta(hours=-2), hours=3)
    r = services.registration_create(actor=rider, event=event)
    services.check_in(actor=committee, district=north.district, token=event.checkin_token,
                      user=rider, now=event.starts_at)
    services.check_out(actor=committee, district=north.district, token=event.checkin_token,
                       user=rider, now=event.starts_at + dt.timedelta(minutes=90))
    services.hours_confirm(actor=committee, registration=r)
    staff = Client()
    staff.force_login(committee)
    base = f"/console/{north.district.code}/activities/export/"
    month = timezone.localtime(event.starts_at).strftime("%Y-%m")
    response = staff.get(f"{base}attendance.xlsx?month={month}")
    assert response.status_code == 200
    rows = _rows(response)
    assert rows[0][0] == "活动" and rows[1][0] == "驿站志愿服务" and rows[1][8] == 90
    hours = _rows(staff.get(f"{base}hours.xlsx"))
    assert hours[1][1] == "先蜂骑士队" and hours[1][3] == 90 and hours[1][4] == 1.5
    teams = _rows(staff.get(f"{base}teams.xlsx"))
    assert teams[1][0] == "先蜂骑士队"
    assert set(AuditLog.objects.filter(action__endswith=".export", district=north.district)
               .values_list("action", flat=True)) >= {"activities.attendance.export",
                                                      "activities.hours.export",
                                                      "activities.teams.export"}
    # a resident may not; another district's staff do not see this district
    resident = Client()
    resident.force_login(north.people[Role.RESIDENT])
    assert resident.get(f"{base}hours.xlsx").status_code == 403
    outsider = Client()
    outsider.force_login(south.people[Role.COMMITTEE])
    assert outsider.get(f"{base}hours.xlsx").status_code == 404
    assert staff.get(f"{base}attendance.xlsx?month=2026-13").status_code == 422
    assert staff.get(f"{base}nothing.xlsx").status_code == 404


def test_the_party_registers_export_is_for_the_committee_and_street(north):
    committee = north.people[Role.COMMITTEE]
    unit = unit_factory(north.district, name="万达支部")
    point = services.contact_point_create(actor=committee, district=north.district,
                                          kind="leader", person="李书记", unit=unit)
    services.visit_record(actor=committee, point=point, visited_on=timezone.localdate(),
                          problems="消防通道堵塞")
    staff = Client()
    staff.force_login(committee)
    response = staff.get(f"/console/{north.district.code}/activities/export/party.xlsx")
    assert response.status_code == 200
    visits = _rows(response, "走访记录")
    assert visits[1][1] == "李书记" and visits[1][4] == "消防通道堵塞"
    community = Client()
    community.force_login(north.people[Role.COMMUNITY])
    assert community.get(f"/console/{north.district.code}/activities/export/party.xlsx"
                         ).status_code == 403
