"""Console pages: the events calendar and an event's attendance (hours to confirm), teams
with their stats, join requests and service log, and the party-life registers."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.errors import DomainError, NotFound, ValidationFailed
from shangquan.core.exports import XLSX
from shangquan.core.inputs import form_int
from shangquan.core.qr import qr_svg
from shangquan.core.selectors import access_member_user, membership_list
from shangquan.core.views import district_console_view
from shangquan.points.services import shop

from .. import selectors, services
from ..models import EventKind, ServiceLog, SixInto
from ..states import EVENT


def _when(raw: str) -> dt.datetime:
    value = parse_datetime(raw or "")
    if value is None:
        raise ValidationFailed(_("请填写时间"), code="bad_times")
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@district_console_view
def events_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "activities.event_organise", district)
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    status = 200
    if request.method == "POST":
        try:
            team = None
            if request.POST.get("team"):
                team = selectors.access_team(district=district, team_id=request.POST["team"])
            event = services.event_create(
                actor=request.user, district=district, title=request.POST.get("title", ""),
                kind=request.POST.get("kind", ""), six_into=request.POST.get("six_into", ""),
                starts_at=_when(request.POST.get("starts_at", "")),
                ends_at=_when(request.POST.get("ends_at", "")),
                capacity=form_int(request.POST.get("capacity"), "capacity", high=100_000,
                                  default=30),
                place=request.POST.get("place", "")[:120],
                station=request.POST.get("station", "")[:80], team=team)
        except (DomainError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", _("输入有误"))))
            status = getattr(exc, "status", 422)
        else:
            return redirect("activities:console_event", code=district.code, pk=event.pk)
    return render(request, "activities/console/events.html", {
        "events": selectors.event_list(user=request.user, district=district, month=month,
                                       station=request.GET.get("station", ""),
                                       include_drafts=True),
        "month": month, "kinds": EventKind.choices, "six": SixInto.choices,
        "can_export": policies.can(request.user, "activities.export", district),
        "teams": selectors.team_list(district=district)}, status=status)


@district_console_view
def event_view(request: HttpRequest, pk: int) -> HttpResponse:
    district = request.district
    event = selectors.access_event(user=request.user, district=district, event_id=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in EVENT.transitions:
                services.event_move(actor=request.user, event=event, action=action)
            elif action == "confirm":
                r = selectors.access_registration(user=request.user, district=district,
                                                  registration_id=request.POST.get("registration"))
                r = services.hours_confirm(actor=request.user, registration=r)
                messages.success(request, _("已确认 %(m)s 分钟，积分 %(p)s")
                                 % {"m": r.minutes, "p": r.points})
            elif action in ("checkin", "checkout"):
                user = access_member_user(district=district, user_id=request.POST.get("user"))
                step = services.check_in if action == "checkin" else services.check_out
                step(actor=request.user, district=district, token=event.checkin_token, user=user)
            elif action == "absence":
                r = selectors.access_registration(user=request.user, district=district,
                                                  registration_id=request.POST.get("registration"))
                services.absence_record(actor=request.user, registration=r,
                                        reason=request.POST.get("reason", ""))
            elif action == "wrapup":
                services.event_wrapup(actor=request.user, event=event,
                                      summary=request.POST.get("summary", ""),
                                      headcount=form_int(request.POST.get("headcount"),
                                                         _("实到人数"), low=0, high=100_000))
                if request.FILES.getlist("photos"):
                    services.event_photos_add(actor=request.user, event=event,
                                              uploads=request.FILES.getlist("photos"))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("activities:console_event", code=district.code, pk=event.pk)
    qr = qr_svg(request.build_absolute_uri(f"/d/{district.code}/events/scan/"
                                           f"{event.checkin_token}/"),
                css_class="event-qr", label=_("活动签到二维码"))
    actions = [a for a in EVENT.actions_from(event.status)
               if policies.can(request.user, f"activities.event_{a}", event)]
    return render(request, "activities/console/event.html", {
        "event": event, "qr": qr, "actions": actions,
        "registrations": selectors.registration_list(user=request.user, event=event),
        "photos": selectors.event_photos(event=event),
        "can_organise": policies.can(request.user, "activities.event_organise", event)})


@district_console_view
def teams_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    if request.method == "POST":
        try:
            if request.POST.get("action") in ("approve", "reject"):
                member = selectors.access_member(district=district,
                                                 member_id=request.POST.get("member"))
                services.team_decide(actor=request.user, member=member,
                                     approve=request.POST["action"] == "approve")
            elif request.POST.get("action") == "service":
                team = selectors.access_team(district=district, team_id=request.POST.get("team"))
                services.service_log_record(
                    actor=request.user, team=team, kind=request.POST.get("kind", ""),
                    served_on=dt.date.fromisoformat(request.POST.get("served_on")
                                                    or timezone.localdate().isoformat()),
                    beneficiary=request.POST.get("beneficiary", ""),
                    people=form_int(request.POST.get("people"), "people", high=100_000,
                                    default=1),
                    minutes=form_int(request.POST.get("minutes"), "minutes", low=0,
                                     high=100_000, default=0),
                    note=request.POST.get("note", ""))
            messages.success(request, _("已保存"))
        except (DomainError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", _("输入有误"))))
        if request.POST.get("action") == "service":
            return redirect("activities:team", code=district.code, pk=request.POST.get("team"))
        return redirect("activities:teams", code=district.code)
    policies.require(request.user, "activities.join", district)
    staff = policies.can(request.user, "activities.view", district)
    teams = selectors.team_list(district=district)
    if not staff:
        teams = teams.filter(captain=request.user)
    return render(request, "activities/console/teams.html", {
        "teams": teams[:100],
        "pending": selectors.pending_requests(user=request.user, district=district)[:50],
        "kinds": ServiceLog.Kind.choices, "today": timezone.localdate().isoformat(),
        "can_export": policies.can(request.user, "activities.export", district)})


@district_console_view
def team_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One team: its statistics and its public-service log (beneficiaries as allowed)."""
    district = request.district
    team = selectors.access_team(district=district, team_id=pk)
    if not (policies.can(request.user, "activities.view", district)
            or team.captain_id == request.user.pk):
        policies.require(request.user, "activities.view", district)
    return render(request, "activities/console/team.html", {
        "team": team, "stats": selectors.team_stats(team=team),
        "services": selectors.service_log_list(user=request.user, team=team)[:50],
        "kinds": ServiceLog.Kind.choices, "today": timezone.localdate().isoformat(),
        "can_log": policies.can(request.user, "activities.service_log", team)})


