"""Councils with quotas, meetings with a waiting list and QR check-in, rounds, the
action fanned out to shops as rectifications, monitors' confirmation, 政企面对面."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.errors import Conflict, PermissionDenied, ValidationFailed
from shangquan.core.roles import Role
from shangquan.inspections.services import rectifications
from shangquan.inspections.tests.factories import photo
from shangquan.merchants.tests.factories import merchant_factory

from .. import selectors
from ..models import Meeting, Registration
from ..services import meetings
from .factories import resident_voter, shop_owner, talk_factory

pytestmark = pytest.mark.django_db


def test_council_quota_share(north):
    council = meetings.council_create(actor=SYSTEM, district=north.district, name="商居议事会")
    for kind in ("resident", "merchant", "community"):
        meetings.seat_add(actor=SYSTEM, council=council, kind=kind, name=kind)
    assert selectors.council_quota(council=council)["met"] is False  # 33.3 % < 34 %
    meetings.seat_add(actor=SYSTEM, council=council, kind="resident", name="r2")
    meetings.seat_add(actor=SYSTEM, council=council, kind="merchant", name="m2")
    assert selectors.council_quota(council=council)["met"] is True


def test_waiting_list_promotes_on_cancel_and_qr_check_in(north):
    meeting = talk_factory(north.district, capacity=1)
    a, b = resident_voter(north.district), resident_voter(north.district)
    first = meetings.registration_create(actor=a, meeting=meeting)
    second = meetings.registration_create(actor=b, meeting=meeting)
    assert (first.status, second.status) == ("registered", "waitlisted")
    with pytest.raises(Conflict):
        meetings.registration_create(actor=a, meeting=meeting)
    meetings.registration_cancel(actor=a, registration=first)
    second.refresh_from_db()
    assert second.status == "registered"
    with pytest.raises(ValidationFailed):
        meetings.registration_check_in(actor=b, meeting=meeting, code="wrong")
    done = meetings.registration_check_in(actor=b, meeting=meeting, code=meeting.check_in_code)
    assert done.status == Registration.Status.ATTENDED and done.checked_in_at


def test_rounds_number_themselves_and_consensus_closes_the_talks(north):
    council = meetings.council_create(actor=SYSTEM, district=north.district, name="议事室")
    topic = meetings.topic_create(actor=SYSTEM, council=council, title="油烟")
    for k in range(5):
        r = meetings.round_record(actor=SYSTEM, topic=topic, positions=f"第{k + 1}轮意见")
    assert r.number == 5
    meetings.topic_agree(actor=SYSTEM, topic=topic, consensus="商户出资治理、居民参与监督")
    with pytest.raises(Conflict):
        meetings.round_record(actor=SYSTEM, topic=topic, positions="再议")


def test_action_fans_out_as_rectifications_and_monitors_confirm(north):
    committee, inspector = north.people[Role.COMMITTEE], north.people[Role.DEPARTMENT]
    shops = [merchant_factory(north.district, owner=north.people[Role.MERCHANT])
             for _ in range(3)]
    item = meetings.action_create(actor=committee, district=north.district, title="安装油烟净化器",
                                  owner_name="烟火协会", due_on=timezone.localdate())
    tasks = meetings.action_fan_out(actor=committee, item=item, merchants=shops,
                                    deadline=timezone.now() + dt.timedelta(days=30))
    assert len(tasks) == 3 and {t.rectification.source for t in tasks} == {"deliberation"}
    assert meetings.action_fan_out(actor=committee, item=item, merchants=shops) == []  # once
    monitor = resident_voter(north.district)
    meetings.monitor_add(actor=committee, item=item, user=monitor, name="栾女士")
    with pytest.raises(Conflict) as early:
        meetings.task_confirm(actor=monitor, task=tasks[0])
    assert early.value.code == "task_not_verified"
    order = tasks[0].rectification
    rectifications.rectification_evidence_submit(actor=north.people[Role.MERCHANT],
                                                 district=north.district, rectification=order,
                                                 note="已安装", photos=[photo()])
    rectifications.rectification_verify(actor=inspector, district=north.district,
                                        rectification=order)
    tasks[0].rectification.refresh_from_db()
    meetings.task_confirm(actor=monitor, task=tasks[0])
    with pytest.raises(PermissionDenied):
        meetings.task_confirm(actor=resident_voter(north.district), task=tasks[0])
    progress = selectors.action_progress(item=item)
    assert (progress["done"], progress["total"], progress["pct"], progress["confirmed"]) == (
        1, 3, 33, 1)


def test_face_to_face_demand_is_tracked_and_visible_to_its_merchant(north):
    owner, shop = shop_owner(north.district)
    face = meetings.meeting_create(actor=SYSTEM, district=north.district,
                                   kind=Meeting.Kind.FACE_TO_FACE, title="政企面对面",
                                   starts_at=timezone.now() + dt.timedelta(days=5))
    with pytest.raises(ValidationFailed):
        meetings.demand_file(actor=owner, meeting=talk_factory(north.district), merchant=shop,
                             demand="停车")
    item = meetings.demand_file(actor=owner, meeting=face, merchant=shop, demand="直播带货资质")
    meetings.demand_assign(actor=north.people[Role.COMMITTEE], item=item,
                           department=north.department, due_on=timezone.localdate())
    assert list(selectors.my_demands(user=owner, district=north.district)) == [item]
    with pytest.raises(PermissionDenied):
        meetings.action_complete(actor=north.people[Role.COMMUNITY], item=item, answer="好")
    meetings.action_complete(actor=north.people[Role.DEPARTMENT], item=item, answer="已办理")
    item.refresh_from_db()
    assert item.status == "done"
