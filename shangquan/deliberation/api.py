"""Deliberation API.

Staff, under ``/api/v1/districts/{code}/deliberation/…``: suggestions (and the overdue
list), surveys and results, councils, meetings, topics and rounds, action items,
conventions with live turnout (never the tally before the close), paper ballots,
announcements. People, under ``/api/v1/public/deliberation/{code}/…``: file and follow
suggestions, answer surveys, register and check in, comment and vote, sign.
Every creating POST honours ``Idempotency-Key`` (a retry returns the first answer).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status

from shangquan.core import policies
from shangquan.core.apibase import AUTH, XLSX, Id, Rows, file_download, paginate
from shangquan.core.selectors import (
    access_district,
    access_scoped,
    access_scoped_many,
    district_get_public,
)
from shangquan.merchants.models import Grid, Merchant
from shangquan.workorders.models import WorkOrder

from . import selectors
from .models import Convention, Suggestion
from .services import announcements, conventions, meetings, suggestions, surveys

router = Router(tags=["deliberation"])
public_router = Router(tags=["deliberation"])
PathStr = Path[str]


# --- schemas ----------------------------------------------------------------------------
class SuggestionOut(Schema):
    id: int
    number: str
    title: str
    body: str
    topic_tag: str
    channel: str
    origin_id: int | None
    author_name: str
    status: str
    answer_due: dt.date
    answered_at: dt.datetime | None
    public_answer: str
    work_order_id: int | None
    topic_id: int | None
    project: str
    merged_into_id: int | None
    created_at: dt.datetime


class SuggestionIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    body: str = Field(..., min_length=1, max_length=4000)
    topic_tag: str = Field("", max_length=20)


class OfflineIn(SuggestionIn):
    origin_id: Id
    author_name: str = Field("", max_length=60)


class DecideIn(Schema):
    decision: str = Field(..., pattern="^(review|accept|merge|decline)$")
    answer: str = Field("", max_length=2000)
    work_order_id: Id | None = None
    topic_id: Id | None = None
    project: str = Field("", max_length=120)
    into_id: Id | None = None


class SuggestionFilter(Schema):
    status: Suggestion.Status | None = None
    q: str = Field("", max_length=60)
    tag: str = Field("", max_length=20)
    channel: Suggestion.Channel | None = None
    overdue: bool = False


class QuestionIn(Schema):
    kind: str
    text: str = Field(..., min_length=1, max_length=200)
    options: list[str] = Field(default_factory=list, max_length=30)
    scale_max: int = Field(5, ge=2, le=10)
    required: bool = True


class SurveyIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    intro: str = ""
    one_per: str = "phone"
    questions: list[QuestionIn] = Field(..., min_length=1, max_length=50)


class SurveyOut(Schema):
    id: int
    title: str
    intro: str
    one_per: str
    status: str
    responses: int = 0


class SurveyDetail(SurveyOut):
    results: list[dict]


class AnswersIn(Schema):
    answers: dict[str, Any]
    merchant_id: Id | None = None


class CrosstabOut(Schema):
    rows: list[str]
    cols: list[str]
    row_text: str
    col_text: str
    suppress_below: int
    cells: list[list[int | None]]


class CouncilIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    description: str = ""
    min_resident_pct: int = Field(34, ge=0, le=100)
    min_merchant_pct: int = Field(34, ge=0, le=100)


class CouncilOut(Schema):
    id: int
    name: str
    description: str
    min_resident_pct: int
    min_merchant_pct: int
    seats: int = 0
    topics: int = 0


class MeetingIn(Schema):
    kind: str
    title: str = Field(..., min_length=1, max_length=120)
    starts_at: dt.datetime
    place: str = Field("", max_length=120)
    agenda: str = ""
    capacity: int = Field(30, ge=1, le=10000)
    quorum: int = Field(0, ge=0, le=10000)
    council_id: Id | None = None


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    starts_at: dt.datetime
    place: str
    agenda: str
    capacity: int
    quorum: int
    status: str
    minutes: str
    decisions: str
    council_id: int | None
    registered: int = 0


class MinutesIn(Schema):
    minutes: str = Field(..., min_length=1)
    decisions: str = ""


class RegistrationOut(Schema):
    id: int
    meeting_id: int
    code: str
    status: str


class MeetingCheckInIn(Schema):
    code: str = Field(..., max_length=16)


class TopicIn(Schema):
    council_id: Id
    title: str = Field(..., min_length=1, max_length=120)
    description: str = ""


class RoundIn(Schema):
    positions: str = Field(..., min_length=1)
    agreed_points: str = ""
    open_issues: str = ""
    meeting_id: Id | None = None


class RoundOut(Schema):
    number: int
    positions: str
    agreed_points: str
    open_issues: str
    meeting_id: int | None
    held_on: dt.date


class TopicOut(Schema):
    id: int
    council_id: int
    title: str
    description: str
    status: str
    consensus: str
    rounds: int = 0


class TopicDetail(TopicOut):
    round_list: list[RoundOut]


class ActionIn(Schema):
    title: str = Field(..., min_length=1, max_length=160)
    owner_name: str = Field(..., min_length=1, max_length=60)
    due_on: dt.date
    topic_id: Id | None = None


class FanOutIn(Schema):
    merchant_ids: list[Id] = Field(..., min_length=1, max_length=2000)
    deadline: dt.datetime | None = None


class ActionOut(Schema):
    id: int
    title: str
    owner_name: str
    due_on: dt.date
    status: str
    topic_id: int | None
    meeting_id: int | None
    merchant_id: int | None
    demand: str
    answer: str
    tasks: int = 0
    done: int = 0


class ConventionIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    text: str = Field(..., min_length=1)
    clauses: list[str] = Field(default_factory=list, max_length=100)
    electorate: Convention.Electorate = Convention.Electorate.MERCHANTS
    residents_members_only: bool = True
    quorum_pct: int = Field(50, ge=1, le=100)
    threshold_num: int = Field(2, ge=1, le=100)
    threshold_den: int = Field(3, ge=1, le=100)
    comment_days: int = Field(7, ge=7, le=90)


class ConventionOut(Schema):
    id: int
    title: str
    status: str
    electorate: str
    quorum_pct: int
    threshold: str
    comment_opened_at: dt.datetime | None
    voting_opened_at: dt.datetime | None
    voting_closes_at: dt.datetime | None
    closed_at: dt.datetime | None
    version: int
    text: str
    clauses: list[str]


class ConventionDetail(ConventionOut):
    turnout: dict | None
    result: dict | None


class MoveIn(Schema):
    action: str = Field(..., pattern="^(open_comment|open_voting|close|enact|repeal)$")
    closes_at: dt.datetime | None = None


class VoteIn(Schema):
    choice: str = Field(..., pattern="^(yes|no|abstain)$")
    college: str | None = Field(None, pattern="^(merchant|resident)$")
    merchant_id: Id | None = None


class VoteOut(Schema):
    id: int
    college: str
    channel: str
    status: str
    created_at: dt.datetime


class OfficerVoteIn(Schema):
    choice: str = Field(..., pattern="^(yes|no|abstain)$")
    phone: str = Field("", max_length=20)
    licence_no: str = Field("", max_length=32)
    ballot_no: str = Field("", max_length=30)


class PaperOut(Schema):
    id: int
    ballot_no: str
    status: str


class CommentIn(Schema):
    body: str = Field(..., min_length=1, max_length=2000)
    clause: int | None = Field(None, ge=1, le=1000)


class IdOut(Schema):
    id: int


class SignIn(Schema):
    merchant_id: Id | None = None


class AnnouncementIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    body: str = Field(..., min_length=1)
    kind: str = "notice"
    audience: str = "all"
    grid_id: Id | None = None


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str
    kind: str
    audience: str
    grid_id: int | None
    published_at: dt.datetime
    receipts: int = 0


# --- shapes -----------------------------------------------------------------------------
def _convention(c: Convention, *, staff: bool) -> dict:
    version = max(c.versions.all(), key=lambda v: v.number)  # prefetched on lists
    return {"id": c.pk, "title": c.title, "status": c.status, "electorate": c.electorate,
            "quorum_pct": c.quorum_pct, "threshold": f"{c.threshold_num}/{c.threshold_den}",
            "comment_opened_at": c.comment_opened_at, "voting_opened_at": c.voting_opened_at,
            "voting_closes_at": c.voting_closes_at, "closed_at": c.closed_at,
            "version": version.number, "text": version.text, "clauses": version.clauses,
            "turnout": selectors.turnout(convention=c) if staff else None,
            "result": c.result}


def _action(a) -> dict:
    return {"id": a.pk, "title": a.title, "owner_name": a.owner_name, "due_on": a.due_on,
            "status": a.status, "topic_id": a.topic_id, "meeting_id": a.meeting_id,
            "merchant_id": a.merchant_id, "demand": a.demand, "answer": a.answer,
            "tasks": getattr(a, "n_tasks", 0), "done": getattr(a, "n_done", 0)}


def _merchant(district, merchant_id):
    return access_scoped(Merchant, district=district, pk=merchant_id) if merchant_id else None


def _staff(request: HttpRequest, code: str, action: str = "deliberation.view"):
    district = access_district(user=request.user, code=code)
    policies.require(request.user, action, district)
    return district


# --- suggestions ------------------------------------------------------------------------
@router.get("deliberation/suggestions", response=list[SuggestionOut])
@paginate
def suggestion_list(request: HttpRequest, code: PathStr, filters: Query[SuggestionFilter]):
    district = _staff(request, code)
    return selectors.suggestion_list(district=district, status=filters.status or "",
                                     q=filters.q, tag=filters.tag,
                                     channel=filters.channel or "", overdue=filters.overdue)


@router.get("deliberation/suggestions-overdue", response=list[SuggestionOut])
@paginate
def suggestion_overdue(request: HttpRequest, code: PathStr):
    """Open suggestions past their public answer deadline (the committee's list)."""
    return selectors.suggestion_overdue(district=_staff(request, code))


@router.get("deliberation/suggestions/{suggestion_id}", response=SuggestionOut)
def suggestion_get(request: HttpRequest, code: PathStr, suggestion_id: Id):
    return selectors.access_suggestion(district=_staff(request, code), pk=suggestion_id)


@router.post("deliberation/offline-suggestions", response={201: SuggestionOut})
def suggestion_offline(request: HttpRequest, code: PathStr, payload: OfflineIn):
    """A suggestion heard at a 恳谈 session, typed in by staff (the session is its origin)."""
    district = access_district(user=request.user, code=code)
    origin = selectors.access_meeting(district=district, pk=payload.origin_id)
    return Status(201, suggestions.suggestion_enter_offline(
        actor=request.user, district=district, origin=origin, author_name=payload.author_name,
        title=payload.title, body=payload.body, topic_tag=payload.topic_tag))


@router.post("deliberation/suggestions/{suggestion_id}/decide", response=SuggestionOut)
def suggestion_decide(request: HttpRequest, code: PathStr, suggestion_id: Id, payload: DecideIn):
    district = access_district(user=request.user, code=code)
    s = selectors.access_suggestion(district=district, pk=suggestion_id)
    if payload.decision == "review":
        return suggestions.suggestion_review(actor=request.user, suggestion=s, note=payload.answer)
    if payload.decision == "decline":
        return suggestions.suggestion_decline(actor=request.user, suggestion=s,
                                              reason=payload.answer)
    if payload.decision == "merge":
        into = selectors.access_suggestion(district=district, pk=payload.into_id)
        return suggestions.suggestion_merge(actor=request.user, suggestion=s, into=into,
                                            answer=payload.answer)
    order = (access_scoped(WorkOrder, district=district, pk=payload.work_order_id)
             if payload.work_order_id else None)
    topic = selectors.access_topic(district=district, pk=payload.topic_id) if payload.topic_id \
        else None
    return suggestions.suggestion_accept(actor=request.user, suggestion=s, answer=payload.answer,
                                         work_order=order, topic=topic, project=payload.project)


# --- surveys ------------------------------------------------------------------------------
def _survey(s) -> dict:
    return {"id": s.pk, "title": s.title, "intro": s.intro, "one_per": s.one_per,
            "status": s.status, "responses": getattr(s, "n_responses", 0)}


@router.get("deliberation/surveys", response=list[SurveyOut])
@paginate
def survey_list(request: HttpRequest, code: PathStr):
    return Rows(selectors.survey_list(district=_staff(request, code)), _survey)


@router.post("deliberation/surveys", response={201: SurveyOut})
def survey_create(request: HttpRequest, code: PathStr, payload: SurveyIn):
    district = access_district(user=request.user, code=code)
    survey = surveys.survey_create(actor=request.user, district=district, title=payload.title,
                                   intro=payload.intro, one_per=payload.one_per,
                                   questions=[q.dict() for q in payload.questions])
    return Status(201, _survey(survey))


@router.get("deliberation/surveys/{survey_id}", response=SurveyDetail)
def survey_get(request: HttpRequest, code: PathStr, survey_id: Id):
    survey = selectors.access_survey(district=_staff(request, code), pk=survey_id)
    return {**_survey(survey), "responses": survey.responses.count(),
            "results": selectors.survey_results(survey=survey)}


@router.post("deliberation/surveys/{survey_id}/open", response=SurveyOut)
def survey_open(request: HttpRequest, code: PathStr, survey_id: Id):
    district = access_district(user=request.user, code=code)
    survey = selectors.access_survey(district=district, pk=survey_id)
    return _survey(surveys.survey_open(actor=request.user, survey=survey))


@router.post("deliberation/surveys/{survey_id}/close", response=SurveyOut)
def survey_close(request: HttpRequest, code: PathStr, survey_id: Id):
    district = access_district(user=request.user, code=code)
    survey = selectors.access_survey(district=district, pk=survey_id)
    return _survey(surveys.survey_close(actor=request.user, survey=survey))


@router.get("deliberation/surveys/{survey_id}/crosstab", response=CrosstabOut)
def survey_crosstab(request: HttpRequest, code: PathStr, survey_id: Id,
                    row: int = Query(1, ge=1, le=50), col: int = Query(2, ge=1, le=50)):
    """Cross-tab of two single-choice or scale questions; cells under 5 are null."""
    survey = selectors.access_survey(district=_staff(request, code), pk=survey_id)
    return selectors.survey_crosstab(survey=survey, row=row, col=col)


@router.get("deliberation/surveys/{survey_id}/responses.xlsx", openapi_extra=file_download(XLSX))
def survey_xlsx(request: HttpRequest, code: PathStr, survey_id: Id):
    district = access_district(user=request.user, code=code)
    survey = selectors.access_survey(district=district, pk=survey_id)
    data = surveys.survey_export_xlsx(actor=request.user, survey=survey)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.xlsx"'
    return response


# --- councils, meetings, topics, actions -------------------------------------------------
def _council(c) -> dict:
    return {"id": c.pk, "name": c.name, "description": c.description,
            "min_resident_pct": c.min_resident_pct, "min_merchant_pct": c.min_merchant_pct,
            "seats": getattr(c, "n_seats", 0), "topics": getattr(c, "n_topics", 0)}


@router.get("deliberation/councils", response=list[CouncilOut])
@paginate
def council_list(request: HttpRequest, code: PathStr):
    return Rows(selectors.council_list(district=_staff(request, code)), _council)


@router.post("deliberation/councils", response={201: CouncilOut})
def council_create(request: HttpRequest, code: PathStr, payload: CouncilIn):
    district = access_district(user=request.user, code=code)
    return Status(201, _council(meetings.council_create(actor=request.user, district=district,
                                                        **payload.dict())))


def _meeting(m) -> dict:
    return {"id": m.pk, "kind": m.kind, "title": m.title, "starts_at": m.starts_at,
            "place": m.place, "agenda": m.agenda, "capacity": m.capacity, "quorum": m.quorum,
            "status": m.status, "minutes": m.minutes, "decisions": m.decisions,
            "council_id": m.council_id, "registered": getattr(m, "n_registered", 0)}


@router.get("deliberation/meetings", response=list[MeetingOut])
@paginate
def meeting_list(request: HttpRequest, code: PathStr):
    return Rows(selectors.meeting_list(district=_staff(request, code)), _meeting)


@router.post("deliberation/meetings", response={201: MeetingOut})
def meeting_create(request: HttpRequest, code: PathStr, payload: MeetingIn):
    district = access_district(user=request.user, code=code)
    data = payload.dict()
    council_id = data.pop("council_id")
    council = selectors.access_council(district=district, pk=council_id) if council_id else None
    return Status(201, _meeting(meetings.meeting_create(actor=request.user, district=district,
                                                        council=council, **data)))


@router.post("deliberation/meetings/{meeting_id}/minutes", response=MeetingOut)
def meeting_minutes(request: HttpRequest, code: PathStr, meeting_id: Id, payload: MinutesIn):
    district = access_district(user=request.user, code=code)
    meeting = selectors.access_meeting(district=district, pk=meeting_id)
    return _meeting(meetings.meeting_record(actor=request.user, meeting=meeting,
                                            minutes=payload.minutes, decisions=payload.decisions))


def _topic(t) -> dict:
    return {"id": t.pk, "council_id": t.council_id, "title": t.title,
            "description": t.description, "status": t.status, "consensus": t.consensus,
            "rounds": getattr(t, "n_rounds", 0)}


@router.get("deliberation/topics", response=list[TopicOut])
@paginate
def topic_list(request: HttpRequest, code: PathStr):
    return Rows(selectors.topic_list(district=_staff(request, code)), _topic)


@router.post("deliberation/topics", response={201: TopicOut})
def topic_create(request: HttpRequest, code: PathStr, payload: TopicIn):
    district = access_district(user=request.user, code=code)
    council = selectors.access_council(district=district, pk=payload.council_id)
    return Status(201, _topic(meetings.topic_create(actor=request.user, council=council,
                                                    title=payload.title,
                                                    description=payload.description)))


@router.get("deliberation/topics/{topic_id}", response=TopicDetail)
def topic_get(request: HttpRequest, code: PathStr, topic_id: Id):
    topic = selectors.access_topic(district=_staff(request, code), pk=topic_id)
    rounds = list(topic.rounds.all())
    return {**_topic(topic), "rounds": len(rounds), "round_list": rounds}


@router.post("deliberation/topics/{topic_id}/rounds", response={201: RoundOut})
def round_create(request: HttpRequest, code: PathStr, topic_id: Id, payload: RoundIn):
    district = access_district(user=request.user, code=code)
    topic = selectors.access_topic(district=district, pk=topic_id)
    meeting = (selectors.access_meeting(district=district, pk=payload.meeting_id)
               if payload.meeting_id else None)
    return Status(201, meetings.round_record(actor=request.user, topic=topic, meeting=meeting,
                                             positions=payload.positions,
                                             agreed_points=payload.agreed_points,
                                             open_issues=payload.open_issues))


@router.get("deliberation/actions", response=list[ActionOut])
@paginate
def action_list(request: HttpRequest, code: PathStr):
    return Rows(selectors.action_list(district=_staff(request, code)), _action)


@router.post("deliberation/actions", response={201: ActionOut})
def action_create(request: HttpRequest, code: PathStr, payload: ActionIn):
    district = access_district(user=request.user, code=code)
    topic = selectors.access_topic(district=district, pk=payload.topic_id) if payload.topic_id \
        else None
    return Status(201, _action(meetings.action_create(
        actor=request.user, district=district, title=payload.title,
        owner_name=payload.owner_name, due_on=payload.due_on, topic=topic)))


@router.post("deliberation/actions/{action_id}/fan-out", response=ActionOut)
def action_fan_out(request: HttpRequest, code: PathStr, action_id: Id, payload: FanOutIn):
    """One rectification per merchant, so evidence and verification are the inspections app's."""
    district = access_district(user=request.user, code=code)
    item = selectors.access_action(district=district, pk=action_id)
    shops = access_scoped_many(Merchant, district=district, ids=payload.merchant_ids)
    meetings.action_fan_out(actor=request.user, item=item, merchants=shops,
                            deadline=payload.deadline)
    return _action(selectors.access_action(district=district, pk=action_id))


# --- conventions ---------------------------------------------------------------------------
@router.get("deliberation/conventions", response=list[ConventionOut])
@paginate
def convention_list(request: HttpRequest, code: PathStr):
    district = _staff(request, code)
    return Rows(selectors.convention_list(district=district).prefetch_related("versions"),
                lambda c: _convention(c, staff=False))


@router.post("deliberation/conventions", response={201: ConventionOut})
def convention_create(request: HttpRequest, code: PathStr, payload: ConventionIn):
    district = access_district(user=request.user, code=code)
    data = payload.dict()
    threshold = (data.pop("threshold_num"), data.pop("threshold_den"))
    c = conventions.convention_create(actor=request.user, district=district,
                                      threshold=threshold, **data)
    return Status(201, _convention(c, staff=False))


@router.get("deliberation/conventions/{convention_id}", response=ConventionDetail)
def convention_get(request: HttpRequest, code: PathStr, convention_id: Id):
    """Live turnout while voting; the result only after the close."""
    district = _staff(request, code)
    return _convention(selectors.access_convention(district=district, pk=convention_id),
                       staff=True)


@router.post("deliberation/conventions/{convention_id}/move", response=ConventionDetail)
def convention_move(request: HttpRequest, code: PathStr, convention_id: Id, payload: MoveIn):
    district = access_district(user=request.user, code=code)
    c = selectors.access_convention(district=district, pk=convention_id)
    actor = request.user
    if payload.action == "open_comment":
        c = conventions.convention_open_comment(actor=actor, convention=c)
    elif payload.action == "open_voting":
        closes = payload.closes_at or (dt.datetime.now(dt.UTC) + dt.timedelta(days=7))
        c = conventions.convention_open_voting(actor=actor, convention=c, closes_at=closes)
    elif payload.action == "close":
        c = conventions.convention_close(actor=actor, convention=c)
    elif payload.action == "enact":
        c = conventions.convention_enact(actor=actor, convention=c)
    else:
        c = conventions.convention_repeal(actor=actor, convention=c)
    return _convention(c, staff=True)


@router.post("deliberation/conventions/{convention_id}/booth", response={201: VoteOut})
def convention_booth(request: HttpRequest, code: PathStr, convention_id: Id,
                     payload: OfficerVoteIn):
    """A vote at a polling booth: the officer names the voter, the voter chooses."""
    district = access_district(user=request.user, code=code)
    c = selectors.access_convention(district=district, pk=convention_id)
    return Status(201, conventions.vote_booth(actor=request.user, convention=c,
                                              choice=payload.choice, phone=payload.phone,
                                              licence_no=payload.licence_no))


@router.post("deliberation/conventions/{convention_id}/paper", response={201: PaperOut})
def convention_paper(request: HttpRequest, code: PathStr, convention_id: Id,
                     payload: OfficerVoteIn):
    """A paper ballot typed in; it counts once a second officer confirms it."""
    district = access_district(user=request.user, code=code)
    c = selectors.access_convention(district=district, pk=convention_id)
    return Status(201, conventions.paper_enter(actor=request.user, convention=c,
                                               ballot_no=payload.ballot_no,
                                               choice=payload.choice, phone=payload.phone,
                                               licence_no=payload.licence_no))


@router.post("deliberation/paper/{entry_id}/confirm", response=PaperOut)
def paper_confirm(request: HttpRequest, code: PathStr, entry_id: Id):
    district = access_district(user=request.user, code=code)
    entry = selectors.access_paper(district=district, pk=entry_id)
    return conventions.paper_confirm(actor=request.user, entry=entry)


# --- announcements -------------------------------------------------------------------------
def _announcement(a) -> dict:
    return {"id": a.pk, "title": a.title, "body": a.body, "kind": a.kind,
            "audience": a.audience, "grid_id": a.grid_id, "published_at": a.published_at,
            "receipts": getattr(a, "n_receipts", 0)}


@router.get("deliberation/announcements", response=list[AnnouncementOut])
@paginate
def announcement_list(request: HttpRequest, code: PathStr):
    return Rows(selectors.announcement_list(district=_staff(request, code)), _announcement)


@router.post("deliberation/announcements", response={201: AnnouncementOut})
def announcement_create(request: HttpRequest, code: PathStr, payload: AnnouncementIn):
    district = access_district(user=request.user, code=code)
    grid = access_scoped(Grid, district=district, pk=payload.grid_id) if payload.grid_id else None
    return Status(201, _announcement(announcements.announcement_publish(
        actor=request.user, district=district, title=payload.title, body=payload.body,
        kind=payload.kind, audience=payload.audience, grid=grid)))


# --- people: /api/v1/public/deliberation/{code}/… -----------------------------------------
@public_router.get("deliberation/{code}/suggestions", auth=None, response=list[SuggestionOut])
@paginate
def public_suggestions(request: HttpRequest, code: PathStr):
    """Answered suggestions (accepted, merged, declined with its reason), newest first."""
    return selectors.suggestion_public_list(district=district_get_public(code=code))


@public_router.post("deliberation/{code}/suggestions", auth=AUTH, response={201: SuggestionOut})
def public_suggest(request: HttpRequest, code: PathStr, payload: SuggestionIn):
    district = district_get_public(code=code)
    return Status(201, suggestions.suggestion_submit(actor=request.user, district=district,
                                                     title=payload.title, body=payload.body,
                                                     topic_tag=payload.topic_tag))


@public_router.post("deliberation/{code}/surveys/{survey_id}/responses", auth=AUTH,
                    response={201: IdOut})
def public_respond(request: HttpRequest, code: PathStr, survey_id: Id, payload: AnswersIn):
    district = district_get_public(code=code)
    survey = selectors.access_survey(district=district, pk=survey_id)
    response = surveys.survey_respond(actor=request.user, survey=survey, answers=payload.answers,
                                      merchant=_merchant(district, payload.merchant_id))
    return Status(201, {"id": response.pk})


@public_router.post("deliberation/{code}/meetings/{meeting_id}/registrations", auth=AUTH,
                    response={201: RegistrationOut})
def public_register(request: HttpRequest, code: PathStr, meeting_id: Id):
    district = district_get_public(code=code)
    meeting = selectors.access_meeting(district=district, pk=meeting_id)
    return Status(201, meetings.registration_create(actor=request.user, meeting=meeting))


@public_router.post("deliberation/{code}/meetings/{meeting_id}/check-in", auth=AUTH,
                    response=RegistrationOut)
def public_check_in(request: HttpRequest, code: PathStr, meeting_id: Id, payload: MeetingCheckInIn):
    district = district_get_public(code=code)
    meeting = selectors.access_meeting(district=district, pk=meeting_id)
    return meetings.registration_check_in(actor=request.user, meeting=meeting, code=payload.code)


@public_router.get("deliberation/{code}/conventions/{convention_id}", auth=None,
                   response=ConventionDetail)
def public_convention(request: HttpRequest, code: PathStr, convention_id: Id):
    """The text, and the result once the vote has closed (never a running tally)."""
    district = district_get_public(code=code)
    return _convention(selectors.access_convention(district=district, pk=convention_id,
                                                   public=True), staff=False)


@public_router.post("deliberation/{code}/conventions/{convention_id}/comments", auth=AUTH,
                    response={201: IdOut})
def public_comment(request: HttpRequest, code: PathStr, convention_id: Id, payload: CommentIn):
    district = district_get_public(code=code)
    c = selectors.access_convention(district=district, pk=convention_id, public=True)
    comment = conventions.comment_add(actor=request.user, convention=c, body=payload.body,
                                      clause=payload.clause)
    return Status(201, {"id": comment.pk})


@public_router.post("deliberation/{code}/conventions/{convention_id}/votes", auth=AUTH,
                    response={201: VoteOut})
def public_vote(request: HttpRequest, code: PathStr, convention_id: Id, payload: VoteIn):
    """One vote per licence or verified phone: a second is refused and the first stands;
    a retry with the same ``Idempotency-Key`` answers the first vote again."""
    c = selectors.access_public_convention(code=code, pk=convention_id)
    return Status(201, conventions.vote_cast(actor=request.user, convention=c,
                                             choice=payload.choice, college=payload.college,
                                             merchant=_merchant(c.district, payload.merchant_id)))


@public_router.post("deliberation/{code}/conventions/{convention_id}/signatures", auth=AUTH,
                    response={201: IdOut})
def public_sign(request: HttpRequest, code: PathStr, convention_id: Id, payload: SignIn):
    district = district_get_public(code=code)
    c = selectors.access_convention(district=district, pk=convention_id, public=True)
    signature = conventions.convention_sign(actor=request.user, convention=c,
                                            merchant=_merchant(district, payload.merchant_id))
    return Status(201, {"id": signature.pk})
