from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from shangquan.core.district_settings import district_settings_update
from shangquan.core.errors import (
    InvalidTransition,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from shangquan.core.models import AuditLog, Notification
from shangquan.core.roles import Role
from shangquan.core.tests.factories import department_factory, member_factory
from shangquan.merchants.tests.factories import grid_factory, merchant_factory
from shangquan.workorders import rollup, selectors, services
from shangquan.workorders.models import Category, Escalation, KpiDaily, Photo, Status, WorkOrder

from .factories import advance, order_factory, photo_upload

pytestmark = pytest.mark.django_db


def test_submit_numbers_orders_per_district_and_day(north, south):
    a = order_factory(north)
    b = order_factory(north)
    c = order_factory(south)
    day = timezone.localdate().strftime("%Y%m%d")
    assert a.number == f"NORTH-{day}-0001"
    assert b.number == f"NORTH-{day}-0002"
    assert c.number == f"SOUTH-{day}-0001"
    assert a.status == Status.SUBMITTED and a.reporter == north.people[Role.RESIDENT]
    assert AuditLog.objects.filter(action="workorders.order.submit", object_id=str(a.pk)).exists()
    # the committee hears about it
    assert Notification.objects.filter(user=north.people[Role.COMMITTEE]).count() == 2


def test_categories_are_seeded_with_chinese_names_and_departments(north):
    services.categories_ensure(district=north.district)
    cats = {c.code: c for c in Category.objects.filter(district=north.district)}
    for code in ("oil_fume", "noise", "street_occupation", "sanitation", "food_safety",
                 "metrology", "fire_safety", "gas", "electricity", "parking", "waterlogging",
                 "price", "consumer_dispute"):
        assert code in cats
    assert cats["oil_fume"].name == "油烟"
    assert cats["metrology"].department.name == "市场监管"
    assert cats["fire_safety"].resolution_hours == 2
    assert cats["consumer_dispute"].resolution_hours == 15 * 24
    assert services.categories_ensure(district=north.district) == 0


def test_anonymous_only_where_category_allows(north):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    order = order_factory(north, actor=anon)
    assert order.anonymous and order.reporter is None
    with pytest.raises(NotAuthenticated):
        order_factory(north, actor=anon, category_code="food_safety")
    with pytest.raises(ValidationFailed):
        order_factory(north, category_code="food_safety", anonymous=True)
    named = order_factory(north, category_code="food_safety")
    assert not named.anonymous


def test_channels_need_their_role(north):
    with pytest.raises(PermissionDenied):
        order_factory(north, channel="grid_leader")
    order = order_factory(north, actor=north.people[Role.GRID_LEADER], channel="grid_leader")
    assert order.channel == "grid_leader"
    hotline = order_factory(north, actor=north.people[Role.COMMITTEE], channel="hotline",
                            reporter_name="王女士", reporter_phone="138 0000 1234")
    assert hotline.reporter is None and hotline.reporter_phone == "13800001234"
    assert hotline.entered_by == north.people[Role.COMMITTEE]


def test_merchant_and_grid_from_the_right_district(north, south):
    grid = grid_factory(north.district)
    merchant = merchant_factory(north.district, grid=grid, latitude="41.119200",
                                longitude="121.147700")
    order = order_factory(north, merchant=merchant)
    assert order.grid == grid and order.latitude is not None
    foreign = merchant_factory(south.district)
    with pytest.raises(NotFound):
        order_factory(north, merchant=foreign)


def test_photos_are_cleaned_and_limited(north):
    order = order_factory(north, photos=[photo_upload(), photo_upload(colour="blue")])
    assert Photo.objects.filter(order=order, kind="report").count() == 2
    with pytest.raises(ValidationFailed):
        order_factory(north, photos=[photo_upload() for _ in range(10)])


def test_the_whole_loop_writes_timeline_audit_and_notifications(north):
    order = order_factory(north)
    order = advance(north, order, "closed")
    assert order.status == Status.CLOSED and order.rating == "satisfied"
    actions = list(order.events.values_list("action", flat=True))
    assert actions == ["submit", "dispatch", "accept", "resolve", "rate"]
    audited = set(AuditLog.objects.filter(object_type="workorders.workorder",
                                          object_id=str(order.pk))
                  .values_list("action", flat=True))
    assert {"workorders.order.submit", "workorders.order.dispatch", "workorders.order.accept",
            "workorders.order.resolve", "workorders.order.rate"} <= audited
    resident = north.people[Role.RESIDENT]
    assert Notification.objects.filter(user=resident).count() >= 3
    assert Notification.objects.filter(user=north.people[Role.DEPARTMENT]).exists()


def test_only_assigned_department_handles(north):
    other_dept = department_factory(north.district, "xf", "消防救援")
    outsider = member_factory(north.district, Role.DEPARTMENT, department=other_dept)
    order = advance(north, order_factory(north), "dispatched")
    with pytest.raises(PermissionDenied):
        services.work_order_accept(actor=outsider, district=north.district, order=order)
    with pytest.raises(PermissionDenied):
        services.work_order_accept(actor=north.people[Role.COMMITTEE], district=north.district,
                                   order=order)


def test_return_with_reason_goes_back_to_committee(north):
    order = advance(north, order_factory(north), "dispatched")
    with pytest.raises(ValidationFailed):
        services.work_order_return(actor=north.people[Role.DEPARTMENT], district=north.district,
                                   order=order, reason="")
    order = services.work_order_return(actor=north.people[Role.DEPARTMENT],
                                       district=north.district, order=order,
                                       reason="不属于本部门职责")
    assert order.status == Status.SUBMITTED and order.department is None
    assert order.public_note == "不属于本部门职责"


def test_unsatisfied_reopens_and_past_limit_goes_to_street(north):
    district_settings_update(actor=north.people[Role.COMMITTEE], district=north.district,
                             app="workorders", values={"reopen_limit": 1})
    order = order_factory(north)
    order = advance(north, order, "closed", rating="unsatisfied")
    assert order.status == Status.REOPENED and order.reopen_count == 1
    assert not Escalation.objects.filter(order=order).exists()
    order = advance(north, order, "closed", rating="unsatisfied")
    assert order.reopen_count == 2
    esc = Escalation.objects.get(order=order)
    assert esc.reason == "reopen_limit"
    assert Notification.objects.filter(user=north.people[Role.STREET]).exists()
    # the street can dispatch it again
    services.work_order_dispatch(actor=north.people[Role.STREET], district=north.district,
                                 order=order, department=north.department)


def test_only_reporter_rates_within_window(north):
    order = advance(north, order_factory(north), "resolved")
    with pytest.raises(PermissionDenied):
        services.work_order_rate(actor=north.people[Role.COMMITTEE], district=north.district,
                                 order=order, rating="satisfied")
    WorkOrder.objects.filter(pk=order.pk).update(rating_due_at=timezone.now()
                                                 - dt.timedelta(minutes=1))
    order.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.work_order_rate(actor=order.reporter, district=north.district, order=order,
                                 rating="satisfied")
    assert services.auto_close() == 1
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.rating == ""


def test_reject_and_merge_with_reasons(north):
    first = order_factory(north)
    second = order_factory(north)
    services.work_order_merge(actor=north.people[Role.COMMITTEE], district=north.district,
                              order=second, into=first, reason="同一摊位重复反映")
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first
    third = order_factory(north)
    services.work_order_reject(actor=north.people[Role.COMMITTEE], district=north.district,
                               order=third, reason="不属于商圈管理范围")
    third.refresh_from_db()
    assert third.status == Status.REJECTED
    assert [e.note for e in selectors.timeline(order=third)][-1].endswith("不属于商圈管理范围")
    with pytest.raises(InvalidTransition):
        services.work_order_dispatch(actor=north.people[Role.COMMITTEE],
                                     district=north.district, order=third,
                                     department=north.department)


def test_overdue_raises_escalation_once(north):
    order = advance(north, order_factory(north), "dispatched")
    later = timezone.now() + dt.timedelta(hours=order.category.response_hours + 1)
    assert services.overdue_check(now=later) == 1
    assert services.overdue_check(now=later) == 0
    order.refresh_from_db()
    assert order.response_overdue and order.escalated
    assert Escalation.objects.filter(order=order, reason="response_overdue").count() == 1
    much_later = timezone.now() + dt.timedelta(days=30)
    services.overdue_check(now=much_later)
    order.refresh_from_db()
    assert order.resolution_overdue
    esc = Escalation.objects.filter(order=order).first()
    services.escalation_handle(actor=north.people[Role.STREET], district=north.district,
                               escalation=esc, note="已督办城管当日处置")
    with pytest.raises(PermissionDenied):
        services.escalation_handle(actor=north.people[Role.COMMITTEE], district=north.district,
                                   escalation=Escalation.objects.filter(handled_at=None).first(),
                                   note="x x")


def test_rating_exclusion_and_follow_up(north):
    order = advance(north, order_factory(north), "closed", rating="basic")
    with pytest.raises(PermissionDenied):
        services.rating_mark_unreasonable(actor=north.people[Role.DEPARTMENT],
                                          district=north.district, order=order, reason="无理")
    services.rating_mark_unreasonable(actor=north.people[Role.COMMITTEE],
                                      district=north.district, order=order,
                                      reason="评价与诉求无关")
    order.refresh_from_db()
    assert order.rating_excluded
    assert AuditLog.objects.filter(action="workorders.order.rating_exclude").exists()
    services.follow_up_record(actor=north.people[Role.COMMITTEE], district=north.district,
                              order=order, outcome="solved", note="电话回访，油烟问题未再出现")
    assert order.follow_ups.count() == 1


def test_substantiated_counts_for_inspections(north):
    merchant = merchant_factory(north.district)
    other = merchant_factory(north.district)
    advance(north, order_factory(north, merchant=merchant), "resolved")
    advance(north, order_factory(north, merchant=merchant), "closed")
    advance(north, order_factory(north, merchant=other, category_code="noise"), "accepted")
    rejected = order_factory(north, merchant=other, category_code="price")
    services.work_order_reject(actor=north.people[Role.COMMITTEE], district=north.district,
                               order=rejected, reason="诉求不实")
    now = timezone.now()
    counts = selectors.work_order_substantiated_counts(
        district=north.district, start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=1))
    assert counts == {merchant.pk: 2}
    assert selectors.work_order_substantiated_counts(
        district=north.district, start=now + dt.timedelta(hours=1),
        end=now + dt.timedelta(days=1)) == {}


