"""Holiday campaigns 三节三清三式: 节前集中式, 节中清单式, 节后点位式.

Before the holiday the committee plans one concentrated inspection per target grid
(each grid to the team that covers it); during it the open findings of the target
merchants are the follow-up checklist; after it every merchant with a substantiated
complaint in the holiday period (from the work orders) gets a targeted inspection.
Planning is idempotent: planning twice adds only what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import SYSTEM, user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from shangquan.core.models import Department, District
from shangquan.merchants.models import Grid, Merchant

from ..models import Campaign, CampaignTeam, ChecklistTemplate, Inspection
from ..selectors import complaint_counts, target_merchants
from .inspections import inspection_plan


def _same_district(district: District, objs: Iterable[Any]) -> list:
    objs = list(objs)
    if any(o.district_id != district.pk for o in objs):
        raise NotFound()
    return objs


@audited("inspections.campaign.create")
@transaction.atomic
def campaign_create(*, actor: Any, district: District, name: str, holiday: str,
                    prep_start: date, start: date, end: date, review_end: date,
                    grids: Iterable[Grid] = (), categories: Iterable[str] = (),
                    templates: Iterable[ChecklistTemplate] = ()) -> Campaign:
    policies.require(actor, "inspections.campaign_manage", district)
    name, holiday = (name or "").strip(), (holiday or "").strip()
    if not name or not holiday:
        raise ValidationFailed(_("请填写行动名称和节日"), code="name_required")
    if not prep_start <= start <= end <= review_end:
        raise ValidationFailed(_("日期须依次为：节前排查开始 ≤ 节日开始 ≤ 节日结束 ≤ 回访截止"),
                               code="dates_out_of_order")
    grids = _same_district(district, grids)
    templates = _same_district(district, templates)
    if not templates:
        raise ValidationFailed(_("请选择至少一张检查表"), code="templates_required")
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                district=district, name=name[:80], holiday=holiday[:20], prep_start=prep_start,
                start=start, end=end, review_end=review_end,
                categories=sorted({str(c).strip() for c in categories if str(c).strip()}),
                created_by=user_of(actor))
    except IntegrityError:
        raise Conflict(_("同名行动已存在"), code="campaign_exists") from None
    here = {"district": district}  # each link row carries the campaign's district
    campaign.grids.set(grids, through_defaults=here)
    campaign.templates.set(templates, through_defaults=here)
    audit_record(actor=actor, district=district, obj=campaign, action="inspections.campaign.create",
                 after={**snapshot(campaign), "grids": [g.pk for g in grids],
                        "templates": [t.code for t in templates]})
    return campaign


@audited("inspections.team.create")
@transaction.atomic
def campaign_team_create(*, actor: Any, district: District, campaign: Campaign, name: str,
                         departments: Iterable[Department] = (), members: Iterable[Any] = (),
                         grids: Iterable[Grid] = ()) -> CampaignTeam:
    """A joint team: several departments and inspectors, assigned some grids."""
    policies.require(actor, "inspections.campaign_manage", district)
    if campaign.district_id != district.pk:
        raise NotFound()
    if campaign.status == Campaign.Status.CLOSED:
        raise InvalidTransition(details={"status": campaign.status})
    departments = _same_district(district, departments)
    grids = _same_district(district, grids)
    members = list(members)
    outsiders = [u.pk for u in members if not policies.is_member(u, district)]
    if outsiders:
        raise ValidationFailed(_("检查人员须为本商圈成员"), code="member_outside",
                               details={"users": outsiders})
    if not (name or "").strip():
        raise ValidationFailed(_("请填写检查组名称"), code="name_required")
    try:
        with transaction.atomic():
            team = CampaignTeam.objects.create(district=district, campaign=campaign,
                                               name=name.strip()[:60])
    except IntegrityError:
        raise Conflict(_("同名检查组已存在"), code="team_exists") from None
    here = {"district": district}
    team.departments.set(departments, through_defaults=here)
    team.members.set(members, through_defaults=here)
    team.grids.set(grids, through_defaults=here)
    audit_record(actor=actor, district=district, obj=team, action="inspections.team.create",
                 after={"campaign": campaign.pk, "name": team.name,
                        "departments": [d.pk for d in departments],
                        "members": [u.pk for u in members], "grids": [g.pk for g in grids]})
    return team


def _spread(days: list[date], n: int, i: int) -> date:
    """The i-th of n visits, spread evenly over the available days."""
    return days[min(len(days) - 1, i * len(days) // max(1, n))]


def _days(first: date, last: date) -> list[date]:
    last = max(first, last)
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _team_for(teams: list[CampaignTeam], grid_id: int | None, i: int) -> CampaignTeam | None:
    for team in teams:
        if grid_id is not None and grid_id in team.grid_ids:
            return team
    return teams[i % len(teams)] if teams else None  # uncovered grids go round the teams


@audited("inspections.campaign.plan_before")
@transaction.atomic
def campaign_plan_before(*, actor: Any, district: District, campaign: Campaign,
                         today: date | None = None) -> list[Inspection]:
    """节前集中式: one grid inspection per target grid (and one per shop without a grid)."""
    policies.require(actor, "inspections.campaign_manage", district)
    campaign = Campaign.objects.select_for_update(of=("self",)).filter(pk=campaign.pk,
                                                          district=district).first()
    if campaign is None:
        raise NotFound()
    if campaign.status == Campaign.Status.CLOSED:
        raise InvalidTransition(details={"status": campaign.status})
    today = today or timezone.localdate()
    templates = list(campaign.templates.all())
    teams = list(campaign.teams.prefetch_related("grids"))
    for team in teams:
        team.grid_ids = {g.pk for g in team.grids.all()}
    shops = list(target_merchants(campaign))
    done = Inspection.objects.filter(campaign=campaign, kind=Inspection.Kind.CONCENTRATED,
                                     parent__isnull=True)
    done_grids = set(done.filter(merchant__isnull=True).values_list("grid_id", flat=True))
    done_shops = set(done.filter(merchant__isnull=False).values_list("merchant_id", flat=True))
    grid_ids = sorted({s.grid_id for s in shops if s.grid_id} - done_grids)
    loose = [s for s in shops if not s.grid_id and s.pk not in done_shops]
    first = max(campaign.prep_start, today)
    days = _days(first, campaign.start - timedelta(days=1))
    grids = {g.pk: g for g in Grid.objects.filter(pk__in=grid_ids)}
    n = len(grid_ids) + len(loose)
    planned = []
    reason = _("%(c)s 节前集中检查") % {"c": campaign.name}
    for i, grid_id in enumerate(grid_ids):
        planned.append(inspection_plan(
            actor=SYSTEM, district=district, templates=templates, planned_for=_spread(days, n, i),
            grid=grids[grid_id], kind=Inspection.Kind.CONCENTRATED, campaign=campaign,
            team=_team_for(teams, grid_id, i), reason=reason,
            categories=campaign.categories or None))
    for j, shop in enumerate(loose, start=len(grid_ids)):
        planned.append(inspection_plan(
            actor=SYSTEM, district=district, templates=templates, planned_for=_spread(days, n, j),
            merchant=shop, kind=Inspection.Kind.CONCENTRATED,
            campaign=campaign, team=_team_for(teams, None, j), reason=reason))
    before = snapshot(campaign, ["status"])
    if campaign.status == Campaign.Status.DRAFT:
        campaign.status = Campaign.Status.PLANNED
        campaign.save(update_fields=["status"])
    audit_record(actor=actor, district=district, obj=campaign, action="inspections.campaign.plan_before",
                 before=before, after={"status": campaign.status,
                                       "inspections": [p.pk for p in planned]})
    return planned


@audited("inspections.campaign.plan_after")
@transaction.atomic
def campaign_plan_after(*, actor: Any, district: District, campaign: Campaign,
                        today: date | None = None) -> list[Inspection]:
    """节后点位式: a targeted inspection of every merchant complained about in the period.

    Only substantiated complaints count (handled work orders, not rejected or merged);
    the merchant need not be in the target grids: a complaint is reason enough.
    """
    policies.require(actor, "inspections.campaign_manage", district)
    campaign = Campaign.objects.select_for_update(of=("self",)).filter(pk=campaign.pk,
                                                          district=district).first()
    if campaign is None:
        raise NotFound()
    if campaign.status == Campaign.Status.CLOSED:
        raise InvalidTransition(details={"status": campaign.status})
    today = today or timezone.localdate()
    if today <= campaign.end:
        raise ValidationFailed(_("节日结束后才能安排点位式检查"), code="holiday_not_over")
    counts = complaint_counts(campaign)
    already = set(Inspection.objects.filter(campaign=campaign, kind=Inspection.Kind.TARGETED)
                  .values_list("merchant_id", flat=True))
    shops = list(Merchant.objects.filter(district=district, pk__in=set(counts) - already)
                 .exclude(status=Merchant.Status.DEREGISTERED).order_by("grid_id", "pk"))
    # The most complained-about first.
    shops.sort(key=lambda s: -counts[s.pk])
    templates = list(campaign.templates.all())
    teams = list(campaign.teams.prefetch_related("grids"))
    for team in teams:
        team.grid_ids = {g.pk for g in team.grids.all()}
    days = _days(max(campaign.end + timedelta(days=1), today), campaign.review_end)
    planned = []
    for i, shop in enumerate(shops):
        planned.append(inspection_plan(
            actor=SYSTEM, district=district, templates=templates,
            planned_for=_spread(days, len(shops), i), merchant=shop,
            kind=Inspection.Kind.TARGETED, campaign=campaign,
            team=_team_for(teams, shop.grid_id, i),
            reason=_("节日期间被有效投诉 %(n)s 次") % {"n": counts[shop.pk]}))
    audit_record(actor=actor, district=district, obj=campaign, action="inspections.campaign.plan_after",
                 after={"inspections": [p.pk for p in planned],
                        "complaints": {str(k): v for k, v in counts.items()}})
    return planned


@audited("inspections.campaign.close")
@transaction.atomic
def campaign_close(*, actor: Any, district: District, campaign: Campaign,
                   summary: str = "") -> Campaign:
    policies.require(actor, "inspections.campaign_manage", district)
    campaign = Campaign.objects.select_for_update(of=("self",)).filter(pk=campaign.pk,
                                                          district=district).first()
    if campaign is None:
        raise NotFound()
    if campaign.status == Campaign.Status.CLOSED:
        raise InvalidTransition(details={"status": campaign.status})
    before = snapshot(campaign, ["status", "summary"])
    campaign.status = Campaign.Status.CLOSED
    campaign.summary = (summary or "").strip()[:5000]
    campaign.save(update_fields=["status", "summary"])
    audit_record(actor=actor, district=district, obj=campaign, action="inspections.campaign.close",
                 before=before, after=snapshot(campaign, ["status", "summary"]))
    return campaign
