"""Zones, readings, manual counts, overrides and alerts through the real services."""

import datetime as dt

import pytest
from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.district_settings import district_settings_update
from shangquan.core.errors import Conflict, PermissionDenied, ValidationFailed
from shangquan.core.models import AuditLog, Device
from shangquan.core.roles import Role
from shangquan.crowd import selectors, services
from shangquan.crowd.models import Alert, Control, ControlEvent, Level, MinuteFlow, Reading, Zone

from .factories import evening_start, gate_factory, reading, zone_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(north):
    start = evening_start()
    zone = zone_factory(north.district, name="小吃区", area_m2=200, area_per_person=2,
                        reset_at=start)
    gate, _raw = gate_factory(north.district, zone, code="A")
    return zone, gate, start


def test_capacity_is_area_over_area_per_person_and_editable(north):
    committee = north.people[Role.COMMITTEE]
    zone = services.zone_create(actor=committee, district=north.district, name="服饰区",
                                area_m2="1500", area_per_person="1.5")
    assert zone.capacity == 1000
    assert zone.daily_capacity == int(1000 * 390 / 90)  # 17:00–23:30, 90 min stay
    zone = services.zone_update(actor=committee, zone=zone, capacity=800)
    assert zone.capacity == 800 and zone.capacity_manual
    zone = services.zone_update(actor=committee, zone=zone, capacity_manual=False,
                                area_m2=3000)
    assert zone.capacity == 2000
    assert AuditLog.objects.filter(object_type="crowd.zone", action="crowd.zone.update")\
        .count() == 2


def test_only_the_committee_manages_zones(north):
    with pytest.raises(PermissionDenied):
        services.zone_create(actor=north.people[Role.GRID_LEADER], district=north.district,
                             name="x", area_m2=10)


def test_thresholds_must_be_ordered(north):
    zone = zone_factory(north.district)
    with pytest.raises(ValidationFailed):
        services.zone_update(actor=north.people[Role.COMMITTEE], zone=zone,
                             open_below_pct=95)


def test_readings_move_occupancy_and_roll_up_by_minute(setup):
    zone, gate, start = setup
    result = services.readings_ingest(device=gate.device, readings=[
        reading(1, start + dt.timedelta(seconds=10), 30, 2),
        reading(2, start + dt.timedelta(seconds=40), 10, 3),
        reading(3, start + dt.timedelta(minutes=1, seconds=5), 5, 10),
    ])
    assert (result.accepted, result.duplicates) == (3, 0)
    zone.refresh_from_db()
    assert zone.occupancy == 30
    minutes = list(MinuteFlow.objects.filter(zone=zone).order_by("minute"))
    # the peak within a minute comes from its endpoints: minute 2 started at 35
    assert [(m.entries, m.exits, m.occupancy_max, m.occupancy_end) for m in minutes] == [
        (40, 5, 35, 35), (5, 10, 35, 30)]


def test_duplicate_and_out_of_order_readings_change_nothing(north):
    start = evening_start()
    readings = [reading(i, start + dt.timedelta(minutes=i), 9 + i % 4, 3 + i % 3)
                for i in range(1, 31)]
    in_order = zone_factory(north.district, reset_at=start)
    shuffled = zone_factory(north.district, reset_at=start)
    gate_a, _ = gate_factory(north.district, in_order)
    gate_b, _ = gate_factory(north.district, shuffled)
    services.readings_ingest(device=gate_a.device, readings=readings)
    mixed = list(reversed(readings[10:])) + readings[:10]
    services.readings_ingest(device=gate_b.device, readings=mixed[:15])
    services.readings_ingest(device=gate_b.device, readings=mixed[15:] + mixed[:5])
    again = services.readings_ingest(device=gate_b.device, readings=readings)
    assert (again.accepted, again.duplicates) == (0, 30)
    in_order.refresh_from_db()
    shuffled.refresh_from_db()
    assert in_order.occupancy == shuffled.occupancy > 0
    assert (in_order.entries, in_order.exits) == (shuffled.entries, shuffled.exits)
    assert Reading.objects.filter(gate=gate_b).count() == 30
    key = ("minute", "entries", "exits")
    assert list(MinuteFlow.objects.filter(zone=in_order).order_by("minute").values_list(*key)) \
        == list(MinuteFlow.objects.filter(zone=shuffled).order_by("minute").values_list(*key))


