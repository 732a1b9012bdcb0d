"""Phone pages: events near me with sign-up and check-in, my teams and hours."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.errors import DomainError
from shangquan.core.qr import qr_svg
from shangquan.core.selectors import access_district

from .. import selectors, services


def _coord(raw: str | None):
    try:
        return float(raw) if raw not in (None, "") else None
    except ValueError:
        return None


@login_required
def events_view(request: HttpRequest, code: str) -> HttpResponse:
    district = access_district(user=request.user, code=code)
    rows = selectors.events_upcoming(district=district, latitude=_coord(request.GET.get("lat")),
                                     longitude=_coord(request.GET.get("lon")))
    return render(request, "activities/events.html", {
        "district": district, "rows": rows,
        "hours": selectors.my_hours(user=request.user, district=district),
        "mine": selectors.my_registrations(user=request.user, district=district)[:20],
        "judging": selectors.contests_to_judge(user=request.user, district=district)[:10]})


@login_required
def event_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    district = access_district(user=request.user, code=code)
    event = selectors.access_event(user=request.user, district=district, event_id=pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "register":
                r = services.registration_create(actor=request.user, event=event)
                messages.success(request, _("报名成功") if r.status == "registered"
                                 else _("名额已满，已进入候补"))
            elif request.POST.get("action") == "cancel":
                r = selectors.registration_mine(user=request.user, event=event)
                if r is not None:
                    services.registration_cancel(actor=request.user, registration=r)
                messages.success(request, _("已取消报名"))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("activities:event", code=district.code, pk=event.pk)
    contest = selectors.contest_of(event=event)
    mine = selectors.registration_mine(user=request.user, event=event)
    my_code = my_qr = ""
    if mine is not None and mine.status == "registered" and event.status in ("published",
                                                                             "closed"):
        my_code = selectors.attendee_code(mine)
        my_qr = qr_svg(my_code, css_class="pickup-qr", label=_("我的签到码"))
    return render(request, "activities/event.html", {
        "my_code": my_code, "my_qr": my_qr,
        "district": district, "event": event,
        "photos": selectors.event_photos(event=event),
        "results": selectors.contest_results(contest=contest) if contest else [],
        "mine": mine, "can_join": policies.can(request.user, "activities.join", district)})


@login_required
def scan_view(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """Where the event's QR code leads: check in, then check out."""
    district = access_district(user=request.user, code=code)
    event = selectors.event_by_token(district=district, token=token)
    if request.method == "POST":
        lat, lon = _coord(request.POST.get("lat")), _coord(request.POST.get("lon"))
        try:
            if request.POST.get("action") == "checkout":
                services.check_out(actor=request.user, district=district, token=token,
                                   latitude=lat, longitude=lon)
                messages.success(request, _("签退成功，时长待组织者确认"))
            else:
                services.check_in(actor=request.user, district=district, token=token,
                                  latitude=lat, longitude=lon)
                messages.success(request, _("签到成功"))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("activities:scan", code=district.code, token=token)
    return render(request, "activities/scan.html", {
        "district": district, "event": event, "token": token,
        "radius": selectors.checkin_radius(event),
        "mine": selectors.registration_mine(user=request.user, event=event)})


@login_required
def teams_view(request: HttpRequest, code: str) -> HttpResponse:
    district = access_district(user=request.user, code=code)
    if request.method == "POST":
        try:
            team = selectors.access_team(district=district, team_id=request.POST.get("team"))
            services.team_join(actor=request.user, team=team,
                               note=request.POST.get("note", ""))
            messages.success(request, _("已提交入队申请，等待队长审核"))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("activities:my_teams", code=district.code)
    mine = list(selectors.my_teams(user=request.user, district=district))
    joined = {m.team_id for m in mine}
    return render(request, "activities/teams.html", {
        "district": district, "mine": mine,
        "others": [t for t in selectors.team_list(district=district) if t.pk not in joined],
        "hours": selectors.my_hours(user=request.user, district=district)})
