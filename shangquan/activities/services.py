"""Every write of the activities app: teams, events, sign-up and waiting list, check-in
and hours (which post points once), the public-service log and the party-life registers.

Locks: the event row first, then its registrations (sign-up, cancel and promotion all
take the event's lock, so the last place is never given twice).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import SYSTEM, system, user_of
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.coords import distance_m
from shangquan.core.district_settings import district_settings
from shangquan.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangquan.core.exports import export_record, new_workbook, workbook_bytes, xlsx_append
from shangquan.core.models import District
from shangquan.core.pii import photos_clean
from shangquan.core.roles import Role
from shangquan.core.services import notification_send
from shangquan.org import services as org_services
from shangquan.org.models import MobileMember, OrgUnit, PartyMember
from shangquan.points.services import ledger as points

from . import selectors
from .models import (
    CadreReport,
    ContactPoint,
    Contest,
    Criterion,
    Enrolment,
    Entry,
    Event,
    EventKind,
    EventPhoto,
    Judge,
    Registration,
    Score,
    ServiceLog,
    Team,
    TeamMember,
    Visit,
)
from .policies import is_captain
from .selectors import checkin_radius
from .states import CONTEST, EVENT, REGISTRATION

POINTS_ACTOR = system("activities")
EVENT_FIELDS = {"kind", "six_into", "title", "description", "place", "station", "latitude",
                "longitude", "starts_at", "ends_at", "capacity", "eligibility", "team", "unit",
                "checkin_open_minutes", "checkin_radius_m", "awards_hours"}


def _same_district(district: District, *objs: Any) -> None:
    for obj in objs:
        if obj is not None and obj.district_id != district.pk:
            raise ValidationFailed(_("关联对象不属于该商圈"), code="wrong_district")


# --- teams ----------------------------------------------------------------------------------
@audited("activities.team.create")
@transaction.atomic
def team_create(*, actor: Any, district: District, name: str, kind: str, captain: Any,
                description: str = "") -> Team:
    policies.require(actor, "activities.manage", district)
    if not policies.is_member(captain, district):
        raise ValidationFailed(_("队长须是本商圈成员"), code="wrong_district")
    try:
        with transaction.atomic():
            team = Team.objects.create(district=district, name=name.strip()[:60], kind=kind,
                                       captain=captain, description=description[:300])
    except IntegrityError:
        raise Conflict(_("已有同名队伍")) from None
    TeamMember.objects.create(district=district, team=team, user=captain,
                              status=TeamMember.Status.ACTIVE, decided_at=timezone.now())
    audit_record(actor=actor, district=district, obj=team, action="activities.team.create",
                 after=snapshot(team))
    return team


@audited("activities.member.request")
@transaction.atomic
def team_join(*, actor: Any, team: Team, note: str = "") -> TeamMember:
    policies.require(actor, "activities.join", team.district)
    member = TeamMember.objects.select_for_update(of=("self",)).filter(team=team,
                                                                       user=actor).first()
    if member is not None and member.status in (TeamMember.Status.PENDING,
                                                TeamMember.Status.ACTIVE):
        raise Conflict(_("已申请或已在队中"), code="already_member")
    if member is None:
        member = TeamMember(district=team.district, team=team, user=actor)
    member.status, member.note, member.decided_at = TeamMember.Status.PENDING, note[:200], None
    member.save()
    audit_record(actor=actor, district=team.district, obj=member,
                 action="activities.member.request", object_type="activities.member",
                 object_id=member.pk, after={"team": team.pk, "user": actor.pk})
    transaction.on_commit(lambda: notification_send(
        district=team.district, user=team.captain, title=_("新的入队申请"),
        body=f"{team.name}：{actor}"))
    return member


@audited("activities.member.approve", "activities.member.reject")
@transaction.atomic
def team_decide(*, actor: Any, member: TeamMember, approve: bool) -> TeamMember:
    member = TeamMember.objects.select_for_update(of=("self",)).select_related(
        "team", "district").get(pk=member.pk)
    policies.require(actor, "activities.team_decide", member)
    if member.status != TeamMember.Status.PENDING:
        raise Conflict(_("该申请已处理"))
    member.status = TeamMember.Status.ACTIVE if approve else TeamMember.Status.REJECTED
    member.decided_at = timezone.now()
    member.save(update_fields=["status", "decided_at"])
    action = "activities.member.approve" if approve else "activities.member.reject"
    audit_record(actor=actor, district=member.district, obj=member, action=action,
                 object_type="activities.member", object_id=member.pk,
                 after={"status": member.status})
    transaction.on_commit(lambda: notification_send(
        district=member.district, user=member.user,
        title=_("入队申请已通过") if approve else _("入队申请未通过"), body=member.team.name))
    return member


# --- events ---------------------------------------------------------------------------------
def _check_event(event: Event) -> None:
    if event.ends_at <= event.starts_at:
        raise ValidationFailed(_("结束时间须晚于开始时间"), code="bad_times")
    if bool(event.six_into) != (event.kind == EventKind.SIX_INTO):
        raise ValidationFailed(_("六进商圈须选择类别，其他活动不选"), code="six_into_kind")
    if event.eligibility == Event.Eligibility.TEAM and event.team_id is None:
        raise ValidationFailed(_("仅限队员的活动须指定队伍"), code="bad_times")


@audited("activities.event.create")
@transaction.atomic
def event_create(*, actor: Any, district: District, title: str, kind: str,
                 starts_at: dt.datetime, ends_at: dt.datetime, organiser: Any = None,
                 **fields: Any) -> Event:
    policies.require(actor, "activities.event_organise", district)
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise ValidationFailed(details={"unknown": sorted(unknown)})
    _same_district(district, fields.get("team"), fields.get("unit"))
    team = fields.get("team")
    if not policies.can(actor, "activities.manage", district) and not is_captain(actor, team):
        raise PermissionDenied(_("队长只能为本队发起活动"))
    organiser = organiser or user_of(actor) or (team.captain if team else None)
    if organiser is None:
        raise ValidationFailed(_("须指定组织者"), code="bad_times")
    event = Event(district=district, title=title.strip()[:100], kind=kind, starts_at=starts_at,
                  ends_at=ends_at, organiser=organiser, **fields)
    _check_event(event)
    event.save()
    audit_record(actor=actor, district=district, obj=event, action="activities.event.create",
                 after=snapshot(event, ["title", "kind", "starts_at", "ends_at", "capacity"]))
    return event


@audited("activities.event.publish", "activities.event.close", "activities.event.finish",
         "activities.event.archive")
@transaction.atomic
def event_move(*, actor: Any, event: Event, action: str) -> Event:
    """publish → close (sign-up) → finish → archive, along the declared table."""
    if action not in EVENT.transitions:
        raise ValidationFailed(_("未知操作"))
    event = Event.objects.select_for_update(of=("self",)).select_related("team", "district")\
        .get(pk=event.pk)
    policies.require(actor, f"activities.event_{action}", event)
    before = EVENT.apply(event, action)
    event.save(update_fields=["status"])
    if action == "finish":
        # registered but never checked in: absent (the reason may be added later)
        for registration in event.registrations.filter(status=Registration.Status.REGISTERED,
                                                       checked_in_at__isnull=True):
            REGISTRATION.apply(registration, "absent")
            registration.save(update_fields=["status"])
    audit_record(actor=actor, district=event.district, obj=event,
                 action=f"activities.event.{action}", before={"status": before},
                 after={"status": event.status})
    return event


@audited("activities.event.wrapup")
@transaction.atomic
def event_wrapup(*, actor: Any, event: Event, summary: str, headcount: int | None = None
                 ) -> Event:
    policies.require(actor, "activities.event_organise", event)
    event = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
    event.summary = summary[:5000]
    event.headcount = headcount if headcount is not None else event.registrations.filter(
        checked_in_at__isnull=False).count()
    event.save(update_fields=["summary", "headcount"])
    audit_record(actor=actor, district=event.district, obj=event,
                 action="activities.event.wrapup",
                 after={"headcount": event.headcount, "summary": event.summary[:200]})
    return event


# --- sign-up and the waiting list ---------------------------------------------------------
def _eligible(user: Any, event: Event) -> bool:
    if event.eligibility == Event.Eligibility.PARTY_MEMBERS:
        return PartyMember.objects.filter(district=event.district, user=user).exists()
    if event.eligibility == Event.Eligibility.VOLUNTEERS:
        return policies.has_role(user, event.district, Role.VOLUNTEER)
    if event.eligibility == Event.Eligibility.TEAM:
        return TeamMember.objects.filter(team_id=event.team_id, user=user,
                                         status=TeamMember.Status.ACTIVE).exists()
    return True


@audited("activities.registration.create")
@transaction.atomic
def registration_create(*, actor: Any, event: Event) -> Registration:
    """Sign up; past capacity the person joins the waiting list."""
    policies.require(actor, "activities.join", event.district)
    event = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
    if event.status != Event.Status.PUBLISHED:
        raise Conflict(_("该活动不在报名中"), code="not_open_for_signup")
    if not _eligible(actor, event):
        raise PermissionDenied(_("该活动不面向您的身份"), code="not_eligible")
    existing = Registration.objects.filter(event=event, user=actor).first()
    if existing is not None and existing.status != Registration.Status.CANCELLED:
        raise Conflict(_("已报名"), code="already_registered")
    taken = event.registrations.filter(status__in=[Registration.Status.REGISTERED,
                                                   Registration.Status.ATTENDED]).count()
    status = (Registration.Status.REGISTERED if taken < event.capacity
              else Registration.Status.WAITLISTED)
    if existing is not None:  # signing up again after a cancellation: to the back
        Registration.objects.filter(pk=existing.pk).delete()
    registration = Registration.objects.create(district=event.district, event=event,
                                               user=actor, status=status)
    audit_record(actor=actor, district=event.district, obj=registration,
                 action="activities.registration.create",
                 object_type="activities.registration", object_id=registration.pk,
                 after={"event": event.pk, "status": status})
    return registration


@audited("activities.registration.cancel", "activities.registration.promote")
@transaction.atomic
def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    """Cancel; a freed place goes to the first on the waiting list, who is told."""
    event = Event.objects.select_for_update(of=("self",)).select_related("team").get(
        pk=registration.event_id)
    registration = Registration.objects.select_for_update(of=("self",)).select_related(
        "event", "event__team", "district").get(pk=registration.pk)
    policies.require(actor, "activities.registration_cancel", registration)
    was = REGISTRATION.apply(registration, "cancel")
    registration.save(update_fields=["status"])
    audit_record(actor=actor, district=event.district, obj=registration,
                 action="activities.registration.cancel",
                 object_type="activities.registration", object_id=registration.pk,
                 before={"status": was}, after={"status": registration.status})
    if was == Registration.Status.REGISTERED and event.status == Event.Status.PUBLISHED:
        _promote(event)
    return registration


def _promote(event: Event) -> None:
    nxt = (Registration.objects.select_for_update(of=("self",))
           .filter(event=event, status=Registration.Status.WAITLISTED)
           .order_by("created_at", "id").first())
    if nxt is None:
        return
    REGISTRATION.apply(nxt, "promote")
    nxt.save(update_fields=["status"])
    audit_record(actor=SYSTEM, district=event.district, obj=nxt,
                 action="activities.registration.promote",
                 object_type="activities.registration", object_id=nxt.pk,
                 after={"status": nxt.status})
    transaction.on_commit(lambda: notification_send(
        district=event.district, user=nxt.user, title=_("候补成功，已为您保留名额"),
        body=event.title, link=f"/d/{event.district.code}/events/{event.pk}/"))


# --- check-in, check-out, hours ----------------------------------------------------------
def _check_place(event: Event, latitude: Any, longitude: Any) -> None:
    radius = checkin_radius(event)
    if not radius:
        return
    if latitude is None or longitude is None:
        raise Conflict(_("本活动须在现场定位签到：请允许浏览器获取位置后重试"),
                       code="location_required")
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise ValidationFailed(_("位置无效"), code="bad_location") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or math.isnan(latitude) \
            or math.isnan(longitude):
        raise ValidationFailed(_("位置无效"), code="bad_location")
    away = distance_m(float(event.latitude), float(event.longitude), latitude, longitude)
    if away > radius:
        raise Conflict(_("您距活动地点约 %(away)s 米，须在 %(m)s 米内签到")
                       % {"away": round(away), "m": radius}, code="too_far",
                       details={"distance_m": round(away), "radius_m": radius})


def _attendee(event: Event, user: Any) -> Registration:
    registration = (Registration.objects.select_for_update(of=("self",))
                    .filter(event=event, user=user,
                            status=Registration.Status.REGISTERED).first())
    if registration is None:
        raise NotFound(_("您没有报名该活动"))
    return registration


def _event_by_token(district: District, token: str) -> Event:
    event = Event.objects.filter(district=district, checkin_token=str(token)[:16]).first()
    if event is None:
        raise NotFound(_("签到码无效"), code="bad_checkin_code")
    return event


@audited("activities.registration.checkin")
@transaction.atomic
def check_in(*, actor: Any, district: District, token: str, latitude: Any = None,
             longitude: Any = None, user: Any = None, now: dt.datetime | None = None
             ) -> Registration:
    """The attendee scans the event's code (or the organiser scans theirs: ``user``)
    within the window — from ``checkin_open_minutes`` before the start to the end —
    and, when the event has a place and a radius, close enough to it."""
    event = _event_by_token(district, token)
    now = now or timezone.now()
    person = actor
    if user is not None:
        policies.require(actor, "activities.event_organise", event)
        person = user
    if event.status not in (Event.Status.PUBLISHED, Event.Status.CLOSED):
        raise Conflict(_("该活动现在不能签到"), code="outside_checkin_window")
    opens = event.starts_at - dt.timedelta(minutes=event.checkin_open_minutes)
    if not opens <= now <= event.ends_at:
        raise Conflict(_("不在签到时间内"), code="outside_checkin_window")
    if user is None:
        _check_place(event, latitude, longitude)
    registration = _attendee(event, person)
    if registration.checked_in_at is None:
        registration.checked_in_at = now
        registration.save(update_fields=["checked_in_at"])
        audit_record(actor=actor, district=district, obj=registration,
                     action="activities.registration.checkin",
                     object_type="activities.registration", object_id=registration.pk,
                     after={"at": now, "by_organiser": user is not None})
    return registration


@audited("activities.registration.checkout")
@transaction.atomic
def check_out(*, actor: Any, district: District, token: str, latitude: Any = None,
              longitude: Any = None, user: Any = None, now: dt.datetime | None = None
              ) -> Registration:
    event = _event_by_token(district, token)
    now = now or timezone.now()
    person = actor
    if user is not None:
        policies.require(actor, "activities.event_organise", event)
        person = user
    grace = district_settings(district=district, app="activities")["checkout_grace_minutes"]
    if now > event.ends_at + dt.timedelta(minutes=grace):
        raise Conflict(_("已过签退时间，请联系组织者"), code="outside_checkin_window")
    if user is None:
        _check_place(event, latitude, longitude)
    registration = _attendee(event, person)
    if registration.checked_in_at is None:
        raise Conflict(_("请先签到"), code="not_checked_in")
    registration.checked_out_at = max(now, registration.checked_in_at)
    registration.save(update_fields=["checked_out_at"])
    audit_record(actor=actor, district=district, obj=registration,
                 action="activities.registration.checkout",
                 object_type="activities.registration", object_id=registration.pk,
                 after={"at": registration.checked_out_at})
    return registration


@audited("activities.registration.checkin", "activities.registration.checkout")
def scan_attendee(*, actor: Any, district: District, code: str,
                  now: dt.datetime | None = None) -> tuple[Registration, str]:
    """The organiser's scanner read an attendee's code: check them in, or out if they are
    in already. Another district's, forged or unknown code: "not found"."""
    raw = str(code).strip()
    if raw.upper().startswith("QD:"):
        raw = raw[3:]
    try:
        pk = int(signing.Signer(salt=selectors.ATTENDEE_SALT).unsign(raw))
    except (signing.BadSignature, ValueError):
        raise NotFound(_("签到码无效"), code="bad_checkin_code") from None
    registration = (Registration.objects.filter(district=district, pk=pk)
                    .select_related("event", "user").first())
    if registration is None:
        raise NotFound(_("签到码无效"), code="bad_checkin_code")
    step = "checkout" if registration.checked_in_at else "checkin"
    run = check_out if step == "checkout" else check_in
    done = run(actor=actor, district=district, token=registration.event.checkin_token,
               user=registration.user, now=now)
    return done, step