def test_occupancy_never_goes_below_zero(setup):
    zone, gate, start = setup
    services.readings_ingest(device=gate.device, readings=[
        reading(1, start + dt.timedelta(minutes=1), 2, 9)])
    zone.refresh_from_db()
    assert zone.occupancy == 0


def test_manual_count_corrects_drift_and_older_readings_no_longer_count(setup, north):
    zone, gate, start = setup
    services.readings_ingest(device=gate.device, readings=[
        reading(i, start + dt.timedelta(minutes=i), 10, 2) for i in range(1, 11)])
    zone.refresh_from_db()
    assert zone.occupancy == 80
    counted_at = start + dt.timedelta(minutes=10, seconds=30)
    count = services.manual_count_record(actor=north.people[Role.GRID_LEADER], zone=zone,
                                         counted=65, counted_at=counted_at, note="东侧清点")
    assert count.drift == 15
    zone.refresh_from_db()
    assert zone.occupancy == 65
    # a late reading stamped before the count is stored but not applied; a newer one is
    result = services.readings_ingest(device=gate.device, readings=[
        reading(11, counted_at - dt.timedelta(seconds=20), 4, 0),
        reading(12, counted_at + dt.timedelta(seconds=20), 5, 1)])
    assert (result.accepted, result.stale) == (1, 1)
    zone.refresh_from_db()
    assert zone.occupancy == 69
    audit = AuditLog.objects.get(action="crowd.zone.count")
    assert audit.after["drift"] == 15 and audit.before["occupancy"] == 80
    with pytest.raises(Conflict):
        services.manual_count_record(actor=north.people[Role.GRID_LEADER], zone=zone,
                                     counted=1, counted_at=counted_at - dt.timedelta(minutes=1))


def test_level_and_control_follow_occupancy_with_events_and_alerts(setup):
    zone, gate, start = setup   # capacity 100
    steps = [85, 91, 100, 95, 91, 85, 79, 76]
    seq, occupancy = 0, 0
    for i, target in enumerate(steps):
        seq += 1
        delta = target - occupancy
        services.readings_ingest(device=gate.device, readings=[
            reading(seq, start + dt.timedelta(minutes=i), max(delta, 0), max(-delta, 0))])
        occupancy = target
    zone.refresh_from_db()
    assert (zone.occupancy, zone.level, zone.control) == (76, Level.GREEN, Control.OPEN)
    events = list(ControlEvent.objects.filter(zone=zone).order_by("created_at", "id")
                  .values_list("to_state", "reason"))
    assert events == [(Control.LIMITED, "pct_at_limit"), (Control.CLOSED, "pct_at_close"),
                      (Control.LIMITED, "pct_below_reopen"), (Control.OPEN, "pct_below_open")]
    assert list(Alert.objects.filter(zone=zone).order_by("raised_at", "id")
                .values_list("level", flat=True)) == [Level.YELLOW, Level.ORANGE, Level.RED]
    assert AuditLog.objects.filter(action="crowd.zone.control").count() == 4


