"""Snapshots: closed periods frozen once, read instead of live values, corrected only by a
new version with a reason; append-only in the database; district-scoped."""

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.errors import NotFound, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog
from shangquan.core.periods import Period
from shangquan.core.roles import Role
from shangquan.dashboard import selectors, services
from shangquan.dashboard.models import Snapshot, SnapshotSource
from shangquan.workorders.models import KpiDaily
from shangquan.workorders.tests.factories import advance, order_factory

pytestmark = pytest.mark.django_db

TOTAL = "workorders.total"


def last_week() -> Period:
    return Period.containing("week", timezone.localdate()).previous()


def orders_last_week(persona, n: int, *, weekday: int = 0) -> None:
    """``n`` orders, their daily counters moved to a day of last week (as if filed then)."""
    before = set(KpiDaily.objects.filter(district=persona.district).values_list("pk", flat=True))
    for _i in range(n):
        advance(persona, order_factory(persona), "dispatched")
    KpiDaily.objects.filter(district=persona.district).exclude(pk__in=before).update(
        day=last_week().start + dt.timedelta(days=weekday))


def board_value(persona, period: Period, key: str = TOTAL) -> float | None:
    [v] = selectors.kpi_board(user=persona.people[Role.COMMITTEE], district=persona.district,
                              period=period, keys=[key])
    return v.current.value


def test_closed_period_frozen_history_does_not_move(north):
    orders_last_week(north, 3)
    written = services.snapshots_freeze(actor=SYSTEM, district=north.district)
    assert written > 0
    row = Snapshot.objects.get(district=north.district, indicator=TOTAL, kind="week",
                               start=last_week().start)
    assert (row.value, row.version, row.source) == (3, 1, SnapshotSource.MEASURED)
    assert AuditLog.objects.filter(action="dashboard.snapshot.freeze",
                                   district=north.district).count() == 1
    # rows are edited later (a late import moved two more orders into last week) …
    orders_last_week(north, 2, weekday=1)
    assert selectors.indicator_get(key=TOTAL).measure(
        north.district, last_week().start, last_week().end).value == 5
    # … the closed week still reads as it was frozen, on a cold cache too
    from django.core.cache import cache
    cache.clear()
    assert board_value(north, last_week()) == 3
    # the open week is live
    advance(north, order_factory(north), "dispatched")
    assert board_value(north, Period.containing("week", timezone.localdate())) == 1
    # running the job again freezes nothing twice
    assert services.snapshots_freeze(actor=SYSTEM, district=north.district) == 0
    assert Snapshot.objects.filter(district=north.district, indicator=TOTAL, kind="week",
                                   start=last_week().start).count() == 1


def test_correction_is_a_new_version_with_a_reason(north, django_capture_on_commit_callbacks):
    orders_last_week(north, 2)
    services.snapshots_freeze(actor=SYSTEM, district=north.district)
    board_value(north, last_week())  # cached now
    committee = north.people[Role.COMMITTEE]
    with pytest.raises(ValidationFailed):
        services.snapshot_correct(actor=committee, district=north.district, key=TOTAL,
                                  period=last_week(), value=4, reason="  ")
    with pytest.raises(PermissionDenied):  # a department reads, never rewrites
        services.snapshot_correct(actor=north.people[Role.DEPARTMENT], district=north.district,
                                  key=TOTAL, period=last_week(), value=4, reason="补录")
    with django_capture_on_commit_callbacks(execute=True):
        row = services.snapshot_correct(actor=committee, district=north.district, key=TOTAL,
                                        period=last_week(), value=4, reason="补录两张纸质工单")
    assert (row.version, row.source, row.created_by) == (2, SnapshotSource.CORRECTION, committee)
    assert board_value(north, last_week()) == 4  # the cache forgot the old figure
    versions = Snapshot.objects.filter(district=north.district, indicator=TOTAL,
                                       start=last_week().start).order_by("version")
    assert [(s.version, s.value) for s in versions] == [(1, 2), (2, 4)]
    audit = AuditLog.objects.get(action="dashboard.snapshot.correct")
    assert audit.after["reason"] == "补录两张纸质工单" and audit.before["value"] == 2
    with pytest.raises(NotFound):  # nothing frozen for that week
        services.snapshot_correct(actor=committee, district=north.district, key=TOTAL,
                                  period=last_week().previous().previous().previous().previous()
                                  .previous(), value=1, reason="x")


def test_snapshots_are_append_only_in_the_database(north):
    orders_last_week(north, 1)
    services.snapshots_freeze(actor=SYSTEM, district=north.district)
    row = Snapshot.objects.filter(district=north.district).first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Snapshot.objects.filter(pk=row.pk).update(value=999)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            Snapshot.objects.filter(pk=row.pk).delete()
    # one row per district, indicator, period and version
    with pytest.raises(IntegrityError), transaction.atomic():
        Snapshot.objects.create(district=row.district, indicator=row.indicator, kind=row.kind,
                                start=row.start, version=1, value=1)
    # a later version without a reason is refused by the database itself
    with pytest.raises(IntegrityError), transaction.atomic():
        Snapshot.objects.create(district=row.district, indicator=row.indicator, kind=row.kind,
                                start=row.start, version=2, value=1,
                                source=SnapshotSource.CORRECTION, reason="")