def _hours_for(registration: Registration, event: Event) -> int:
    """Minutes = check-out − check-in, capped at the planned length (0 if incomplete)."""
    if registration.checked_in_at is None or registration.checked_out_at is None:
        return 0
    start = max(registration.checked_in_at, event.starts_at)
    spent = int((registration.checked_out_at - start).total_seconds() // 60)
    return max(0, min(spent, event.planned_minutes))


@audited("activities.registration.confirm")
@transaction.atomic
def hours_confirm(*, actor: Any, registration: Registration, minutes: int | None = None
                  ) -> Registration:
    """The organiser confirms the attendee's hours; confirmed hours post points once
    (points rule ``volunteer_hour``, source ``activities.attendance:<id>``)."""
    registration = Registration.objects.select_for_update(of=("self",)).select_related(
        "event", "event__team", "district", "user").get(pk=registration.pk)
    event = registration.event
    policies.require(actor, "activities.event_organise", event)
    if registration.confirmed_at is not None:
        raise Conflict(_("时长已确认"), code="already_confirmed")
    if registration.checked_in_at is None:
        raise Conflict(_("未签到，不能确认时长"), code="not_checked_in")
    measured = _hours_for(registration, event)
    if minutes is not None:  # the organiser corrects, never above the measured time
        measured = max(0, min(int(minutes), measured))
    REGISTRATION.apply(registration, "attend")
    registration.minutes = measured
    registration.confirmed_at = timezone.now()
    registration.confirmed_by = user_of(actor)
    award = None
    if event.awards_hours and measured > 0:
        hours = (Decimal(measured) / 60).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
        award = points.award_post(actor=POINTS_ACTOR, district=event.district,
                                  rule_code="volunteer_hour",
                                  source_type="activities.attendance",
                                  source_id=registration.pk, user=registration.user,
                                  quantity=hours, memo=_("志愿服务：%(t)s") % {"t": event.title})
        registration.points = award.paid
    registration.save(update_fields=["status", "minutes", "confirmed_at", "confirmed_by",
                                     "points"])
    audit_record(actor=actor, district=event.district, obj=registration,
                 action="activities.registration.confirm",
                 object_type="activities.registration", object_id=registration.pk,
                 after={"minutes": measured, "points": registration.points,
                        "award": award.pk if award else None})
    return registration


@audited("activities.registration.absent")
@transaction.atomic
def absence_record(*, actor: Any, registration: Registration, reason: str) -> Registration:
    """主题党日 attendance: why a member was absent (per branch, in the register)."""
    registration = Registration.objects.select_for_update(of=("self",)).select_related(
        "event", "event__team", "district").get(pk=registration.pk)
    policies.require(actor, "activities.event_organise", registration.event)
    if registration.status == Registration.Status.REGISTERED:
        REGISTRATION.apply(registration, "absent")
    elif registration.status != Registration.Status.NO_SHOW:
        raise Conflict(_("已参加或已取消"))
    registration.absence_reason = reason.strip()[:200]
    registration.save(update_fields=["status", "absence_reason"])
    audit_record(actor=actor, district=registration.district, obj=registration,
                 action="activities.registration.absent",
                 object_type="activities.registration", object_id=registration.pk,
                 after={"reason": registration.absence_reason})
    return registration


@audited("activities.event.close", "activities.event.finish")
def events_advance(*, actor: Any = SYSTEM, now: dt.datetime | None = None) -> dict[str, int]:
    """A job: sign-up closes when an event starts; it is done once it has ended."""
    now = now or timezone.now()
    closed = done = 0
    for event in Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__lte=now):
        event_move(actor=actor, event=event, action="close")
        closed += 1
    for event in Event.objects.filter(status=Event.Status.CLOSED, ends_at__lte=now):
        event_move(actor=actor, event=event, action="finish")
        done += 1
    return {"closed": closed, "done": done}


