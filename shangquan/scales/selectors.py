"""Reads of the scales app, always scoped by district and by what the user may see."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.district_settings import Values, district_settings
from shangquan.core.errors import NotFound
from shangquan.core.models import District
from shangquan.core.selectors import access_scoped
from shangquan.merchants.models import Merchant
from shangquan.merchants.policies import owned_merchant_ids
from shangquan.workorders.models import WorkOrder

from . import planner
from .models import DailyPlan, Instrument, Reweigh, SpotCheck
from .policies import sees_all


# --- settings ---------------------------------------------------------------------------
def settings_for(district: District) -> Values:
    """The district's thresholds (``settings_schema``; defaults until someone changes them)."""
    return district_settings(district=district, app="scales")


# --- registry ---------------------------------------------------------------------------
def instrument_list(*, user: Any, district: District, status: str = "", kind: str = "",
                    merchant_id: int | None = None, q: str = "",
                    due_before: dt.date | None = None) -> QuerySet[Instrument]:
    policies.require(user, "scales.instrument_view", district)
    qs = Instrument.objects.filter(district=district).select_related("merchant",
                                                                     "merchant__grid")
    if not sees_all(user, district):
        qs = qs.filter(merchant_id__in=owned_merchant_ids(user, district))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if merchant_id:
        qs = qs.filter(merchant_id=merchant_id)
    if q:
        qs = qs.filter(Q(serial_no__icontains=q) | Q(merchant__name__icontains=q)
                       | Q(certificate_no__icontains=q) | Q(merchant__stall_no__iexact=q))
    if due_before:
        qs = qs.filter(next_due__lte=due_before)
    return qs.order_by("merchant__name", "serial_no")


def instrument_get(*, user: Any, district: District, pk: Any) -> Instrument:
    return access_scoped(instrument_list(user=user, district=district), district=district, pk=pk)


def merchant_choices(*, user: Any, district: District) -> QuerySet[Merchant]:
    qs = Merchant.objects.filter(district=district).exclude(
        status=Merchant.Status.DEREGISTERED)
    if not sees_all(user, district):
        qs = qs.filter(pk__in=owned_merchant_ids(user, district))
    return qs.only("id", "name", "stall_no").order_by("name")


def merchant_get(*, district: District, pk: Any) -> Merchant:
    return access_scoped(Merchant, district=district, pk=pk)


def merchant_get_by_token(*, district: District, token: str) -> Merchant:
    found = Merchant.objects.filter(district=district, public_token=str(token)[:16]).first()
    if found is None:
        raise NotFound()
    return found


# --- spot checks ------------------------------------------------------------------------
def spot_check_list(*, user: Any, district: District, instrument_id: int | None = None,
                    merchant_id: int | None = None, passed: bool | None = None,
                    start: dt.date | None = None, end: dt.date | None = None
                    ) -> QuerySet[SpotCheck]:
    policies.require(user, "scales.check_view", district)
    qs = SpotCheck.objects.filter(district=district).select_related("instrument", "merchant",
                                                                    "checker")
    if not sees_all(user, district):
        qs = qs.filter(merchant_id__in=owned_merchant_ids(user, district))
    if instrument_id:
        qs = qs.filter(instrument_id=instrument_id)
    if merchant_id:
        qs = qs.filter(merchant_id=merchant_id)
    if passed is not None:
        qs = qs.filter(passed=passed)
    if start:
        qs = qs.filter(checked_on__gte=start)
    if end:
        qs = qs.filter(checked_on__lte=end)
    return qs


def merchant_public_checks(*, merchant: Merchant, limit: int = 10) -> list[dict]:
    """For the public merchant page: date, instrument type, pass or fail; nobody's name."""
    rows = (SpotCheck.objects.filter(district_id=merchant.district_id, merchant=merchant)
            .select_related("instrument").order_by("-checked_at", "-id")[:limit])
    return [{"date": r.checked_on, "kind": r.instrument.get_kind_display(),
             "serial_tail": r.instrument.serial_no[-4:], "passed": r.passed} for r in rows]


def merchant_public_scales(*, merchant: Merchant, today: dt.date | None = None) -> list[dict]:
    """The merchant's scales as they stand now (retired ones left out): usable or not,
    why, and whether the verification certificate is still valid. The public page shows
    this before any history, so a suspended scale never hides behind old passes."""
    today = today or timezone.localdate()
    rows = (Instrument.objects.filter(district_id=merchant.district_id, merchant=merchant)
            .exclude(status=Instrument.Status.RETIRED).order_by("kind", "serial_no"))
    out = []
    for r in rows:
        expired = r.next_due is not None and r.next_due < today
        usable = r.status == Instrument.Status.IN_USE and not expired and r.next_due is not None
        out.append({"kind": r.get_kind_display(), "serial_tail": r.serial_no[-4:],
                    "status": r.status, "status_label": r.get_status_display(),
                    "reason": r.get_status_reason_display() if r.status_reason else "",
                    "next_due": r.next_due, "expired": expired, "usable": usable})
    return out