def test_override_holds_until_it_expires_then_automatic_resumes(setup, north):
    zone, gate, start = setup
    leader = north.people[Role.GRID_LEADER]
    with pytest.raises(ValidationFailed):
        services.zone_override(actor=leader, zone=zone, control=Control.CLOSED, note=" ")
    zone = services.zone_override(actor=leader, zone=zone, control=Control.CLOSED,
                                  note="舞台演出，暂停进入", minutes=10)
    services.readings_ingest(device=gate.device, readings=[
        reading(1, start + dt.timedelta(minutes=1), 10, 0)])
    zone.refresh_from_db()
    assert (zone.control, zone.control_mode) == (Control.CLOSED, Zone.Mode.MANUAL)
    assert services.overrides_expire(now=timezone.now() + dt.timedelta(minutes=11)) == 1
    zone.refresh_from_db()
    assert (zone.control, zone.control_mode, zone.override_until) == (Control.OPEN,
                                                                      Zone.Mode.AUTO, None)
    reasons = list(ControlEvent.objects.filter(zone=zone).order_by("id")
                   .values_list("reason", flat=True))
    assert reasons == ["override", "override_expired", "pct_below_open"]


def test_release_returns_to_automatic_at_once(setup, north):
    zone, gate, start = setup
    leader = north.people[Role.COMMITTEE]
    services.zone_override(actor=leader, zone=zone, control=Control.LIMITED, note="演练")
    zone = services.zone_release(actor=leader, zone=zone, note="演练结束")
    assert (zone.control, zone.control_mode) == (Control.OPEN, Zone.Mode.AUTO)
    with pytest.raises(Conflict):
        services.zone_release(actor=leader, zone=zone)


def test_alerts_are_acknowledged_once(setup, north):
    zone, gate, start = setup
    services.readings_ingest(device=gate.device, readings=[
        reading(1, start + dt.timedelta(minutes=1), 85, 0)])
    alert = Alert.objects.get(zone=zone)
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(actor=north.people[Role.MERCHANT], alert=alert)
    services.alert_acknowledge(actor=north.people[Role.DEPARTMENT], alert=alert,
                               note="已派人疏导")
    with pytest.raises(Conflict):
        services.alert_acknowledge(actor=north.people[Role.DEPARTMENT], alert=alert)
    board = selectors.board(user=north.people[Role.VOLUNTEER], district=north.district)
    assert board["alerts"] == []


def test_only_gate_counters_bound_to_a_gate_may_report(north):
    from shangquan.core.services import device_create

    kiosk, _ = device_create(actor=SYSTEM, district=north.district, name="亭", kind="kiosk")
    with pytest.raises(PermissionDenied):
        services.readings_ingest(device=kiosk, readings=[])
    loose, _ = device_create(actor=SYSTEM, district=north.district, name="备用",
                             kind=Device.Kind.GATE_COUNTER)
    with pytest.raises(Conflict):
        services.readings_ingest(device=loose, readings=[])


def test_bad_readings_are_rejected_whole(setup):
    zone, gate, start = setup
    with pytest.raises(ValidationFailed):
        services.readings_ingest(device=gate.device, readings=[
            reading(1, start, 1, 0), {"seq": 2, "ts": "not a time", "entries": 1}])
    assert not Reading.objects.exists()


def test_board_shows_arrivals_and_forecast(setup, north):
    zone, gate, _start = setup
    now = timezone.now().replace(second=0, microsecond=0)
    services.readings_ingest(device=gate.device, readings=[
        reading(i, now - dt.timedelta(minutes=10 - i), 6, 2) for i in range(10)])
    board = selectors.board(user=north.people[Role.COMMITTEE], district=north.district)
    state = board["zones"][0]
    assert state["occupancy"] == 40 and state["arrivals_per_minute"] == 6.0
    assert state["forecast_15"] == 40 + 15 * 4
    assert state["los"] == "A" and state["density"] == 0.2


def test_evening_report_gives_peak_and_time_above_levels(setup, north):
    zone, gate, start = setup
    flows = [50, 35, 10, 0, -10, -30, -40]  # occupancy 50, 85, 95, 95, 85, 55, 15
    # minute peaks (endpoints): 50, 85, 95, 95, 95, 85, 55
    for i, net in enumerate(flows):
        services.readings_ingest(device=gate.device, readings=[
            reading(i + 1, start + dt.timedelta(minutes=i), max(net, 0), max(-net, 0))])
    day = selectors.latest_evening(district=north.district)
    report = selectors.evening_report(user=north.people[Role.STREET], district=north.district,
                                      day=day)
    (row,) = report["zones"]
    assert row["peak"] == 95 and row["peak_percent"] == 95.0
    assert row["minutes"] == {Level.YELLOW: 5, Level.ORANGE: 3, Level.RED: 0}