# --- the public-service log -------------------------------------------------------------
@audited("activities.service.record")
@transaction.atomic
def service_log_record(*, actor: Any, team: Team, kind: str, served_on: dt.date,
                       beneficiary: str = "", beneficiary_phone: str = "", people: int = 1,
                       minutes: int = 0, note: str = "") -> ServiceLog:
    policies.require(actor, "activities.service_log", team)
    if kind not in ServiceLog.Kind.values:
        raise ValidationFailed(_("未知的服务类型"))
    log = ServiceLog.objects.create(district=team.district, team=team, kind=kind,
                                    served_on=served_on, beneficiary=beneficiary.strip()[:60],
                                    beneficiary_phone=beneficiary_phone.strip()[:20],
                                    people=max(1, int(people)), minutes=max(0, int(minutes)),
                                    note=note[:300], recorded_by=user_of(actor))
    audit_record(actor=actor, district=team.district, obj=log, action="activities.service.record",
                 after=snapshot(log, ["team", "kind", "served_on", "people", "minutes"]))
    return log


# --- party life ------------------------------------------------------------------------------
@audited("activities.contact.create")
@transaction.atomic
def contact_point_create(*, actor: Any, district: District, kind: str, person: str,
                         unit: OrgUnit, instructor: PartyMember | None = None) -> ContactPoint:
    policies.require(actor, "activities.party", district)
    _same_district(district, unit, instructor)
    point, _created = ContactPoint.objects.get_or_create(
        district=district, kind=kind, person=person.strip()[:40], unit=unit,
        defaults={"instructor": instructor})
    audit_record(actor=actor, district=district, obj=point, action="activities.contact.create",
                 after={"kind": kind, "person": point.person, "unit": unit.pk})
    return point


