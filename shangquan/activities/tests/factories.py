"""Activities test data, built through the real services."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from shangquan.activities import services
from shangquan.activities.models import Enrolment, Event, EventKind, Team
from shangquan.core.actors import SYSTEM
from shangquan.core.roles import Role
from shangquan.org.models import MobileMember, OrgUnit

_seq = itertools.count(1)


def team_factory(persona, *, kind: str = Team.Kind.RIDER, captain=None, name: str = ""):
    return services.team_create(actor=SYSTEM, district=persona.district,
                                name=name or f"测试队伍{next(_seq)}", kind=kind,
                                captain=captain or persona.people[Role.VOLUNTEER])


def event_factory(persona, *, starts_in: dt.timedelta = dt.timedelta(minutes=10),
                  hours: float = 3, publish: bool = True, **fields) -> Event:
    starts = timezone.now() + starts_in
    fields.setdefault("kind", EventKind.VOLUNTEER)
    fields.setdefault("title", f"志愿服务{next(_seq)}")
    event = services.event_create(actor=persona.people[Role.COMMITTEE],
                                  district=persona.district, starts_at=starts,
                                  ends_at=starts + dt.timedelta(hours=hours), **fields)
    if publish:
        event = services.event_move(actor=persona.people[Role.COMMITTEE], event=event,
                                    action="publish")
    return event


def budget_seed(persona, n: int, tag: str, ids: dict) -> None:
    """Rows for core/tests/test_query_budgets.py: teams, events, registrations."""
    people = persona.people
    teams = [team_factory(persona, name=f"队伍{tag}{i}") for i in range(8)]
    for i in range(n):
        event = event_factory(persona, title=f"活动{tag}{i}", team=teams[i % 8],
                              starts_in=dt.timedelta(days=1 + i % 5))
        if i < 8:
            services.registration_create(actor=people[Role.RESIDENT], event=event)
    for team in teams:
        services.team_join(actor=people[Role.RESIDENT], team=team)
    # the committee's own registrations, and the party registers
    committee = people[Role.COMMITTEE]
    for event in Event.objects.filter(district=persona.district,
                                      title__startswith=f"活动{tag}").order_by("pk")[:8]:
        services.registration_create(actor=committee, event=event)
    units = list(OrgUnit.objects.filter(district=persona.district).order_by("pk")[:8])
    for i, unit in enumerate(units):
        point = services.contact_point_create(actor=committee, district=persona.district,
                                              kind="instructor", person=f"指导员{tag}{i}",
                                              unit=unit)
        services.visit_record(actor=committee, point=point, visited_on=timezone.localdate(),
                              problems="台账不全")
        services.cadre_report(actor=people[Role.DEPARTMENT], district=persona.district,
                              service=f"下沉服务{tag}{i}", minutes=60)
    # a published contest: a rubric, two judges, n entries all marked
    contest_event = event_factory(persona, kind=EventKind.CONTEST, title=f"大赛{tag}")
    contest = services.contest_create(actor=committee, event=contest_event,
                                      criteria=[("口味", 60), ("创意", 40)])
    judges = [people[Role.RESIDENT], people[Role.MERCHANT]]
    for judge in judges:
        services.judge_add(actor=committee, contest=contest, user=judge)
    entries = [services.entry_add(actor=committee, contest=contest, title=f"作品{tag}{i}",
                                  entrant=f"参赛者{i}") for i in range(max(2, n))]
    services.contest_move(actor=committee, contest=contest, action="judge")
    criteria = [c.pk for c in contest.criteria.all()]
    for judge in judges:
        for i, entry in enumerate(entries):
            services.score_submit(actor=judge, entry=entry,
                                  marks={criteria[0]: i % 60, criteria[1]: 20})
    services.contest_move(actor=committee, contest=contest, action="publish")
    ids.setdefault("contest_id", contest.pk)
    enrolled = Enrolment.objects.values("mobile_member_id")
    for mobile in MobileMember.objects.filter(district=persona.district)\
            .exclude(pk__in=enrolled).order_by("pk")[:8]:
        services.mobile_member_enrol(actor=committee, mobile_member=mobile, unit=units[0])