@district_console_view
def party_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "activities.party", district)
    return render(request, "activities/console/party.html", {
        "attendance": selectors.party_day_attendance(user=request.user, district=district),
        "absences": selectors.absences(user=request.user, district=district)[:50],
        "points": selectors.contact_points(user=request.user, district=district)[:50],
        "visits": selectors.visit_list(user=request.user, district=district)[:30],
        "enrolments": selectors.enrolment_list(user=request.user, district=district)[:30],
        "cadres": selectors.cadre_reports(user=request.user, district=district)[:30]})


# --- contests -----------------------------------------------------------------------------
def _rubric(raw: str) -> list[tuple[str, int]]:
    """One criterion a line, "名称 满分" (e.g. "口味 40")."""
    lines = []
    for n, line in enumerate((raw or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, _sep, marks = line.replace("：", " ").replace(":", " ").rpartition(" ")
        lines.append((name.strip() or marks, form_int(marks, _("第 %(n)s 行满分") % {"n": n},
                                                      high=1000)))
    return lines


def _people(district) -> list[tuple[int, str]]:
    """The district's members to pick a judge from (each person once)."""
    seen: dict[int, str] = {}
    for m in membership_list(district=district)[:2000]:
        seen.setdefault(m.user_id, f"{m.user}（{m.get_role_display()}）")
    return sorted(seen.items(), key=lambda kv: kv[1])


@district_console_view
def contest_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A 大赛 event's judging: the rubric, judges, entries, the live ranking, publication."""
    district = request.district
    event = selectors.access_event(user=request.user, district=district, event_id=pk)
    policies.require(request.user, "activities.event_organise", event)
    contest = selectors.contest_of(event=event)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "create":
                services.contest_create(actor=request.user, event=event,
                                        criteria=_rubric(request.POST.get("rubric", "")))
            elif contest is None:
                raise ValidationFailed(_("请先设立评审"), code="not_a_contest")
            elif action == "criterion":
                services.criterion_add(actor=request.user, contest=contest,
                                       name=request.POST.get("name", ""),
                                       max_score=form_int(request.POST.get("max_score"),
                                                          _("满分"), high=1000) or 0)
            elif action == "judge":
                user = access_member_user(district=district, user_id=request.POST.get("user"))
                services.judge_add(actor=request.user, contest=contest, user=user,
                                   title=request.POST.get("title", ""))
            elif action == "entry":
                services.entry_add(actor=request.user, contest=contest,
                                   title=request.POST.get("title", ""),
                                   entrant=request.POST.get("entrant", ""))
            elif action in ("judge_start", "publish"):
                services.contest_move(actor=request.user, contest=contest,
                                      action="judge" if action == "judge_start" else action)
            else:
                raise ValidationFailed(_("未知操作"))
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            messages.success(request, _("已保存"))
            return redirect("activities:contest", code=district.code, pk=event.pk)
    context = {"event": event, "contest": contest}
    if contest is not None:
        context.update({
            "criteria": list(contest.criteria.all()),
            "judges": list(contest.judges.select_related("user")),
            "ranking": selectors.contest_ranking(contest),
            "members": _people(district)})
    return render(request, "activities/console/contest.html", context, status=status)


@district_console_view
def contest_score_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A judge's scoring sheet: every entry, every criterion of the rubric."""
    district = request.district
    contest = selectors.access_contest(user=request.user, district=district, contest_id=pk)
    status = 200
    if request.method == "POST":
        try:
            entry = selectors.access_entry(contest=contest, entry_id=request.POST.get("entry"))
            marks = {c.pk: form_int(request.POST.get(f"c{c.pk}"), c.name, low=0,
                                    high=c.max_score)
                     for c in contest.criteria.all()}
            services.score_submit(actor=request.user, entry=entry,
                                  marks={k: v for k, v in marks.items() if v is not None})
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            messages.success(request, _("已保存评分：%(e)s") % {"e": entry.title})
            return redirect("activities:contest_score", code=district.code, pk=contest.pk)
    return render(request, "activities/console/contest_score.html", {
        "contest": contest, "criteria": list(contest.criteria.all()),
        "sheet": selectors.contest_sheet(contest=contest, user=request.user),
        "can_score": policies.can(request.user, "activities.contest_score", contest)
        and contest.status == "judging"}, status=status)


# --- the staff scanner: an attendee's check-in code or a 积分超市 pickup code ---------------
@district_console_view
def scanner_view(request: HttpRequest) -> HttpResponse:
    """Scan with the camera (or type) a code: an attendee's ``QD:…`` code checks them in
    (then out); an eight-digit pickup code fulfils a redemption at this counter."""
    district = request.district
    may_checkin = policies.can(request.user, "activities.event_organise", district)
    may_fulfil = policies.can(request.user, "points.fulfil", district)
    if not (may_checkin or may_fulfil):
        policies.require(request.user, "activities.event_organise", district)
    status, result = 200, None
    if request.method == "POST":
        code = request.POST.get("code", "").strip()
        try:
            if not code:
                raise ValidationFailed(_("请扫码或输入核销码、签到码"))
            if code.upper().startswith("QD:"):
                registration, step = services.scan_attendee(actor=request.user,
                                                            district=district, code=code)
                result = (_("%(who)s 签到成功：%(event)s") if step == "checkin"
                          else _("%(who)s 签退成功：%(event)s")) % {
                    "who": registration.user, "event": registration.event.title}
            else:
                done = shop.redemption_fulfil(actor=request.user, district=district, code=code)
                result = _("核销成功：%(item)s（%(points)s 积分）") % {
                    "item": done.item.name, "points": done.points}
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            messages.success(request, result)
            return redirect("activities:scanner", code=district.code)
    return render(request, "activities/console/scanner.html", {
        "may_checkin": may_checkin, "may_fulfil": may_fulfil}, status=status)


@district_console_view
def export_view(request: HttpRequest, what: str) -> HttpResponse:
    """xlsx: attendance (a month), hours (a year), teams, the party registers (a year)."""
    district = request.district
    today = timezone.localdate()
    year = form_int(request.GET.get("year"), "year", low=2000, high=2100, default=today.year)
    if what == "attendance":
        data = services.attendance_export_xlsx(
            actor=request.user, district=district,
            month=request.GET.get("month") or today.strftime("%Y-%m"))
    elif what == "hours":
        data = services.hours_export_xlsx(actor=request.user, district=district, year=year)
    elif what == "teams":
        data = services.teams_export_xlsx(actor=request.user, district=district)
    elif what == "party":
        data = services.party_export_xlsx(actor=request.user, district=district, year=year)
    else:
        raise NotFound()
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (f'attachment; filename="activities-{what}-'
                                       f'{district.code}.xlsx"')
    return response