@audited("activities.visit.record")
@transaction.atomic
def visit_record(*, actor: Any, point: ContactPoint, visited_on: dt.date, problems: str = "",
                 follow_up: str = "") -> Visit:
    policies.require(actor, "activities.party", point.district)
    visit = Visit.objects.create(district=point.district, point=point, visited_on=visited_on,
                                 problems=problems[:300], follow_up=follow_up[:300],
                                 followed_up_at=timezone.now() if follow_up else None,
                                 recorded_by=user_of(actor))
    audit_record(actor=actor, district=point.district, obj=visit, action="activities.visit.record",
                 after={"point": point.pk, "problems": visit.problems})
    return visit


@audited("activities.visit.follow_up")
@transaction.atomic
def visit_follow_up(*, actor: Any, visit: Visit, follow_up: str) -> Visit:
    policies.require(actor, "activities.party", visit.district)
    visit = Visit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    visit.follow_up, visit.followed_up_at = follow_up[:300], timezone.now()
    visit.save(update_fields=["follow_up", "followed_up_at"])
    audit_record(actor=actor, district=visit.district, obj=visit,
                 action="activities.visit.follow_up", after={"follow_up": visit.follow_up})
    return visit


@audited("activities.enrolment.create", "org.member.create")
@transaction.atomic
def mobile_member_enrol(*, actor: Any, mobile_member: MobileMember, unit: OrgUnit) -> Enrolment:
    """四找: a mobile member found here becomes a registered party member of ``unit``."""
    district = mobile_member.district
    policies.require(actor, "activities.party", district)
    _same_district(district, unit)
    if Enrolment.objects.filter(mobile_member=mobile_member).exists():
        raise Conflict(_("该流动党员已登记转入"), code="already_enrolled")
    member = org_services.party_member_create(actor=actor, district=district, unit=unit,
                                              name=mobile_member.name,
                                              phone=mobile_member.phone)
    enrolment = Enrolment.objects.create(district=district, mobile_member=mobile_member,
                                         party_member=member, enrolled_by=user_of(actor))
    audit_record(actor=actor, district=district, obj=enrolment,
                 action="activities.enrolment.create",
                 after={"mobile_member": mobile_member.pk, "party_member": member.pk,
                        "unit": unit.pk})
    return enrolment


