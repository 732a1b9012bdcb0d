"""Reads of the activities app, always scoped to a district ("not yours" = NotFound)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.coords import distance_m
from shangquan.core.district_settings import district_settings
from shangquan.core.errors import NotFound
from shangquan.core.models import District
from shangquan.core.pii import phone_show
from shangquan.core.selectors import access_scoped
from shangquan.workorders.models import WorkOrder

from .models import (
    CadreReport,
    ContactPoint,
    Contest,
    Enrolment,
    Entry,
    Event,
    EventKind,
    Registration,
    Score,
    Team,
    TeamMember,
    Visit,
)
from .policies import sees_beneficiaries

LIVE = (Event.Status.PUBLISHED, Event.Status.CLOSED, Event.Status.DONE)


def event_list(*, user: Any, district: District, month: str = "", station: str = "",
               kind: str = "", include_drafts: bool = False) -> QuerySet[Event]:
    """The calendar: a month (``YYYY-MM``), a station, a kind. Drafts for organisers."""
    qs = Event.objects.filter(district=district).select_related("team", "unit")
    if not (include_drafts and policies.can(user, "activities.view", district)):
        qs = qs.filter(status__in=LIVE + (Event.Status.ARCHIVED,))
    if month:
        try:
            year, mon = (int(x) for x in month.split("-"))
            start = dt.date(year, mon, 1)
        except (TypeError, ValueError):
            raise NotFound() from None
        end = dt.date(year + (mon == 12), mon % 12 + 1, 1)
        qs = qs.filter(starts_at__date__gte=start, starts_at__date__lt=end)
    if station:
        qs = qs.filter(station=station)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("starts_at", "pk")


def _km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> float:
    return distance_m(float(lat1), float(lon1), float(lat2), float(lon2)) / 1000


def events_upcoming(*, district: District, latitude: Any = None, longitude: Any = None,
                    limit: int = 50) -> list[tuple[Event, float | None]]:
    """Open events from today, nearest first when a position is given."""
    today = timezone.localdate()
    events = list(Event.objects.filter(district=district, status=Event.Status.PUBLISHED,
                                       ends_at__date__gte=today)
                  .select_related("team").order_by("starts_at")[:200])
    rows = [(e, _km(latitude, longitude, e.latitude, e.longitude)
             if None not in (latitude, longitude, e.latitude, e.longitude) else None)
            for e in events]
    if latitude is not None and longitude is not None:
        rows.sort(key=lambda row: (row[1] is None, row[1] or 0, row[0].starts_at))
    return rows[:limit]


def access_event(*, user: Any, district: District, event_id: Any) -> Event:
    event = access_scoped(Event.objects.select_related("team", "unit", "organiser"),
                          district=district, pk=event_id)
    if event.status == Event.Status.DRAFT and not policies.can(
            user, "activities.event_organise", event):
        raise NotFound()
    return event


def checkin_radius(event: Event) -> int | None:
    """Metres within which check-in and check-out must happen, or None (no place check):
    the event's own radius, else the district's default, when the event has a place."""
    if event.latitude is None or event.longitude is None:
        return None
    radius = event.checkin_radius_m
    if radius is None:
        radius = district_settings(district=event.district, app="activities")["default_radius_m"]
    return radius or None


def event_by_token(*, district: District, token: str) -> Event:
    event = Event.objects.filter(district=district, checkin_token=str(token)[:16]).first()
    if event is None:
        raise NotFound(code="bad_checkin_code")
    return event


def registration_mine(*, user: Any, event: Event) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Registration.objects.filter(event=event, user=user).first()


def registration_list(*, user: Any, event: Event) -> QuerySet[Registration]:
    """The attendance list: for the organiser and staff."""
    if not (policies.can(user, "activities.event_organise", event)
            or policies.can(user, "activities.view", event.district)):
        raise NotFound()
    return (Registration.objects.filter(event=event).select_related("user")
            .order_by("status", "created_at", "id"))


def access_registration(*, user: Any, district: District, registration_id: Any
                        ) -> Registration:
    registration = access_scoped(Registration.objects.select_related("event", "event__team",
                                                                     "user", "district"),
                                 district=district, pk=registration_id)
    if registration.user_id == getattr(user, "pk", None) or policies.can(
            user, "activities.event_organise", registration.event):
        return registration
    raise NotFound()


def my_registrations(*, user: Any, district: District) -> QuerySet[Registration]:
    return (Registration.objects.filter(district=district, user=user)
            .select_related("event").order_by("-event__starts_at"))


def my_hours(*, user: Any, district: District) -> dict[str, int]:
    row = Registration.objects.filter(district=district, user=user,
                                      confirmed_at__isnull=False)\
        .aggregate(minutes=Sum("minutes"), points=Sum("points"), n=Count("id"))
    return {"minutes": row["minutes"] or 0, "points": row["points"] or 0, "events": row["n"]}


# --- teams -----------------------------------------------------------------------------------
def team_list(*, district: District) -> QuerySet[Team]:
    return (Team.objects.filter(district=district, is_active=True).select_related("captain")
            .annotate(active=Count("members", filter=Q(members__status="active")))
            .order_by("kind", "name"))


def access_team(*, district: District, team_id: Any) -> Team:
    return access_scoped(Team.objects.select_related("captain"), district=district, pk=team_id)


def my_teams(*, user: Any, district: District) -> QuerySet[TeamMember]:
    return (TeamMember.objects.filter(district=district, user=user)
            .exclude(status=TeamMember.Status.LEFT).select_related("team"))


def pending_requests(*, user: Any, district: District) -> QuerySet[TeamMember]:
    """Join requests the user may decide: all for organisers, their own teams' for captains."""
    qs = (TeamMember.objects.filter(district=district, status=TeamMember.Status.PENDING)
          .select_related("team", "user").order_by("created_at", "id"))
    if not policies.can(user, "activities.manage", district):
        qs = qs.filter(team__captain=user)
    return qs


