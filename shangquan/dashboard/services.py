"""Every write of the dashboard: snapshots of closed periods, corrections, reports, and
report subscriptions. The dashboard writes nothing of the other apps'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.actors import SYSTEM, is_system, user_of
from shangquan.core.audit import audit_record, audited
from shangquan.core.errors import Conflict, NotFound, ValidationFailed
from shangquan.core.indicators import Measure
from shangquan.core.models import District
from shangquan.core.periods import Period
from shangquan.core.services import notification_send

from . import reports_render, selectors
from .models import (
    REPORT_KINDS,
    SNAPSHOT_KINDS,
    Report,
    ReportScope,
    ReportSubscription,
    ReportTrigger,
    Snapshot,
    SnapshotSource,
)

# How many closed periods of each kind the nightly job looks back at: a missed night (or
# a week of them) is caught up, and nothing older is ever measured again.
LOOKBACK = {"week": 4, "month": 2, "quarter": 2, "year": 1}


def _closed_periods(*, kind: str, today: dt.date, count: int) -> list[Period]:
    """The ``count`` most recent closed periods of ``kind`` before ``today``, oldest first."""
    period = Period.containing(kind, today).previous()
    out = []
    for _i in range(count):
        out.append(period)
        period = period.previous()
    return out[::-1]


def _require_closed(period: Period, today: dt.date) -> None:
    if not period.is_closed(today):
        raise ValidationFailed(_("统计周期 %(p)s 尚未结束") % {"p": period.label},
                               code="period_not_closed")


@audited("dashboard.snapshot.freeze")
@transaction.atomic
def snapshots_freeze(*, actor: Any, district: District, periods: list[Period] | None = None,
                     today: dt.date | None = None,
                     values: dict[tuple[str, Period], Measure] | None = None,
                     source: str = SnapshotSource.MEASURED) -> int:
    """Freeze every indicator of the closed ``periods`` (default: the nightly look-back)
    that has no snapshot yet. Existing snapshots are never touched, so a period's history
    stays as it was frozen. ``values`` (the demo's history) gives the figures instead of
    measuring them. Returns the number of rows written."""
    policies.require(actor, "dashboard.snapshot_correct", district)
    today = today or timezone.localdate()
    if periods is None:
        periods = [p for kind in SNAPSHOT_KINDS
                   for p in _closed_periods(kind=kind, today=today, count=LOOKBACK[kind])]
    for period in periods:
        _require_closed(period, today)
        if period.kind not in SNAPSHOT_KINDS:
            raise ValidationFailed(_("快照只按周、月、季、年保存"), code="bad_period")
    existing = set(Snapshot.objects.filter(
        district=district, kind__in={p.kind for p in periods},
        start__in={p.start for p in periods}).values_list("indicator", "kind", "start"))
    now, by = timezone.now(), user_of(actor)
    rows = []
    for period in periods:
        for indicator in selectors.indicators():
            if (indicator.key, period.kind, period.start) in existing:
                continue
            if not period.finer_or_equal(indicator.period):
                continue
            if values is not None:
                m = values.get((indicator.key, period))
                if m is None:
                    continue
            else:
                m = indicator.measure(district, period.start, period.end)
            rows.append(Snapshot(district=district, indicator=indicator.key, kind=period.kind,
                                 start=period.start, version=1, value=m.value,
                                 numerator=m.numerator, denominator=m.denominator,
                                 source=source, computed_at=now, created_by=by))
    if not rows:
        return 0
    # a concurrent run froze some of them first: theirs stand (one row per version)
    Snapshot.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    audit_record(actor=actor, district=district, action="dashboard.snapshot.freeze",
                 object_type="dashboard.snapshot", object_id="*",
                 after={"rows": len(rows), "source": source,
                        "periods": sorted({f"{p.kind}:{p.label}" for p in periods})})
    keys = sorted({r.indicator for r in rows})
    touched = {(r.kind, r.start) for r in rows}

    def forget() -> None:
        for kind, start in touched:
            selectors.forget_cached(district_id=district.pk, period=Period(kind, start),
                                    keys=keys)

    forget()  # this transaction reads the snapshots now (a report being made) …
    transaction.on_commit(forget)  # … and so does everyone once they are committed
    return len(rows)


@audited("dashboard.snapshot.freeze")
def snapshots_freeze_all(*, today: dt.date | None = None) -> int:
    """The nightly job: every active district's closed periods."""
    return sum(snapshots_freeze(actor=SYSTEM, district=d, today=today)
               for d in District.objects.filter(is_active=True).order_by("pk"))


@audited("dashboard.snapshot.correct")
@transaction.atomic
def snapshot_correct(*, actor: Any, district: District, key: str, period: Period,
                     value: float | None, numerator: float | None = None,
                     denominator: float | None = None, reason: str) -> Snapshot:
    """A correction of a frozen value: a new version with its reason; the old one stays."""
    policies.require(actor, "dashboard.snapshot_correct", district)
    indicator = selectors.indicator_get(key=key)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("更正快照须说明原因"), code="reason_required")
    latest = (Snapshot.objects.select_for_update(of=("self",))
              .filter(district=district, indicator=key, kind=period.kind, start=period.start)
              .order_by("-version").first())
    if latest is None:
        raise NotFound(_("该周期尚无快照"), code="snapshot_missing")
    if (numerator is None and denominator is None and latest.denominator
            and value is not None):
        # a rate corrected by its value keeps its base, so districts still combine as
        # Σ numerators ÷ Σ denominators
        denominator = latest.denominator
        numerator = value * denominator / indicator.scale
    try:
        with transaction.atomic():
            row = Snapshot.objects.create(
                district=district, indicator=key, kind=period.kind, start=period.start,
                version=latest.version + 1, value=value, numerator=numerator,
                denominator=denominator, source=SnapshotSource.CORRECTION,
                reason=reason[:300], created_by=user_of(actor))
    except IntegrityError:  # pragma: no cover - the row lock above orders correctors
        raise Conflict(_("快照已被他人更正，请刷新后重试")) from None
    audit_record(actor=actor, district=district, obj=row, action="dashboard.snapshot.correct",
                 before={"version": latest.version, "value": latest.value},
                 after={"version": row.version, "value": row.value, "reason": row.reason})
    transaction.on_commit(lambda: selectors.forget_cached(district_id=district.pk,
                                                          period=period, keys=[key]))
    return row


