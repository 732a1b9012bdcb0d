"""Notes reach their reader: the dispatch note and the escalation note are on the order
for the department and in the console timeline, never on the public tracking page."""

import pytest
from django.db import transaction

from shangquan.core.models import Notification
from shangquan.core.roles import Role
from shangquan.workorders import services

from .factories import order_factory

pytestmark = pytest.mark.django_db


def test_dispatch_note_reaches_the_department_not_the_public(client, north):
    order = order_factory(north)
    with transaction.atomic():
        services.work_order_dispatch(actor=north.people[Role.COMMITTEE], district=north.district,
                                     order=order, department=north.department,
                                     note="请联系摊主，晚八点后复查")
    department = north.people[Role.DEPARTMENT]
    client.force_login(department)
    page = client.get(f"/console/{north.district.code}/workorders/{order.pk}/").content.decode()
    facts = page[page.index('id="dispatch-note"'):]
    assert facts.split("</dd>")[0].endswith("请联系摊主，晚八点后复查")
    assert page.count("请联系摊主，晚八点后复查") == 2  # the facts and the timeline
    assert Notification.objects.filter(user=department, body__contains="晚八点后复查").exists()
    client.logout()
    public = client.get(f"/d/{north.district.code}/track/{order.number}/").content.decode()
    assert "晚八点后复查" not in public and "已派单" in public


def test_escalation_note_is_in_the_timeline(client, north):
    order = order_factory(north)
    committee = north.people[Role.COMMITTEE]
    services.work_order_escalate(actor=committee, district=north.district, order=order,
                                 note="跨部门：城管与市场监管都说不归自己")
    client.force_login(committee)
    page = client.get(f"/console/{north.district.code}/workorders/{order.pk}/").content.decode()
    timeline = page[page.index('class="timeline"'):]
    assert "吹哨上报街道" in timeline and "都说不归自己" in timeline
    client.logout()
    public = client.get(f"/d/{north.district.code}/track/{order.number}/").content.decode()
    assert "都说不归自己" not in public