def test_open_period_refused_and_scoped_per_district(north, south):
    this_week = Period.containing("week", timezone.localdate())
    with pytest.raises(ValidationFailed) as info:
        services.snapshots_freeze(actor=SYSTEM, district=north.district, periods=[this_week])
    assert info.value.code == "period_not_closed"
    orders_last_week(north, 2)
    orders_last_week(south, 1)
    services.snapshots_freeze_all()
    assert board_value(north, last_week()) == 2 and board_value(south, last_week()) == 1
    # north's committee cannot correct south's snapshot: south looks like no district
    with pytest.raises(NotFound):
        services.snapshot_correct(actor=north.people[Role.COMMITTEE], district=south.district,
                                  key=TOTAL, period=last_week(), value=9, reason="x")
    assert selectors.snapshot_values(district=south.district, period=last_week())[TOTAL].value == 1


def test_nightly_task_runs_through_the_worker_path(north):
    from shangquan.dashboard import tasks

    orders_last_week(north, 1)
    assert tasks.snapshots_freeze.call() > 0
    assert Snapshot.objects.filter(district=north.district, kind="week").exists()


def test_demo_gives_a_year_of_history_marked_as_demo(north, django_capture_on_commit_callbacks):
    import random

    from shangquan.core.demo import DemoContext
    from shangquan.dashboard import demo

    orders_last_week(north, 4)
    ctx = DemoContext(district=north.district, spec=None, rng=random.Random("t"), scale=1,
                      users=north.people, departments={}, department_users={},
                      progress=lambda msg: None, logins=[])
    with django_capture_on_commit_callbacks(execute=True):  # the loader runs in autocommit
        demo.load(ctx)
    weeks = Snapshot.objects.filter(district=north.district, indicator=TOTAL, kind="week")
    assert weeks.count() == demo.HISTORY_WEEKS + demo.MEASURED_WEEKS
    measured = weeks.filter(source=SnapshotSource.MEASURED)
    assert measured.count() == demo.MEASURED_WEEKS  # the demo data's weeks: real figures
    assert measured.get(start=last_week().start).value == 4
    made_up = weeks.filter(source=SnapshotSource.DEMO)
    assert made_up.count() == demo.HISTORY_WEEKS
    assert all(s.start < measured.order_by("start").first().start for s in made_up)
    # the charts have shape: a value every week of the year, months and quarters too
    a_year_ago = Period.containing("week", timezone.localdate() - dt.timedelta(weeks=40))
    assert board_value(north, a_year_ago) is not None
    assert board_value(north, a_year_ago, key="workorders.response_rate") is not None
    assert Snapshot.objects.filter(district=north.district, indicator=TOTAL,
                                   kind="month").count() >= 12
    # rates keep their numerator and denominator, so a street can combine them
    rate = Snapshot.objects.filter(district=north.district, kind="week",
                                   indicator="workorders.response_rate",
                                   source=SnapshotSource.DEMO).first()
    assert rate.denominator and rate.value == pytest.approx(100 * rate.numerator
                                                            / rate.denominator)
    # last week's report was made from them; a second load changes nothing
    from shangquan.dashboard.models import Report
    assert Report.objects.filter(district=north.district, kind="week",
                                 start=last_week().start).count() == 1
    from shangquan.core.models import Notification
    assert Notification.objects.filter(user=north.people[Role.COMMITTEE],
                                       link__contains="/dashboard/reports/").count() == 1
    before = Snapshot.objects.count()
    demo.load(ctx)
    assert Snapshot.objects.count() == before


def test_snapshot_page_shows_versions_and_corrects(north, client):
    orders_last_week(north, 2)
    services.snapshots_freeze(actor=SYSTEM, district=north.district)
    url = f"/console/{north.district.code}/dashboard/snapshots/"
    client.force_login(north.people[Role.DEPARTMENT])
    html = client.get(url, {"key": TOTAL, "period": last_week().label}).content.decode()
    assert "v1" in html and "夜间计算" in html and "correct-form" not in html  # reads only
    assert client.post(url, {"key": TOTAL, "period": last_week().label, "value": "5",
                             "reason": "x"}).status_code == 403
    client.force_login(north.people[Role.COMMITTEE])
    r = client.post(url, {"key": TOTAL, "period": last_week().label, "value": "5",
                          "reason": ""})
    assert r.status_code == 422 and "须说明原因" in r.content.decode()
    r = client.post(url, {"key": TOTAL, "period": last_week().label, "value": "5",
                          "reason": "补录"}, follow=True)
    html = r.content.decode()
    assert "v2" in html and "补录" in html and "更正" in html
    assert client.get(url, {"key": "nope.x", "period": last_week().label}).status_code == 404
    # a rate corrected by its value keeps its base (the street still adds numerators)
    rate = "workorders.response_rate"
    services.snapshot_correct(actor=north.people[Role.COMMITTEE], district=north.district,
                              key=rate, period=last_week(), value=50.0, reason="复核")
    latest = Snapshot.objects.filter(district=north.district, indicator=rate,
                                     start=last_week().start).order_by("-version").first()
    assert latest.denominator == 2 and latest.numerator == 1
