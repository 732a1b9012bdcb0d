"""Every write on work orders: intake, the 四单 loop, SLAs, escalations, follow-ups.

Each transition locks the order row, checks the state machine (DESIGN section 5) and
the policies, writes an Event (the timeline), an audit row and the KPI counters, and
notifies the people concerned after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from shangquan.core import live, policies, ratelimit
from shangquan.core.actors import SYSTEM
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import (
    InvalidTransition,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from shangquan.core.models import Department, Device, District, Membership
from shangquan.core.pii import phone_normalize, photo_clean, photos_clean
from shangquan.core.roles import Role
from shangquan.core.services import notification_send

from . import intake, rollup
from .catalog import PUBLIC_PLACE_CATEGORIES, SEED_CATEGORIES
from .metoo_reads import followers as metoo_followers
from .models import (
    TIER_LIMITS,
    Category,
    Channel,
    Escalation,
    Event,
    FollowUp,
    Photo,
    Rating,
    Status,
    TicketCounter,
    Tier,
    WorkOrder,
)
from .policies import CHANNEL_ROLES, TRANSITION_ACTIONS
from .selectors import board_channel, settings_get
from .states import WORK_ORDER, is_ended

MAX_DESCRIPTION = 2000
log = logging.getLogger("shangquan.workorders")


# --- categories and settings -------------------------------------------------------
@audited("workorders.category.seed")
def categories_ensure(*, district: District) -> int:
    """Seed the article categories for a district (idempotent). Returns how many were made.

    A seeded category still without a department gets the one its seed names, once that
    department exists. Runs when a district is created (``district_created``) and from the
    demo loader; never from a read.
    """
    existing = dict(Category.objects.filter(district=district)
                    .values_list("code", "department_id"))
    departments = {d.code: d for d in Department.objects.filter(district=district)}
    rows, linked = [], []
    for order, (code, name, tier, dept_code, anonymous) in enumerate(SEED_CATEGORIES):
        if code in existing:
            if existing[code] is None and dept_code in departments:
                Category.objects.filter(district=district, code=code,
                                        department__isnull=True).update(
                    department=departments[dept_code])
                linked.append(code)
            continue
        response, resolution = TIER_LIMITS[tier]
        rows.append(Category(district=district, code=code, name=name, tier=tier,
                             department=departments.get(dept_code), response_hours=response,
                             resolution_hours=resolution, allow_anonymous=anonymous,
                             public_place=code in PUBLIC_PLACE_CATEGORIES,
                             order=(order + 1) * 10))
    Category.objects.bulk_create(rows, ignore_conflicts=True)
    if rows or linked:
        audit_record(actor=SYSTEM, district=district, action="workorders.category.seed",
                     object_type="workorders.category", object_id="*",
                     after={"created": [r.code for r in rows], "linked": linked})
    return len(rows)


@audited("workorders.category.seed")
def district_categories_seed(*, actor: Any, district: District) -> None:
    """``district_created`` hook: a new district starts with the article categories."""
    categories_ensure(district=district)


@audited("workorders.category.update")
@transaction.atomic
def category_update(*, actor: Any, district: District, category: Category,
                    name: str | None = None, tier: str | None = None,
                    department: Department | None | bool = False,
                    response_hours: int | None = None, resolution_hours: int | None = None,
                    allow_anonymous: bool | None = None, public_place: bool | None = None,
                    is_active: bool | None = None) -> Category:
    policies.require(actor, "workorders.category_manage", district)
    if category.district_id != district.pk:
        raise NotFound()
    before = snapshot(category)
    if name is not None:
        if not name.strip():
            raise ValidationFailed(_("名称不能为空"), code="name_required")
        category.name = name.strip()[:40]
    if tier is not None:
        if tier not in Tier.values:
            raise ValidationFailed(_("未知时限类别"), code="unknown_tier")
        category.tier = tier
    if department is not False:
        if department is not None and department.district_id != district.pk:
            raise ValidationFailed(_("部门不属于该商圈"), code="department_mismatch")
        category.department = department
    if response_hours is not None:
        category.response_hours = response_hours
    if resolution_hours is not None:
        category.resolution_hours = resolution_hours
    if category.response_hours < 1 or category.resolution_hours < category.response_hours:
        raise ValidationFailed(_("办结时限不能短于响应时限，且响应时限至少 1 小时"),
                               code="invalid_limits")
    if allow_anonymous is not None:
        category.allow_anonymous = allow_anonymous
    if public_place is not None:
        category.public_place = public_place
    if is_active is not None:
        category.is_active = is_active
    category.save()
    audit_record(actor=actor, district=district, obj=category, action="workorders.category.update",
                 before=before, after=snapshot(category))
    return category


@audited("workorders.category.create")
@transaction.atomic
def category_create(*, actor: Any, district: District, code: str, name: str,
                    tier: str = Tier.GENERAL, department: Department | None = None,
                    allow_anonymous: bool = True, public_place: bool = False) -> Category:
    policies.require(actor, "workorders.category_manage", district)
    if tier not in Tier.values:
        raise ValidationFailed(_("未知时限类别"), code="unknown_tier")
    if Category.objects.filter(district=district, code=code).exists():
        raise ValidationFailed(_("类别代码已存在"), code="category_exists")
    response, resolution = TIER_LIMITS[tier]
    category = Category.objects.create(district=district, code=code, name=name, tier=tier,
                                       department=department, response_hours=response,
                                       resolution_hours=resolution,
                                       allow_anonymous=allow_anonymous,
                                       public_place=public_place)
    audit_record(actor=actor, district=district, obj=category,
                 action="workorders.category.create", after=snapshot(category))
    return category


# --- intake ----------------------------------------------------------------------------
def _ticket_number(district: District, now: dt.datetime) -> str:
    """``<CODE>-<yyyymmdd>-<seq>``: the day's counter row is locked, so no two orders share it."""
    day = rollup.local_day(now)
    # One UPSERT (SQLite ≥ 3.35, PostgreSQL): creates the day's row or takes its lock and
    # moves it on; a concurrent writer waits for our commit, then counts after us.
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (district_id, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (district_id, day) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last", [district.pk, connection.ops.adapt_datefield_value(day)])
        last = cursor.fetchone()[0]
    return f"{district.code}-{day:%Y%m%d}-{last:04d}"


def _event(order: WorkOrder, action: str, actor: Any, note: str = "", *,
           public: bool = True) -> Event:
    user = actor if getattr(actor, "is_authenticated", False) else None
    # Every change of an order passes here: the open dispatch boards refresh once it commits.
    live.publish(board_channel(order.district_id))
    return Event.objects.create(district_id=order.district_id, order=order, action=action,
                                status=order.status, note=note[:500], public=public,
                                actor=user)


def _members(district: District, *roles: str, department_id: int | None = None) -> list:
    qs = Membership.objects.filter(district=district, is_active=True, role__in=roles,
                                   user__is_active=True).select_related("user")
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    seen, users = set(), []
    for m in qs:
        if m.user_id not in seen:
            seen.add(m.user_id)
            users.append(m.user)
    return users


def _notify(order: WorkOrder, users: Iterable, title: str, body: str = "", *,
            sms: bool = False, staff: bool = True) -> None:
    """In-app rows in the same transaction (they roll back with it); the outbound
    sender runs after commit (core.services.notification_send)."""
    if staff:
        link = reverse("workorders:detail", kwargs={"code": order.district.code, "pk": order.pk})
    else:
        link = reverse("workorders:track", kwargs={"code": order.district.code,
                                                   "number": order.number})
    for user in users:
        if user is not None:
            notification_send(district=order.district, user=user, title=title, body=body,
                              link=link, sms=sms,
                              kind="workorders.task" if staff else "workorders.progress")


def _notify_reporter(order: WorkOrder, title: str, body: str = "") -> None:
    """The signed-in reporter: in-app, and by SMS if their phone is verified
    (``notification_send``). A phone typed into the form gets no SMS: nobody proved it
    belongs to the reporter, and the order number is enough to follow the order."""
    if order.reporter_id:
        _notify(order, [order.reporter], title, body, sms=True, staff=False)
    # Residents who said 我也遇到 follow the order: in-app only (no SMS bill per voice).
    _notify(order, metoo_followers(order=order).exclude(pk=order.reporter_id or 0), title,
            body, staff=False)


def _check_location(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    if latitude in (None, "") or longitude in (None, ""):
        return None, None
    try:
        lat, lon = Decimal(str(latitude)), Decimal(str(longitude))
    except ArithmeticError:
        raise ValidationFailed(_("位置坐标不正确"), code="invalid_location") from None
    if not (lat.is_finite() and lon.is_finite()) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationFailed(_("位置坐标不正确"), code="invalid_location")
    return lat.quantize(Decimal("0.000001")), lon.quantize(Decimal("0.000001"))


def _public_intake_limit(*, district: District, client_key: str, actor: Any) -> None:
    """Every report notifies the committee: a burst from one address or one resident is
    refused (429) before anything is written. ``SHANGQUAN["REPORT_RATE"]`` = (n, seconds)."""
    limit, window = settings.SHANGQUAN.get("REPORT_RATE", (10, 600))
    ratelimit.hit(f"report:{district.pk}:ip:{client_key}", limit=limit, window=window)
    if getattr(actor, "is_authenticated", False):
        ratelimit.hit(f"report:user:{actor.pk}", limit=limit, window=window)


@audited("workorders.order.submit")
def work_order_submit(*, actor: Any, district: District, category_code: str, description: str,
                      channel: str, merchant=None, grid=None, latitude=None, longitude=None,
                      address: str = "", photos: list | tuple = (), reporter_name: str = "",
                      reporter_phone: str = "", anonymous: bool = False,
                      device: Device | None = None, client_key: str = "") -> WorkOrder:
    """File a report (群众点单 / 随手拍) from any channel and give it a ticket number.

    ``actor`` may be anonymous when the category allows anonymous reports; ``device`` is
    an API-token device of this district (Open311 kiosks). ``client_key`` (the caller's
    address) marks public intake, which is rate-limited per address and per resident.
    """
    if channel not in Channel.values:
        raise ValidationFailed(_("未知来源渠道"), code="unknown_channel")
    authenticated = bool(getattr(actor, "is_authenticated", False))
    if client_key:
        _public_intake_limit(district=district, client_key=client_key, actor=actor)
    needed = CHANNEL_ROLES.get(channel)
    if needed and not policies.has_role(actor, district, *needed):
        if not authenticated:
            raise NotAuthenticated()
        raise PermissionDenied(_("您不能通过该渠道提交"), code="channel_not_allowed")
    if device is not None and device.district_id != district.pk:
        raise NotFound()
    category = intake.active_category(district=district, code=category_code)
    if category is None:
        raise ValidationFailed(_("请选择问题类别"), code="unknown_category",
                               details={"category": category_code})
    description = (description or "").strip()
    if len(description) < 4:
        raise ValidationFailed(_("请描述一下问题（至少 4 个字）"), code="description_required")
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(_("描述太长"), code="description_too_long")
    phone = phone_normalize(reporter_phone) if reporter_phone else ""
    staff_entry = channel == Channel.HOTLINE
    is_anonymous = bool(anonymous) or (not authenticated and device is None and not phone)
    if is_anonymous and not category.allow_anonymous:
        if not authenticated:
            raise NotAuthenticated(_("该类问题需要登录后实名反映"), code="login_required")
        raise ValidationFailed(_("该类问题不接受匿名反映"), code="anonymous_not_allowed")
    if merchant is not None and merchant.district_id != district.pk:
        raise NotFound()
    if grid is not None and grid.district_id != district.pk:
        raise NotFound()
    if grid is None and merchant is not None and merchant.grid_id:
        grid = merchant.grid
    lat, lon = _check_location(latitude, longitude)
    if lat is None and merchant is not None and merchant.latitude is not None:
        lat, lon = merchant.latitude, merchant.longitude
    # The photos are checked now and re-encoded without EXIF/GPS by the task (below).
    held = intake.photos_hold(list(photos)) if photos else []
    with transaction.atomic():
        now = timezone.now()
        order = WorkOrder(
            district=district, number=_ticket_number(district, now), category=category,
            channel=channel, description=description, merchant=merchant, grid=grid,
            latitude=lat, longitude=lon, address=(address or "")[:200], created_at=now,
            reporter=None if (staff_entry or is_anonymous or not authenticated) else actor,
            reporter_name="" if is_anonymous else (reporter_name or "")[:60],
            reporter_phone="" if is_anonymous else phone, anonymous=is_anonymous,
            entered_by=actor if staff_entry else None)
        if order.reporter_id:
            # A signed-in reporter's own name and phone, so the handler can call back.
            profile = getattr(actor, "profile", None)
            order.reporter_name = order.reporter_name or (
                getattr(profile, "display_name", "") or actor.get_full_name() or "")[:60]
            order.reporter_phone = order.reporter_phone or getattr(profile, "phone", "") or ""
        order.save()
        # An anonymous report names nobody: not in the timeline, not in the audit row
        # (there the signed-in filer is sealed for a city admin: core.audit_record).
        # (Hotline staff who type in an anonymous caller's report are named as usual.)
        hidden = is_anonymous and not staff_entry
        audit_record(actor=actor, district=district, obj=order, action="workorders.order.submit",
                     anonymous=hidden,
                     after={"number": order.number, "category": category.code,
                            "channel": channel, "anonymous": is_anonymous,
                            "photos": len(held),
                            "device": device.pk if device is not None else None})
        # The timeline's first entry, the KPI counters, the committee's notices and the
        # dispatch board's refresh are not the reporter's to wait for, nor the photos'
        # re-encoding: one task, queued in this transaction (it exists iff the order
        # does), runs them after the commit.
        day, buckets = rollup.contribution(order)
        import_string("shangquan.workorders.tasks.order_submitted").enqueue(
            order.pk, actor=None if hidden or not authenticated else actor.pk,
            day=day.isoformat(), buckets=[[dim, key, vec] for (dim, key), vec in buckets.items()],
            photos=held)
    return order


def _submitted(*, order_id: int, actor: int | None, day: str,
               buckets: list, photos: list[str] = ()) -> None:
    """After an intake (the task ``order_submitted``): the "已受理" event dated when the
    order came in, its KPI contribution as it was then (later transitions add their own
    deltas, so the order of the two does not matter), the photos stripped of EXIF/GPS
    and re-encoded (only then does a row name them) and the committee's notices."""
    order = WorkOrder.objects.select_related("district", "category").filter(pk=order_id).first()
    if order is None:
        return
    with transaction.atomic():
        if order.events.filter(action="submit").exists():  # run once, whatever the retries
            return
        done = []
        for name in photos:
            path = intake.held_photo(name)
            if not path.exists():
                continue
            try:
                photo = photo_clean(path.read_bytes())
            except ValidationFailed:  # passed the check at intake, yet does not decode
                log.warning("workorders: photo of order %s dropped (does not decode)", order.pk)
            else:
                Photo.objects.create(district_id=order.district_id, order=order,
                                     kind=Photo.Kind.REPORT, image=photo.content,
                                     width=photo.width, height=photo.height)
            done.append(path)
        transaction.on_commit(lambda: [p.unlink(missing_ok=True) for p in done])
        live.publish(board_channel(order.district_id))  # the dispatch boards
        Event.objects.create(district_id=order.district_id, order=order, action="submit",
                             status=Status.SUBMITTED, note=_("已受理，等待派单"), public=True,
                             actor_id=actor, created_at=order.created_at)
        rollup.apply(order.district, None, (dt.date.fromisoformat(day),
                                            {(dim, key): vec for dim, key, vec in buckets}))
        _notify(order, _members(order.district, Role.COMMITTEE), _("新工单待派单：%(n)s %(c)s")
                % {"n": order.number, "c": order.category.name}, order.description[:80])


# --- the loop -----------------------------------------------------------------------
def _locked(order: WorkOrder) -> WorkOrder:
    return (WorkOrder.objects.select_for_update(of=("self",)).select_related("district", "category")
            .get(pk=order.pk))


class _Step:
    """One transition of ``WORK_ORDER``: lock, check the policy (role, object rule and
    state, from the table), move the status; then event/audit/rollup on success.

    ``verb`` names the event and the audit action (``workorders.order.<verb>``); it is
    the transition unless several transitions share one (the two ratings are ``rate``).
    """

    def __init__(self, actor: Any, order: WorkOrder, transition: str, *, verb: str = ""):
        self.actor, self.action = actor, verb or transition
        self.order = _locked(order)
        # Checked on the locked row: the caller's copy may predate a re-dispatch.
        policies.require(actor, TRANSITION_ACTIONS[transition], self.order)
        self.before = snapshot(self.order)
        self.kpi_before = rollup.contribution(self.order)
        WORK_ORDER.apply(self.order, transition)

    def done(self, note: str = "", *, public: bool = True, extra: dict | None = None) -> WorkOrder:
        order = self.order
        order.save()
        _event(order, self.action, self.actor, note, public=public)
        rollup.apply(order.district, self.kpi_before, rollup.contribution(order))
        after = snapshot(order)
        if extra:
            after.update(extra)
        audit_record(actor=self.actor, district=order.district, obj=order,
                     action=f"workorders.order.{self.action}", before=self.before, after=after)
        return order


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed(_("请填写理由"), code="reason_required")
    return reason[:300]


@audited("workorders.order.dispatch")
@transaction.atomic
def work_order_dispatch(*, actor: Any, district: District, order: WorkOrder,
                        department: Department, deadline: dt.datetime | None = None,
                        note: str = "") -> WorkOrder:
    """党委派单: to a department, with a resolution deadline (default from the category)."""
    policies.require(actor, "workorders.dispatch", district)
    if order.district_id != district.pk or department.district_id != district.pk:
        raise NotFound()
    if not department.is_active:
        raise ValidationFailed(_("该部门已停用"), code="department_inactive")
    step = _Step(actor, order, "dispatch")
    o, now = step.order, timezone.now()
    if deadline is not None and deadline <= now:
        raise ValidationFailed(_("办结期限必须晚于现在"), code="deadline_past")
    o.department, o.dispatched_at = department, now
    o.response_due_at = now + dt.timedelta(hours=o.category.response_hours)
    o.resolution_due_at = deadline or now + dt.timedelta(hours=o.category.resolution_hours)
    o.response_due_at = min(o.response_due_at, o.resolution_due_at)
    o.accepted_at = o.resolved_at = o.rating_due_at = None
    o.response_overdue = o.resolution_overdue = False
    o.public_note = ""
    step.done(_("已派单至%(d)s") % {"d": department.name}, extra={"note": note})
    if note.strip():  # for the department and the committee; never on the public timeline
        _event(o, "dispatch_note", actor, note.strip(), public=False)
    _notify(o, _members(district, Role.DEPARTMENT, department_id=department.pk),
            _("新派单：%(n)s %(c)s") % {"n": o.number, "c": o.category.name},
            _("请于 %(t)s 前办结。%(note)s") % {
                "t": timezone.localtime(o.resolution_due_at).strftime("%m-%d %H:%M"),
                "note": note})
    _notify_reporter(o, _("您反映的问题已派单"), _("承办部门：%(d)s") % {"d": department.name})
    return o


def _require_handler(actor: Any, district: District, order: WorkOrder, action: str) -> None:
    """Role first (a committee member gets 403 whatever the order); the handler and the
    state are checked on the locked row by ``_Step``."""
    policies.require(actor, action, district)
    if order.district_id != district.pk:
        raise NotFound()


@audited("workorders.order.accept")
@transaction.atomic
def work_order_accept(*, actor: Any, district: District, order: WorkOrder) -> WorkOrder:
    """部门接单."""
    _require_handler(actor, district, order, "workorders.accept")
    step = _Step(actor, order, "accept")
    o, now = step.order, timezone.now()
    o.accepted_at = now
    if o.response_due_at and now > o.response_due_at:
        o.response_overdue = True
    step.done(_("%(d)s已接单，正在处理") % {"d": o.department.name})
    _notify_reporter(o, _("您反映的问题已接单处理"), o.number)
    return o


@audited("workorders.order.return")
@transaction.atomic
def work_order_return(*, actor: Any, district: District, order: WorkOrder,
                      reason: str) -> WorkOrder:
    """The department sends the order back to the committee with a reason (退回)."""
    _require_handler(actor, district, order, "workorders.return")
    reason = _reason(reason)
    step = _Step(actor, order, "return")
    o = step.order
    department = o.department
    o.department, o.public_note = None, reason
    o.dispatched_at = o.response_due_at = o.resolution_due_at = None
    step.done(_("%(d)s退回：%(r)s") % {"d": department.name, "r": reason})
    _notify(o, _members(district, Role.COMMITTEE), _("工单被退回：%(n)s") % {"n": o.number},
            reason)
    return o


@audited("workorders.order.resolve")
@transaction.atomic
def work_order_resolve(*, actor: Any, district: District, order: WorkOrder, note: str,
                       photos: list | tuple = ()) -> WorkOrder:
    """The department reports the result, with evidence photos; the reporter may now rate."""
    _require_handler(actor, district, order, "workorders.resolve")
    note = (note or "").strip()
    if len(note) < 2:
        raise ValidationFailed(_("请填写办理结果"), code="note_required")
    cleaned = photos_clean(list(photos)) if photos else []
    step = _Step(actor, order, "resolve")
    o, now = step.order, timezone.now()
    o.resolved_at, o.resolution_note = now, note[:2000]
    o.rating_due_at = now + dt.timedelta(days=settings_get(district=district).rating_window_days)
    if o.resolution_due_at and now > o.resolution_due_at:
        o.resolution_overdue = True
    for photo in cleaned:
        Photo.objects.create(district=district, order=o, kind=Photo.Kind.EVIDENCE,
                             image=photo.content, width=photo.width, height=photo.height)
    step.done(note, extra={"evidence_photos": len(cleaned)})
    _notify_reporter(o, _("您反映的问题已办结，请评价"), note[:80])
    return o


@audited("workorders.order.rate", "workorders.escalation.raise")
@transaction.atomic
def work_order_rate(*, actor: Any, district: District, order: WorkOrder, rating: str,
                    comment: str = "") -> WorkOrder:
    """群众评单. 不满意 reopens the order; past the reopen limit it goes to the street."""
    if order.district_id != district.pk:
        raise NotFound()
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()
    if order.reporter_id != actor.pk:  # also for a city admin, whom object rules let pass
        raise PermissionDenied(_("只有反映人可以评价"), code="not_reporter")
    if rating not in Rating.values:
        raise ValidationFailed(_("请选择满意、基本满意或不满意"), code="invalid_rating")
    unsatisfied = rating == Rating.UNSATISFIED
    step = _Step(actor, order, "rate_unsatisfied" if unsatisfied else "rate_satisfied",
                 verb="rate")
    o, now = step.order, timezone.now()
    if o.rating_due_at and now > o.rating_due_at:
        raise InvalidTransition(_("评价期限已过"), code="rating_window_closed")
    o.rating, o.rating_comment, o.rated_at = rating, (comment or "").strip()[:500], now
    o.rating_excluded, o.rating_excluded_reason = False, ""
    limit = settings_get(district=district).reopen_limit
    if unsatisfied:
        o.reopen_count = o.reopen_count + 1
        # The department keeps this handling and its 不满意 in the KPIs (rollup.handlings).
        o.past_handlings = [*(o.past_handlings or []), rollup.past_handling(o)]
        o.department = None
        step.done(_("群众评价：不满意，重新办理"))
        if o.reopen_count > limit:
            _escalate(o, Escalation.Reason.REOPEN_LIMIT,
                      _("第 %(n)s 次不满意，超过重办上限") % {"n": o.reopen_count})
        else:
            _notify(o, _members(district, Role.COMMITTEE),
                    _("群众不满意，请重新派单：%(n)s") % {"n": o.number}, o.rating_comment)
    else:
        o.closed_at = now
        step.done(_("群众评价：%(r)s") % {"r": Rating(rating).label})
    return o


@audited("workorders.order.reject")
@transaction.atomic
def work_order_reject(*, actor: Any, district: District, order: WorkOrder,
                      reason: str) -> WorkOrder:
    """不予受理 (invalid, out of scope) with a reason the reporter sees."""
    policies.require(actor, "workorders.reject", district)
    if order.district_id != district.pk:
        raise NotFound()
    reason = _reason(reason)
    step = _Step(actor, order, "reject")
    o = step.order
    o.public_note, o.closed_at = reason, timezone.now()
    step.done(_("不予受理：%(r)s") % {"r": reason})
    _notify_reporter(o, _("您反映的问题不予受理"), reason)
    return o


@audited("workorders.order.merge")
@transaction.atomic
def work_order_merge(*, actor: Any, district: District, order: WorkOrder, into: WorkOrder,
                     reason: str) -> WorkOrder:
    """Merge a duplicate into an earlier order; the reporter is pointed at it."""
    policies.require(actor, "workorders.merge", district)
    if order.district_id != district.pk or into.district_id != district.pk:
        raise NotFound()
    if order.pk == into.pk:
        raise ValidationFailed(_("不能合并到自身"), code="merge_self")
    if into.status in (Status.MERGED, Status.REJECTED):
        raise InvalidTransition(_("目标工单已合并或不予受理"), code="merge_target_closed")
    reason = _reason(reason)
    step = _Step(actor, order, "merge")
    o = step.order
    o.merged_into, o.closed_at = into, timezone.now()
    o.public_note = reason
    step.done(_("已合并到 %(n)s：%(r)s") % {"n": into.number, "r": reason},
              extra={"into": into.number})
    _notify_reporter(o, _("您反映的问题已与 %(n)s 合并办理") % {"n": into.number}, reason)
    return o


@audited("workorders.order.rating_exclude")
@transaction.atomic
def rating_mark_unreasonable(*, actor: Any, district: District, order: WorkOrder,
                             reason: str) -> WorkOrder:
    """The committee excludes an unreasonable rating from the satisfaction rate (audited)."""
    policies.require(actor, "workorders.rating_exclude", district)
    if order.district_id != district.pk:
        raise NotFound()
    reason = _reason(reason)
    o = _locked(order)
    if not o.rating or o.rating_excluded:
        raise InvalidTransition(_("该工单没有可排除的评价"), code="no_rating")
    before, kpi_before = snapshot(o), rollup.contribution(o)
    o.rating_excluded, o.rating_excluded_reason = True, reason
    if o.past_handlings and not rollup.current_rating(o):
        # The rating ended an earlier handling (不满意, reopened): exclude it there.
        past = [dict(h) for h in o.past_handlings]
        past[-1]["excluded"] = True
        o.past_handlings = past
    o.save(update_fields=["rating_excluded", "rating_excluded_reason", "past_handlings"])
    _event(o, "rating_exclude", actor, _("评价经党委认定不合理，不计入满意率：%(r)s")
           % {"r": reason})
    rollup.apply(district, kpi_before, rollup.contribution(o))
    audit_record(actor=actor, district=district, obj=o, action="workorders.order.rating_exclude",
                 before=before, after=snapshot(o))
    return o


def _escalate(order: WorkOrder, reason: str, note: str, actor: Any = SYSTEM) -> Escalation | None:
    """吹哨 to the street: one open escalation per order and reason."""
    if Escalation.objects.filter(order=order, reason=reason, handled_at__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            esc = Escalation.objects.create(district_id=order.district_id, order=order,
                                            reason=reason, note=note[:300])
    except IntegrityError:
        return None
    if not order.escalated:
        WorkOrder.objects.filter(pk=order.pk).update(escalated=True)
        order.escalated = True
    _event(order, "escalate", actor, _("吹哨上报街道：%(r)s。%(n)s") % {
        "r": Escalation.Reason(reason).label, "n": note}, public=False)
    audit_record(actor=actor, district=order.district, obj=esc, action="workorders.escalation.raise",
                 after=snapshot(esc))
    _notify(order, _members(order.district, Role.STREET, Role.COMMITTEE),
            _("吹哨：%(n)s %(r)s") % {"n": order.number, "r": Escalation.Reason(reason).label},
            note)
    return esc


@audited("workorders.escalation.raise")
@transaction.atomic
def work_order_escalate(*, actor: Any, district: District, order: WorkOrder,
                        note: str) -> Escalation:
    """A committee member or the handling department blows the whistle by hand."""
    policies.require(actor, "workorders.escalate", district)
    if order.district_id != district.pk:
        raise NotFound()
    order = _locked(order)
    policies.require(actor, "workorders.escalate", order)  # may_whistle: not_assigned
    if is_ended(order):
        raise InvalidTransition()
    esc = _escalate(order, Escalation.Reason.MANUAL, _reason(note), actor)
    if esc is None:
        raise InvalidTransition(_("该工单已在吹哨处理中"), code="already_escalated")
    return esc


@audited("workorders.escalation.handle")
@transaction.atomic
def escalation_handle(*, actor: Any, district: District, escalation: Escalation,
                      note: str) -> Escalation:
    """The street records how it dealt with the escalation (协调、督办)."""
    policies.require(actor, "workorders.escalation_handle", district)
    if escalation.district_id != district.pk:
        raise NotFound()
    esc = Escalation.objects.select_for_update(of=("self",)).get(pk=escalation.pk)
    if esc.handled_at is not None:
        raise InvalidTransition(_("已处理"), code="already_handled")
    before = snapshot(esc)
    esc.handled_at, esc.handled_by, esc.handling_note = timezone.now(), actor, _reason(note)
    esc.save()
    _event(esc.order, "escalation_handled", actor, _("街道督办：%(n)s") % {"n": esc.handling_note},
           public=False)
    audit_record(actor=actor, district=district, obj=esc, action="workorders.escalation.handle",
                 before=before, after=snapshot(esc))
    return esc


@audited("workorders.followup.record")
@transaction.atomic
def follow_up_record(*, actor: Any, district: District, order: WorkOrder, outcome: str,
                     note: str = "") -> FollowUp:
    """事后回访 on a closed order."""
    policies.require(actor, "workorders.follow_up", district)
    if order.district_id != district.pk:
        raise NotFound()
    order = _locked(order)
    if order.status != Status.CLOSED:
        raise InvalidTransition(_("只能回访已办结的工单"), code="not_closed")
    if outcome not in FollowUp.Outcome.values:
        raise ValidationFailed(_("请选择回访结果"), code="invalid_outcome")
    follow = FollowUp.objects.create(district=district, order=order, outcome=outcome,
                                     note=(note or "")[:500], by=actor)
    _event(order, "follow_up", actor, _("事后回访：%(o)s") % {
        "o": FollowUp.Outcome(outcome).label})
    audit_record(actor=actor, district=district, obj=follow, action="workorders.followup.record",
                 after=snapshot(follow))
    return follow


# --- timers -----------------------------------------------------------------------
@audited("workorders.order.response_overdue",
         "workorders.order.resolution_overdue",
         "workorders.escalation.raise")
def overdue_check(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Flag overdue responses and resolutions and blow the whistle (periodic)."""
    now = now or timezone.now()
    flagged = 0
    checks = [
        ("response_overdue", Escalation.Reason.RESPONSE_OVERDUE,
         WorkOrder.objects.filter(status=Status.DISPATCHED, response_overdue=False,
                                  response_due_at__lt=now)),
        ("resolution_overdue", Escalation.Reason.RESOLUTION_OVERDUE,
         WorkOrder.objects.filter(status__in=[Status.DISPATCHED, Status.ACCEPTED],
                                  resolution_overdue=False, resolution_due_at__lt=now)),
    ]
    for flag, reason, qs in checks:
        for pk in list(qs.values_list("pk", flat=True)[:batch]):
            with transaction.atomic():
                o = (WorkOrder.objects.select_for_update(of=("self",)).select_related("district", "category")
                     .filter(pk=pk, **{flag: False}).first())
                if o is None:
                    continue
                kpi_before, before = rollup.contribution(o), snapshot(o)
                setattr(o, flag, True)
                o.save(update_fields=[flag])
                rollup.apply(o.district, kpi_before, rollup.contribution(o))
                audit_record(actor=SYSTEM, district=o.district, obj=o,
                             action=f"workorders.order.{flag}", before=before, after=snapshot(o),
                             actor_label="system")
                _escalate(o, reason, _("%(n)s 已超过期限") % {"n": o.number})
                flagged += 1
    return flagged


@audited("workorders.order.auto_close")
def auto_close(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Close resolved orders whose rating window has passed (periodic)."""
    now = now or timezone.now()
    closed = 0
    closable = WORK_ORDER.transitions["auto_close"].sources
    due = WorkOrder.objects.filter(status__in=closable, rating_due_at__lt=now)
    for pk in list(due.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            o = (WorkOrder.objects.select_for_update(of=("self",)).select_related("district", "category")
                 .filter(pk=pk, status__in=closable).first())
            if o is None:
                continue
            kpi_before, before = rollup.contribution(o), snapshot(o)
            WORK_ORDER.apply(o, "auto_close")
            o.closed_at = now
            o.save(update_fields=["status", "closed_at"])
            _event(o, "auto_close", None, _("评价期满，自动办结"))
            rollup.apply(o.district, kpi_before, rollup.contribution(o))
            audit_record(actor=SYSTEM, district=o.district, obj=o, action="workorders.order.auto_close",
                         before=before, after=snapshot(o), actor_label="system")
            closed += 1
    return closed


@audited("workorders.kpi.rebuild")
def kpi_rebuild(*, district: District) -> int:
    """Recompute the KPI counters from the orders (after bulk loads or a repair)."""
    rows = rollup.rebuild(district=district)
    audit_record(actor=SYSTEM, district=district, action="workorders.kpi.rebuild",
                 object_type="workorders.kpidaily", object_id=district.pk,
                 after={"rows": rows}, actor_label="system")
    return rows


@audited("workorders.reporter.erase")
@transaction.atomic
def reporter_erase(*, actor: Any, user: Any, phone: str) -> int:
    """PIPL art. 47 (``Contributions.person_erased``): the person's name and phone leave
    every order they reported (by account, or by that phone); the orders stay. One audit
    row per district touched, with the count."""
    match = Q(reporter=user) | (Q(reporter_phone=phone) if phone else Q(pk__in=[]))
    touched = 0
    for district_id in (WorkOrder.objects.filter(match).order_by()
                        .values_list("district_id", flat=True).distinct()):
        count = WorkOrder.objects.filter(match, district_id=district_id).update(
            reporter=None, reporter_name="", reporter_phone="")
        touched += count
        audit_record(actor=actor, district=District.objects.get(pk=district_id),
                     action="workorders.reporter.erase", object_type="workorders.workorder",
                     object_id="*", after={"orders": count})
    return touched
