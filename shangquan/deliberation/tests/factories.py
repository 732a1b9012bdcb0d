"""Deliberation rows built through the services (SYSTEM as the committee's hand)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.models import District
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory
from shangquan.merchants.models import Merchant
from shangquan.merchants.tests.factories import merchant_factory

from ..models import Convention, Meeting, Suggestion
from ..services import announcements, conventions, meetings, suggestions, surveys

_seq = itertools.count(1)


def resident_voter(district: District, *, phone: str | None = None) -> Any:
    """A resident member of ``district`` with a verified phone."""
    n = next(_seq)
    return member_factory(district, Role.RESIDENT, username=f"voter-{district.code}-{n}",
                          phone=phone or f"1370{n:07d}")


def shop_owner(district: District, **fields: Any) -> tuple[Any, Any]:
    """(owner user, merchant): a merchant member who owns an open shop."""
    n = next(_seq)
    owner = member_factory(district, Role.MERCHANT, username=f"owner-{district.code}-{n}")
    return owner, merchant_factory(district, owner=owner, **fields)


def talk_factory(district: District, **fields: Any) -> Meeting:
    fields.setdefault("kind", Meeting.Kind.TALK)
    fields.setdefault("title", f"恳谈会{next(_seq)}")
    fields.setdefault("starts_at", timezone.now() + dt.timedelta(days=3))
    return meetings.meeting_create(actor=SYSTEM, district=district, **fields)


def convention_factory(district: District, *, status: str = "draft",
                       **fields: Any) -> Convention:
    """A convention moved through the table to ``status`` (comment period back-dated)."""
    fields.setdefault("title", f"占道经营公约{next(_seq)}")
    fields.setdefault("text", "不占用人行道\n外摆不超过 1 米\n22 点前收摊")
    c = conventions.convention_create(actor=SYSTEM, district=district, **fields)
    if status == "draft":
        return c
    c = conventions.convention_open_comment(actor=SYSTEM, convention=c)
    if status == "comment":
        return c
    Convention.objects.filter(pk=c.pk).update(
        comment_opened_at=timezone.now() - dt.timedelta(days=c.comment_days, minutes=1))
    c.refresh_from_db()
    c = conventions.convention_open_voting(actor=SYSTEM, convention=c,
                                           closes_at=timezone.now() + dt.timedelta(days=3))
    assert status == "voting", status
    return c


def budget_seed(persona: Any, n: int, tag: str, ids: dict) -> None:
    """Rows for the query-budget matrix (``core/tests/test_query_budgets.py``): more than
    five of every listed kind, answered and overdue suggestions, a closed convention."""
    district, people = persona.district, persona.people
    committee = people[Role.COMMITTEE]
    talk = talk_factory(district, title=f"恳谈{tag}")
    made = []
    for i in range(n):
        if i % 2:
            made.append(suggestions.suggestion_enter_offline(
                actor=committee, district=district, origin=talk, author_name=f"居民{i}",
                title=f"建议{tag}{i}", body="内容"))
        else:
            made.append(suggestions.suggestion_submit(actor=people[Role.RESIDENT],
                                                      district=district, title=f"建议{tag}{i}",
                                                      body="内容"))
    for s in made[: n // 2]:
        s = suggestions.suggestion_review(actor=committee, suggestion=s)
        suggestions.suggestion_decline(actor=committee, suggestion=s, reason="暂不具备条件")
    Suggestion.objects.filter(pk__in=[s.pk for s in made[n // 2:]]).update(
        answer_due=timezone.localdate() - dt.timedelta(days=2))
    for i in range(8):
        survey = surveys.survey_create(actor=committee, district=district, title=f"问卷{tag}{i}",
                                       questions=[{"kind": "single", "text": "身份",
                                                   "options": ["居民", "商户"]},
                                                  {"kind": "scale", "text": "满意度"}])
        council = meetings.council_create(actor=committee, district=district,
                                          name=f"议事会{tag}{i}")
        meetings.seat_add(actor=committee, council=council, kind="resident", name="居民代表")
        topic = meetings.topic_create(actor=committee, council=council, title=f"议题{tag}{i}")
        meetings.round_record(actor=committee, topic=topic, positions="各方意见")
        item = meetings.action_create(actor=committee, district=district, title=f"事项{tag}{i}",
                                      owner_name="协会", due_on=timezone.localdate(), topic=topic)
        talk_factory(district, title=f"会议{tag}{i}")
        announcements.announcement_publish(actor=committee, district=district,
                                           title=f"公告{tag}{i}", body="正文")
        convention_factory(district, title=f"公约{tag}{i}", status="comment" if i else "voting")
    surveys.survey_open(actor=committee, survey=survey)
    shops = list(Merchant.objects.filter(district=district).order_by("pk")[:SIDE_TASKS])
    meetings.action_fan_out(actor=committee, item=item, merchants=shops)
    ids.setdefault("survey_id", survey.pk)
    closed = Convention.objects.filter(district=district, status="voting").first()
    if closed is not None:
        ids.setdefault("convention_id", closed.pk)


SIDE_TASKS = 6