@audited("activities.cadre.report")
@transaction.atomic
def cadre_report(*, actor: Any, district: District, service: str = "", minutes: int = 0
                 ) -> CadreReport:
    """A department cadre reports in to the district (下沉报到) and logs the service."""
    policies.require(actor, "activities.cadre_report", district)
    report = CadreReport.objects.create(district=district, cadre=actor,
                                        reported_at=timezone.now(), service=service[:300],
                                        minutes=max(0, int(minutes)))
    audit_record(actor=actor, district=district, obj=report, action="activities.cadre.report",
                 after={"service": report.service, "minutes": report.minutes})
    return report


# --- wrap-up photos ---------------------------------------------------------------------
@audited("activities.photo.add")
@transaction.atomic
def event_photos_add(*, actor: Any, event: Event, uploads: list) -> list[EventPhoto]:
    """Wrap-up photos: each re-encoded by core.pii (EXIF and GPS dropped, type sniffed)."""
    policies.require(actor, "activities.event_organise", event)
    already = event.photos.count()
    photos = []
    for clean in photos_clean(uploads, already=already):
        photo = EventPhoto(district=event.district, event=event, width=clean.width,
                           height=clean.height, uploaded_by=user_of(actor))
        photo.image.save(clean.content.name, clean.content, save=False)
        photo.save()
        photos.append(photo)
    audit_record(actor=actor, district=event.district, obj=event, action="activities.photo.add",
                 after={"photos": [p.pk for p in photos]})
    return photos