def merchant_check_summary(*, merchant: Merchant, since: dt.date | None = None
                           ) -> dict[str, Any]:
    """For other modules (ratings' evidence, inspections' risk): a merchant's spot checks
    since a date, with the ids of the failed ones so a deduction can link to each."""
    qs = SpotCheck.objects.filter(district_id=merchant.district_id, merchant=merchant)
    if since:
        qs = qs.filter(checked_on__gte=since)
    failed = list(qs.filter(passed=False).order_by("checked_at").values_list("pk", flat=True))
    return {"checks": qs.count(), "failed": len(failed), "failed_check_ids": failed,
            "short_reweighs": Reweigh.objects.filter(
                district_id=merchant.district_id, merchant=merchant,
                verdict=Reweigh.Verdict.SHORT,
                **({"created_at__date__gte": since} if since else {})).count()}


# --- the daily plan ---------------------------------------------------------------------
def _complaints_since(district: District, since: dt.datetime) -> Counter:
    """Per merchant: short re-weighs plus metrology work orders (not double-counted)."""
    counts: Counter = Counter()
    complained = set()
    for merchant_id, order_id in (Reweigh.objects
                                  .filter(district=district, verdict=Reweigh.Verdict.SHORT,
                                          created_at__gte=since)
                                  .values_list("merchant_id", "work_order_id")):
        counts[merchant_id] += 1
        if order_id:
            complained.add(order_id)
    orders = (WorkOrder.objects.filter(district=district, category__code="metrology",
                                       merchant__isnull=False, created_at__gte=since)
              .exclude(pk__in=complained).values_list("merchant_id", flat=True))
    counts.update(orders)
    return counts


def plan_candidates(*, district: District, day: dt.date) -> list[planner.Candidate]:
    """The planner's inputs for ``day``: checks before that day, risk over the look-back."""
    config = settings_for(district)
    end_of_day = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1),
                                                         dt.time.min))
    since_day = day - dt.timedelta(days=config.lookback_days)
    start_of_day = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    since = timezone.make_aware(dt.datetime.combine(since_day, dt.time.min))
    instruments = (Instrument.objects.filter(district=district,
                                             status=Instrument.Status.IN_USE,
                                             created_at__lt=end_of_day)
                   .annotate(last=Max("checks__checked_on",
                                      filter=Q(checks__checked_on__lt=day)),
                             failures=Count("checks", filter=Q(checks__passed=False,
                                                               checks__checked_on__lt=day,
                                                               checks__checked_on__gte=since_day)))
                   .values_list("pk", "merchant_id", "last", "failures"))
    complaints = _complaints_since(district, since)
    today = _complaints_since(district, start_of_day)
    return [planner.Candidate(pk, last, failures, complaints[m] - today[m])
            for pk, m, last, failures in instruments]


@dataclass
class PlanView:
    plan: DailyPlan
    rows: list[dict]  # {"item", "instrument", "check"} in plan order
    done: int


def plan_view(*, user: Any, district: District, plan: DailyPlan) -> PlanView:
    """The stored plan with each instrument and the day's check of it, if done."""
    policies.require(user, "scales.plan_view", district)
    if plan.district_id != district.pk:
        raise NotFound()
    ids = [item["instrument"] for item in plan.items]
    instruments = (Instrument.objects.filter(district=district)
                   .select_related("merchant", "merchant__grid").in_bulk(ids))
    checks: dict[int, SpotCheck] = {}
    for check in SpotCheck.objects.filter(district=district, instrument_id__in=ids,
                                          checked_on=plan.day).order_by("checked_at"):
        checks[check.instrument_id] = check
    rows = [{"item": item, "instrument": instruments[item["instrument"]],
             "check": checks.get(item["instrument"])}
            for item in plan.items if item["instrument"] in instruments]
    return PlanView(plan=plan, rows=rows, done=sum(1 for r in rows if r["check"]))


# --- certificates -----------------------------------------------------------------------
def certificates_overview(*, user: Any, district: District,
                          today: dt.date | None = None) -> dict[str, list[Instrument]]:
    policies.require(user, "scales.instrument_view", district)
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings_for(district).warn_days)
    base = instrument_list(user=user, district=district).exclude(
        status=Instrument.Status.RETIRED).filter(next_due__isnull=False)
    return {
        "overdue": list(base.filter(next_due__lt=today).order_by("next_due")),
        "due_soon": list(base.filter(next_due__gte=today, next_due__lte=horizon)
                         .order_by("next_due")),
        "missing": list(instrument_list(user=user, district=district)
                        .exclude(status=Instrument.Status.RETIRED)
                        .filter(next_due__isnull=True)),
    }


