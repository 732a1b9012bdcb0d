"""Staff console: overview, suggestions, councils and topics with rounds and progress,
conventions with the electorate and live turnout (never the tally), paper-ballot entry,
announcements."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.errors import DomainError, ValidationFailed
from shangquan.core.inputs import form_int
from shangquan.core.views import district_console_view

from .. import selectors
from ..models import Announcement, Convention, Suggestion
from ..services import announcements, conventions, suggestions
from . import manage


def _require_view(request: HttpRequest) -> None:
    policies.require(request.user, "deliberation.view", request.district)


@district_console_view
def home_view(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    d = request.district
    return render(request, "deliberation/console/home.html", {
        "overdue": selectors.suggestion_overdue(district=d)[:10],
        "councils": selectors.council_list(district=d),
        "topics": selectors.topic_list(district=d)[:20],
        "meetings": selectors.meeting_list(district=d)[:10],
        "conventions": selectors.convention_list(district=d)[:10],
        "demands": selectors.action_list(district=d, demands_only=True)[:20],
    })


@district_console_view
def suggestions_view(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    d = request.district
    qs = selectors.suggestion_list(district=d, status=request.GET.get("status", ""),
                                   q=request.GET.get("q", "")[:60],
                                   channel=request.GET.get("channel", ""),
                                   overdue=request.GET.get("overdue") == "1")
    return render(request, "deliberation/console/suggestions.html", {
        "suggestions": qs[:100], "count": qs.count(), "statuses": Suggestion.Status.choices,
        "today": timezone.localdate()})


@district_console_view
def suggestion_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    d = request.district
    s = selectors.access_suggestion(district=d, pk=pk)
    status = 200
    if request.method == "POST":
        decision, answer = request.POST.get("decision"), request.POST.get("answer", "")
        try:
            if decision == "review":
                s = suggestions.suggestion_review(actor=request.user, suggestion=s, note=answer)
            elif decision == "decline":
                s = suggestions.suggestion_decline(actor=request.user, suggestion=s, reason=answer)
            elif decision == "accept":
                topic_id = form_int(request.POST.get("topic"), "topic")
                topic = (selectors.access_topic(district=d, pk=topic_id)
                         if topic_id else None)
                s = suggestions.suggestion_accept(actor=request.user, suggestion=s, answer=answer,
                                                  topic=topic,
                                                  project=request.POST.get("project", ""))
            messages.success(request, _("已更新"))
            return redirect("deliberation:suggestion", code=d.code, pk=s.pk)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
    return render(request, "deliberation/console/suggestion.html", {
        "s": s, "topics": selectors.topic_list(district=d)}, status=status)


@district_console_view
def topic_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    d = request.district
    topic = selectors.access_topic(district=d, pk=pk)
    outcome = manage._handle(request, manage.topic_actions(request, topic),
                             lambda: redirect("deliberation:topic", code=d.code, pk=topic.pk))
    if isinstance(outcome, HttpResponse):
        return outcome
    topic.refresh_from_db()
    items = [(item, selectors.action_progress(item=item),
              item.monitors.order_by("name"))
             for item in selectors.action_list(district=d, topic=topic).order_by("created_at")]
    return render(request, "deliberation/console/topic.html", {
        "topic": topic, "rounds": topic.rounds.select_related("meeting").order_by("number"),
        "items": items, "quota": selectors.council_quota(council=topic.council),
        "meetings": selectors.meeting_list(district=d).order_by("-starts_at")[:50],
        "merchants": selectors.merchant_choices(district=d),
        "may": policies.can(request.user, "deliberation.manage", topic),
        "today": timezone.localdate()}, status=outcome)


@district_console_view
def conventions_view(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    d = request.district
    outcome = manage._handle(request, {"create": lambda: redirect(
        "deliberation:convention", code=d.code,
        pk=manage.convention_create_from(request).pk)},
        lambda: redirect("deliberation:conventions", code=d.code))
    if isinstance(outcome, HttpResponse):
        return outcome
    return render(request, "deliberation/console/conventions.html", {
        "conventions": selectors.convention_list(district=d),
        "electorates": Convention.Electorate.choices,
        "may": policies.can(request.user, "deliberation.convention_manage", d)}, status=outcome)


@district_console_view
def convention_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    d = request.district
    c = selectors.access_convention(district=d, pk=pk)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "paper":
                conventions.paper_enter(actor=request.user, convention=c,
                                        ballot_no=request.POST.get("ballot_no", ""),
                                        choice=request.POST.get("choice", ""),
                                        phone=request.POST.get("phone", ""),
                                        licence_no=request.POST.get("licence_no", ""))
                messages.success(request, _("已录入，待另一名工作人员复核"))
            elif action == "confirm":
                entry = selectors.access_paper(district=d,
                                              pk=form_int(request.POST.get("entry"), "entry"))
                conventions.paper_confirm(actor=request.user, entry=entry)
                messages.success(request, _("复核通过，已计入"))
            elif action == "open_comment":
                conventions.convention_open_comment(actor=request.user, convention=c)
            elif action == "open_voting":
                closes = parse_datetime(request.POST.get("closes_at", "") or "")
                if closes is not None and timezone.is_naive(closes):
                    closes = timezone.make_aware(closes)
                conventions.convention_open_voting(
                    actor=request.user, convention=c,
                    closes_at=closes or timezone.now() + dt.timedelta(days=7))
            elif action == "close":
                conventions.convention_close(actor=request.user, convention=c)
                messages.success(request, _("表决已结束，结果已公布"))
            elif action == "enact":
                conventions.convention_enact(actor=request.user, convention=c)
            elif action == "reject_paper":
                entry = selectors.access_paper(district=d,
                                               pk=form_int(request.POST.get("entry"), "entry"))
                conventions.paper_reject(actor=request.user, entry=entry,
                                         reason=request.POST.get("reason", ""))
                messages.success(request, _("已退回，请重新录入该选票"))
            elif action == "recount":
                conventions.convention_recount(actor=request.user, convention=c,
                                               reason=request.POST.get("reason", ""))
                messages.success(request, _("已重新计票，记录已保存"))
            elif action == "revise":
                new = conventions.convention_revise(actor=request.user, convention=c,
                                                    text=request.POST.get("text", ""))
                messages.success(request, _("修订稿已建立，将重新征求意见和表决"))
                return redirect("deliberation:convention", code=d.code, pk=new.pk)
            elif action == "repeal":
                conventions.convention_repeal(actor=request.user, convention=c)
                messages.success(request, _("公约已废止"))
            else:
                raise ValidationFailed(_("未知操作"), details={"action": action})
            return redirect("deliberation:convention", code=d.code, pk=c.pk)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
    c.refresh_from_db()
    version = c.versions.order_by("-number").first()
    return render(request, "deliberation/console/convention.html", {
        "c": c, "version": version, "turnout": selectors.turnout(convention=c),
        "pending": selectors.paper_pending(convention=c),
        "roll": selectors.voter_roll(user=request.user, convention=c)[:200],
        "comments": c.comments.select_related("user")[:100],
        "signatures": c.signatures.count(),
        "chart": selectors.complaints_before_after(convention=c),
        "may_officer": policies.can(request.user, "deliberation.ballot_officer", c),
        "may": {a: policies.can(request.user, f"deliberation.convention_{a}", c)
                for a in ("open_comment", "open_voting", "close", "enact", "revise", "repeal")},
        "may_recount": c.result is not None and policies.can(request.user,
                                                             "deliberation.recount", c),
        "recounts": c.recounts.select_related("by").order_by("-id")[:10],
        "is_voting": c.status == Convention.Status.VOTING,
    }, status=status)


@district_console_view
def announcements_view(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    d = request.district
    status = 200
    if request.method == "POST":
        try:
            announcements.announcement_publish(actor=request.user, district=d,
                                               title=request.POST.get("title", ""),
                                               body=request.POST.get("body", ""),
                                               kind=request.POST.get("kind", "notice"),
                                               audience=request.POST.get("audience", "all"))
            messages.success(request, _("已发布"))
            return redirect("deliberation:announcements", code=d.code)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
    return render(request, "deliberation/console/announcements.html", {
        "items": selectors.announcement_list(district=d)[:50],
        "kinds": Announcement.Kind.choices, "audiences": Announcement.Audience.choices,
        "may": policies.can(request.user, "deliberation.announce", d)}, status=status)