# --- contests: rubric, judges, entries, scores, results ---------------------------------
@audited("activities.contest.create", "activities.criterion.add")
@transaction.atomic
def contest_create(*, actor: Any, event: Event, criteria: list[tuple[str, int]]) -> Contest:
    """Set up the judging of a 大赛 event with its rubric: (name, full marks) lines."""
    policies.require(actor, "activities.event_organise", event)
    if event.kind != EventKind.CONTEST:
        raise ValidationFailed(_("只有大赛类活动可以设立评审"), code="not_a_contest")
    if Contest.objects.filter(event=event).exists():
        raise Conflict(_("该活动已设立评审"), code="contest_exists")
    if not criteria:
        raise ValidationFailed(_("请至少填写一个评分项"), code="empty_rubric")
    contest = Contest.objects.create(district=event.district, event=event)
    audit_record(actor=actor, district=event.district, obj=contest,
                 action="activities.contest.create", after={"event": event.pk})
    for name, max_score in criteria:
        criterion_add(actor=actor, contest=contest, name=name, max_score=max_score)
    return contest


def _open_contest(actor: Any, contest: Contest, *, lock: bool = True) -> Contest:
    if lock:
        contest = Contest.objects.select_for_update(of=("self",)).select_related(
            "event", "event__team", "district").get(pk=contest.pk)
    policies.require(actor, "activities.contest_manage", contest)
    if contest.status != Contest.Status.OPEN:
        raise Conflict(_("评审已开始，不能再修改评分项、评委或参赛作品"), code="contest_not_open")
    return contest


@audited("activities.criterion.add")
@transaction.atomic
def criterion_add(*, actor: Any, contest: Contest, name: str, max_score: int) -> Criterion:
    contest = _open_contest(actor, contest)
    name = name.strip()[:40]
    if not name:
        raise ValidationFailed(_("请填写评分项名称"), code="empty_rubric")
    if not 1 <= int(max_score) <= 1000:
        raise ValidationFailed(_("满分须在 1 到 1000 之间"), code="bad_score")
    if contest.criteria.filter(name=name).exists():
        raise Conflict(_("已有同名评分项"))
    criterion = Criterion.objects.create(district=contest.district, contest=contest,
                                         name=name, max_score=int(max_score),
                                         position=contest.criteria.count())
    audit_record(actor=actor, district=contest.district, obj=criterion,
                 action="activities.criterion.add", object_type="activities.criterion",
                 object_id=criterion.pk,
                 after={"contest": contest.pk, "name": name, "max_score": criterion.max_score})
    return criterion


@audited("activities.judge.add")
@transaction.atomic
def judge_add(*, actor: Any, contest: Contest, user: Any, title: str = "") -> Judge:
    contest = _open_contest(actor, contest)
    if not policies.is_member(user, contest.district):
        raise ValidationFailed(_("评委须是本商圈的注册用户"), code="wrong_district")
    if contest.judges.filter(user=user).exists():
        raise Conflict(_("已是评委"), code="already_judge")
    judge = Judge.objects.create(district=contest.district, contest=contest, user=user,
                                 title=title.strip()[:60])
    audit_record(actor=actor, district=contest.district, obj=judge,
                 action="activities.judge.add", object_type="activities.judge",
                 object_id=judge.pk, after={"contest": contest.pk, "user": user.pk,
                                            "title": judge.title})
    transaction.on_commit(lambda: notification_send(
        district=contest.district, user=user, title=_("您已受邀担任比赛评委"),
        body=contest.event.title,
        link=f"/console/{contest.district.code}/activities/contests/{contest.pk}/score/"))
    return judge


@audited("activities.entry.add")
@transaction.atomic
def entry_add(*, actor: Any, contest: Contest, title: str, entrant: str,
              merchant: Any = None) -> Entry:
    contest = _open_contest(actor, contest)
    _same_district(contest.district, merchant)
    title, entrant = title.strip()[:100], entrant.strip()[:60]
    if not title or not entrant:
        raise ValidationFailed(_("请填写作品名称和参赛者"), code="empty_entry")
    try:
        with transaction.atomic():
            entry = Entry.objects.create(district=contest.district, contest=contest,
                                         title=title, entrant=entrant, merchant=merchant)
    except IntegrityError:
        raise Conflict(_("该作品已登记")) from None
    audit_record(actor=actor, district=contest.district, obj=entry,
                 action="activities.entry.add", object_type="activities.entry",
                 object_id=entry.pk, after={"contest": contest.pk, "title": title,
                                            "entrant": entrant})
    return entry


