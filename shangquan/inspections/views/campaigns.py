"""Console pages for holiday campaigns 三节三清三式: list, create, plan, progress, report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.errors import DomainError
from shangquan.core.models import Department, Membership
from shangquan.core.roles import Role
from shangquan.core.selectors import access_member_users, access_scoped_many
from shangquan.core.views import district_console_view
from shangquan.merchants.models import Grid, Merchant

from .. import reports, selectors, services
from ..models import ChecklistTemplate, FollowUpVisit
from .inspections import _date, _ids

# The page shows the first rows of each list (the most urgent first); the full lists
# are the filtered inspection and order pages.
PAGE = 40


@district_console_view
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    district, user = request.district, request.user
    campaigns = selectors.campaign_list(user=user, district=district)
    error = None
    if request.method == "POST":
        p = request.POST
        try:
            campaign = services.campaign_create(
                actor=user, district=district, name=p.get("name", ""),
                holiday=p.get("holiday", ""), prep_start=_date(p.get("prep_start")),
                start=_date(p.get("start")), end=_date(p.get("end")),
                review_end=_date(p.get("review_end")),
                grids=access_scoped_many(Grid, district=district, ids=_ids(p.getlist("grids"))),
                categories=p.getlist("categories"),
                templates=access_scoped_many(ChecklistTemplate, district=district,
                                             ids=_ids(p.getlist("templates"))))
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("专项行动已创建，请组建联合检查组"))
            return redirect("inspections:campaign", code=district.code, campaign_id=campaign.pk)
    categories = sorted(set(Merchant.objects.filter(district=district)
                            .values_list("category", flat=True)))
    return render(request, "inspections/campaigns.html", {
        "campaigns": campaigns, "error": error, "form": request.POST,
        "can_manage": policies.can(user, "inspections.campaign_manage", district),
        "grids": Grid.objects.filter(district=district), "categories": categories,
        "templates": ChecklistTemplate.objects.filter(district=district, is_active=True),
        "today": timezone.localdate()}, status=error.status if error else 200)


def _inspectors(district):
    ids = Membership.objects.filter(district=district, is_active=True,
                                    role=Role.DEPARTMENT).values("user_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("username")


@district_console_view
def campaign_detail_view(request: HttpRequest, campaign_id: int) -> HttpResponse:
    district, user = request.district, request.user
    campaign = selectors.campaign_get(user=user, district=district, campaign_id=campaign_id)
    error = None
    if request.method == "POST":
        p, action = request.POST, request.POST.get("action")
        try:
            if action == "team":
                services.campaign_team_create(
                    actor=user, district=district, campaign=campaign, name=p.get("name", ""),
                    departments=access_scoped_many(Department, district=district,
                                                   ids=_ids(p.getlist("departments"))),
                    members=access_member_users(district=district,
                                                user_ids=_ids(p.getlist("members"))),
                    grids=access_scoped_many(Grid, district=district,
                                             ids=_ids(p.getlist("grids"))))
                messages.success(request, _("联合检查组已组建"))
            elif action == "plan_before":
                planned = services.campaign_plan_before(actor=user, district=district,
                                                        campaign=campaign)
                messages.success(request, _("已安排 %(n)s 场集中检查") % {"n": len(planned)})
            elif action == "plan_after":
                planned = services.campaign_plan_after(actor=user, district=district,
                                                       campaign=campaign)
                messages.success(request, _("已按节日期间有效投诉安排 %(n)s 户点位检查")
                                 % {"n": len(planned)})
            elif action == "visit":
                order = selectors.rectification_get(user=user, district=district,
                                                    rectification_id=p.get("rectification"))
                services.follow_up_record(actor=user, district=district, rectification=order,
                                          outcome=p.get("outcome", ""), note=p.get("note", ""),
                                          campaign=campaign)
                messages.success(request, _("回访已记录"))
            elif action == "close":
                services.campaign_close(actor=user, district=district, campaign=campaign,
                                        summary=p.get("summary", ""))
                messages.success(request, _("专项行动已总结归档"))
        except DomainError as exc:
            error = exc
        else:
            return redirect("inspections:campaign", code=district.code, campaign_id=campaign.pk)
        campaign.refresh_from_db()
    teams = campaign.teams.prefetch_related("departments", "members", "grids")
    inspections = (selectors.inspection_list(user=user, district=district,
                                             campaign_id=campaign.pk)
                   .select_related("team"))
    return render(request, "inspections/campaign_detail.html", {
        "campaign": campaign, "progress": selectors.campaign_progress(campaign),
        "teams": teams, "inspections": inspections[:PAGE],
        "open_findings": selectors.campaign_open_findings(campaign)[:PAGE],
        "error": error, "outcomes": FollowUpVisit.Outcome.choices,
        "can_manage": policies.can(user, "inspections.campaign_manage", district)
        and campaign.status != "closed",
        "can_visit": policies.can(user, "inspections.follow_up", district),
        "departments": Department.objects.filter(district=district, is_active=True),
        "inspectors": _inspectors(district), "grids": campaign.grids.all()
        or Grid.objects.filter(district=district)}, status=error.status if error else 200)


@district_console_view
def campaign_report_view(request: HttpRequest, campaign_id: int, fmt: str) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, district=request.district,
                                      campaign_id=campaign_id)
    body, ctype = reports.campaign_report(actor=request.user, district=request.district,
                                          campaign=campaign, fmt=fmt)
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = (
        f'attachment; filename="campaign-{campaign.pk}-{timezone.localdate():%Y%m%d}.{fmt}"')
    return response
