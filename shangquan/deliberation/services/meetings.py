"""Councils and their seats, meetings with registration and QR check-in, topics and
rounds, action items fanned out to merchants, 政企面对面 demands."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.district_settings import district_settings
from shangquan.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shangquan.core.models import Department, District
from shangquan.inspections.services.rectifications import rectification_issue
from shangquan.merchants.models import Merchant

from ..models import (
    ActionItem,
    ActionTask,
    Confirmation,
    Council,
    Meeting,
    Monitor,
    Registration,
    Round,
    Seat,
    Topic,
)
from ..rules import owned_merchant, require_person
from ._common import _notify as notify


def _same(district_id: int, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and obj.district_id != district_id:
            raise NotFound()


# --- councils --------------------------------------------------------------------------
@audited("deliberation.council.create")
@transaction.atomic
def council_create(*, actor: Any, district: District, name: str, description: str = "",
                   min_resident_pct: int = 34, min_merchant_pct: int = 34) -> Council:
    policies.require(actor, "deliberation.manage", district)
    if not (name or "").strip():
        raise ValidationFailed(_("请填写名称"), code="title_required")
    if min_resident_pct + min_merchant_pct > 100:
        raise ValidationFailed(_("席位下限之和不能超过 100%"), code="quota_unmet")
    council = Council.objects.create(district=district, name=name.strip()[:80],
                                     description=description, min_resident_pct=min_resident_pct,
                                     min_merchant_pct=min_merchant_pct)
    audit_record(actor=actor, district=district, obj=council,
                 action="deliberation.council.create", after=snapshot(council))
    return council


@audited("deliberation.seat.add")
@transaction.atomic
def seat_add(*, actor: Any, council: Council, kind: str, name: str, user: Any = None,
             merchant: Merchant | None = None) -> Seat:
    policies.require(actor, "deliberation.manage", council)
    _same(council.district_id, merchant)
    if kind not in Seat.Kind.values:
        raise ValidationFailed(code="wrong_kind", details={"kind": kind})
    try:
        with transaction.atomic():
            seat = Seat.objects.create(district=council.district, council=council, kind=kind,
                                       name=(name or "").strip()[:60] or "?", user=user,
                                       merchant=merchant)
    except IntegrityError:
        raise Conflict(_("此人已在议事会中"), code="already_registered") from None
    audit_record(actor=actor, district=council.district, obj=seat,
                 action="deliberation.seat.add", after=snapshot(seat))
    return seat


# --- meetings --------------------------------------------------------------------------
@audited("deliberation.meeting.create")
@transaction.atomic
def meeting_create(*, actor: Any, district: District, kind: str, title: str,
                   starts_at: dt.datetime, place: str = "", agenda: str = "",
                   capacity: int = 30, quorum: int = 0, council: Council | None = None) -> Meeting:
    policies.require(actor, "deliberation.manage", district)
    _same(district.pk, council)
    if kind not in Meeting.Kind.values:
        raise ValidationFailed(code="wrong_kind", details={"kind": kind})
    if not (title or "").strip():
        raise ValidationFailed(_("请填写会议标题"), code="title_required")
    if capacity < 1 or quorum < 0:
        raise ValidationFailed(_("名额须大于 0"), code="bad_answer")
    meeting = Meeting.objects.create(district=district, kind=kind, title=title.strip()[:120],
                                     starts_at=starts_at, place=place[:120], agenda=agenda,
                                     capacity=capacity, quorum=quorum, council=council)
    audit_record(actor=actor, district=district, obj=meeting,
                 action="deliberation.meeting.create", after=snapshot(meeting, [
                     "kind", "title", "starts_at", "place", "capacity", "quorum"]))
    return meeting


def _meeting_locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)


def _registrants(meeting: Meeting) -> list[Any]:
    return [r.user for r in meeting.registrations.exclude(status=Registration.Status.CANCELLED)
            .select_related("user")]


@audited("deliberation.meeting.record")
@transaction.atomic
def meeting_record(*, actor: Any, meeting: Meeting, minutes: str, decisions: str = "") -> Meeting:
    """Minutes and decisions; the meeting counts as held."""
    policies.require(actor, "deliberation.manage", meeting)
    locked = _meeting_locked(meeting)
    if locked.status == Meeting.Status.CANCELLED:
        raise Conflict(_("会议已取消"), code="meeting_not_open")
    before = snapshot(locked, ["status", "minutes", "decisions"])
    locked.minutes, locked.decisions = minutes.strip(), decisions.strip()
    locked.status = Meeting.Status.HELD
    locked.save(update_fields=["minutes", "decisions", "status"])
    audit_record(actor=actor, district=locked.district, obj=locked,
                 action="deliberation.meeting.record", before=before,
                 after=snapshot(locked, ["status", "minutes", "decisions"]))
    return locked


@audited("deliberation.meeting.cancel")
@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    policies.require(actor, "deliberation.manage", meeting)
    locked = _meeting_locked(meeting)
    if locked.status != Meeting.Status.PLANNED:
        raise Conflict(_("会议已召开或已取消"), code="meeting_not_open")
    locked.status = Meeting.Status.CANCELLED
    locked.save(update_fields=["status"])
    audit_record(actor=actor, district=locked.district, obj=locked,
                 action="deliberation.meeting.cancel", before={"status": "planned"},
                 after={"status": "cancelled", "reason": reason})
    # a change to a meeting one registered for is told at once, not in the digest
    notify(district=locked.district, users=_registrants(locked), immediate=True,
           title=_("会议取消：%(t)s") % {"t": locked.title[:60]})
    return locked


@audited("deliberation.registration.create")
@transaction.atomic
def registration_create(*, actor: Any, meeting: Meeting) -> Registration:
    """Register, or join the waiting list when the meeting is full."""
    require_person(actor)
    policies.require(actor, "deliberation.participate", meeting.district)
    locked = _meeting_locked(meeting)  # the capacity count and the insert, one at a time
    if locked.status != Meeting.Status.PLANNED:
        raise Conflict(_("会议不接受报名"), code="meeting_not_open")
    taken = locked.registrations.filter(status__in=[Registration.Status.REGISTERED,
                                                    Registration.Status.ATTENDED]).count()
    status = (Registration.Status.REGISTERED if taken < locked.capacity
              else Registration.Status.WAITLISTED)
    existing = locked.registrations.filter(user=actor).first()
    if existing is not None and existing.status != Registration.Status.CANCELLED:
        raise Conflict(_("您已报名"), code="already_registered")
    if existing is not None:
        existing.status = status
        existing.save(update_fields=["status"])
        registration = existing
    else:
        registration = Registration.objects.create(district=locked.district, meeting=locked,
                                                   user=actor, status=status)
    audit_record(actor=actor, district=locked.district, obj=registration,
                 action="deliberation.registration.create", after={"status": status})
    return registration


@audited("deliberation.registration.cancel")
@transaction.atomic
def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    require_person(actor)
    if registration.user_id != actor.pk:
        policies.require(actor, "deliberation.manage", registration)
    meeting = _meeting_locked(registration.meeting)
    locked = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    if locked.status == Registration.Status.CANCELLED:
        return locked
    freed = locked.status == Registration.Status.REGISTERED
    locked.status = Registration.Status.CANCELLED
    locked.save(update_fields=["status"])
    audit_record(actor=actor, district=locked.district, obj=locked,
                 action="deliberation.registration.cancel", after={"status": "cancelled"})
    if freed:
        first = meeting.registrations.filter(status=Registration.Status.WAITLISTED)\
            .order_by("created_at", "id").first()
        if first is not None:
            first.status = Registration.Status.REGISTERED
            first.save(update_fields=["status"])
            audit_record(actor=actor, district=locked.district, obj=first,
                         action="deliberation.registration.create",
                         before={"status": "waitlisted"}, after={"status": "registered"})
            notify(district=locked.district, users=[first.user], immediate=True,
                   title=_("候补转正：%(t)s") % {"t": meeting.title[:60]})
    return locked


@audited("deliberation.registration.check_in")
@transaction.atomic
def registration_check_in(*, actor: Any, meeting: Meeting, code: str) -> Registration:
    """QR check-in: the person scans the meeting's code at the door (signed in)."""
    require_person(actor)
    if code != meeting.check_in_code:
        raise ValidationFailed(_("签到码不正确"), code="bad_code")
    locked = _meeting_locked(meeting)
    if locked.status == Meeting.Status.CANCELLED:
        raise Conflict(_("会议已取消"), code="meeting_not_open")
    registration = locked.registrations.filter(user=actor).first()
    if registration is None:
        registration = Registration.objects.create(district=locked.district, meeting=locked,
                                                   user=actor, status=Registration.Status.ATTENDED,
                                                   checked_in_at=timezone.now())
    elif registration.status != Registration.Status.ATTENDED:
        registration.status = Registration.Status.ATTENDED
        registration.checked_in_at = timezone.now()
        registration.save(update_fields=["status", "checked_in_at"])
    else:
        return registration
    audit_record(actor=actor, district=locked.district, obj=registration,
                 action="deliberation.registration.check_in", after={"status": "attended"})
    return registration