# --- reports --------------------------------------------------------------------------


def _street_districts(*, actor: Any, street: str) -> list[District]:
    districts = list(District.objects.filter(is_active=True, street=street).order_by("code"))
    if not is_system(actor):
        overseen = {d.pk for d in selectors.overseen_districts(user=actor)}
        if not districts or any(d.pk not in overseen for d in districts):
            # a street the caller does not oversee in full looks like none
            raise NotFound(_("没有您可查看的街道：%(s)s") % {"s": street},
                           code="district_out_of_scope")
    if not districts:
        raise NotFound()
    for d in districts:
        policies.require(actor, "dashboard.report_create", d)
    return districts


def _sections_key(sections: list[str] | tuple[str, ...] | None) -> str:
    known = selectors.report_modules()
    chosen = [s for s in (sections or ()) if s]
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise ValidationFailed(_("没有这个报告内容：%(s)s") % {"s": "、".join(unknown)},
                               code="unknown_section")
    return ",".join(m for m in known if m in chosen)  # the known order: one key per choice


@audited("dashboard.report.generate")
def report_request(*, actor: Any, district: District, period: str = "",
                   kind: str | None = None, sections: list[str] | None = None,
                   street: bool = False) -> tuple[Report, bool]:
    """A report asked for by a person (the console's reports page and the API): ``period``
    a label (``2026-W48``, ``2026-11``, ``2026Q4``, ``2025``) or empty for the last closed
    period of ``kind`` (default a week; a year's report once the year is over); ``street`` for the district's street over its districts. Every refusal is the
    service's (``bad_period``, ``period_not_closed``, ``unknown_section``,
    ``report_no_data``, ``district_out_of_scope``)."""
    text = (period or "").strip()
    if text:
        chosen = selectors.period_parse(text=text)
        if kind and chosen.kind != kind:
            raise ValidationFailed(
                _("统计周期 %(p)s 与报告类型不符") % {"p": chosen.label}, code="bad_period")
    else:
        kind = kind or "week"
        if kind not in REPORT_KINDS:
            raise ValidationFailed(_("报告按周、月、季度或年度生成"), code="bad_period")
        chosen = Period.containing(kind, selectors.today()).previous()
    if street and not district.street:
        raise ValidationFailed(_("该商圈不属于任何街道"), code="bad_scope")
    target: dict[str, Any] = {"street": district.street} if street else {"district": district}
    return report_generate(actor=actor, period=chosen, sections=sections, **target)