def test_duplicates_within_radius_and_window(north):
    district_settings_update(actor=north.people[Role.COMMITTEE], district=north.district,
                             app="workorders", values={"duplicate_radius_m": 100,
                                                       "duplicate_window_hours": 24})
    first = order_factory(north, latitude="41.119200", longitude="121.147700")
    cat = first.category
    near = selectors.duplicates_find(district=north.district, category=cat,
                                     latitude="41.119500", longitude="121.147700")
    assert near == [first]  # ~33 m away
    far = selectors.duplicates_find(district=north.district, category=cat,
                                    latitude="41.121200", longitude="121.147700")
    assert far == []  # ~220 m away
    other_cat = Category.objects.get(district=north.district, code="noise")
    assert selectors.duplicates_find(district=north.district, category=other_cat,
                                     latitude="41.119200", longitude="121.147700") == []
    later = timezone.now() + dt.timedelta(hours=25)
    assert selectors.duplicates_find(district=north.district, category=cat, at=later,
                                     latitude="41.119200", longitude="121.147700") == []
    second = order_factory(north, latitude="41.119300", longitude="121.147800")
    pairs = selectors.merge_candidates(district=north.district)
    assert [(o.pk, [e.pk for e in earlier]) for o, earlier in pairs] == [(second.pk, [first.pk])]