# --- re-weighs --------------------------------------------------------------------------
def reweigh_list(*, user: Any, district: District, verdict: str = "",
                 merchant_id: int | None = None) -> QuerySet[Reweigh]:
    policies.require(user, "scales.reweigh_view", district)
    qs = Reweigh.objects.filter(district=district).select_related("merchant")
    if verdict:
        qs = qs.filter(verdict=verdict)
    if merchant_id:
        qs = qs.filter(merchant_id=merchant_id)
    return qs


def reweigh_get_public(*, district: District, token: str) -> Reweigh:
    found = (Reweigh.objects.select_related("merchant")
             .filter(district=district, public_token=str(token)[:20]).first())
    if found is None:
        raise NotFound()
    return found


# --- KPIs -------------------------------------------------------------------------------
def _rate(passed: int, total: int) -> float | None:
    return round(100.0 * passed / total, 1) if total else None


def kpis(*, user: Any, district: District, start: dt.date, end: dt.date,
         period: str = "month") -> dict[str, Any]:
    """Pass rate by period and grid, certificates, re-weigh complaints."""
    policies.require(user, "scales.kpi_view", district)
    today = timezone.localdate()
    checks = SpotCheck.objects.filter(district=district, checked_on__gte=start,
                                      checked_on__lte=end)
    totals = checks.aggregate(total=Count("id"), passed=Count("id", filter=Q(passed=True)))
    trunc = TruncWeek if period == "week" else TruncMonth
    by_period = [{"period": row["p"], "total": row["total"], "passed": row["passed"],
                  "rate": _rate(row["passed"], row["total"])}
                 for row in checks.annotate(p=trunc("checked_on")).values("p")
                 .annotate(total=Count("id"), passed=Count("id", filter=Q(passed=True)))
                 .order_by("p")]
    by_grid = [{"grid": row["merchant__grid__name"] or "—", "total": row["total"],
                "passed": row["passed"], "rate": _rate(row["passed"], row["total"])}
               for row in checks.values("merchant__grid__name")
               .annotate(total=Count("id"), passed=Count("id", filter=Q(passed=True)))
               .order_by("merchant__grid__name")]
    instruments = Instrument.objects.filter(district=district)
    status_counts = dict(instruments.values_list("status").annotate(n=Count("id")))
    active = instruments.exclude(status=Instrument.Status.RETIRED)
    reweighs = Reweigh.objects.filter(district=district, created_at__date__gte=start,
                                      created_at__date__lte=end)
    rw = reweighs.aggregate(total=Count("id"),
                            short=Count("id", filter=Q(verdict=Reweigh.Verdict.SHORT)),
                            complaints=Count("id", filter=Q(work_order_id__isnull=False)))
    return {
        "start": start, "end": end, "period": period,
        "checks": totals["total"], "passed": totals["passed"],
        "pass_rate": _rate(totals["passed"], totals["total"]),
        "by_period": by_period, "by_grid": by_grid,
        "instruments": {s: status_counts.get(s, 0) for s in Instrument.Status.values},
        "overdue_certificates": active.filter(next_due__lt=today).count(),
        "due_soon": active.filter(next_due__gte=today, next_due__lte=today + dt.timedelta(
            days=settings_for(district).warn_days)).count(),
        "commitments": active.filter(commitment_signed_on__isnull=False).count(),
        "active_instruments": active.count(),
        "reweighs": rw["total"], "reweigh_short": rw["short"],
        "reweigh_complaints": rw["complaints"],
    }


# --- for ratings' evidence (district-wide, one query each) --------------------------------
def failed_checks_between(*, district: District, start: dt.date, end: dt.date
                          ) -> dict[int, list[dict[str, Any]]]:
    """merchant id -> its failed spot checks with ``start <= checked_on < end``, so each
    deduction can link to its check."""
    out: dict[int, list[dict[str, Any]]] = {}
    rows = (SpotCheck.objects.filter(district=district, passed=False, checked_on__gte=start,
                                     checked_on__lt=end)
            .values_list("merchant_id", "pk", "checked_on", "instrument__serial_no")
            .order_by("checked_at", "pk"))
    for merchant_id, pk, day, serial in rows:
        out.setdefault(merchant_id, []).append({"id": pk, "date": day, "label": serial})
    return out


def short_reweighs_since(*, district: District, since: dt.datetime) -> dict[int, list[int]]:
    """merchant id -> ids of its re-weighs found short since ``since``."""
    out: dict[int, list[int]] = {}
    for merchant_id, pk in (Reweigh.objects.filter(district=district,
                                                   verdict=Reweigh.Verdict.SHORT,
                                                   created_at__gte=since)
                            .values_list("merchant_id", "pk").order_by("pk")):
        out.setdefault(merchant_id, []).append(pk)
    return out
