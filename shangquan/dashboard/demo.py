"""Demo dashboard: a year of snapshots per district, so the charts have shape on a fresh
``make run``.

The other apps' demo data covers the last weeks; those closed periods are measured for
real (``snapshots_freeze``, source 夜间计算). The year before them is made up, seeded,
from those real figures — each indicator drifting from a worse start towards today's
level with some noise — and stored as snapshots marked 演示数据 (``SnapshotSource.DEMO``)
so nobody mistakes them for measurements. Then last week's report is generated; the demo
committee and street, subscribed to weekly reports, find it in their notifications. Seeded,
so two runs give the same data; a district that already has snapshots is left as is.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shangquan.core.actors import SYSTEM
from shangquan.core.demo import DemoContext
from shangquan.core.errors import ValidationFailed
from shangquan.core.indicators import MAX, RATIO, SUM, UP, Indicator, Measure
from shangquan.core.periods import Period

from . import selectors, services
from .models import ReportTrigger, Snapshot, SnapshotSource

MEASURED_WEEKS = 8  # the other demos' data reaches about this far back
HISTORY_WEEKS = 52


def _weekly_series(indicator: Indicator, anchor: Measure, rng, weeks: int) -> list[Measure]:
    """``weeks`` weekly values, oldest first, ending near ``anchor``."""
    rate = indicator.combine == RATIO
    if rate:
        level = anchor.value if anchor.value is not None else rng.uniform(70, 92)
        den_level = anchor.denominator or rng.uniform(20, 60)
    elif str(indicator.unit) == "%":  # a peak against capacity: a share, not a count
        level = anchor.value if anchor.value else rng.uniform(55, 95)
        den_level = 0.0
    else:
        level = anchor.value if anchor.value else rng.uniform(5, 40)
        den_level = 0.0
    # a year ago it was worse: lower when higher is better, higher when it is worse
    worse = 0.75 if indicator.direction == UP else 1.35
    out = []
    for i in range(weeks):
        progress = i / max(1, weeks - 1)
        target = level * (worse + (1 - worse) * progress)
        v = max(0.0, target * rng.uniform(0.9, 1.1))
        if rate:
            v = min(indicator.scale, v)
            den = max(1.0, round(den_level * rng.uniform(0.8, 1.2)))
            out.append(Measure(v, v * den / indicator.scale, den))
        else:
            out.append(Measure(float(round(v))))
    return out


def _aggregate(indicator: Indicator, parts: list[Measure]) -> Measure:
    if not parts:
        return Measure(None)
    if indicator.combine == RATIO:
        num = sum(m.numerator or 0 for m in parts)
        den = sum(m.denominator or 0 for m in parts)
        return Measure(indicator.scale * num / den if den else None, num, den)
    if indicator.combine == MAX:
        return Measure(max(m.value or 0 for m in parts))
    return Measure(float(sum(m.value or 0 for m in parts)))


def load(ctx: DemoContext) -> None:
    district = ctx.district
    if Snapshot.objects.filter(district=district).exists():
        return
    today = timezone.localdate()
    this_week = Period.containing("week", today)
    cutoff = this_week.start - dt.timedelta(weeks=MEASURED_WEEKS)
    ctx.progress("dashboard: a year of snapshots")
    weeks = [Period("week", cutoff - dt.timedelta(weeks=HISTORY_WEEKS - i))
             for i in range(HISTORY_WEEKS)]
    real_weeks = [Period("week", cutoff + dt.timedelta(weeks=i)) for i in range(MEASURED_WEEKS)]
    coarse = {}
    for kind in ("month", "quarter", "year"):
        p = Period.containing(kind, weeks[0].start)
        while p.end <= today:
            coarse[p] = p.start >= cutoff  # measured when wholly inside the demo data
            p = p.next()
    services.snapshots_freeze(actor=SYSTEM, district=district, today=today,
                              periods=real_weeks + [p for p, real in coarse.items() if real])
    made_up: dict[tuple[str, Period], Measure] = {}
    frozen = [selectors.snapshot_values(district=district, period=p) for p in real_weeks[-4:]]
    for indicator in selectors.indicators():
        weekly = weeks[0].finer_or_equal(indicator.period)
        recent = [f.get(indicator.key) for f in frozen] if weekly else []
        known = [m for m in recent if m is not None]
        anchor = _aggregate(indicator, known)  # ratio: Σnum ÷ Σden; peak: the max
        if indicator.combine == SUM and known:
            anchor = Measure((anchor.value or 0) / len(known))  # a typical week
        series = _weekly_series(indicator, anchor, ctx.rng, HISTORY_WEEKS)
        if weekly:
            for week, m in zip(weeks, series, strict=True):
                made_up[(indicator.key, week)] = m
        for period, real in coarse.items():
            if real:
                continue
            parts = [m for week, m in zip(weeks, series, strict=True)
                     if period.start <= week.start < period.end]
            if parts:
                made_up[(indicator.key, period)] = _aggregate(indicator, parts)
    services.snapshots_freeze(actor=SYSTEM, district=district, today=today,
                              periods=weeks + [p for p, real in coarse.items() if not real],
                              values=made_up, source=SnapshotSource.DEMO)
    for role in ("committee", "street"):  # their inboxes get the weekly report
        if role in ctx.users:
            services.subscription_set(actor=ctx.users[role], district=district, kind="week",
                                      on=True)
    try:
        services.report_generate(actor=SYSTEM, district=district, period=this_week.previous(),
                                 trigger=ReportTrigger.SCHEDULED, today=today)
    except ValidationFailed:
        pass  # a district with no data last week has no report: the page says so