def test_rollup_matches_rebuild_after_every_kind_of_step(north):
    orders = [order_factory(north, category_code=c) for c in ("oil_fume", "noise", "price",
                                                              "parking", "sanitation")]
    advance(north, orders[0], "closed", rating="satisfied")
    advance(north, orders[1], "closed", rating="unsatisfied")
    basic = advance(north, orders[2], "closed", rating="basic")
    services.rating_mark_unreasonable(actor=north.people[Role.COMMITTEE],
                                      district=north.district, order=basic, reason="不合理评价")
    advance(north, orders[3], "dispatched")
    services.overdue_check(now=timezone.now() + dt.timedelta(days=60))
    services.work_order_reject(actor=north.people[Role.COMMITTEE], district=north.district,
                               order=orders[4], reason="重复无效")

    def dump():
        return sorted((r.day, r.dim, r.key, *(getattr(r, c) for c in KpiDaily.COUNTERS))
                      for r in KpiDaily.objects.filter(district=north.district)
                      if any(getattr(r, c) for c in KpiDaily.COUNTERS))

    live = dump()
    rollup.rebuild(district=north.district)
    assert dump() == live


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_numbers(north):
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("in-memory SQLite is one connection")
    numbers, errors = [], []

    def worker():
        try:
            numbers.append(order_factory(north).number)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(numbers)) == 6
    # the KPI counters saw every one of them, created concurrently on a new day bucket
    totals = KpiDaily.objects.filter(district=north.district, dim="all")
    assert sum(totals.values_list("total", flat=True)) == 6
