"""Suggestions: online and offline with their origin, the table, public reasons, the
answer deadline in working days and the overdue list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.errors import (
    InvalidTransition,
    NotAuthenticated,
    PermissionDenied,
    ValidationFailed,
)
from shangquan.core.models import AuditLog, Notification
from shangquan.core.roles import Role

from .. import selectors
from ..models import DigestItem, Suggestion
from ..rules import add_working_days
from ..services import meetings, suggestions
from ..services.announcements import digests_send
from .factories import talk_factory

pytestmark = pytest.mark.django_db


def test_working_days_skip_weekends():
    friday = dt.date(2026, 12, 4)
    assert add_working_days(friday, 1) == dt.date(2026, 12, 7)
    assert add_working_days(friday, 15) == dt.date(2026, 12, 25)


def test_online_suggestion_has_a_deadline_and_a_number(north):
    resident = north.people[Role.RESIDENT]
    s = suggestions.suggestion_submit(actor=resident, district=north.district,
                                      title="增划停车位", body="步行街周边停车难")
    assert s.number == f"{north.district.code}-JY-{s.pk:06d}"
    assert s.answer_due == add_working_days(timezone.localdate(), 15)
    assert AuditLog.objects.filter(action="deliberation.suggestion.submit", object_id=str(s.pk))
    with pytest.raises(NotAuthenticated):
        suggestions.suggestion_submit(actor=AnonymousUser(), district=north.district,
                                      title="x", body="y")


def test_offline_suggestion_names_its_talk_session(north, south):
    staff = north.people[Role.COMMUNITY]
    talk = talk_factory(north.district)
    s = suggestions.suggestion_enter_offline(actor=staff, district=north.district, origin=talk,
                                             author_name="栾女士", title="油烟扰民",
                                             body="晚上不敢开窗")
    assert (s.channel, s.origin, s.entered_by) == ("offline", talk, staff)
    assert list(selectors.suggestion_list(district=north.district, origin=talk.pk)) == [s]
    with pytest.raises(PermissionDenied):
        suggestions.suggestion_enter_offline(actor=north.people[Role.RESIDENT],
                                             district=north.district, origin=talk,
                                             author_name="", title="x", body="y")
    # the database refuses an offline suggestion without its session
    with pytest.raises(IntegrityError), transaction.atomic():
        Suggestion.objects.filter(pk=s.pk).update(origin=None)


def test_decline_needs_a_public_reason_and_follows_the_table(north):
    committee = north.people[Role.COMMITTEE]
    s = suggestions.suggestion_submit(actor=north.people[Role.RESIDENT], district=north.district,
                                      title="拆除牌坊", body="影响通行")
    with pytest.raises(InvalidTransition):
        suggestions.suggestion_decline(actor=committee, suggestion=s, reason="文物保护")
    s = suggestions.suggestion_review(actor=committee, suggestion=s)
    with pytest.raises(ValidationFailed):
        suggestions.suggestion_decline(actor=committee, suggestion=s, reason=" ")
    s = suggestions.suggestion_decline(actor=committee, suggestion=s, reason="牌坊为文物，不能拆除")
    assert s.status == "declined" and s.answered_at
    assert list(selectors.suggestion_public_list(district=north.district)) == [s]
    with pytest.raises(IntegrityError), transaction.atomic():
        Suggestion.objects.filter(pk=s.pk).update(public_answer="")


def test_accept_links_a_topic_and_merge_links_the_target(north):
    committee = north.people[Role.COMMITTEE]
    council = meetings.council_create(actor=SYSTEM, district=north.district, name="议事会")
    topic = meetings.topic_create(actor=SYSTEM, council=council, title="停车")
    a = suggestions.suggestion_submit(actor=north.people[Role.RESIDENT], district=north.district,
                                      title="停车位", body="多划一些")
    b = suggestions.suggestion_submit(actor=north.people[Role.RESIDENT], district=north.district,
                                      title="停车位不够", body="同上")
    for s in (a, b):
        suggestions.suggestion_review(actor=committee, suggestion=s)
    with pytest.raises(ValidationFailed):
        suggestions.suggestion_accept(actor=committee, suggestion=a, answer="好")
    a = suggestions.suggestion_accept(actor=committee, suggestion=a, answer="列入议题", topic=topic)
    b = suggestions.suggestion_merge(actor=committee, suggestion=b, into=a)
    assert a.topic == topic and b.merged_into == a and b.status == "merged"


def test_overdue_list_has_open_suggestions_past_their_deadline(north):
    s = suggestions.suggestion_submit(actor=north.people[Role.RESIDENT], district=north.district,
                                      title="路灯不亮", body="东段")
    assert not selectors.suggestion_overdue(district=north.district).exists()
    Suggestion.objects.filter(pk=s.pk).update(answer_due=timezone.localdate() - dt.timedelta(days=1))
    assert list(selectors.suggestion_overdue(district=north.district)) == [s]


def test_the_author_hears_at_once_staff_in_the_digest(north, django_capture_on_commit_callbacks):
    author = north.people[Role.RESIDENT]
    s = suggestions.suggestion_submit(actor=author, district=north.district, title="垃圾桶",
                                      body="太少")
    committee = north.people[Role.COMMITTEE]
    assert DigestItem.objects.filter(user=committee, sent_at__isnull=True).count() == 1
    assert not Notification.objects.filter(user=committee).exists()
    with django_capture_on_commit_callbacks(execute=True):
        suggestions.suggestion_review(actor=committee, suggestion=s)
    assert Notification.objects.filter(user=author, title__contains=s.number).count() == 1
    assert digests_send() >= 1
    assert Notification.objects.filter(user=committee, title__contains="摘要").count() == 1
    assert digests_send() == 0  # an empty digest is never sent