# --- topics and rounds -----------------------------------------------------------------
@audited("deliberation.topic.create")
@transaction.atomic
def topic_create(*, actor: Any, council: Council, title: str, description: str = "") -> Topic:
    policies.require(actor, "deliberation.manage", council)
    if not (title or "").strip():
        raise ValidationFailed(_("请填写议题"), code="title_required")
    topic = Topic.objects.create(district=council.district, council=council,
                                 title=title.strip()[:120], description=description)
    audit_record(actor=actor, district=council.district, obj=topic,
                 action="deliberation.topic.create", after=snapshot(topic))
    return topic


@audited("deliberation.round.record")
@transaction.atomic
def round_record(*, actor: Any, topic: Topic, positions: str, agreed_points: str = "",
                 open_issues: str = "", meeting: Meeting | None = None,
                 held_on: dt.date | None = None) -> Round:
    """One more round of talks: each side's positions, what was agreed, what is open."""
    policies.require(actor, "deliberation.manage", topic)
    _same(topic.district_id, meeting)
    locked = Topic.objects.select_for_update(of=("self",)).get(pk=topic.pk)
    if locked.status != Topic.Status.OPEN:
        raise Conflict(_("议题已结束协商"), code="meeting_not_open")
    number = (locked.rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    round_ = Round.objects.create(district=locked.district, topic=locked, number=number,
                                  meeting=meeting, positions=positions,
                                  agreed_points=agreed_points, open_issues=open_issues,
                                  held_on=held_on or timezone.localdate())
    audit_record(actor=actor, district=locked.district, obj=round_,
                 action="deliberation.round.record", after=snapshot(round_))
    return round_


@audited("deliberation.topic.agree")
@transaction.atomic
def topic_agree(*, actor: Any, topic: Topic, consensus: str) -> Topic:
    policies.require(actor, "deliberation.manage", topic)
    locked = Topic.objects.select_for_update(of=("self",)).get(pk=topic.pk)
    if locked.status != Topic.Status.OPEN or not (consensus or "").strip():
        raise Conflict(_("议题不在协商中，或共识为空"), code="meeting_not_open")
    locked.status, locked.consensus = Topic.Status.AGREED, consensus.strip()
    locked.save(update_fields=["status", "consensus"])
    audit_record(actor=actor, district=locked.district, obj=locked,
                 action="deliberation.topic.agree", before={"status": "open"},
                 after={"status": "agreed", "consensus": locked.consensus})
    return locked


# --- action items ----------------------------------------------------------------------
@audited("deliberation.action.create")
@transaction.atomic
def action_create(*, actor: Any, district: District, title: str, owner_name: str,
                  due_on: dt.date, topic: Topic | None = None, meeting: Meeting | None = None,
                  department: Department | None = None) -> ActionItem:
    policies.require(actor, "deliberation.manage", district)
    _same(district.pk, topic, meeting, department)
    if not (title or "").strip() or not (owner_name or "").strip():
        raise ValidationFailed(_("请填写事项和责任人"), code="title_required")
    item = ActionItem.objects.create(district=district, title=title.strip()[:160],
                                     owner_name=owner_name.strip()[:60], due_on=due_on,
                                     topic=topic, meeting=meeting, department=department)
    audit_record(actor=actor, district=district, obj=item, action="deliberation.action.create",
                 after=snapshot(item))
    return item


@audited("deliberation.action.fan_out", "inspections.rectification.issue")
@transaction.atomic
def action_fan_out(*, actor: Any, item: ActionItem, merchants: list[Merchant],
                   deadline: dt.datetime | None = None) -> list[ActionTask]:
    """One rectification per merchant (e.g. 37 shops install a purifier by a date): the
    inspections app carries evidence and verification."""
    policies.require(actor, "deliberation.manage", item)
    policies.require(actor, "inspections.rectification_issue", item.district)
    if deadline is None:
        days = district_settings(district=item.district, app="deliberation")["fan_out_days"]
        deadline = timezone.now() + dt.timedelta(days=days)
    done = set(item.tasks.values_list("merchant_id", flat=True))
    tasks = []
    for merchant in merchants:
        _same(item.district_id, merchant)
        if merchant.pk in done:
            continue
        order = rectification_issue(actor=actor, district=item.district, merchant=merchant,
                                    title=item.title, severity="general", source="deliberation",
                                    source_ref=f"action-{item.pk}", deadline=deadline,
                                    description=_("议事会议定事项：%(t)s") % {"t": item.title})
        tasks.append(ActionTask.objects.create(district=item.district, item=item,
                                               merchant=merchant, rectification=order))
        done.add(merchant.pk)
    audit_record(actor=actor, district=item.district, obj=item,
                 action="deliberation.action.fan_out", after={"merchants": len(tasks)})
    return tasks


@audited("deliberation.monitor.add")
@transaction.atomic
def monitor_add(*, actor: Any, item: ActionItem, user: Any, name: str) -> Monitor:
    policies.require(actor, "deliberation.manage", item)
    monitor, created = Monitor.objects.get_or_create(district=item.district, item=item,
                                                     user=user, defaults={"name": name[:60]})
    if created:
        audit_record(actor=actor, district=item.district, obj=monitor,
                     action="deliberation.monitor.add", after={"item": item.pk, "name": name})
    return monitor


@audited("deliberation.monitor.confirm")
@transaction.atomic
def task_confirm(*, actor: Any, task: ActionTask, note: str = "") -> Confirmation:
    """A named resident monitor confirms a shop's verified task (居民参与监督)."""
    require_person(actor)
    monitor = Monitor.objects.filter(item_id=task.item_id, user=actor).first()
    if monitor is None:
        raise PermissionDenied(_("您不是本事项的居民监督员"), code="not_a_monitor")
    if task.rectification.status != "verified":
        raise Conflict(_("商户整改尚未验收，暂不能确认"), code="task_not_verified")
    try:
        with transaction.atomic():
            confirmation = Confirmation.objects.create(district=task.district, task=task,
                                                       monitor=monitor, note=note[:200])
    except IntegrityError:
        raise Conflict(_("您已确认过"), code="already_confirmed") from None
    audit_record(actor=actor, district=task.district, obj=confirmation,
                 action="deliberation.monitor.confirm", after={"task": task.pk})
    return confirmation


@audited("deliberation.action.complete")
@transaction.atomic
def action_complete(*, actor: Any, item: ActionItem, answer: str) -> ActionItem:
    if item.merchant_id:
        policies.require(actor, "deliberation.demand_handle", item)
    else:
        policies.require(actor, "deliberation.manage", item)
    locked = ActionItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if locked.status == ActionItem.Status.DONE:
        return locked
    locked.status, locked.answer, locked.done_at = ActionItem.Status.DONE, answer.strip(), timezone.now()
    locked.save(update_fields=["status", "answer", "done_at"])
    audit_record(actor=actor, district=locked.district, obj=locked,
                 action="deliberation.action.complete", before={"status": "open"},
                 after={"status": "done", "answer": locked.answer})
    if locked.merchant_id and locked.merchant.owner_id:
        notify(district=locked.district, users=[locked.merchant.owner], immediate=True,
               title=_("您的诉求已办结：%(t)s") % {"t": locked.title[:60]},
               link=reverse("deliberation:my_demands", kwargs={"code": locked.district.code}))
    return locked


# --- 政企面对面 ---------------------------------------------------------------------------
@audited("deliberation.demand.file")
@transaction.atomic
def demand_file(*, actor: Any, meeting: Meeting, merchant: Merchant, demand: str) -> ActionItem:
    """A merchant files a demand before a 政企面对面; it becomes a tracked item."""
    if meeting.kind != Meeting.Kind.FACE_TO_FACE:
        raise ValidationFailed(_("只有政企面对面可以提交诉求"), code="wrong_kind")
    merchant = owned_merchant(actor, meeting.district, merchant, speaks=False)
    if not (demand or "").strip():
        raise ValidationFailed(_("请填写诉求"), code="title_required")
    item = ActionItem.objects.create(
        district=meeting.district, meeting=meeting, merchant=merchant, demand=demand.strip(),
        title=demand.strip()[:160], owner_name=merchant.name[:60],
        due_on=timezone.localdate(meeting.starts_at) + dt.timedelta(days=30))
    audit_record(actor=actor, district=meeting.district, obj=item,
                 action="deliberation.demand.file", after={"merchant": merchant.pk})
    return item


@audited("deliberation.demand.assign")
@transaction.atomic
def demand_assign(*, actor: Any, item: ActionItem, department: Department,
                  due_on: dt.date) -> ActionItem:
    policies.require(actor, "deliberation.manage", item)
    _same(item.district_id, department)
    locked = ActionItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    before = snapshot(locked, ["department", "due_on"])
    locked.department, locked.due_on = department, due_on
    locked.owner_name = department.name[:60]
    locked.save(update_fields=["department", "due_on", "owner_name"])
    audit_record(actor=actor, district=locked.district, obj=locked,
                 action="deliberation.demand.assign", before=before,
                 after=snapshot(locked, ["department", "due_on"]))
    if locked.merchant_id and locked.merchant.owner_id:
        notify(district=locked.district, users=[locked.merchant.owner], immediate=True,
               title=_("您的诉求已交办%(d)s，期限 %(due)s") % {"d": department.name,
                                                          "due": due_on.isoformat()})
    return locked
