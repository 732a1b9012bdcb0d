"""街区管家: the duty roster. Fair rotation, closed days skipped, swaps honoured."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import SYSTEM, is_system
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import Conflict, PermissionDenied, ValidationFailed
from shangquan.core.models import District
from shangquan.core.roles import Role

from . import policies as merchant_policies
from .models import DutyAssignment, DutyRoster, DutySwap, Grid, Merchant

MAX_DAYS = 366


def open_days(start: dt.date, end: dt.date, closed_weekdays: Iterable[int],
              closed_dates: Iterable[dt.date]) -> list[dt.date]:
    weekdays, dates = set(closed_weekdays), set(closed_dates)
    days, day = [], start
    while day <= end:
        if day.weekday() not in weekdays and day not in dates:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def rotate(days: list[dt.date], merchant_ids: list[int], start: int = 0) -> dict[dt.date, int]:
    """Round-robin from ``start``: any two merchants' counts differ by at most one."""
    return {day: merchant_ids[(start + i) % len(merchant_ids)] for i, day in enumerate(days)}


def apply_swap(plan: dict[dt.date, int], merchant_id: int, date: dt.date,
               partner_id: int | None, blocked: set[tuple[int, dt.date]]) -> bool:
    """Trade ``merchant_id``'s turn on ``date`` for the nearest turn of someone else.

    Trading turns (never dropping one) keeps every count, so fairness holds.
    """
    if plan.get(date) != merchant_id:
        return True  # nothing to do: not on duty that day
    candidates = sorted((d for d, m in plan.items() if m != merchant_id
                         and (partner_id is None or m == partner_id)),
                        key=lambda d: (abs((d - date).days), d))
    for other in candidates:
        other_id = plan[other]
        if (merchant_id, other) in blocked or (other_id, date) in blocked:
            continue
        plan[date], plan[other] = other_id, merchant_id
        return True
    return False


def _check_actor(actor: Any, district: District, grid: Grid | None) -> None:
    if is_system(actor):  # the platform itself (demo, periodic jobs)
        return
    policies.require(actor, "roster.manage", district)
    roles = policies.roles_of(actor, district)
    if policies.is_city_admin(actor) or roles & {Role.COMMITTEE, Role.ASSOCIATION}:
        return
    # A 邻铺长 runs the roster of their own grid only.
    if grid is None or grid.leader_id != actor.pk:
        raise PermissionDenied(_("邻铺长只能管理自己网格的排班"))


def _merchants_for(district: District, grid: Grid | None) -> list[int]:
    qs = Merchant.objects.filter(district=district, status=Merchant.Status.OPEN)
    if grid is not None:
        qs = qs.filter(grid=grid)
    return list(qs.order_by("stall_no", "name", "id").values_list("id", flat=True))


def _continue_from(roster: DutyRoster, ids: list[int]) -> int:
    """Start after whoever served last on the previous roster of the same block, so
    turns stay fair across consecutive rosters too."""
    last = (DutyAssignment.objects.filter(district=roster.district, roster__grid=roster.grid,
                                          date__lt=roster.starts_on)
            .exclude(roster=roster).order_by("-date").values_list("merchant_id", flat=True)
            .first())
    return ids.index(last) + 1 if last in ids else 0


def _build(roster: DutyRoster) -> list[str]:
    """(Re)write the roster's assignments from the rotation and its swaps."""
    days = open_days(roster.starts_on, roster.ends_on, roster.closed_weekdays,
                     [dt.date.fromisoformat(d) for d in roster.closed_dates])
    ids = _merchants_for(roster.district, roster.grid)
    if not ids:
        raise ValidationFailed(_("没有可排班的营业商户"), code="no_merchants")
    if not days:
        raise ValidationFailed(_("日期范围内没有营业日"), code="no_open_days")
    plan = rotate(days, ids, _continue_from(roster, ids))
    swaps = list(roster.swaps.order_by("created_at", "id"))
    blocked = {(s.merchant_id, s.date) for s in swaps}
    unresolved = []
    for swap in swaps:
        if not apply_swap(plan, swap.merchant_id, swap.date, swap.partner_id, blocked):
            unresolved.append(swap.date.isoformat())
    DutyAssignment.objects.filter(roster=roster).delete()
    DutyAssignment.objects.bulk_create([
        DutyAssignment(district=roster.district, roster=roster, date=day, merchant_id=mid)
        for day, mid in sorted(plan.items())])
    return unresolved