@audited("activities.contest.judge", "activities.contest.publish")
@transaction.atomic
def contest_move(*, actor: Any, contest: Contest, action: str) -> Contest:
    """open → judging (needs a rubric, a judge and two entries) → published (needs every
    judge's every mark; freezes each entry's mean total and rank)."""
    if action not in CONTEST.transitions:
        raise ValidationFailed(_("未知操作"))
    contest = Contest.objects.select_for_update(of=("self",)).select_related(
        "event", "event__team", "district").get(pk=contest.pk)
    policies.require(actor, f"activities.contest_{action}", contest)
    if action == "judge":
        if not contest.criteria.exists() or not contest.judges.exists() \
                or contest.entries.count() < 2:
            raise Conflict(_("开始评审前须有评分项、至少一名评委和两个参赛作品"),
                           code="contest_incomplete")
    ranking = None
    if action == "publish":
        ranking = selectors.contest_ranking(contest)
        missing = [row for row in ranking if row["missing"]]
        if missing:
            raise Conflict(_("还有 %(n)s 个作品未评完，不能公布") % {"n": len(missing)},
                           code="scores_missing", details={
                               "entries": [row["entry"].pk for row in missing]})
    before = CONTEST.apply(contest, action)
    if action == "publish":
        contest.published_at = timezone.now()
        for row in ranking or []:
            entry = row["entry"]
            entry.score_x100, entry.rank = row["score_x100"], row["rank"]
            entry.save(update_fields=["score_x100", "rank"])
    contest.save(update_fields=["status", "published_at"])
    audit_record(actor=actor, district=contest.district, obj=contest,
                 action=f"activities.contest.{action}", before={"status": before},
                 after={"status": contest.status,
                        "ranking": [(r["entry"].pk, r["rank"], r["score_x100"])
                                    for r in ranking or []]})
    return contest


@audited("activities.score.submit")
@transaction.atomic
def score_submit(*, actor: Any, entry: Entry, marks: dict[int, int]) -> list[Score]:
    """A judge marks one entry on every criterion of the rubric (0 … full marks). While
    the contest is being judged a judge may revise their own marks; never another's."""
    contest = Contest.objects.select_for_update(of=("self",)).select_related(
        "event", "district").get(pk=entry.contest_id)
    policies.require(actor, "activities.contest_score", contest)
    if contest.status != Contest.Status.JUDGING:
        raise Conflict(_("该比赛现在不在评审中"), code="contest_not_judging")
    judge = contest.judges.get(user_id=actor.pk)
    criteria = {c.pk: c for c in contest.criteria.all()}
    if set(marks) != set(criteria):
        raise ValidationFailed(_("请为每个评分项打分"), code="marks_incomplete",
                               details={"criteria": sorted(set(criteria) - set(marks))})
    problems = {str(pk): _("须在 0 到 %(max)s 之间") % {"max": criteria[pk].max_score}
                for pk, value in marks.items()
                if not 0 <= int(value) <= criteria[pk].max_score}
    if problems:
        raise ValidationFailed(_("分数超出范围"), code="bad_score", details=problems)
    before = dict(Score.objects.filter(entry=entry, judge=judge)
                  .values_list("criterion_id", "value"))
    scores = []
    for pk, value in marks.items():
        score, _created = Score.objects.update_or_create(
            entry=entry, judge=judge, criterion_id=pk,
            defaults={"district": contest.district, "value": int(value)})
        scores.append(score)
    audit_record(actor=actor, district=contest.district, obj=entry,
                 action="activities.score.submit", object_type="activities.entry",
                 object_id=entry.pk,
                 before={"marks": {str(k): v for k, v in before.items()}} if before else None,
                 after={"judge": judge.pk, "marks": {str(k): int(v) for k, v in marks.items()}})
    return scores


# --- xlsx exports (staff: ``activities.export``; the party registers: ``activities.party``)
EXPORT_MAX_ROWS = 50_000


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _month_range(month: str) -> tuple[dt.date, dt.date]:
    try:
        year, mon = (int(x) for x in month.split("-"))
        start = dt.date(year, mon, 1)
    except (TypeError, ValueError):
        raise ValidationFailed(_("月份格式应为 YYYY-MM"), details={"month": month[:20]}) from None
    return start, dt.date(year + (mon == 12), mon % 12 + 1, 1)