@pytest.mark.parametrize("hour", range(24))
def test_every_hour_of_the_day_belongs_to_the_evening_whose_report_holds_it(hour):
    # A reading taken at 08:00 once fell between two evenings (noon-06:00) and no report held it.
    moment = dt.datetime(2026, 7, 4, hour, 30, tzinfo=timezone.get_current_timezone())
    start, end = selectors.evening_bounds(selectors.evening_of(moment))
    assert start <= moment < end
    assert selectors.evening_of(moment) == (dt.date(2026, 7, 3) if hour < 6
                                            else dt.date(2026, 7, 4))


def test_purge_respects_retention(setup):
    zone, gate, start = setup
    old = timezone.now() - dt.timedelta(days=40)
    services.zone_reset(actor=SYSTEM, zone=zone, at=old)
    services.readings_ingest(device=gate.device, readings=[reading(1, old, 5, 0),
                                                           reading(2, start, 5, 0)])
    # Defaults (30 / 400 days): the 40-day-old reading goes, its minute roll-up stays.
    assert services.history_purge() == {"readings": 1, "minutes": 0}
    district_settings_update(actor=SYSTEM, district=zone.district, app="crowd",
                             values={"minute_retention_days": 35})
    assert services.history_purge() == {"readings": 0, "minutes": 1}
    assert Reading.objects.count() == 1
    # One audit row per run, by the system, with what each district lost.
    from shangquan.core.models import AuditLog

    runs = list(AuditLog.objects.filter(action="crowd.history.purge").order_by("pk"))
    assert [(r.after["readings"], r.after["minutes"]) for r in runs] == [(1, 0), (0, 1)]
    assert runs[0].after["by_district"] == {zone.district.code: {"readings": 1, "minutes": 0}}
    assert runs[0].actor is None and runs[0].actor_label == "system"


def test_orange_and_red_alerts_notify_the_responders(setup, north, django_capture_on_commit_callbacks):
    """The committee on duty, and only those who took this zone (or every zone) from a
    level the alert reaches; a grid leader who took another zone is not disturbed."""
    from shangquan.core.models import Notification

    zone, gate, start = setup
    other = zone_factory(north.district, name="停车场")
    services.alert_subscription_set(actor=north.people[Role.DEPARTMENT], district=north.district,
                                    zone=zone, min_level="orange")
    services.alert_subscription_set(actor=north.people[Role.GRID_LEADER],
                                    district=north.district, zone=other, min_level="yellow")
    with django_capture_on_commit_callbacks(execute=True):
        services.readings_ingest(device=gate.device, readings=[
            reading(1, start + dt.timedelta(minutes=1), 81, 0)])
    assert not Notification.objects.exists()  # yellow: on the board only
    with django_capture_on_commit_callbacks(execute=True):
        services.readings_ingest(device=gate.device, readings=[
            reading(2, start + dt.timedelta(minutes=2), 20, 0)])
    notes = Notification.objects.filter(district=north.district)
    assert {n.user_id for n in notes} == {north.people[r].pk for r in (
        Role.COMMITTEE, Role.DEPARTMENT)}
    assert "红色预警" in notes[0].title and "小吃区" in notes[0].title


