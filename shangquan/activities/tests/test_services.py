"""Teams, events, the waiting list, check-in/out within the window and distance, hours
that post points once, the public-service log's privacy and the party registers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shangquan.activities import selectors, services
from shangquan.activities.models import Event, EventKind, Registration, ServiceLog
from shangquan.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from shangquan.core.models import Notification
from shangquan.core.roles import Role
from shangquan.core.tests.factories import member_factory
from shangquan.org.tests.factories import party_member_factory, unit_factory
from shangquan.points import selectors as points_selectors
from shangquan.points.models import Award

from .factories import event_factory, team_factory

pytestmark = pytest.mark.django_db


def test_waiting_list_promotes_automatically_and_tells_the_person(
        north, django_capture_on_commit_callbacks):
    event = event_factory(north, capacity=1)
    first = services.registration_create(actor=north.people[Role.RESIDENT], event=event)
    second = services.registration_create(actor=north.people[Role.VOLUNTEER], event=event)
    assert (first.status, second.status) == ("registered", "waitlisted")
    with pytest.raises(Conflict):
        services.registration_create(actor=north.people[Role.RESIDENT], event=event)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=north.people[Role.RESIDENT], registration=first)
    second.refresh_from_db()
    assert second.status == "registered"
    assert Notification.objects.filter(user=north.people[Role.VOLUNTEER],
                                       title__contains="候补成功").exists()


def test_only_published_events_take_sign_ups_and_eligibility_holds(north):
    draft = event_factory(north, publish=False)
    with pytest.raises(Conflict) as exc:
        services.registration_create(actor=north.people[Role.RESIDENT], event=draft)
    assert exc.value.code == "not_open_for_signup"
    party = event_factory(north, kind=EventKind.PARTY_DAY,
                          eligibility=Event.Eligibility.PARTY_MEMBERS)
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=north.people[Role.RESIDENT], event=party)
    unit = unit_factory(north.district, name="第一支部")
    party_member_factory(north.district, unit=unit, name="张党员",
                         user=north.people[Role.RESIDENT])
    assert services.registration_create(actor=north.people[Role.RESIDENT], event=party)


def test_state_machine_refuses_skipping(north):
    event = event_factory(north, publish=False)
    with pytest.raises(InvalidTransition):
        services.event_move(actor=north.people[Role.COMMITTEE], event=event, action="finish")


def test_check_in_window_distance_and_hours_post_points_once(north):
    rider = north.people[Role.VOLUNTEER]
    event = event_factory(north, starts_in=dt.timedelta(hours=2), hours=3,
                          latitude=Decimal("32.068800"), longitude=Decimal("112.172200"),
                          checkin_radius_m=300)
    services.registration_create(actor=rider, event=event)
    token = event.checkin_token
    with pytest.raises(Conflict) as exc:  # 2 h early: the window opens 30 min before
        services.check_in(actor=rider, district=north.district, token=token,
                          latitude="32.0688", longitude="112.1722")
    assert exc.value.code == "outside_checkin_window"
    at = event.starts_at - dt.timedelta(minutes=10)
    with pytest.raises(Conflict) as exc:  # about 1.1 km away
        services.check_in(actor=rider, district=north.district, token=token,
                          latitude="32.0788", longitude="112.1722", now=at)
    assert exc.value.code == "too_far"
    with pytest.raises(NotFound):
        services.check_in(actor=rider, district=north.district, token="nope", now=at)
    services.check_in(actor=rider, district=north.district, token=token,
                      latitude="32.0690", longitude="112.1723", now=at)
    # checked out 5 h after the start: capped at the planned 3 h
    services.check_out(actor=rider, district=north.district, token=token,
                       latitude="32.0690", longitude="112.1723",
                       now=event.starts_at + dt.timedelta(minutes=50))
    registration = Registration.objects.get(event=event, user=rider)
    Registration.objects.filter(pk=registration.pk).update(
        checked_out_at=event.starts_at + dt.timedelta(hours=5))
    confirmed = services.hours_confirm(actor=north.people[Role.COMMITTEE],
                                       registration=registration)
    assert confirmed.minutes == 180 and confirmed.status == "attended"
    assert confirmed.points == 30  # 10 points an hour
    with pytest.raises(Conflict):
        services.hours_confirm(actor=north.people[Role.COMMITTEE], registration=registration)
    assert Award.objects.filter(source_type="activities.attendance",
                                source_id=str(registration.pk)).count() == 1
    account = points_selectors.account_mine(user=rider, district=north.district)
    assert account.balance == 30
    assert selectors.my_hours(user=rider, district=north.district)["minutes"] == 180


def test_hours_are_capped_at_four_a_day_in_points(north):
    rider = north.people[Role.VOLUNTEER]
    totals = []
    for _i in range(2):
        event = event_factory(north, starts_in=dt.timedelta(minutes=5), hours=3)
        services.registration_create(actor=rider, event=event)
        services.check_in(actor=rider, district=north.district, token=event.checkin_token)
        services.check_out(actor=rider, district=north.district, token=event.checkin_token,
                           now=event.ends_at)
        registration = Registration.objects.get(event=event, user=rider)
        totals.append(services.hours_confirm(actor=north.people[Role.COMMITTEE],
                                             registration=registration).points)
    assert totals == [30, 10]


def test_a_captain_decides_join_requests_and_team_stats_count_rider_reports(north):
    from shangquan.workorders.tests.factories import advance, order_factory

    captain = north.people[Role.VOLUNTEER]
    team = team_factory(north, captain=captain)
    member = services.team_join(actor=north.people[Role.RESIDENT], team=team)
    with pytest.raises(PermissionDenied):
        services.team_decide(actor=north.people[Role.GRID_LEADER], member=member, approve=True)
    services.team_decide(actor=captain, member=member, approve=True)
    advance(north, order_factory(north), "resolved")  # the resident's 随手拍
    stats = selectors.team_stats(team=team)
    assert stats["members"] == 2 and stats["reports"] == 1 and stats["solved"] == 1


def test_beneficiaries_are_seen_by_the_captain_and_committee_only(north):
    captain = north.people[Role.VOLUNTEER]
    team = team_factory(north, captain=captain)
    services.service_log_record(actor=captain, team=team, kind=ServiceLog.Kind.ELDERLY,
                                served_on=timezone.localdate(), beneficiary="王奶奶",
                                beneficiary_phone="13800001234", note="上门探访")
    assert selectors.service_log_list(user=captain, team=team)[0]["beneficiary"] == "王奶奶"
    assert selectors.service_log_list(user=north.people[Role.COMMITTEE],
                                      team=team)[0]["beneficiary_phone"] == "13800001234"
    other = selectors.service_log_list(user=north.people[Role.COMMUNITY], team=team)[0]
    assert other["beneficiary"] == "王**" and "1234" in other["beneficiary_phone"]
    assert "0000" not in other["beneficiary_phone"]


def test_party_day_attendance_per_branch_with_absence_reasons(north):
    unit = unit_factory(north.district, name="夜市第一支部")
    event = event_factory(north, kind=EventKind.PARTY_DAY, unit=unit,
                          starts_in=dt.timedelta(minutes=5), hours=1)
    committee = north.people[Role.COMMITTEE]
    r1 = services.registration_create(actor=north.people[Role.RESIDENT], event=event)
    services.registration_create(actor=north.people[Role.MERCHANT], event=event)
    services.check_in(actor=committee, district=north.district, token=event.checkin_token,
                      user=north.people[Role.MERCHANT])
    services.absence_record(actor=committee, registration=r1, reason="外出进货")
    rows = selectors.party_day_attendance(user=committee, district=north.district)
    assert rows == [{"branch": "夜市第一支部", "attended": 1, "absent": 1, "total": 2}]
    assert selectors.absences(user=committee, district=north.district)[0].absence_reason == "外出进货"


def test_visits_enrolment_and_cadre_reports(north):
    from shangquan.org import services as org_services

    committee = north.people[Role.COMMITTEE]
    unit = unit_factory(north.district, name="小个专党支部")
    point = services.contact_point_create(actor=committee, district=north.district,
                                          kind="instructor", person="李指导员", unit=unit)
    visit = services.visit_record(actor=committee, point=point, visited_on=timezone.localdate(),
                                  problems="党员亮身份不到位")
    assert selectors.contact_points(user=committee, district=north.district)[0].open_problems == 1
    services.visit_follow_up(actor=committee, visit=visit, follow_up="已补挂党员示范岗牌")
    station = org_services.station_create(actor=committee, district=north.district,
                                          name="夜市党群服务站")
    org_services.check_in(request=None, station=station, name="赵流动", phone="13912345678",
                          home_unit="外地支部")
    from shangquan.org.models import MobileMember

    mobile = MobileMember.objects.get(district=north.district)
    enrolment = services.mobile_member_enrol(actor=committee, mobile_member=mobile, unit=unit)
    assert enrolment.party_member.unit == unit
    with pytest.raises(Conflict):
        services.mobile_member_enrol(actor=committee, mobile_member=mobile, unit=unit)
    cadre = member_factory(north.district, Role.DEPARTMENT, username="north-cadre")
    services.cadre_report(actor=cadre, district=north.district, service="夜市消防检查", minutes=90)
    assert selectors.cadre_reports(user=committee, district=north.district).count() == 1
    with pytest.raises(PermissionDenied):
        services.cadre_report(actor=north.people[Role.RESIDENT], district=north.district)


def test_events_advance_job_closes_and_finishes(north):
    event = event_factory(north, starts_in=dt.timedelta(minutes=-30), hours=0.25)
    services.registration_create(actor=north.people[Role.RESIDENT], event=event)
    assert services.events_advance() == {"closed": 1, "done": 1}
    event.refresh_from_db()
    assert event.status == "done"
    assert event.registrations.get().status == "no_show"


def test_an_attendee_code_checks_in_then_out_and_is_bound_to_its_district(north, south):
    resident, committee = north.people[Role.RESIDENT], north.people[Role.COMMITTEE]
    event = event_factory(north, starts_in=dt.timedelta(minutes=5))
    registration = services.registration_create(actor=resident, event=event)
    code = selectors.attendee_code(registration)
    with pytest.raises(NotFound):  # the same code read by another district's scanner
        services.scan_attendee(actor=south.people[Role.COMMITTEE], district=south.district,
                               code=code)
    with pytest.raises(NotFound):  # a guessed id with no signature
        services.scan_attendee(actor=committee, district=north.district,
                               code=f"QD:{registration.pk}")
    with pytest.raises(PermissionDenied):  # a member who does not organise it
        services.scan_attendee(actor=north.people[Role.MERCHANT], district=north.district,
                               code=code)
    done, step = services.scan_attendee(actor=committee, district=north.district, code=code)
    assert step == "checkin" and done.checked_in_at is not None
    done, step = services.scan_attendee(actor=committee, district=north.district, code=code)
    assert step == "checkout" and done.checked_out_at is not None


def test_a_required_position_that_is_missing_or_bad_is_refused_clearly(north):
    rider = north.people[Role.VOLUNTEER]
    event = event_factory(north, starts_in=dt.timedelta(minutes=5),
                          latitude=Decimal("32.068800"), longitude=Decimal("112.172200"),
                          checkin_radius_m=100)
    services.registration_create(actor=rider, event=event)
    with pytest.raises(Conflict) as exc:
        services.check_in(actor=rider, district=north.district, token=event.checkin_token)
    assert exc.value.code == "location_required" and "允许" in str(exc.value.message)
    with pytest.raises(Exception) as exc:
        services.check_in(actor=rider, district=north.district, token=event.checkin_token,
                          latitude="nan", longitude="112.1722")
    assert getattr(exc.value, "code", "") == "bad_location"
