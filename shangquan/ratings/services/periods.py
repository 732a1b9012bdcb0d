"""Rating periods: create, open for scoring, close (compute and show provisionally),
publish (flags pass on, titles follow the rules), archive; and the result computation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.audit import audit_record, audited, snapshot
from shangquan.core.errors import Conflict, ValidationFailed
from shangquan.core.exports import export_record, new_workbook, workbook_bytes, xlsx_append
from shangquan.core.models import District
from shangquan.core.services import notification_send

from .. import selectors
from ..models import Grade, Merchant, Period, Result
from ..states import PERIOD
from .awards import _awards_on_publish
from .compute import _compute
from .schemes import _scheme_snapshot, scheme_ensure


def _quarter_name(starts_on: dt.date) -> str:
    return f"{starts_on.year}年第{(starts_on.month - 1) // 3 + 1}季度"


def _locked(period: Period) -> Period:
    return Period.objects.select_for_update(of=("self",)).select_related("district").get(pk=period.pk)


def _sync(period: Period, locked: Period) -> Period:
    for field in ("status", "dimensions", "shares", "flag_scope", "scoring_opened_at",
                  "provisional_at", "published_at", "archived_at"):
        setattr(period, field, getattr(locked, field))
    return locked


@audited("ratings.period.create")
@transaction.atomic
def period_create(*, actor: Any, district: District, starts_on: dt.date | None = None,
                  ends_on: dt.date | None = None, name: str = "",
                  year_end: bool | None = None) -> Period:
    """A period; by default the quarter that contains ``starts_on`` (today)."""
    policies.require(actor, "ratings.period_create", district)
    day = starts_on or timezone.localdate()
    if starts_on is None or ends_on is None:
        first_month = (day.month - 1) // 3 * 3 + 1
        starts_on = dt.date(day.year, first_month, 1)
        next_q = dt.date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
        ends_on = next_q - dt.timedelta(days=1)
    if ends_on <= starts_on:
        raise ValidationFailed(_("结束日期须晚于开始日期"), code="bad_period_dates")
    if Period.objects.filter(district=district, starts_on=starts_on).exists():
        raise Conflict(_("该起始日期的评比周期已存在"), code="period_exists")
    scheme = scheme_ensure(actor=actor, district=district)
    period = Period.objects.create(
        district=district, name=(name or _quarter_name(starts_on)).strip()[:40],
        starts_on=starts_on, ends_on=ends_on,
        year_end=ends_on.month == 12 if year_end is None else bool(year_end),
        flag_scope=scheme.flag_scope)
    audit_record(actor=actor, district=district, obj=period, action="ratings.period.create",
                 after=snapshot(period, ["name", "starts_on", "ends_on", "year_end"]))
    return period


@audited("ratings.period.open")
@transaction.atomic
def period_open(*, actor: Any, period: Period) -> Period:
    """Scoring opens; the scheme is copied into the period."""
    policies.require(actor, "ratings.open", period)
    locked = _locked(period)
    before = PERIOD.apply(locked, "open")
    snap = _scheme_snapshot(scheme_ensure(actor=actor, district=locked.district))
    locked.dimensions, locked.shares = snap["dimensions"], snap["shares"]
    locked.flag_scope = snap["flag_scope"]
    locked.scoring_opened_at = timezone.now()
    locked.save()
    audit_record(actor=actor, district=locked.district, obj=locked, action="ratings.period.open",
                 before={"status": before}, after={"status": locked.status, **snap})
    return _sync(period, locked)


def _result_link(period: Period) -> str:
    return reverse("ratings:mine", kwargs={"code": period.district.code})


def _notify_merchants(period: Period, title: str, body: str) -> None:
    owners = (Merchant.objects.filter(district=period.district, status=Merchant.Status.OPEN,
                                      owner__isnull=False)
              .select_related("owner").only("owner"))
    link = _result_link(period)
    for merchant in owners:
        notification_send(district=period.district, user=merchant.owner, title=title,
                          body=body, link=link)


@audited("ratings.period.close")
@transaction.atomic
def period_close(*, actor: Any, period: Period) -> Period:
    """Scoring ends: every result is computed and shown to the merchants (公示), who may
    reply or appeal within the window."""
    policies.require(actor, "ratings.close", period)
    locked = _locked(period)
    before = PERIOD.apply(locked, "close")
    locked.provisional_at = timezone.now()
    locked.save(update_fields=["status", "provisional_at"])
    count = _compute(locked)
    audit_record(actor=actor, district=locked.district, obj=locked, action="ratings.period.close",
                 before={"status": before}, after={"status": locked.status, "results": count})
    _notify_merchants(locked, _("评比结果公示"), _("%(name)s评比结果已公示，可在公示期内回应或申诉。")
                      % {"name": locked.name})
    return _sync(period, locked)


@audited("ratings.period.publish", "ratings.flag.award", "ratings.title.warn",
         "ratings.title.delist")
@transaction.atomic
def period_publish(*, actor: Any, period: Period, force: bool = False) -> Period:
    """The results become public; the 流动红旗 passes on; titles follow 优进绌退.
    Publishing a published period changes nothing (a double click publishes once)."""
    locked = _locked(period)
    if locked.status in (Period.Status.PUBLISHED, Period.Status.ARCHIVED):
        policies.require(actor, "ratings.view", locked.district)
        return _sync(period, locked)
    policies.require(actor, "ratings.publish", locked)
    days = selectors.settings_for(locked.district).provisional_days
    ends = locked.provisional_at + dt.timedelta(days=days)
    if timezone.now() < ends and not force:
        raise Conflict(_("公示期未满，不能发布"), code="provisional_window_open",
                       details={"window_ends": ends.isoformat()})
    before = PERIOD.apply(locked, "publish")
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at"])
    from_rerating = Result.objects.filter(district=locked.district, period=locked,
                                          rerating=Result.Rerating.REQUESTED).count()
    audit_record(actor=actor, district=locked.district, obj=locked,
                 action="ratings.period.publish", before={"status": before},
                 after={"status": locked.status, "forced": bool(force),
                        "rerating_open": from_rerating})
    _awards_on_publish(actor=actor, period=locked)
    _notify_merchants(locked, _("评比结果发布"), _("%(name)s评比结果已发布。") % {"name": locked.name})
    return _sync(period, locked)


@audited("ratings.period.archive")
@transaction.atomic
def period_archive(*, actor: Any, period: Period) -> Period:
    policies.require(actor, "ratings.archive", period)
    locked = _locked(period)
    before = PERIOD.apply(locked, "archive")
    locked.archived_at = timezone.now()
    locked.save(update_fields=["status", "archived_at"])
    audit_record(actor=actor, district=locked.district, obj=locked,
                 action="ratings.period.archive", before={"status": before},
                 after={"status": locked.status})
    return _sync(period, locked)


@audited("ratings.period.export")
def period_export_xlsx(*, actor: Any, period: Period) -> bytes:
    """The period's results: one row per merchant, every sub-score, grade and cap."""
    policies.require(actor, "ratings.export", period.district)
    book = new_workbook(write_only=True)
    sheet = book.create_sheet(period.name[:30] or "results")
    dims = period.dimensions
    xlsx_append(sheet, ["商户", "网格", "商会", *[d["name"] for d in dims], "总分", "等级",
                        "封顶", "居民评分人数", "查实投诉", "商户回应"])
    labels = dict(Grade.choices)
    rows = selectors.result_list(user=actor, period=period)
    n = 0
    for r in rows.iterator(chunk_size=500):
        n += 1
        xlsx_append(sheet, [r.merchant.name, r.merchant.grid.name if r.merchant.grid else "",
                            r.merchant.association.name if r.merchant.association else "",
                            *[r.dimension_tenths.get(d["code"], 0) / 10 for d in dims],
                            r.total_tenths / 10, str(labels.get(r.grade, r.grade)),
                            "是" if r.capped else "", r.resident_count, r.complaints, r.reply])
    data = workbook_bytes(book)
    export_record(actor=actor, district=period.district, action="ratings.period.export",
                  rows=n, fmt="xlsx", object_type="ratings.period", object_id=period.pk)
    return data

