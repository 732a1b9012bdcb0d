"""Staff console forms for councils, meetings, topics with their rounds and action items,
surveys and new conventions: every write goes through the same services as the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.errors import DomainError, ValidationFailed
from shangquan.core.inputs import form_int, form_ints
from shangquan.core.selectors import access_scoped_many
from shangquan.core.views import district_console_view

from .. import selectors
from ..models import Convention, Meeting, Question, Seat, Survey
from ..services import conventions, meetings, surveys


def _require_view(request: HttpRequest) -> None:
    policies.require(request.user, "deliberation.view", request.district)


def _date(value: Any, field: str, *, default: dt.date | None = None) -> dt.date | None:
    text = (value or "").strip()
    if not text:
        return default
    day = parse_date(text)
    if day is None:
        raise ValidationFailed(_("%(field)s 须为日期") % {"field": field}, details={field: text[:20]})
    return day


def _datetime(value: Any, field: str) -> dt.datetime:
    text = (value or "").strip()
    moment = parse_datetime(text) if text else None
    if moment is None:
        raise ValidationFailed(_("%(field)s 须为日期和时间") % {"field": field},
                               details={field: text[:20]})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _handle(request: HttpRequest, actions: dict[str, Callable[[], Any]],
            done: Callable[[], HttpResponse]) -> HttpResponse | int:
    """A GET: 200. A POST: run the posted ``action`` (its service call), then ``done()`` with
    its message, or the page again with the domain error's message and status."""
    if request.method != "POST":
        return 200
    action = actions.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("未知操作"))
        return 422
    try:
        result = action()
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return exc.status
    if isinstance(result, HttpResponse):
        return result
    messages.success(request, result if isinstance(result, str) else _("已保存"))
    return done()