@audited("activities.attendance.export")
def attendance_export_xlsx(*, actor: Any, district: District, month: str) -> bytes:
    """Every sign-up of the month's events: who, status, check-in/out, confirmed minutes,
    points, absence reasons — the attendance register."""
    policies.require(actor, "activities.export", district)
    start, end = _month_range(month)
    book = new_workbook(write_only=True)
    sheet = book.create_sheet("活动考勤")
    xlsx_append(sheet, ["活动", "类型", "党支部", "开始", "姓名", "状态", "签到", "签退",
                        "确认时长（分钟）", "积分", "缺席原因"])
    qs = (Registration.objects.filter(district=district, event__starts_at__date__gte=start,
                                      event__starts_at__date__lt=end)
          .select_related("event", "event__unit", "user")
          .order_by("event__starts_at", "event_id", "id"))
    rows = 0
    for r in qs[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
        xlsx_append(sheet, [r.event.title, r.event.get_kind_display(),
                            r.event.unit.name if r.event.unit_id else "",
                            _local(r.event.starts_at), str(r.user), r.get_status_display(),
                            _local(r.checked_in_at), _local(r.checked_out_at),
                            r.minutes if r.confirmed_at else "", r.points, r.absence_reason])
        rows += 1
    export_record(actor=actor, district=district, action="activities.attendance.export",
                  object_type="activities.registration", rows=rows, fmt="xlsx",
                  filters={"month": month})
    return workbook_bytes(book)


@audited("activities.hours.export")
def hours_export_xlsx(*, actor: Any, district: District, year: int) -> bytes:
    """Volunteer hours per person for a year: confirmed minutes, events, points earned,
    and the teams they are in (hours never expire)."""
    policies.require(actor, "activities.export", district)
    book = new_workbook(write_only=True)
    sheet = book.create_sheet("志愿时长")
    xlsx_append(sheet, ["姓名", "所在队伍", "参加活动（次）", "确认时长（分钟）",
                        "折合小时", "获得积分"])
    per_person = (Registration.objects.filter(district=district, confirmed_at__year=year)
                  .values("user_id")
                  .annotate(n=Count("id"), minutes=Sum("minutes"), points=Sum("points"))
                  .order_by("-minutes", "user_id"))[:EXPORT_MAX_ROWS]
    per_person = list(per_person)
    teams: dict[int, list[str]] = {}
    for user_id, name in TeamMember.objects.filter(
            district=district, status=TeamMember.Status.ACTIVE,
            user_id__in=[p["user_id"] for p in per_person]).values_list("user_id", "team__name"):
        teams.setdefault(user_id, []).append(name)
    users = {u.pk: u for u in get_user_model().objects.filter(
        pk__in=[p["user_id"] for p in per_person])}
    for p in per_person:
        minutes = p["minutes"] or 0
        xlsx_append(sheet, [str(users[p["user_id"]]), "、".join(sorted(teams.get(p["user_id"], []))),
                            p["n"], minutes, round(minutes / 60, 2), p["points"] or 0])
    export_record(actor=actor, district=district, action="activities.hours.export",
                  object_type="activities.registration", rows=len(per_person), fmt="xlsx",
                  filters={"year": year})
    return workbook_bytes(book)


@audited("activities.teams.export")
def teams_export_xlsx(*, actor: Any, district: District) -> bytes:
    """Each team with its captain and this year's statistics (no beneficiary data)."""
    policies.require(actor, "activities.export", district)
    book = new_workbook(write_only=True)
    sheet = book.create_sheet("志愿队伍")
    xlsx_append(sheet, ["队伍", "类型", "队长", "在队人数", "时长（分钟）", "公益服务（次）",
                        "服务人次", "随手拍（件）", "已解决"])
    rows = 0
    for team in selectors.team_list(district=district)[:1000]:
        stats = selectors.team_stats(team=team)
        xlsx_append(sheet, [team.name, team.get_kind_display(), str(team.captain),
                            stats["members"], stats["minutes"], stats["services"],
                            stats["served"], stats["reports"], stats["solved"]])
        rows += 1
    export_record(actor=actor, district=district, action="activities.teams.export",
                  object_type="activities.team", rows=rows, fmt="xlsx")
    return workbook_bytes(book)


@audited("activities.party.export")
def party_export_xlsx(*, actor: Any, district: District, year: int) -> bytes:
    """The party-life registers: 主题党日 attendance per branch, absences with reasons,
    visits to 联系点 with problems and follow-up, 四找 enrolments, 下沉报到."""
    sel = selectors
    policies.require(actor, "activities.party", district)
    book = new_workbook(write_only=True)
    rows = 0
    sheet = book.create_sheet("主题党日出勤")
    xlsx_append(sheet, ["党支部", "应到", "实到", "缺席"])
    for r in sel.party_day_attendance(user=actor, district=district, year=year):
        xlsx_append(sheet, [r["branch"], r["total"], r["attended"], r["absent"]])
        rows += 1
    sheet = book.create_sheet("缺席登记")
    xlsx_append(sheet, ["活动", "日期", "党支部", "姓名", "缺席原因"])
    for r in sel.absences(user=actor, district=district)\
            .filter(event__starts_at__year=year)[:EXPORT_MAX_ROWS]:
        xlsx_append(sheet, [r.event.title, _local(r.event.starts_at),
                            r.event.unit.name if r.event.unit_id else "", str(r.user),
                            r.absence_reason])
        rows += 1
    sheet = book.create_sheet("走访记录")
    xlsx_append(sheet, ["类型", "联系人", "联系单位", "走访日期", "发现问题", "跟进情况",
                        "跟进时间"])
    for v in sel.visit_list(user=actor, district=district)\
            .filter(visited_on__year=year)[:EXPORT_MAX_ROWS]:
        xlsx_append(sheet, [v.point.get_kind_display(), v.point.person, v.point.unit.name,
                            v.visited_on.isoformat(), v.problems, v.follow_up,
                            _local(v.followed_up_at)])
        rows += 1
    sheet = book.create_sheet("流动党员转入")
    xlsx_append(sheet, ["姓名", "转入支部", "登记时间"])
    for e in sel.enrolment_list(user=actor, district=district)\
            .filter(created_at__year=year)[:EXPORT_MAX_ROWS]:
        xlsx_append(sheet, [e.mobile_member.name, e.party_member.unit.name,
                            _local(e.created_at)])
        rows += 1
    sheet = book.create_sheet("干部下沉报到")
    xlsx_append(sheet, ["干部", "报到时间", "服务内容", "时长（分钟）"])
    for c in sel.cadre_reports(user=actor, district=district)\
            .filter(reported_at__year=year)[:EXPORT_MAX_ROWS]:
        xlsx_append(sheet, [str(c.cadre), _local(c.reported_at), c.service, c.minutes])
        rows += 1
    export_record(actor=actor, district=district, action="activities.party.export",
                  object_type="activities.party", rows=rows, fmt="xlsx",
                  filters={"year": year})
    return workbook_bytes(book)