def team_members(*, team: Team) -> QuerySet[TeamMember]:
    return team.members.select_related("user").order_by("status", "created_at")


def access_member(*, district: District, member_id: Any) -> TeamMember:
    return access_scoped(TeamMember.objects.select_related("team", "district"),
                         district=district, pk=member_id)


def team_stats(*, team: Team, year: int | None = None) -> dict[str, int]:
    """Members, members' confirmed hours and service-log entries this year, and the
    随手拍 reports members filed (a rider's reports count toward the 先蜂骑士 team)."""
    year = year or timezone.localdate().year
    members = team.members.filter(status=TeamMember.Status.ACTIVE).values("user_id")
    minutes = Registration.objects.filter(district=team.district, user_id__in=members,
                                          confirmed_at__year=year)\
        .aggregate(m=Sum("minutes"))["m"] or 0
    logs = team.service_logs.filter(served_on__year=year).aggregate(
        n=Count("id"), people=Sum("people"), m=Sum("minutes"))
    reports = WorkOrder.objects.filter(district=team.district, reporter_id__in=members,
                                       created_at__year=year)
    solved = reports.filter(status__in=["resolved", "closed"]).count()
    return {"members": team.members.filter(status=TeamMember.Status.ACTIVE).count(),
            "minutes": minutes + (logs["m"] or 0), "services": logs["n"] or 0,
            "served": logs["people"] or 0, "reports": reports.count(), "solved": solved}