def test_subscribing_from_the_alerts_page(client, setup, north):
    from shangquan.crowd.models import AlertSubscription

    zone, _gate, _start = setup
    leader = north.people[Role.GRID_LEADER]
    client.force_login(leader)
    url = f"/console/{north.district.code}/crowd/alerts/"
    assert "还没有订阅" in client.get(url).content.decode()
    client.post(url, {"zone": zone.pk, "min_level": "red"})
    sub = AlertSubscription.objects.get(user=leader)
    assert sub.zone == zone and sub.min_level == "red"
    client.post(url, {"zone": "", "min_level": "green"})  # refused: not a level
    assert AlertSubscription.objects.filter(user=leader).count() == 1
    client.post(url, {"remove": sub.pk})
    assert not AlertSubscription.objects.filter(user=leader).exists()
    resident = north.people[Role.RESIDENT]
    client.force_login(resident)
    client.post(url, {"min_level": "red"})  # refused: residents act on none
    assert not AlertSubscription.objects.filter(user=resident).exists()


def test_board_shows_one_alert_per_zone_and_acknowledging_it_covers_the_lower_ones(setup,
                                                                                   north):
    zone, gate, start = setup
    for i, entries in enumerate([82, 9, 10]):  # yellow, orange, red
        services.readings_ingest(device=gate.device, readings=[
            reading(i + 1, start + dt.timedelta(minutes=i), entries, 0)])
    board = selectors.board(user=north.people[Role.COMMITTEE], district=north.district)
    (line,) = board["alerts"]
    assert (line["level"], line["pending"]) == (Level.RED, 3)
    red = Alert.objects.get(zone=zone, level=Level.RED)
    services.alert_acknowledge(actor=north.people[Role.COMMITTEE], alert=red, note="疏导")
    assert not Alert.objects.filter(zone=zone, acknowledged_at__isnull=True).exists()
    audit = AuditLog.objects.get(action="crowd.alert.acknowledge")
    assert len(audit.after["also_acknowledged"]) == 2  # yellow and orange


def test_a_late_backlog_and_overlapping_gates_still_give_the_right_history(north):
    start = evening_start()
    zone = zone_factory(north.district, area_m2=1000, reset_at=start)
    gate_a, _ = gate_factory(north.district, zone)
    gate_b, _ = gate_factory(north.district, zone)
    a = [reading(i, start + dt.timedelta(minutes=i, seconds=5), 10, 2) for i in range(30)]
    b = [reading(i, start + dt.timedelta(minutes=i, seconds=30), 6, 4) for i in range(30)]
    services.readings_ingest(device=gate_a.device, readings=a[20:])   # recent first
    services.readings_ingest(device=gate_b.device, readings=b)        # a whole evening
    services.readings_ingest(device=gate_a.device, readings=a[:20])   # then A's backlog
    ends = list(MinuteFlow.objects.filter(zone=zone).order_by("minute")
                .values_list("occupancy_end", flat=True))
    assert ends == [10 * (i + 1) for i in range(30)]  # net +8 +2 per minute
    zone.refresh_from_db()
    assert zone.occupancy == ends[-1] == 300


def test_a_count_entered_late_keeps_the_readings_after_it(setup, north):
    zone, gate, start = setup
    services.readings_ingest(device=gate.device, readings=[
        reading(1, start + dt.timedelta(minutes=1), 50, 0),
        reading(2, start + dt.timedelta(minutes=5), 7, 2)])
    # staff counted 40 at minute 3 and type it in afterwards
    services.manual_count_record(actor=north.people[Role.GRID_LEADER], zone=zone, counted=40,
                                 counted_at=start + dt.timedelta(minutes=3))
    zone.refresh_from_db()
    assert (zone.occupancy, zone.entries, zone.exits) == (45, 7, 2)


def test_diversion_goes_to_a_waiting_area(north):
    section = zone_factory(north.district)
    with pytest.raises(ValidationFailed):
        services.zone_update(actor=north.people[Role.COMMITTEE], zone=section,
                             waiting_zone=zone_factory(north.district))
    waiting = zone_factory(north.district, kind=Zone.Kind.WAITING)
    section = services.zone_update(actor=north.people[Role.COMMITTEE], zone=section,
                                   waiting_zone=waiting)
    assert section.waiting_zone == waiting
