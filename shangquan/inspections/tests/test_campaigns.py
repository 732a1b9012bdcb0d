"""A committee plans a Spring Festival campaign: before, during, after (from complaints)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shangquan.core.errors import PermissionDenied, ValidationFailed
from shangquan.core.roles import Role
from shangquan.inspections import selectors, services
from shangquan.inspections.models import Campaign, ChecklistTemplate, Inspection

from .factories import grid_factory, merchant_factory, photo

pytestmark = pytest.mark.django_db


def complaint(north, merchant, *, handled: bool = True):
    """A resident's complaint against the merchant, handled by the department."""
    from shangquan.workorders import services as wo

    order = wo.work_order_submit(actor=north.people[Role.RESIDENT], district=north.district,
                                 category_code="price", description="春节期间价格不明码标价",
                                 channel="resident", merchant=merchant)
    if not handled:
        return order
    dept = north.people[Role.DEPARTMENT]
    order = wo.work_order_dispatch(actor=north.people[Role.COMMITTEE], district=north.district,
                                   order=order, department=north.department)
    order = wo.work_order_accept(actor=dept, district=north.district, order=order)
    return wo.work_order_resolve(actor=dept, district=north.district, order=order,
                          note="已责令明码标价", photos=[photo()])


@pytest.fixture
def setup(north):
    services.checklist_seed(district=north.district)
    grids = [grid_factory(north.district, name=f"第{i}十邻铺") for i in (1, 2)]
    shops = [merchant_factory(north.district, grid=g, category=c)
             for g in grids for c in ("小吃", "小吃", "服饰")]
    templates = list(ChecklistTemplate.objects.filter(district=north.district,
                                                      code__in=["gas", "fire"]))
    return grids, shops, templates


def spring_festival(north, grids, templates, today):
    return services.campaign_create(
        actor=north.people[Role.COMMITTEE], district=north.district, name="2026年春节三节三清",
        holiday="春节", prep_start=today, start=today + timedelta(days=5),
        end=today + timedelta(days=12), review_end=today + timedelta(days=20), grids=grids,
        categories=["小吃"], templates=templates)


def test_only_the_committee_plans(north, setup):
    grids, _shops, templates = setup
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.campaign_create(actor=north.people[Role.DEPARTMENT], district=north.district,
                                 name="x", holiday="春节", prep_start=today, start=today,
                                 end=today, review_end=today, templates=templates)
    with pytest.raises(ValidationFailed):
        services.campaign_create(actor=north.people[Role.COMMITTEE], district=north.district,
                                 name="x", holiday="春节", prep_start=today,
                                 start=today - timedelta(days=1), end=today, review_end=today,
                                 templates=templates)


def test_committee_plans_spring_festival_concentrated_inspections(north, setup):
    grids, shops, templates = setup
    today = timezone.localdate()
    campaign = spring_festival(north, grids, templates, today)
    committee = north.people[Role.COMMITTEE]
    team = services.campaign_team_create(
        actor=committee, district=north.district, campaign=campaign, name="第一联合检查组",
        departments=[north.department], members=[north.people[Role.DEPARTMENT]],
        grids=[grids[0]])
    planned = services.campaign_plan_before(actor=committee, district=north.district,
                                            campaign=campaign, today=today)
    assert len(planned) == 2 and all(p.is_grid for p in planned)
    assert all(today <= p.planned_for < campaign.start for p in planned)
    first = next(p for p in planned if p.grid_id == grids[0].pk)
    assert first.team == team and north.department in first.departments.all()
    # only the 小吃 shops of each grid
    assert first.children.count() == 2
    assert {c.merchant.category for c in first.children.all()} == {"小吃"}
    assert services.campaign_plan_before(actor=committee, district=north.district,
                                         campaign=campaign, today=today) == []
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PLANNED
    progress = selectors.campaign_progress(campaign)
    assert progress["targets"] == 4 and progress["concentrated"]["total"] == 4
    assert progress["phase"] == "before"

    # the team inspects one shop and finds a fire hazard: it is on the 清单式 list
    child = first.children.first()
    inspector = north.people[Role.DEPARTMENT]
    for section in selectors.inspection_sheet(child):
        for row in section["items"]:
            item = row["item"]
            value = "fail" if item.code == "fire-05" else "pass"
            services.answer_save(actor=inspector, district=north.district, inspection=child,
                                 item_id=item.pk, value=value)
    services.inspection_complete(actor=inspector, district=north.district, inspection=child,
                                 signed_name="联合检查组")
    open_list = list(selectors.campaign_open_findings(campaign))
    assert [o.merchant_id for o in open_list] == [child.merchant_id]
    services.follow_up_record(actor=north.people[Role.GRID_LEADER], district=north.district,
                              rectification=open_list[0], outcome="in_progress",
                              note="已联系清洗公司", campaign=campaign)
    progress = selectors.campaign_progress(campaign)
    assert progress["findings"] == 1 and progress["visits"] == 1
    assert progress["concentrated"]["completed"] == 1
    from shangquan.core.models import AuditLog

    actions = set(AuditLog.objects.filter(district=north.district)
                  .values_list("action", flat=True))
    assert {"inspections.checklist.create", "inspections.checklist.publish", "inspections.campaign.create", "inspections.team.create",
            "inspections.campaign.plan_before", "inspections.inspection.plan", "inspections.inspection.start", "inspections.inspection.answer",
            "inspections.inspection.complete", "inspections.rectification.issue", "inspections.followup.record"} <= actions


def test_after_holiday_list_is_drawn_from_substantiated_complaints(north, setup):
    grids, shops, templates = setup
    today = timezone.localdate()
    campaign = services.campaign_create(
        actor=north.people[Role.COMMITTEE], district=north.district, name="春节回访",
        holiday="春节", prep_start=today - timedelta(days=10), start=today - timedelta(days=3),
        end=today, review_end=today + timedelta(days=7), grids=grids, templates=templates)
    complained, twice, unhandled, outsider = shops[0], shops[3], shops[1], \
        merchant_factory(north.district)
    complaint(north, complained)
    complaint(north, twice)
    complaint(north, twice)
    complaint(north, unhandled, handled=False)  # not substantiated: still open
    complaint(north, outsider)  # outside the target grids: a complaint is reason enough
    committee = north.people[Role.COMMITTEE]
    with pytest.raises(ValidationFailed):
        services.campaign_plan_after(actor=committee, district=north.district,
                                     campaign=campaign, today=today)
    after = today + timedelta(days=1)
    planned = services.campaign_plan_after(actor=committee, district=north.district,
                                           campaign=campaign, today=after)
    assert planned[0].merchant_id == twice.pk  # the most complained-about first
    assert {p.merchant_id for p in planned} == {complained.pk, twice.pk, outsider.pk}
    assert all(p.kind == Inspection.Kind.TARGETED for p in planned)
    assert "2 次" in next(p for p in planned if p.merchant_id == twice.pk).reason
    assert all(after <= p.planned_for <= campaign.review_end for p in planned)
    assert services.campaign_plan_after(actor=committee, district=north.district,
                                        campaign=campaign, today=after) == []
    progress = selectors.campaign_progress(campaign)
    assert progress["complained_merchants"] == 3 and progress["complaints"] == 4
    assert progress["targeted"]["total"] == 3
    services.campaign_close(actor=committee, district=north.district, campaign=campaign,
                            summary="节后点位检查已安排")
    campaign.refresh_from_db()
    assert campaign.status == "closed"