def service_log_list(*, user: Any, team: Team) -> list[dict]:
    """The log, with beneficiaries' names and phones only for the captain and committee."""
    if not policies.can(user, "activities.service_log_view", team.district):
        raise NotFound()
    full = sees_beneficiaries(user, team) or policies.is_city_admin(user)
    rows = []
    for log in team.service_logs.order_by("-served_on", "-id")[:200]:
        rows.append({"id": log.pk, "kind": log.kind, "kind_label": log.get_kind_display(),
                     "served_on": log.served_on, "people": log.people, "minutes": log.minutes,
                     "note": log.note,
                     "beneficiary": log.beneficiary if full else
                     (log.beneficiary[:1] + "**" if log.beneficiary else ""),
                     "beneficiary_phone": log.beneficiary_phone if full
                     else phone_show(log.beneficiary_phone, reveal=False)})
    return rows


# --- party life ---------------------------------------------------------------------------
def party_day_attendance(*, user: Any, district: District, year: int | None = None
                         ) -> list[dict]:
    """主题党日 attendance per branch: attended, absent (with reasons), registered."""
    policies.require(user, "activities.party", district)
    year = year or timezone.localdate().year
    rows = (Registration.objects.filter(district=district, event__kind=EventKind.PARTY_DAY,
                                        event__starts_at__year=year)
            .values("event__unit__name")
            .annotate(attended=Count("id", filter=Q(status="attended")
                                     | Q(checked_in_at__isnull=False)),
                      absent=Count("id", filter=Q(status="no_show")),
                      total=Count("id", filter=~Q(status="cancelled")))
            .order_by("event__unit__name"))
    return [{"branch": r["event__unit__name"] or "—", "attended": r["attended"],
             "absent": r["absent"], "total": r["total"]} for r in rows]


def absences(*, user: Any, district: District) -> QuerySet[Registration]:
    policies.require(user, "activities.party", district)
    return (Registration.objects.filter(district=district, event__kind=EventKind.PARTY_DAY,
                                        status=Registration.Status.NO_SHOW)
            .select_related("event", "user", "event__unit").order_by("-event__starts_at"))


def contact_points(*, user: Any, district: District) -> QuerySet[ContactPoint]:
    policies.require(user, "activities.party", district)
    return (ContactPoint.objects.filter(district=district).select_related("unit")
            .annotate(visits_n=Count("visits"),
                      open_problems=Count("visits", filter=~Q(visits__problems="")
                                          & Q(visits__followed_up_at__isnull=True)))
            .order_by("kind", "person"))


def access_contact_point(*, user: Any, district: District, point_id: Any) -> ContactPoint:
    policies.require(user, "activities.party", district)
    return access_scoped(ContactPoint.objects.select_related("unit"), district=district,
                         pk=point_id)


def visit_list(*, user: Any, district: District) -> QuerySet[Visit]:
    policies.require(user, "activities.party", district)
    return (Visit.objects.filter(district=district).select_related("point", "point__unit")
            .order_by("-visited_on", "-id"))


def access_visit(*, user: Any, district: District, visit_id: Any) -> Visit:
    policies.require(user, "activities.party", district)
    return access_scoped(Visit, district=district, pk=visit_id)


def enrolment_list(*, user: Any, district: District) -> QuerySet[Enrolment]:
    policies.require(user, "activities.party", district)
    return (Enrolment.objects.filter(district=district)
            .select_related("mobile_member", "party_member", "party_member__unit")
            .order_by("-created_at"))


def cadre_reports(*, user: Any, district: District) -> QuerySet[CadreReport]:
    if not (policies.can(user, "activities.party", district)
            or policies.can(user, "activities.cadre_report", district)):
        raise NotFound()
    qs = CadreReport.objects.filter(district=district).select_related("cadre")
    if not policies.can(user, "activities.party", district):
        qs = qs.filter(cadre=user)
    return qs.order_by("-reported_at")


# --- contests ----------------------------------------------------------------------------
def contest_of(*, event: Event) -> Contest | None:
    return Contest.objects.filter(event=event).select_related("event").first()