@audited("merchants.roster.generate")
@transaction.atomic
def roster_generate(*, actor: Any, district: District, title: str, starts_on: dt.date,
                    ends_on: dt.date, grid: Grid | None = None,
                    closed_weekdays: Iterable[int] = (),
                    closed_dates: Iterable[dt.date] = ()) -> DutyRoster:
    _check_actor(actor, district, grid)
    if grid is not None and grid.district_id != district.pk:
        raise ValidationFailed(_("网格不属于本商圈"), code="grid_foreign")
    if ends_on < starts_on:
        raise ValidationFailed(_("结束日期不能早于开始日期"), code="dates_reversed")
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise ValidationFailed(_("排班最长一年"), code="range_too_long")
    weekdays = sorted({int(w) for w in closed_weekdays})
    if any(not 0 <= w <= 6 for w in weekdays):
        raise ValidationFailed(_("休市星期应为 0（周一）到 6（周日）"), code="bad_weekday")
    roster = DutyRoster.objects.create(
        district=district, title=title.strip() or _("街区管家值守"), grid=grid,
        starts_on=starts_on, ends_on=ends_on, closed_weekdays=weekdays,
        closed_dates=sorted({d.isoformat() for d in closed_dates}),
        created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _build(roster)
    audit_record(actor=actor, district=district, obj=roster, action="merchants.roster.generate",
                 after=snapshot(roster))
    return roster


@audited("merchants.roster.swap")
@transaction.atomic
def duty_swap_request(*, actor: Any, roster: DutyRoster, merchant: Merchant, date: dt.date,
                      partner: Merchant | None = None, reason: str = "") -> DutySwap:
    """Record that ``merchant`` cannot serve on ``date`` and rebuild the roster around it."""
    roster = DutyRoster.objects.select_for_update(of=("self",)).get(pk=roster.pk)
    own = merchant_policies.owns_merchant(actor, merchant)
    if not own:
        _check_actor(actor, roster.district, roster.grid)
    for m in (merchant, partner):
        if m is not None and m.district_id != roster.district_id:
            raise ValidationFailed(_("商户不属于本商圈"), code="merchant_foreign")
    if not roster.starts_on <= date <= roster.ends_on:
        raise ValidationFailed(_("日期不在排班范围内"), code="date_out_of_range")
    if DutySwap.objects.filter(roster=roster, merchant=merchant, date=date).exists():
        raise Conflict(_("已提交过这一天的换班申请"), code="swap_exists")
    swap = DutySwap.objects.create(district=roster.district, roster=roster, merchant=merchant,
                                   date=date, partner=partner, reason=reason[:120])
    unresolved = _build(roster)
    if date.isoformat() in unresolved:
        raise Conflict(_("找不到可以换班的商户"), code="swap_impossible")
    audit_record(actor=actor, district=roster.district, obj=swap, action="merchants.roster.swap",
                 after=snapshot(swap))
    return swap


@audited("merchants.roster.generate")
def rosters_extend(*, today: dt.date | None = None, ahead: int = 7, length: int = 30) -> int:
    """Continue every block's roster that runs out within ``ahead`` days (daily job)."""
    today = today or timezone.localdate()
    latest: dict[tuple[int, int | None], DutyRoster] = {}
    for roster in DutyRoster.objects.select_related("district", "grid").order_by("ends_on"):
        latest[(roster.district_id, roster.grid_id)] = roster
    made = 0
    for roster in latest.values():
        if roster.ends_on > today + dt.timedelta(days=ahead) or not roster.district.is_active:
            continue
        start = max(roster.ends_on + dt.timedelta(days=1), today)
        try:
            roster_generate(actor=SYSTEM, district=roster.district, title=roster.title,
                            grid=roster.grid, starts_on=start,
                            ends_on=start + dt.timedelta(days=length - 1),
                            closed_weekdays=roster.closed_weekdays)
        except ValidationFailed:  # no open shops left in that block
            continue
        made += 1
    return made