@audited("dashboard.report.generate")
@transaction.atomic
def report_generate(*, actor: Any, period: Period, district: District | None = None,
                    street: str = "", sections: list[str] | None = None,
                    trigger: str = ReportTrigger.ON_DEMAND,
                    today: dt.date | None = None) -> tuple[Report, bool]:
    """The report of a closed week, month, quarter or year, for a district or for a street over
    its districts, from the snapshots: xlsx (one sheet per module) and PDF, stored.

    Idempotent: the same period (and sections) twice gives the one report, ``created``
    False. A period with no data is refused (``report_no_data``), never an empty file.
    Subscribers get a notification once the report is committed."""
    today = today or timezone.localdate()
    if period.kind not in REPORT_KINDS:
        raise ValidationFailed(_("报告按周、月、季度或年度生成"), code="bad_period")
    _require_closed(period, today)
    if (district is None) == (not street):
        raise ValidationFailed(_("报告须指定商圈或街道之一"), code="bad_scope")
    if district is not None:
        policies.require(actor, "dashboard.report_create", district)
        districts = [district]
        scope = {"scope": ReportScope.DISTRICT, "district": district}
    else:
        districts = _street_districts(actor=actor, street=street)
        scope = {"scope": ReportScope.STREET, "street": street}
    key = _sections_key(sections)
    existing = Report.objects.filter(kind=period.kind, start=period.start, sections=key,
                                     **scope).defer("xlsx", "pdf").first()
    if existing is not None:
        return existing, False
    if period.kind in SNAPSHOT_KINDS:  # a report shows frozen figures: freeze any missing
        for d in districts:
            snapshots_freeze(actor=actor, district=d, periods=[period, period.previous()],
                             today=today)
    data = selectors.report_data(districts=districts, period=period,
                                 sections=key.split(",") if key else None,
                                 street=street)
    if not data.has_data:
        raise ValidationFailed(_("%(p)s 没有任何数据，未生成报告") % {"p": period.label},
                               code="report_no_data")
    try:
        with transaction.atomic():
            report = Report.objects.create(
                **scope, district_codes=[d.code for d in districts], kind=period.kind,
                start=period.start, sections=key, title=data.title[:200], trigger=trigger,
                figures=data.figures(), xlsx=reports_render.report_xlsx(data),
                pdf=reports_render.report_pdf(data), created_by=user_of(actor))
    except IntegrityError:  # a concurrent run made it first: that one is the report
        return Report.objects.filter(kind=period.kind, start=period.start, sections=key,
                                     **scope).defer("xlsx", "pdf").get(), False
    audit_record(actor=actor, district=district, obj=report, action="dashboard.report.generate",
                 after={"period": period.label, "scope": report.scope, "street": street,
                        "districts": report.district_codes, "sections": key,
                        "trigger": trigger, "rows": len(report.figures)})
    transaction.on_commit(lambda: _notify_subscribers(report, districts))
    return report, True