def access_contest(*, user: Any, district: District, contest_id: Any) -> Contest:
    """Organisers and staff, and the contest's judges; the rest: not found (the
    published results are shown on the event page)."""
    contest = access_scoped(Contest.objects.select_related("event", "event__team",
                                                           "district"),
                            district=district, pk=contest_id)
    if (policies.can(user, "activities.contest_manage", contest)
            or policies.can(user, "activities.view", district)
            or contest.judges.filter(user_id=getattr(user, "pk", None)).exists()):
        return contest
    raise NotFound()


def access_entry(*, contest: Contest, entry_id: Any) -> Entry:
    return access_scoped(Entry.objects.filter(contest=contest), district=contest.district,
                         pk=entry_id)


def contests_to_judge(*, user: Any, district: District) -> QuerySet[Contest]:
    return (Contest.objects.filter(district=district, judges__user_id=getattr(user, "pk", None))
            .select_related("event").order_by("-event__starts_at"))


def contest_sheet(*, contest: Contest, user: Any) -> list[dict[str, Any]]:
    """A judge's own marks, entry by entry (criterion id → value), for the scoring page."""
    judge = contest.judges.filter(user_id=getattr(user, "pk", None)).first()
    marks: dict[int, dict[int, int]] = {}
    if judge is not None:
        for entry_id, criterion_id, value in judge.scores.values_list(
                "entry_id", "criterion_id", "value"):
            marks.setdefault(entry_id, {})[criterion_id] = value
    criteria = list(contest.criteria.all())
    return [{"entry": entry, "marks": [(c, marks.get(entry.pk, {}).get(c.pk)) for c in criteria],
             "done": len(marks.get(entry.pk, {})) == len(criteria)}
            for entry in contest.entries.order_by("pk")]


def contest_results(*, contest: Contest) -> QuerySet[Entry]:
    """The published ranking (frozen at publication)."""
    if contest.status != Contest.Status.PUBLISHED:
        return Entry.objects.none()
    return contest.entries.filter(rank__isnull=False).order_by("rank", "pk")


def event_photos(*, event: Event):
    return event.photos.order_by("created_at", "pk")


ATTENDEE_SALT = "activities.attendee-code"


def attendee_code(registration: Registration) -> str:
    """The code an attendee shows for the organiser to scan: ``QD:<id>:<signature>``
    (signed with the site's key, so it cannot be guessed from an id)."""
    return "QD:" + signing.Signer(salt=ATTENDEE_SALT).sign(str(registration.pk))


def contest_ranking(contest: Contest) -> list[dict[str, Any]]:
    """Each entry's mean of the judges' totals (×100, rounded half up, in integers) and
    its rank: equal scores share a rank, the next rank skips (1, 1, 3). An entry some
    judge has not fully marked is ``missing`` and ranked last, unranked."""
    criteria = contest.criteria.count()
    judges = contest.judges.count()
    totals: dict[int, dict[int, list[int]]] = {}
    for entry_id, judge_id, value in Score.objects.filter(entry__contest=contest)\
            .values_list("entry_id", "judge_id", "value"):
        totals.setdefault(entry_id, {}).setdefault(judge_id, []).append(value)
    rows = []
    for entry in contest.entries.order_by("pk"):
        per_judge = totals.get(entry.pk, {})
        complete = [sum(v) for v in per_judge.values() if len(v) == criteria]
        missing = len(complete) < judges or judges == 0
        score_x100 = None
        if complete and not missing:
            score_x100 = (sum(complete) * 200 + len(complete)) // (2 * len(complete))
        rows.append({"entry": entry, "score_x100": score_x100, "missing": missing,
                     "score": "" if score_x100 is None else f"{score_x100 // 100}.{score_x100 % 100:02d}",
                     "judged": len(complete), "rank": None})
    rows.sort(key=lambda r: (r["score_x100"] is None, -(r["score_x100"] or 0), r["entry"].pk))
    previous, rank = None, 0
    for n, row in enumerate(rows, start=1):
        if row["score_x100"] is None:
            continue
        if row["score_x100"] != previous:
            rank, previous = n, row["score_x100"]
        row["rank"] = rank
    return rows
