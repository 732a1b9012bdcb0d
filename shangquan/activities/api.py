"""Activities API under /api/v1/districts/{code}/activities/…: events and sign-up,
check-in and check-out, hours, teams, the public-service log and party-life registers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Path, Router, Schema

from shangquan.core import policies
from shangquan.core.apibase import Id, Rows, paginate
from shangquan.core.selectors import access_district, access_member_user, access_scoped
from shangquan.merchants.models import Merchant
from shangquan.org.models import MobileMember, OrgUnit

from . import selectors, services
from .models import ContactPoint, Contest, Event, EventKind, ServiceLog, SixInto, Team

router = Router(tags=["activities"])
PathStr = Path[str]


class ActivityEventIn(Schema):
    kind: EventKind
    six_into: SixInto | None = None
    title: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=5000)
    place: str = Field("", max_length=120)
    station: str = Field("", max_length=80)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int = Field(30, ge=1, le=100000)
    eligibility: Event.Eligibility = Event.Eligibility.ANYONE
    team_id: Id | None = None
    unit_id: Id | None = None
    checkin_radius_m: int | None = Field(None, ge=0, le=20000)
    awards_hours: bool = True


class ActivityEventOut(Schema):
    id: int
    kind: str
    six_into: str
    title: str
    place: str
    station: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    eligibility: str
    team_id: int | None
    unit_id: int | None
    status: str
    summary: str
    headcount: int | None


class ActivityMoveIn(Schema):
    action: str = Field(..., pattern="^(publish|close|finish|archive)$")


class ActivityWrapupIn(Schema):
    summary: str = Field(..., min_length=1, max_length=5000)
    headcount: int | None = Field(None, ge=0)


class ActivityRegistrationOut(Schema):
    id: int
    event_id: int
    user_id: int
    status: str
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    minutes: int | None
    points: int
    absence_reason: str


class ActivityScanIn(Schema):
    token: str = Field(..., min_length=4, max_length=16)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    user_id: Id | None = Field(None, description="organiser checks in this attendee")


class ActivityConfirmIn(Schema):
    minutes: int | None = Field(None, ge=0, le=24 * 60)


class ActivityAbsenceIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class ActivityTeamIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    kind: Team.Kind
    captain_id: Id
    description: str = Field("", max_length=300)


class ActivityTeamOut(Schema):
    id: int
    kind: str
    name: str
    description: str
    captain_id: int
    active: int


class ActivityTeamStats(Schema):
    members: int
    minutes: int
    services: int
    served: int
    reports: int
    solved: int


class ActivityMemberOut(Schema):
    id: int
    team_id: int
    user_id: int
    status: str


class ActivityJoinIn(Schema):
    note: str = Field("", max_length=200)


class ActivityDecideIn(Schema):
    approve: bool


class ActivityServiceIn(Schema):
    kind: ServiceLog.Kind
    served_on: dt.date
    beneficiary: str = Field("", max_length=60)
    beneficiary_phone: str = Field("", max_length=20)
    people: int = Field(1, ge=1, le=10000)
    minutes: int = Field(0, ge=0, le=24 * 60)
    note: str = Field("", max_length=300)


class ActivityServiceOut(Schema):
    id: int
    kind: str
    kind_label: str
    served_on: dt.date
    people: int
    minutes: int
    note: str
    beneficiary: str
    beneficiary_phone: str


class ActivityHoursOut(Schema):
    minutes: int
    points: int
    events: int


class ActivityAttendanceRow(Schema):
    branch: str
    attended: int
    absent: int
    total: int


class ActivityContactIn(Schema):
    kind: ContactPoint.Kind
    person: str = Field(..., min_length=1, max_length=40)
    unit_id: Id


class ActivityContactOut(Schema):
    id: int
    kind: str
    person: str
    unit_id: int
    visits_n: int = 0
    open_problems: int = 0


class ActivityVisitIn(Schema):
    visited_on: dt.date
    problems: str = Field("", max_length=300)
    follow_up: str = Field("", max_length=300)


class ActivityVisitOut(Schema):
    id: int
    point_id: int
    visited_on: dt.date
    problems: str
    follow_up: str
    followed_up_at: dt.datetime | None


class ActivityEnrolIn(Schema):
    mobile_member_id: Id
    unit_id: Id


class ActivityEnrolOut(Schema):
    id: int
    mobile_member_id: int
    party_member_id: int
    created_at: dt.datetime


class ActivityCadreIn(Schema):
    service: str = Field("", max_length=300)
    minutes: int = Field(0, ge=0, le=24 * 60)


class ActivityCadreOut(Schema):
    id: int
    cadre_id: int
    reported_at: dt.datetime
    service: str
    minutes: int


class ContestCriterionIn(Schema):
    name: str = Field(..., min_length=1, max_length=40)
    max_score: int = Field(..., ge=1, le=1000)


class ContestCreateIn(Schema):
    criteria: list[ContestCriterionIn] = Field(..., min_length=1, max_length=20)


class ContestCriterionOut(Schema):
    id: int
    name: str
    max_score: int


class ContestJudgeIn(Schema):
    user_id: Id
    title: str = Field("", max_length=60)


class ContestJudgeOut(Schema):
    id: int
    user_id: int
    title: str


class ContestEntryIn(Schema):
    title: str = Field(..., min_length=1, max_length=100)
    entrant: str = Field(..., min_length=1, max_length=60)
    merchant_id: Id | None = None


class ContestEntryOut(Schema):
    id: int
    title: str
    entrant: str
    merchant_id: int | None
    rank: int | None
    score: str


class ContestOut(Schema):
    id: int
    event_id: int
    status: str
    published_at: dt.datetime | None
    criteria: list[ContestCriterionOut]
    judges: list[ContestJudgeOut]
    entries: list[ContestEntryOut]

    @staticmethod
    def resolve_criteria(obj: Contest) -> list:
        return list(obj.criteria.all())

    @staticmethod
    def resolve_judges(obj: Contest) -> list:
        return list(obj.judges.order_by("pk"))

    @staticmethod
    def resolve_entries(obj: Contest) -> list:
        return list(obj.entries.order_by("pk"))


class ContestMoveIn(Schema):
    action: str = Field(..., pattern="^(judge|publish)$")


class ContestMarkIn(Schema):
    criterion_id: Id
    value: int = Field(..., ge=0, le=1000)


class ContestScoreIn(Schema):
    marks: list[ContestMarkIn] = Field(..., min_length=1, max_length=20)


class ContestRankOut(Schema):
    entry_id: int
    title: str
    entrant: str
    rank: int | None
    score: str
    judged: int


# --- events ---------------------------------------------------------------------------------
@router.get("activities/events", response=list[ActivityEventOut])
@paginate
def events(request, code: PathStr, month: str = "", station: str = "", kind: str = "") -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.event_list(user=request.user, district=district, month=month,
                                station=station, kind=kind, include_drafts=True)


@router.post("activities/events", response={201: ActivityEventOut})
def event_create(request, code: PathStr, payload: ActivityEventIn):
    district = access_district(user=request.user, code=code)
    data = payload.dict()
    team_id, unit_id = data.pop("team_id"), data.pop("unit_id")
    data["six_into"] = data["six_into"] or ""
    data["team"] = selectors.access_team(district=district, team_id=team_id) if team_id else None
    data["unit"] = access_scoped(OrgUnit, district=district, pk=unit_id) if unit_id else None
    return 201, services.event_create(actor=request.user, district=district, **data)


@router.get("activities/events/{event_id}", response=ActivityEventOut)
def event_get(request, code: PathStr, event_id: Id):
    district = access_district(user=request.user, code=code)
    return selectors.access_event(user=request.user, district=district, event_id=event_id)


@router.post("activities/events/{event_id}/move", response=ActivityEventOut)
def event_move(request, code: PathStr, event_id: Id, payload: ActivityMoveIn):
    district = access_district(user=request.user, code=code)
    event = selectors.access_event(user=request.user, district=district, event_id=event_id)
    return services.event_move(actor=request.user, event=event, action=payload.action)


@router.post("activities/events/{event_id}/wrapup", response=ActivityEventOut)
def event_wrapup(request, code: PathStr, event_id: Id, payload: ActivityWrapupIn):
    district = access_district(user=request.user, code=code)
    event = selectors.access_event(user=request.user, district=district, event_id=event_id)
    return services.event_wrapup(actor=request.user, event=event, summary=payload.summary,
                                 headcount=payload.headcount)


@router.get("activities/events/{event_id}/registrations", response=list[ActivityRegistrationOut])
@paginate
def registrations(request, code: PathStr, event_id: Id) -> Any:
    district = access_district(user=request.user, code=code)
    event = selectors.access_event(user=request.user, district=district, event_id=event_id)
    return selectors.registration_list(user=request.user, event=event)


@router.post("activities/events/{event_id}/register", response={201: ActivityRegistrationOut})
def register(request, code: PathStr, event_id: Id):
    district = access_district(user=request.user, code=code)
    event = selectors.access_event(user=request.user, district=district, event_id=event_id)
    return 201, services.registration_create(actor=request.user, event=event)


@router.post("activities/registrations/{registration_id}/cancel", response=ActivityRegistrationOut)
def registration_cancel(request, code: PathStr, registration_id: Id):
    district = access_district(user=request.user, code=code)
    registration = selectors.access_registration(user=request.user, district=district,
                                                 registration_id=registration_id)
    return services.registration_cancel(actor=request.user, registration=registration)


@router.post("activities/checkin", response=ActivityRegistrationOut)
def check_in(request, code: PathStr, payload: ActivityScanIn):
    district = access_district(user=request.user, code=code)
    user = access_member_user(district=district, user_id=payload.user_id) \
        if payload.user_id else None
    return services.check_in(actor=request.user, district=district, token=payload.token,
                             latitude=payload.latitude, longitude=payload.longitude, user=user)


@router.post("activities/checkout", response=ActivityRegistrationOut)
def check_out(request, code: PathStr, payload: ActivityScanIn):
    district = access_district(user=request.user, code=code)
    user = access_member_user(district=district, user_id=payload.user_id) \
        if payload.user_id else None
    return services.check_out(actor=request.user, district=district, token=payload.token,
                              latitude=payload.latitude, longitude=payload.longitude, user=user)


@router.post("activities/registrations/{registration_id}/confirm", response=ActivityRegistrationOut)
def confirm(request, code: PathStr, registration_id: Id, payload: ActivityConfirmIn):
    district = access_district(user=request.user, code=code)
    registration = selectors.access_registration(user=request.user, district=district,
                                                 registration_id=registration_id)
    return services.hours_confirm(actor=request.user, registration=registration,
                                  minutes=payload.minutes)


@router.post("activities/registrations/{registration_id}/absence", response=ActivityRegistrationOut)
def absence(request, code: PathStr, registration_id: Id, payload: ActivityAbsenceIn):
    district = access_district(user=request.user, code=code)
    registration = selectors.access_registration(user=request.user, district=district,
                                                 registration_id=registration_id)
    return services.absence_record(actor=request.user, registration=registration,
                                   reason=payload.reason)


@router.get("activities/me/hours", response=ActivityHoursOut)
def my_hours(request, code: PathStr):
    district = access_district(user=request.user, code=code)
    return selectors.my_hours(user=request.user, district=district)


@router.get("activities/me/registrations", response=list[ActivityRegistrationOut])
@paginate
def my_registrations(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.my_registrations(user=request.user, district=district)


# --- teams ------------------------------------------------------------------------------------
@router.get("activities/teams", response=list[ActivityTeamOut])
@paginate
def teams(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.team_list(district=district)


@router.post("activities/teams", response={201: ActivityTeamOut})
def team_create(request, code: PathStr, payload: ActivityTeamIn):
    district = access_district(user=request.user, code=code)
    captain = access_member_user(district=district, user_id=payload.captain_id)
    team = services.team_create(actor=request.user, district=district, name=payload.name,
                                kind=payload.kind, captain=captain,
                                description=payload.description)
    return 201, {**ActivityTeamOut.from_orm(selectors.access_team(district=district, team_id=team.pk)
                                    ).dict(exclude={"active"}), "active": 1}


@router.get("activities/teams/{team_id}", response=ActivityTeamStats)
def team_stats(request, code: PathStr, team_id: Id):
    district = access_district(user=request.user, code=code)
    return selectors.team_stats(team=selectors.access_team(district=district, team_id=team_id))


@router.post("activities/teams/{team_id}/join", response={201: ActivityMemberOut})
def team_join(request, code: PathStr, team_id: Id, payload: ActivityJoinIn):
    district = access_district(user=request.user, code=code)
    team = selectors.access_team(district=district, team_id=team_id)
    return 201, services.team_join(actor=request.user, team=team, note=payload.note)


@router.post("activities/members/{member_id}/decide", response=ActivityMemberOut)
def team_decide(request, code: PathStr, member_id: Id, payload: ActivityDecideIn):
    district = access_district(user=request.user, code=code)
    member = selectors.access_member(district=district, member_id=member_id)
    return services.team_decide(actor=request.user, member=member, approve=payload.approve)


@router.get("activities/teams/{team_id}/services", response=list[ActivityServiceOut])
def team_services(request, code: PathStr, team_id: Id):
    district = access_district(user=request.user, code=code)
    team = selectors.access_team(district=district, team_id=team_id)
    return selectors.service_log_list(user=request.user, team=team)


@router.post("activities/teams/{team_id}/services", response={201: ActivityServiceOut})
def team_service_record(request, code: PathStr, team_id: Id, payload: ActivityServiceIn):
    district = access_district(user=request.user, code=code)
    team = selectors.access_team(district=district, team_id=team_id)
    log = services.service_log_record(actor=request.user, team=team, **payload.dict())
    return 201, next(r for r in selectors.service_log_list(user=request.user, team=team)
                     if r["id"] == log.pk)


# --- party life -------------------------------------------------------------------------------
@router.get("activities/party/attendance", response=list[ActivityAttendanceRow])
def attendance(request, code: PathStr):
    district = access_district(user=request.user, code=code)
    return selectors.party_day_attendance(user=request.user, district=district)


@router.get("activities/party/contacts", response=list[ActivityContactOut])
@paginate
def contacts(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.contact_points(user=request.user, district=district)


@router.post("activities/party/contacts", response={201: ActivityContactOut})
def contact_create(request, code: PathStr, payload: ActivityContactIn):
    district = access_district(user=request.user, code=code)
    unit = access_scoped(OrgUnit, district=district, pk=payload.unit_id)
    return 201, services.contact_point_create(actor=request.user, district=district,
                                              kind=payload.kind, person=payload.person,
                                              unit=unit)


@router.post("activities/party/contacts/{point_id}/visits", response={201: ActivityVisitOut})
def visit_record(request, code: PathStr, point_id: Id, payload: ActivityVisitIn):
    district = access_district(user=request.user, code=code)
    point = selectors.access_contact_point(user=request.user, district=district,
                                           point_id=point_id)
    return 201, services.visit_record(actor=request.user, point=point, **payload.dict())


@router.get("activities/party/visits", response=list[ActivityVisitOut])
@paginate
def visits(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.visit_list(user=request.user, district=district)


@router.post("activities/party/enrolments", response={201: ActivityEnrolOut})
def enrol(request, code: PathStr, payload: ActivityEnrolIn):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, "activities.party", district)
    mobile = access_scoped(MobileMember, district=district, pk=payload.mobile_member_id)
    unit = access_scoped(OrgUnit, district=district, pk=payload.unit_id)
    return 201, services.mobile_member_enrol(actor=request.user, mobile_member=mobile,
                                             unit=unit)


@router.get("activities/party/enrolments", response=list[ActivityEnrolOut])
@paginate
def enrolments(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return selectors.enrolment_list(user=request.user, district=district)


@router.post("activities/party/cadre-reports", response={201: ActivityCadreOut})
def cadre_report(request, code: PathStr, payload: ActivityCadreIn):
    district = access_district(user=request.user, code=code)
    return 201, services.cadre_report(actor=request.user, district=district,
                                      service=payload.service, minutes=payload.minutes)


@router.get("activities/party/cadre-reports", response=list[ActivityCadreOut])
@paginate
def cadre_reports(request, code: PathStr) -> Any:
    district = access_district(user=request.user, code=code)
    return Rows(selectors.cadre_reports(user=request.user, district=district),
                lambda r: {"id": r.pk, "cadre_id": r.cadre_id, "reported_at": r.reported_at,
                           "service": r.service, "minutes": r.minutes})


# --- contests ---------------------------------------------------------------------------
@router.post("activities/events/{event_id}/contest", response={201: ContestOut})
def contest_create(request, code: PathStr, event_id: Id, payload: ContestCreateIn):
    district = access_district(user=request.user, code=code)
    event = selectors.access_event(user=request.user, district=district, event_id=event_id)
    return 201, services.contest_create(actor=request.user, event=event, criteria=[
        (c.name, c.max_score) for c in payload.criteria])


@router.get("activities/contests/{contest_id}", response=ContestOut)
def contest_get(request, code: PathStr, contest_id: Id):
    district = access_district(user=request.user, code=code)
    return selectors.access_contest(user=request.user, district=district, contest_id=contest_id)


@router.post("activities/contests/{contest_id}/judges", response={201: ContestJudgeOut})
def contest_judge_add(request, code: PathStr, contest_id: Id, payload: ContestJudgeIn):
    district = access_district(user=request.user, code=code)
    contest = selectors.access_contest(user=request.user, district=district,
                                       contest_id=contest_id)
    user = access_member_user(district=district, user_id=payload.user_id)
    return 201, services.judge_add(actor=request.user, contest=contest, user=user,
                                   title=payload.title)


@router.post("activities/contests/{contest_id}/entries", response={201: ContestEntryOut})
def contest_entry_add(request, code: PathStr, contest_id: Id, payload: ContestEntryIn):
    district = access_district(user=request.user, code=code)
    contest = selectors.access_contest(user=request.user, district=district,
                                       contest_id=contest_id)
    merchant = None
    if payload.merchant_id:
        merchant = access_scoped(Merchant, district=district, pk=payload.merchant_id)
    return 201, services.entry_add(actor=request.user, contest=contest, title=payload.title,
                                   entrant=payload.entrant, merchant=merchant)


@router.post("activities/contests/{contest_id}/move", response=ContestOut)
def contest_move(request, code: PathStr, contest_id: Id, payload: ContestMoveIn):
    district = access_district(user=request.user, code=code)
    contest = selectors.access_contest(user=request.user, district=district,
                                       contest_id=contest_id)
    return services.contest_move(actor=request.user, contest=contest, action=payload.action)


@router.post("activities/contests/{contest_id}/entries/{entry_id}/scores",
             response=list[ContestMarkIn])
def contest_score(request, code: PathStr, contest_id: Id, entry_id: Id,
                  payload: ContestScoreIn):
    district = access_district(user=request.user, code=code)
    contest = selectors.access_contest(user=request.user, district=district,
                                       contest_id=contest_id)
    entry = selectors.access_entry(contest=contest, entry_id=entry_id)
    scores = services.score_submit(actor=request.user, entry=entry, marks={
        m.criterion_id: m.value for m in payload.marks})
    return [{"criterion_id": s.criterion_id, "value": s.value} for s in scores]


@router.get("activities/contests/{contest_id}/results", response=list[ContestRankOut])
def contest_results(request, code: PathStr, contest_id: Id):
    """Published: the frozen ranking, for anyone in the district. Before that, the live
    ranking for the organisers and judges only."""
    district = access_district(user=request.user, code=code)
    contest = access_scoped(Contest.objects.select_related("event", "event__team", "district"),
                            district=district, pk=contest_id)
    if contest.status == Contest.Status.PUBLISHED:
        judges = contest.judges.count()
        return [{"entry_id": e.pk, "title": e.title, "entrant": e.entrant, "rank": e.rank,
                 "score": e.score, "judged": judges}
                for e in selectors.contest_results(contest=contest)]
    contest = selectors.access_contest(user=request.user, district=district,
                                       contest_id=contest_id)
    return [{"entry_id": r["entry"].pk, "title": r["entry"].title,
             "entrant": r["entry"].entrant, "rank": r["rank"], "score": r["score"],
             "judged": r["judged"]} for r in selectors.contest_ranking(contest)]