# --- councils -------------------------------------------------------------------------
@district_console_view
def councils_view(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    d, p = request.district, request.POST
    outcome = _handle(request, {"create": lambda: meetings.council_create(
        actor=request.user, district=d, name=p.get("name", ""),
        description=p.get("description", ""),
        min_resident_pct=form_int(p.get("min_resident_pct"), "min_resident_pct", low=0,
                                  high=100, default=34),
        min_merchant_pct=form_int(p.get("min_merchant_pct"), "min_merchant_pct", low=0,
                                  high=100, default=34)) and _("议事会已建立")},
        lambda: redirect("deliberation:councils", code=d.code))
    if isinstance(outcome, HttpResponse):
        return outcome
    return render(request, "deliberation/console/councils.html", {
        "councils": selectors.council_list(district=d).order_by("name"),
        "may": policies.can(request.user, "deliberation.manage", d)}, status=outcome)


@district_console_view
def council_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    d, p = request.district, request.POST
    council = selectors.access_council(district=d, pk=pk)

    def seat() -> str:
        merchant_id = form_int(p.get("merchant"), "merchant")
        merchant = (selectors.merchant_choices(district=d).filter(pk=merchant_id).first()
                    if merchant_id else None)
        if merchant_id and merchant is None:
            raise ValidationFailed(_("没有这个营业中的商户"), details={"merchant": merchant_id})
        user = (selectors.person_by_phone(district=d, phone=p["phone"])
                if p.get("phone", "").strip() else None)
        meetings.seat_add(actor=request.user, council=council, kind=p.get("kind", ""),
                          name=p.get("name", "") or (merchant.name if merchant else ""),
                          user=user, merchant=merchant)
        return _("席位已增设")

    def topic() -> str:
        meetings.topic_create(actor=request.user, council=council, title=p.get("title", ""),
                              description=p.get("description", ""))
        return _("议题已建立")

    outcome = _handle(request, {"seat": seat, "topic": topic},
                      lambda: redirect("deliberation:council", code=d.code, pk=council.pk))
    if isinstance(outcome, HttpResponse):
        return outcome
    return render(request, "deliberation/console/council.html", {
        "council": council, "quota": selectors.council_quota(council=council),
        "seats": council.seats.select_related("merchant").order_by("kind", "name"),
        "topics": selectors.topic_list(district=d, council=council).order_by("-created_at"),
        "kinds": Seat.Kind.choices, "merchants": selectors.merchant_choices(district=d),
        "may": policies.can(request.user, "deliberation.manage", council)}, status=outcome)


# --- meetings -------------------------------------------------------------------------
@district_console_view
def meetings_view(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    d, p = request.district, request.POST

    def create() -> str:
        council_id = form_int(p.get("council"), "council")
        meetings.meeting_create(
            actor=request.user, district=d, kind=p.get("kind", ""), title=p.get("title", ""),
            starts_at=_datetime(p.get("starts_at"), "starts_at"), place=p.get("place", ""),
            agenda=p.get("agenda", ""),
            capacity=form_int(p.get("capacity"), "capacity", high=100_000, default=30),
            quorum=form_int(p.get("quorum"), "quorum", low=0, high=100_000, default=0),
            council=selectors.access_council(district=d, pk=council_id) if council_id else None)
        return _("会议已发布")

    outcome = _handle(request, {"create": create},
                      lambda: redirect("deliberation:meetings", code=d.code))
    if isinstance(outcome, HttpResponse):
        return outcome
    return render(request, "deliberation/console/meetings.html", {
        "meetings": selectors.meeting_list(district=d).order_by("-starts_at")[:100],
        "kinds": Meeting.Kind.choices, "councils": selectors.council_list(district=d),
        "may": policies.can(request.user, "deliberation.manage", d)}, status=outcome)


@district_console_view
def meeting_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    d, p = request.district, request.POST
    meeting = selectors.access_meeting(district=d, pk=pk)

    def record() -> str:
        meetings.meeting_record(actor=request.user, meeting=meeting,
                                minutes=p.get("minutes", ""), decisions=p.get("decisions", ""))
        return _("会议纪要已保存")

    def cancel() -> str:
        meetings.meeting_cancel(actor=request.user, meeting=meeting, reason=p.get("reason", ""))
        return _("会议已取消，已通知报名者")

    def _demand() -> Any:
        item = selectors.access_action(district=d, pk=form_int(p.get("item"), "item"))
        if item.meeting_id != meeting.pk:
            raise ValidationFailed(details={"item": item.pk})
        return item

    def assign() -> str:
        department = selectors.department_choices(district=d).filter(
            pk=form_int(p.get("department"), "department")).first()
        if department is None:
            raise ValidationFailed(_("请选择责任部门"), details={"department": p.get("department")})
        meetings.demand_assign(actor=request.user, item=_demand(), department=department,
                               due_on=_date(p.get("due_on"), "due_on",
                                            default=timezone.localdate() + dt.timedelta(days=30)))
        return _("诉求已交办")

    def complete() -> str:
        meetings.action_complete(actor=request.user, item=_demand(), answer=p.get("answer", ""))
        return _("已办结")

    outcome = _handle(request, {"record": record, "cancel": cancel, "assign": assign,
                                "complete": complete},
                      lambda: redirect("deliberation:meeting", code=d.code, pk=meeting.pk))
    if isinstance(outcome, HttpResponse):
        return outcome
    meeting.refresh_from_db()
    may = policies.can(request.user, "deliberation.manage", meeting)
    return render(request, "deliberation/console/meeting.html", {
        "meeting": meeting, "counts": selectors.meeting_counts(meeting=meeting),
        "registrations": meeting.registrations.select_related("user").order_by("created_at")[:200],
        "demands": selectors.action_list(district=d).filter(meeting=meeting,
                                                            merchant__isnull=False),
        "departments": selectors.department_choices(district=d),
        "may": may, "may_handle": policies.can(request.user, "deliberation.demand_handle", d),
        "check_in_url": request.build_absolute_uri(
            f"/d/{d.code}/meetings/{meeting.pk}/?check_in={meeting.check_in_code}") if may else "",
    }, status=outcome)


# --- topics: rounds, consensus, action items ------------------------------------------
def topic_actions(request: HttpRequest, topic: Any) -> dict[str, Callable[[], Any]]:
    d, p = request.district, request.POST

    def round_() -> str:
        meeting_id = form_int(p.get("meeting"), "meeting")
        meetings.round_record(
            actor=request.user, topic=topic, positions=p.get("positions", ""),
            agreed_points=p.get("agreed_points", ""), open_issues=p.get("open_issues", ""),
            meeting=selectors.access_meeting(district=d, pk=meeting_id) if meeting_id else None,
            held_on=_date(p.get("held_on"), "held_on"))
        return _("本轮协商已记录")

    def agree() -> str:
        meetings.topic_agree(actor=request.user, topic=topic, consensus=p.get("consensus", ""))
        return _("已达成共识")

    def action() -> str:
        meetings.action_create(actor=request.user, district=d, topic=topic,
                               title=p.get("title", ""), owner_name=p.get("owner_name", ""),
                               due_on=_date(p.get("due_on"), "due_on",
                                            default=timezone.localdate() + dt.timedelta(days=30)))
        return _("行动事项已建立")

    def _item() -> Any:
        item = selectors.access_action(district=d, pk=form_int(p.get("item"), "item"))
        if item.topic_id != topic.pk:
            raise ValidationFailed(details={"item": item.pk})
        return item

    def fan_out() -> str:
        ids = form_ints(p.getlist("merchants"), "merchants")
        if not ids:
            raise ValidationFailed(_("请选择营业中的商户"), code="merchants_required")
        shops = access_scoped_many(selectors.merchant_choices(district=d), district=d, ids=ids)
        deadline = _date(p.get("deadline"), "deadline")
        made = meetings.action_fan_out(
            actor=request.user, item=_item(), merchants=shops,
            deadline=timezone.make_aware(dt.datetime.combine(deadline, dt.time(23, 59)))
            if deadline else None)
        return _("已分派 %(n)d 家商户整改") % {"n": len(made)}

    def monitor() -> str:
        user = selectors.person_by_phone(district=d, phone=p.get("phone", ""))
        meetings.monitor_add(actor=request.user, item=_item(), user=user,
                             name=p.get("name", "") or user.get_username())
        return _("已指定居民监督员")

    def complete() -> str:
        meetings.action_complete(actor=request.user, item=_item(), answer=p.get("answer", ""))
        return _("已办结")

    return {"round": round_, "agree": agree, "action": action, "fan_out": fan_out,
            "monitor": monitor, "complete": complete}


# --- surveys --------------------------------------------------------------------------
def parse_questions(text: str) -> list[dict]:
    """One question a line: ``题型|题目|选项1/选项2/…``; 题型 is 单选, 多选, 文本, 量表 or 排序
    (or the kind's code). A scale's third part is its top mark (default 5)."""
    names = {str(label): value for value, label in Question.Kind.choices}
    questions = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        kind = names.get(parts[0], parts[0])
        if kind not in Question.Kind.values or len(parts) < 2 or not parts[1]:
            raise ValidationFailed(_("第 %(n)d 行须为“题型|题目|选项1/选项2”") % {"n": n},
                                   code="wrong_kind", details={"line": n})
        question: dict[str, Any] = {"kind": kind, "text": parts[1]}
        extra = parts[2] if len(parts) > 2 else ""
        if kind == Question.Kind.SCALE:
            question["scale_max"] = form_int(extra, "scale_max", low=2, high=10, default=5)
        elif extra:
            question["options"] = [o.strip() for o in extra.split("/") if o.strip()]
        questions.append(question)
    return questions


@district_console_view
def surveys_view(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    d, p = request.district, request.POST

    def create() -> Any:
        survey = surveys.survey_create(actor=request.user, district=d, title=p.get("title", ""),
                                       intro=p.get("intro", ""),
                                       one_per=p.get("one_per", Survey.OnePer.PHONE),
                                       questions=parse_questions(p.get("questions", "")))
        return redirect("deliberation:survey", code=d.code, pk=survey.pk)

    outcome = _handle(request, {"create": create},
                      lambda: redirect("deliberation:surveys", code=d.code))
    if isinstance(outcome, HttpResponse):
        return outcome
    return render(request, "deliberation/console/surveys.html", {
        "surveys": selectors.survey_access_list(district=d)[:100],
        "one_pers": Survey.OnePer.choices, "kinds": Question.Kind.choices,
        "questions": request.POST.get("questions", ""),
        "may": policies.can(request.user, "deliberation.manage", d)}, status=outcome)


@district_console_view
def survey_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    d = request.district
    survey = selectors.access_survey(district=d, pk=pk)
    outcome = _handle(request, {
        "open": lambda: surveys.survey_open(actor=request.user, survey=survey) and _("问卷已发布"),
        "close": lambda: surveys.survey_close(actor=request.user, survey=survey) and _("问卷已结束"),
    }, lambda: redirect("deliberation:survey", code=d.code, pk=survey.pk))
    if isinstance(outcome, HttpResponse):
        return outcome
    survey.refresh_from_db()
    return render(request, "deliberation/console/survey.html", {
        "survey": survey, "results": selectors.survey_results(survey=survey),
        "n_responses": survey.responses.count(),
        "may": policies.can(request.user, "deliberation.manage", survey),
        "may_export": policies.can(request.user, "deliberation.export", survey)}, status=outcome)


# --- a new convention -----------------------------------------------------------------
def convention_create_from(request: HttpRequest) -> Convention:
    p = request.POST
    return conventions.convention_create(
        actor=request.user, district=request.district, title=p.get("title", ""),
        text=p.get("text", ""), electorate=p.get("electorate", "merchants"),
        residents_members_only=p.get("residents_members_only") == "1",
        quorum_pct=form_int(p.get("quorum_pct"), "quorum_pct", high=100, default=50),
        comment_days=form_int(p.get("comment_days"), "comment_days", low=7, high=90, default=7))
