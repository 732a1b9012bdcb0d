"""Rectification orders: issue, evidence, verify / reject, escalate, stop business."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shangquan.core.district_settings import district_settings_update
from shangquan.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog, Notification
from shangquan.core.roles import Role
from shangquan.inspections import services
from shangquan.inspections.models import Rectification

from .factories import merchant_factory, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(north):
    return merchant_factory(north.district, owner=north.people[Role.MERCHANT])


def issue(north, shop, **kw):
    kw.setdefault("severity", "general")
    return services.rectification_issue(
        actor=north.people[Role.DEPARTMENT], district=north.district, merchant=shop,
        title=kw.pop("title", "灭火器压力不足"), source=kw.pop("source", "inspection"), **kw)


def test_issue_sets_deadline_by_severity_and_district_rules(north, shop):
    before = timezone.now()
    general = issue(north, shop)
    assert timedelta(days=7) <= general.deadline - before < timedelta(days=7, minutes=1)
    district_settings_update(actor=north.people[Role.COMMITTEE], district=north.district,
                             app="inspections", values={"serious_days": 2})
    serious = issue(north, shop, severity="serious")
    assert timedelta(days=2) <= serious.deadline - before < timedelta(days=2, minutes=1)
    assert general.number.startswith("NORTH-ZG-")
    assert general.department == north.department
    assert AuditLog.objects.filter(action="inspections.rectification.issue",
                                   object_id=str(general.pk)).exists()
    assert Notification.objects.filter(user=north.people[Role.MERCHANT]).count() == 2


def test_scales_style_issue_from_spot_check(north, shop):
    order = issue(north, shop, source="spot_check", source_ref="spotcheck:17", severity="major",
                  description="复检误差超出使用中最大允许误差")
    assert (order.source, order.source_ref, order.status) == ("spot_check", "spotcheck:17",
                                                             "issued")


@pytest.mark.parametrize("kw,code", [
    ({"severity": "huge"}, "unknown_severity"),
    ({"source": "Bad Source"}, "invalid_source"),
    ({"title": "  "}, "title_required"),
    ({"stop_business": True}, "stop_requires_serious"),
])
def test_issue_refuses_bad_input(north, shop, kw, code):
    with pytest.raises(ValidationFailed) as exc:
        issue(north, shop, **kw)
    assert exc.value.code == code


def test_only_inspectors_issue_and_not_across_districts(north, south, shop):
    with pytest.raises(PermissionDenied):
        services.rectification_issue(actor=north.people[Role.MERCHANT], district=north.district,
                                     merchant=shop, title="x", severity="general",
                                     source="inspection")
    with pytest.raises(NotFound):
        services.rectification_issue(actor=south.people[Role.DEPARTMENT],
                                     district=south.district, merchant=shop, title="x",
                                     severity="general", source="inspection")


def test_merchant_submits_inspector_rejects_then_verifies(north, shop):
    order = issue(north, shop)
    owner = north.people[Role.MERCHANT]
    services.rectification_evidence_submit(actor=owner, district=north.district,
                                           rectification=order, note="已更换灭火器",
                                           photos=[photo()])
    order.refresh_from_db()
    assert order.status == Rectification.Status.SUBMITTED
    inspector = north.people[Role.DEPARTMENT]
    with pytest.raises(ValidationFailed):
        services.rectification_reject(actor=inspector, district=north.district,
                                      rectification=order, note="")
    services.rectification_reject(actor=inspector, district=north.district, rectification=order,
                                  note="照片看不清压力表")
    order.refresh_from_db()
    assert order.status == Rectification.Status.REJECTED
    with pytest.raises(InvalidTransition):
        services.rectification_verify(actor=inspector, district=north.district,
                                      rectification=order)
    services.rectification_evidence_submit(actor=owner, district=north.district,
                                           rectification=order, note="补拍压力表",
                                           photos=[photo(), photo(color="blue")])
    services.rectification_verify(actor=inspector, district=north.district, rectification=order)
    order.refresh_from_db()
    assert order.status == Rectification.Status.VERIFIED and order.verified_by == inspector
    decisions = list(order.evidence.values_list("decision", flat=True))
    assert decisions == ["rejected", "accepted"]
    assert order.evidence.last().photos.count() == 2
    actions = list(AuditLog.objects.filter(object_type="inspections.rectification",
                                           object_id=str(order.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["inspections.rectification.issue", "inspections.rectification.submit", "inspections.rectification.reject",
                       "inspections.rectification.submit", "inspections.rectification.verify"]


def test_evidence_needs_a_photo_and_the_owner(north, shop):
    order = issue(north, shop)
    with pytest.raises(ValidationFailed):
        services.rectification_evidence_submit(actor=north.people[Role.MERCHANT],
                                               district=north.district, rectification=order,
                                               note="改了", photos=[])
    other_owner = merchant_factory(north.district)  # a shop without an owner account
    stranger_order = issue(north, other_owner)
    with pytest.raises(NotFound):
        services.rectification_evidence_submit(actor=north.people[Role.MERCHANT],
                                               district=north.district,
                                               rectification=stranger_order, note="改了",
                                               photos=[photo()])


def test_overdue_orders_escalate_once(north, shop):
    order = issue(north, shop)
    waiting = issue(north, shop)
    services.rectification_evidence_submit(actor=north.people[Role.MERCHANT],
                                           district=north.district, rectification=waiting,
                                           note="已整改", photos=[photo()])
    later = timezone.now() + timedelta(days=8)
    assert services.rectification_escalate_overdue(now=later) == 1
    assert services.rectification_escalate_overdue(now=later) == 0
    order.refresh_from_db()
    assert order.status == Rectification.Status.ESCALATED and order.escalated_at == later
    assert Notification.objects.filter(user=north.people[Role.COMMITTEE],
                                       title__contains="逾期督办").exists()
    # an escalated order can still be answered
    services.rectification_evidence_submit(actor=north.people[Role.MERCHANT],
                                           district=north.district, rectification=order,
                                           note="已整改", photos=[photo()])


def test_serious_finding_stops_business_until_verified(north, shop):
    first = issue(north, shop, severity="serious", stop_business=True, title="液化气瓶无减压阀")
    second = issue(north, shop, severity="serious", stop_business=True, title="燃气泄漏报警器缺失")
    shop.refresh_from_db()
    assert shop.status == "suspended"
    owner, inspector = north.people[Role.MERCHANT], north.people[Role.DEPARTMENT]
    for order in (first, second):
        services.rectification_evidence_submit(actor=owner, district=north.district,
                                               rectification=order, note="已整改",
                                               photos=[photo()])
    services.rectification_verify(actor=inspector, district=north.district, rectification=first)
    shop.refresh_from_db()
    assert shop.status == "suspended"  # the other stop order is still open
    services.rectification_verify(actor=inspector, district=north.district, rectification=second)
    shop.refresh_from_db()
    assert shop.status == "open"


def test_periodic_task_escalates_and_is_scheduled(north, shop):
    from shangquan.core.extensions import periodic_jobs
    from shangquan.inspections.tasks import escalate_overdue_rectifications

    PERIODIC_JOBS = periodic_jobs()

    assert any(path.endswith("escalate_overdue_rectifications") for path, _s in PERIODIC_JOBS)
    order = issue(north, shop)
    past = timezone.now() - timedelta(days=10)
    Rectification.objects.filter(pk=order.pk).update(issued_at=past,
                                                     deadline=past + timedelta(days=7))
    escalate_overdue_rectifications.enqueue()
    order.refresh_from_db()
    assert order.status == "escalated"
    entry = AuditLog.objects.get(action="inspections.rectification.escalate", object_id=str(order.pk))
    assert entry.actor_label == "system:overdue"


def test_follow_up_visit_cannot_close_an_open_order(north, shop):
    order = issue(north, shop)
    with pytest.raises(ValidationFailed):
        services.follow_up_record(actor=north.people[Role.GRID_LEADER], district=north.district,
                                  rectification=order, outcome="resolved")
    visit = services.follow_up_record(actor=north.people[Role.GRID_LEADER],
                                      district=north.district, rectification=order,
                                      outcome="in_progress", note="正在更换")
    assert visit.rectification == order
    with pytest.raises(PermissionDenied):
        services.follow_up_record(actor=north.people[Role.MERCHANT], district=north.district,
                                  rectification=order, outcome="in_progress")