def _notify_subscribers(report: Report, districts: list[District]) -> None:
    subs = ReportSubscription.objects.filter(district__in=districts, kind=report.kind)
    sent: set[int] = set()
    for sub in subs.select_related("user", "district").order_by("pk"):
        if sub.user_id in sent or not policies.can(sub.user, "dashboard.report_view",
                                                   sub.district):
            continue
        if report.scope == ReportScope.STREET and not all(
                policies.can(sub.user, "dashboard.report_view", d) for d in districts):
            continue  # a street report only to those who may read every district in it
        sent.add(sub.user_id)
        link = reverse("dashboard:report_download", kwargs={
            "code": sub.district.code, "pk": report.pk, "fmt": "xlsx"})
        notification_send(district=sub.district, user=sub.user, title=report.title,
                          body=_("数据报告已生成，可在“数据报告”中下载。"), link=link)


@audited("dashboard.report.generate", "dashboard.snapshot.freeze")
def reports_scheduled(*, today: dt.date | None = None,
                      now: dt.datetime | None = None) -> list[Report]:
    """The worker's job: after Monday 08:00 last week's report, after the 1st's 08:00
    last month's and last quarter's, after 1 January 08:00 last year's, for each
    district and each street (subscribers of each kind notified). Run as often as
    it likes: a period already reported is not made again; a period without data is
    skipped."""
    now = timezone.localtime(now) if now else timezone.localtime()
    today = today or now.date()
    if now.hour < 8:
        today = today - dt.timedelta(days=1)  # before 08:00 the new period's report waits
    due = [Period.containing(kind, today).previous() for kind in REPORT_KINDS]
    made: list[Report] = []
    districts = list(District.objects.filter(is_active=True).order_by("code"))
    # a street over one district would repeat that district's report
    counts: dict[str, int] = {}
    for d in districts:
        if d.street:
            counts[d.street] = counts.get(d.street, 0) + 1
    streets = sorted(s for s, n in counts.items() if n > 1)
    for period in due:
        targets: list[dict[str, Any]] = [{"district": d} for d in districts]
        targets += [{"street": s} for s in streets]
        for target in targets:
            try:
                report, created = report_generate(actor=SYSTEM, period=period,
                                                  trigger=ReportTrigger.SCHEDULED,
                                                  today=today, **target)
            except ValidationFailed as exc:
                if exc.code == "report_no_data":
                    continue
                raise
            if created:
                made.append(report)
    return made


@audited("dashboard.report.download")
def report_download(*, actor: Any, district: District, pk: int, fmt: str) -> tuple[bytes, str,
                                                                                  Report]:
    """A stored report's file for someone who may read it (its district's, or its
    street's when the caller reads every district in it); audited as an export."""
    policies.require(actor, "dashboard.report_view", district)
    report = selectors.report_get(user=actor, district=district, pk=pk)
    if fmt not in ("xlsx", "pdf"):
        raise NotFound()
    body = bytes(report.xlsx if fmt == "xlsx" else report.pdf)
    audit_record(actor=actor, district=district, obj=report, action="dashboard.report.download",
                 after={"format": fmt, "rows": len(report.figures),
                        "period": Period(report.kind, report.start).label})
    return body, fmt, report


@audited("dashboard.subscription.update")
@transaction.atomic
def subscription_set(*, actor: Any, district: District, kind: str, on: bool) -> bool:
    """Subscribe (or not) to a district's reports of a kind; for oneself only."""
    policies.require(actor, "dashboard.report_view", district)
    if kind not in REPORT_KINDS:
        raise ValidationFailed(_("报告按周、月、季度或年度生成"), code="bad_period")
    user = user_of(actor)
    qs = ReportSubscription.objects.filter(district=district, user=user, kind=kind)
    if on == qs.exists():
        return on
    if on:
        ReportSubscription.objects.create(district=district, user=user, kind=kind)
    else:
        qs.delete()
    audit_record(actor=actor, district=district, action="dashboard.subscription.update",
                 object_type="dashboard.reportsubscription", object_id=kind,
                 after={"kind": kind, "subscribed": on})
    return on
