"""Public phone pages: suggestions, surveys, conventions (read, comment, vote, result,
sign), meeting registration and check-in, action progress with monitors' confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shangquan.core.errors import DomainError
from shangquan.core.inputs import form_int
from shangquan.core.selectors import district_get_public
from shangquan.merchants.models import Merchant
from shangquan.merchants.policies import owned_merchant_ids

from .. import selectors
from ..models import Announcement, Choice, Monitor, Question
from ..rules import licence_key, phone_key
from ..services import announcements, conventions, meetings, suggestions, surveys


def _fail(request: HttpRequest, exc: DomainError) -> int:
    messages.error(request, str(exc.message))
    return exc.status


def suggestions_view(request: HttpRequest, code: str) -> HttpResponse:
    district = district_get_public(code=code)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/login/phone/?next={request.path}")
        try:
            s = suggestions.suggestion_submit(actor=request.user, district=district,
                                              title=request.POST.get("title", ""),
                                              body=request.POST.get("body", ""))
            messages.success(request, _("已提交，编号 %(n)s，%(d)s 前答复") % {
                "n": s.number, "d": s.answer_due.isoformat()})
            return redirect("deliberation:suggestion_public", code=code, number=s.number)
        except DomainError as exc:
            status = _fail(request, exc)
    return render(request, "deliberation/public/suggestions.html", {
        "district": district,
        "answered": selectors.suggestion_public_list(district=district)[:30],
        "mine": selectors.my_suggestions(user=request.user, district=district)[:20]},
        status=status)


def suggestion_view(request: HttpRequest, code: str, number: str) -> HttpResponse:
    district = district_get_public(code=code)
    s = selectors.suggestion_by_number(district=district, number=number)
    return render(request, "deliberation/public/suggestion.html", {"district": district, "s": s})


def survey_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    district = district_get_public(code=code)
    survey = selectors.access_survey(district=district, pk=pk)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/login/phone/?next={request.path}")
        answers = {}
        for q in survey.questions.all():
            key = f"q{q.position}"
            if q.kind in (Question.Kind.MULTIPLE, Question.Kind.RANKING):
                answers[str(q.position)] = [v for v in request.POST.getlist(key) if v]
            else:
                answers[str(q.position)] = request.POST.get(key, "")
        try:
            surveys.survey_respond(actor=request.user, survey=survey, answers=answers)
            messages.success(request, _("感谢参与！"))
            return redirect("deliberation:survey_public", code=code, pk=pk)
        except DomainError as exc:
            status = _fail(request, exc)
    return render(request, "deliberation/public/survey.html", {
        "district": district, "survey": survey, "questions": survey.questions.all()},
        status=status)


def convention_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    district = district_get_public(code=code)
    c = selectors.access_convention(district=district, pk=pk, public=True)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/login/phone/?next={request.path}")
        action = request.POST.get("action")
        try:
            if action == "comment":
                conventions.comment_add(actor=request.user, convention=c,
                                        body=request.POST.get("body", ""),
                                        clause=form_int(request.POST.get("clause"),
                                                        "clause", high=999))
                messages.success(request, _("意见已提交"))
            elif action == "vote":
                conventions.vote_cast(actor=request.user, convention=c,
                                      choice=request.POST.get("choice", ""),
                                      college=request.POST.get("college") or None)
                messages.success(request, _("投票成功。计票结果将在表决结束后公布。"))
            elif action == "sign":
                conventions.convention_sign(actor=request.user, convention=c)
                messages.success(request, _("本店已签署公约"))
            return redirect("deliberation:convention_public", code=code, pk=pk)
        except DomainError as exc:
            status = _fail(request, exc)
    version = c.versions.order_by("-number").first()
    voted = []
    if request.user.is_authenticated:
        keys = []
        phone = getattr(getattr(request.user, "profile", None), "phone", None)
        if phone:
            keys.append(phone_key(phone))
        keys += [licence_key(m) for m in Merchant.objects.filter(
            district=district, pk__in=owned_merchant_ids(request.user, district))]
        voted = list(c.roll.filter(voter_key__in=keys))
    return render(request, "deliberation/public/convention.html", {
        "district": district, "c": c, "version": version, "voted": voted,
        "choices": Choice.choices, "comments": c.comments.select_related("user")[:50],
        "colleges": c.colleges}, status=status)


def meeting_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    district = district_get_public(code=code)
    meeting = selectors.access_meeting(district=district, pk=pk)
    status = 200
    registration = None
    if request.method == "POST" or request.GET.get("check_in"):
        if not request.user.is_authenticated:
            return redirect(f"/login/phone/?next={request.get_full_path()}")
        try:
            if request.GET.get("check_in"):
                meetings.registration_check_in(actor=request.user, meeting=meeting,
                                               code=request.GET["check_in"])
                messages.success(request, _("签到成功"))
            else:
                meetings.registration_create(actor=request.user, meeting=meeting)
                messages.success(request, _("报名成功"))
            return redirect("deliberation:meeting_public", code=code, pk=pk)
        except DomainError as exc:
            status = _fail(request, exc)
    if request.user.is_authenticated:
        registration = meeting.registrations.filter(user=request.user).first()
    return render(request, "deliberation/public/meeting.html", {
        "district": district, "meeting": meeting, "registration": registration,
        "counts": selectors.meeting_counts(meeting=meeting)}, status=status)


def action_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    district = district_get_public(code=code)
    item = selectors.access_action(district=district, pk=pk)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/login/phone/?next={request.path}")
        try:
            task = item.tasks.get(pk=form_int(request.POST.get("task"), "task", default=0))
            meetings.task_confirm(actor=request.user, task=task, note=request.POST.get("note", ""))
            messages.success(request, _("已确认"))
            return redirect("deliberation:action_public", code=code, pk=pk)
        except item.tasks.model.DoesNotExist:
            status = 404
        except (DomainError, ValueError) as exc:
            status = _fail(request, exc) if isinstance(exc, DomainError) else 422
    is_monitor = request.user.is_authenticated and Monitor.objects.filter(
        item=item, user=request.user).exists()
    return render(request, "deliberation/public/action.html", {
        "district": district, "item": item, "progress": selectors.action_progress(item=item),
        "tasks": selectors.action_tasks(item=item), "is_monitor": is_monitor,
        "monitors": item.monitors.all()}, status=status)


@login_required
def my_demands_view(request: HttpRequest, code: str) -> HttpResponse:
    district = district_get_public(code=code)
    return render(request, "deliberation/public/demands.html", {
        "district": district, "items": selectors.my_demands(user=request.user, district=district)})


def announcements_view(request: HttpRequest, code: str) -> HttpResponse:
    """The district's announcements and publicity (经营准则, 食品/消防安全, 政策解读), newest
    first, by kind and audience."""
    district = district_get_public(code=code)
    kind = request.GET.get("kind", "")
    audience = request.GET.get("audience", "")
    items = selectors.announcement_public_list(
        district=district, kind=kind if kind in Announcement.Kind.values else "",
        audience=audience if audience in Announcement.Audience.values else "")
    return render(request, "deliberation/public/announcements.html", {
        "district": district, "items": items[:50], "kinds": Announcement.Kind.choices,
        "kind": kind, "audience": audience,
        "audiences": [(v, label) for v, label in Announcement.Audience.choices
                      if v in ("merchants", "residents")]})


def announcement_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """One announcement; a signed-in merchant's visit is its shop's read receipt."""
    district = district_get_public(code=code)
    item = selectors.access_announcement(district=district, pk=pk)
    receipt = None
    if request.user.is_authenticated:
        receipt = announcements.announcement_read(actor=request.user, announcement=item)
    return render(request, "deliberation/public/announcement.html", {
        "district": district, "a": item, "receipt": receipt})
