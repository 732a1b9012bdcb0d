"""Reads on ratings, always scoped by district. Evidence comes from the other apps'
selectors (merchants, workorders, inspections, scales), never from their tables."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import TruncWeek
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.district_settings import Values, district_settings
from shangquan.core.extensions import collect
from shangquan.core.models import District
from shangquan.core.selectors import access_scoped
from shangquan.inspections.selectors import rating_evidence
from shangquan.merchants.models import Merchant
from shangquan.merchants.policies import owned_merchant_ids
from shangquan.merchants.selectors import merchant_list
from shangquan.scales.selectors import failed_checks_between, short_reweighs_since
from shangquan.workorders.selectors import (
    work_order_substantiated_between,
    work_order_substantiated_counts,
)

from .models import (
    Adjustment,
    Appeal,
    Dimension,
    Flag,
    Grade,
    OutdoorCheck,
    OutdoorZone,
    Period,
    Rerating,
    ResidentScore,
    Result,
    Scheme,
    Score,
    Title,
    TitleKind,
)
from .policies import is_merchant_of

FACES = {Grade.EXCELLENT: "😊", Grade.GOOD: "🙂", Grade.FAIR: "😐", Grade.FAIL: "☹️"}


def settings_for(district: District) -> Values:
    return district_settings(district=district, app="ratings")


def tenths(value: int | None) -> str:
    return "—" if value is None else f"{value / 10:.1f}"


# --- scheme and periods ----------------------------------------------------------------------
def scheme_get(*, district: District) -> Scheme | None:
    return Scheme.objects.filter(district=district).first()


def dimension_list(*, district: District) -> QuerySet[Dimension]:
    return Dimension.objects.filter(district=district).order_by("position", "id")


def title_kind_list(*, district: District, active_only: bool = True) -> QuerySet[TitleKind]:
    qs = TitleKind.objects.filter(district=district)
    return qs.filter(is_active=True) if active_only else qs


def period_list(*, district: District) -> QuerySet[Period]:
    return Period.objects.filter(district=district).order_by("-starts_on")


def access_period(*, district: District, period_id: Any) -> Period:
    return access_scoped(Period, district=district, pk=period_id)


def period_current(*, district: District) -> Period | None:
    """The period being scored or shown (the latest not archived)."""
    return (Period.objects.filter(district=district)
            .exclude(status__in=[Period.Status.ARCHIVED]).order_by("-starts_on").first())


def merchants_in_scope(*, district: District) -> QuerySet[Merchant]:
    """The merchants a period rates: those open for business."""
    return merchant_list(district=district, status=Merchant.Status.OPEN).order_by("pk")


def window(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.starts_on, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


# --- evidence ----------------------------------------------------------------------------------
# rule → (setting with its points, default dimension it lands on, source type)
EVIDENCE_RULES = {
    "spot_check": ("deduct_spot_check", "integrity", "scales.spotcheck"),
    "work_order": ("deduct_work_order", "service", "workorders.workorder"),
    "serious_finding": ("deduct_serious_finding", "safety", "inspections.finding"),
    "overdue_rectification": ("deduct_overdue_rectification", "safety",
                              "inspections.rectification"),
    "outdoor": ("deduct_outdoor", "frontage", "ratings.outdoorcheck"),
}


def outdoor_failures_between(*, district: District, start: dt.date, end: dt.date
                             ) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for merchant_id, pk, day, score in (
            OutdoorCheck.objects.filter(district=district, passed=False, checked_on__gte=start,
                                        checked_on__lt=end)
            .values_list("merchant_id", "pk", "checked_on", "score_tenths").order_by("checked_at")):
        out.setdefault(merchant_id, []).append(
            {"id": pk, "date": day, "label": f"{score / 10:.1f}/10"})
    return out


def contributed_evidence(*, district: District, start: dt.date, end: dt.date, cap: int
                         ) -> dict[int, list[dict[str, Any]]]:
    """公益 credit from the apps below (``Contributions.rating_evidence``: activities'
    volunteering and service log), on the 公益参与 dimension, each row linked to its source;
    a merchant's credit in the period stops at ``cap`` (0: none)."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if cap <= 0:
        return out
    credit: dict[int, int] = defaultdict(int)
    for provider in collect("rating_evidence"):
        for row in provider(district=district, start=start, end=end):
            merchant_id, points = int(row["merchant_id"]), int(row.get("points") or 0)
            if points > 0:
                points = min(points, cap - credit[merchant_id])
                credit[merchant_id] += max(points, 0)
            if not points:
                continue
            out[merchant_id].append({
                "rule": Adjustment.Rule.PUBLIC_SERVICE.value, "dimension": "charity",
                "points": points, "source_type": str(row["source_type"])[:40],
                "source_id": int(row["source_id"]),
                "source_label": str(row.get("label", ""))[:120],
                "source_url": str(row.get("url", ""))[:200], "source_date": row.get("date")})
    return out


def period_evidence(*, period: Period) -> dict[str, Any]:
    """Everything the period's rules deduct for, district-wide, in a fixed number of
    queries: {"adjustments": {merchant id: [row dicts]}, "open_serious": {merchant id},
    "complaints": {merchant id: n}}."""
    district = period.district
    rules = settings_for(district)
    start, end = window(period)
    day_end = period.ends_on + dt.timedelta(days=1)
    codes = {d["code"] for d in period.dimensions}
    inspections = rating_evidence(district=district, start=start, end=end)
    sources = {
        "spot_check": failed_checks_between(district=district, start=period.starts_on, end=day_end),
        "work_order": work_order_substantiated_between(district=district, start=start, end=end),
        "serious_finding": inspections["serious_findings"],
        "overdue_rectification": inspections["overdue"],
        "outdoor": outdoor_failures_between(district=district, start=period.starts_on, end=day_end),
    }
    adjustments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for merchant_id, rows in contributed_evidence(
            district=district, start=period.starts_on, end=day_end,
            cap=int(rules["credit_public_service_cap"]) if "charity" in codes else 0).items():
        adjustments[merchant_id].extend(rows)
    for rule, by_merchant in sources.items():
        setting, dimension, source_type = EVIDENCE_RULES[rule]
        points = int(rules[setting])
        if not points or dimension not in codes:
            continue  # the district switched the rule off, or its scheme lacks the element
        for merchant_id, rows in by_merchant.items():
            for row in rows:
                adjustments[merchant_id].append({
                    "rule": rule, "dimension": dimension, "points": -points,
                    "source_type": source_type, "source_id": row["id"],
                    "source_label": str(row.get("label", ""))[:120],
                    "source_date": row.get("date")})
    return {"adjustments": dict(adjustments),
            "open_serious": set(inspections["open_serious"]),
            "complaints": {m: len(rows) for m, rows in sources["work_order"].items()}}


# --- scores ----------------------------------------------------------------------------------
def staff_scores(*, period: Period, merchant_ids: list[int] | None = None
                 ) -> dict[int, dict[str, dict[str, list[int]]]]:
    """merchant id -> party -> dimension -> [rater scores]."""
    out: dict[int, dict[str, dict[str, list[int]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list)))
    qs = Score.objects.filter(district_id=period.district_id, period=period)
    if merchant_ids is not None:
        qs = qs.filter(merchant_id__in=merchant_ids)
    for merchant_id, party, dimension, value in qs.values_list(
            "merchant_id", "party", "dimension", "value"):
        out[merchant_id][party][dimension].append(value)
    return out


def resident_values(*, period: Period, merchant_ids: list[int] | None = None
                    ) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    qs = ResidentScore.objects.filter(district_id=period.district_id, period=period)
    if merchant_ids is not None:
        qs = qs.filter(merchant_id__in=merchant_ids)
    for merchant_id, stars in qs.values_list("merchant_id", "stars"):
        out[merchant_id].append(stars * 20)
    return out


def adjustment_totals(*, period: Period, merchant_ids: list[int] | None = None
                      ) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    qs = Adjustment.objects.filter(district_id=period.district_id, period=period, voided=False)
    if merchant_ids is not None:
        qs = qs.filter(merchant_id__in=merchant_ids)
    for merchant_id, dimension, points in qs.values_list("merchant_id", "dimension", "points"):
        out[merchant_id][dimension] += points
    return out


def scoring_grid(*, user: Any, period: Period, grid: Any = None, association: Any = None,
                 q: str = "", limit: int = 60) -> dict[str, Any]:
    """The scoring grid for one rater: merchants × dimensions with the rater's own scores
    (and their versions), filtered by grid or association."""
    policies.require(user, "ratings.score", period.district)
    qs = merchant_list(district=period.district, status=Merchant.Status.OPEN, grid=grid,
                       association=association, q=q).order_by("grid__name", "name", "pk")
    merchants = list(qs[:limit])
    mine = {(s.merchant_id, s.dimension): s for s in Score.objects.filter(
        district_id=period.district_id, period=period, rater=user,
        merchant_id__in=[m.pk for m in merchants])}
    rows = [{"merchant": m, "cells": [{"dimension": d["code"], "score": mine.get((m.pk, d["code"]))}
                                      for d in period.dimensions]} for m in merchants]
    return {"rows": rows, "dimensions": period.dimensions, "truncated": qs.count() > limit}


def period_progress(*, user: Any, period: Period) -> dict[str, Any]:
    """Who has scored what: per party and per rater, merchants fully scored."""
    policies.require(user, "ratings.progress_view", period.district)
    total = merchants_in_scope(district=period.district).count()
    n_dims = len(period.dimensions) or 1
    per_rater = (Score.objects.filter(district_id=period.district_id, period=period)
                 .values("rater_id", "rater__username", "rater__first_name", "party")
                 .annotate(cells=Count("id"), merchants=Count("merchant_id", distinct=True))
                 .order_by("party", "rater__username"))
    parties: dict[str, set] = defaultdict(set)
    full = (Score.objects.filter(district_id=period.district_id, period=period)
            .values("party", "merchant_id").annotate(n=Count("dimension", distinct=True))
            .filter(n__gte=n_dims))
    for row in full:
        parties[row["party"]].add(row["merchant_id"])
    residents = (ResidentScore.objects.filter(district_id=period.district_id, period=period)
                 .values("merchant_id").annotate(n=Count("id")))
    enough = settings_for(period.district).min_resident_scores
    return {
        "merchants": total,
        "association": len(parties.get("association", ())),
        "community": len(parties.get("community", ())),
        "resident_scores": sum(r["n"] for r in residents),
        "residents_enough": sum(1 for r in residents if r["n"] >= enough),
        "raters": [{"rater_id": r["rater_id"],
                    "rater": r["rater__first_name"] or r["rater__username"],
                    "party": r["party"], "cells": r["cells"],
                    "merchants": r["merchants"]} for r in per_rater],
    }


# --- results -----------------------------------------------------------------------------------
def result_list(*, user: Any, period: Period, grade: str = "", q: str = "") -> QuerySet[Result]:
    policies.require(user, "ratings.view", period.district)
    qs = (Result.objects.filter(district_id=period.district_id, period=period)
          .select_related("merchant", "merchant__grid", "merchant__association"))
    if grade:
        qs = qs.filter(grade=grade)
    if q:
        qs = qs.filter(merchant__name__icontains=q)
    return qs.order_by("-total_tenths", "merchant_id")


def access_result(*, district: District, result_id: Any) -> Result:
    return access_scoped(Result.objects.select_related("merchant", "period", "merchant__district",
                                                       "district"),
                         district=district, pk=result_id)


def result_for(*, period: Period, merchant: Merchant) -> Result | None:
    return (Result.objects.filter(district_id=period.district_id, period=period, merchant=merchant)
            .select_related("period").first())


def result_explained(*, result: Result) -> dict[str, Any]:
    """Every sub-score and adjustment of one result, with why (the merchant's page)."""
    period = result.period
    names = period.dimension_names()
    adjustments = list(Adjustment.objects.filter(district_id=result.district_id, period=period,
                                                 merchant_id=result.merchant_id)
                       .order_by("source_date", "id"))
    by_dim: dict[str, list[Adjustment]] = defaultdict(list)
    for adj in adjustments:
        by_dim[adj.dimension].append(adj)
    dims = [{"code": d["code"], "name": d["name"], "weight": d["weight"],
             "score": tenths(result.dimension_tenths.get(d["code"])),
             "below": (result.dimension_tenths.get(d["code"]) or 0) < 600,
             "adjustments": by_dim.get(d["code"], [])} for d in period.dimensions]
    caps = []
    for reason in result.cap_reasons:
        if reason.startswith("dimension:"):
            caps.append(f"{names.get(reason.split(':', 1)[1], reason)}低于 60 分")
        elif reason == "open_serious_rectification":
            caps.append("存在未完成的严重隐患整改")
    return {"result": result, "dimensions": dims, "caps": caps,
            "face": FACES.get(result.grade, ""), "total": tenths(result.total_tenths),
            "parties": {p: tenths(v) for p, v in result.party_tenths.items()},
            "adjustments": adjustments}


def own_results(*, user: Any, district: District) -> list[Result]:
    """The signed-in merchant's results (owner or staff), newest first."""
    qs = (Result.objects.filter(district=district,
                                merchant_id__in=owned_merchant_ids(user, district))
          .select_related("merchant", "period").order_by("-period__starts_on", "merchant_id"))
    return list(qs[:40])


# --- appeals and re-ratings -------------------------------------------------------------------------
def appeal_list(*, user: Any, district: District, status: str = "") -> QuerySet[Appeal]:
    policies.require(user, "ratings.appeal_view", district)
    qs = Appeal.objects.filter(district=district).select_related("merchant", "period", "result",
                                                                  "district")
    # Whether the viewer scored each merchant, in the same query: the "not involved" rule
    # reads it instead of asking once per appeal.
    qs = qs.annotate(viewer_id=Value(getattr(user, "pk", None) or 0, IntegerField()),
                     viewer_scored=Exists(Score.objects.filter(
                         period_id=OuterRef("period_id"), merchant_id=OuterRef("merchant_id"),
                         rater_id=getattr(user, "pk", None))))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-filed_at")


def contested_adjustments(*, appeals: list[Appeal]) -> dict[int, Adjustment]:
    """The adjustments the appeals contest, by id, in one query (the appeals page)."""
    ids = {i for a in appeals for i in (a.contested_adjustments or [])}
    if not ids or not appeals:
        return {}
    return {a.pk: a for a in Adjustment.objects.filter(district_id=appeals[0].district_id,
                                                       pk__in=ids)}


def access_appeal(*, district: District, appeal_id: Any) -> Appeal:
    return access_scoped(Appeal.objects.select_related("merchant", "period", "result", "district"),
                         district=district, pk=appeal_id)


def rerating_list(*, district: District, period: Period | None = None) -> QuerySet[Rerating]:
    qs = Rerating.objects.filter(district=district).select_related("merchant", "period")
    if period is not None:
        qs = qs.filter(period=period)
    return qs.order_by("status", "-requested_at")


# --- awards -----------------------------------------------------------------------------------------
def flag_holders(*, district: District) -> list[Flag]:
    """The current holders: the flags of the latest period that awarded any."""
    latest = (Flag.objects.filter(district=district).order_by("-period__starts_on")
              .values_list("period_id", flat=True).first())
    if latest is None:
        return []
    return list(Flag.objects.filter(district=district, period_id=latest)
                .select_related("merchant", "association", "grid", "period")
                .order_by("association__name", "grid__name"))


def flag_history(*, district: District, limit: int = 40) -> list[Flag]:
    return list(Flag.objects.filter(district=district)
                .select_related("merchant", "association", "grid", "period")
                .order_by("-period__starts_on", "association__name", "grid__name")[:limit])


def title_list(*, district: District, status: str = "", kind: Any = None) -> QuerySet[Title]:
    qs = Title.objects.filter(district=district).select_related("kind", "merchant", "district")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind_id=kind)
    return qs.order_by("kind__position", "status", "merchant__name")


def access_title(*, district: District, title_id: Any) -> Title:
    return access_scoped(Title.objects.select_related("kind", "merchant", "district"),
                         district=district, pk=title_id)


def complaints_since(*, district: District, days: int = 90) -> dict[int, int]:
    end = timezone.now()
    return work_order_substantiated_counts(district=district, start=end - dt.timedelta(days=days),
                                           end=end)


def short_reweighs(*, district: District, days: int = 90) -> dict[int, list[int]]:
    return short_reweighs_since(district=district, since=timezone.now() - dt.timedelta(days=days))


def merchant_good_recently(*, merchant: Merchant) -> bool:
    """Whether the merchant's latest published result is 良好 or better (relisting)."""
    last = (Result.objects.filter(district_id=merchant.district_id, merchant=merchant,
                                  period__status__in=[Period.Status.PUBLISHED,
                                                      Period.Status.ARCHIVED])
            .order_by("-period__starts_on").values_list("grade", flat=True).first())
    return last in (Grade.EXCELLENT, Grade.GOOD)


# --- public ---------------------------------------------------------------------------------------
PUBLIC_STATUSES = [Period.Status.PUBLISHED, Period.Status.ARCHIVED]


def merchant_public_rating(*, merchant: Merchant) -> dict[str, Any] | None:
    """The QR page's rating section: current grade with its face, sub-scores, the flag,
    titles, the last four periods, the reply and 复评中. None when there is nothing."""
    # one query for the published history and a provisional result (newest first)
    shown = list(Result.objects.filter(
        district_id=merchant.district_id, merchant=merchant,
        period__status__in=[*PUBLIC_STATUSES, Period.Status.PROVISIONAL])
        .select_related("period").order_by("-period__starts_on")[:5])
    results = [r for r in shown if r.period.status in PUBLIC_STATUSES][:4]
    provisional = next((r for r in shown if r.period.status == Period.Status.PROVISIONAL), None)
    titles = list(Title.objects.filter(district_id=merchant.district_id, merchant=merchant,
                                       status__in=[Title.Status.LISTED, Title.Status.WARNED,
                                                   Title.Status.DELISTED])
                  .select_related("kind").order_by("kind__position"))
    if not results and not titles and provisional is None:
        return None
    # the merchant's flag, if it holds one: a flag of the latest period that awarded any
    latest = (Flag.objects.filter(district_id=merchant.district_id)
              .order_by("-period__starts_on").values("period_id")[:1])
    flag = (Flag.objects.filter(district_id=merchant.district_id, merchant=merchant,
                                period_id__in=Subquery(latest))
            .select_related("association", "grid", "period").first())
    holders = {merchant.pk: flag} if flag else {}
    current = results[0] if results else None
    explained = result_explained(result=current) if current else None
    rerating = Rerating.objects.filter(district_id=merchant.district_id, merchant=merchant,
                                       status=Rerating.Status.REQUESTED).exists()
    return {"current": explained, "history": results, "titles": titles,
            "flag": holders.get(merchant.pk), "rerating": rerating,
            "provisional": provisional, "faces": FACES}


def honour_board(*, district: District) -> dict[str, Any]:
    published = (Period.objects.filter(district=district, status__in=PUBLIC_STATUSES)
                 .order_by("-starts_on").first())
    excellent = []
    if published is not None:
        excellent = list(Result.objects.filter(district=district, period=published,
                                               grade=Grade.EXCELLENT)
                         .select_related("merchant").order_by("-total_tenths")[:50])
    titles = list(Title.objects.filter(district=district, status=Title.Status.LISTED)
                  .select_related("kind", "merchant").order_by("kind__position", "merchant__name"))
    by_kind: dict[str, list[Title]] = defaultdict(list)
    for title in titles:
        by_kind[title.kind.name].append(title)
    return {"period": published, "flags": flag_holders(district=district),
            "excellent": excellent, "titles": dict(by_kind), "faces": FACES}


def open_data(*, district: District, limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
    """Each merchant's latest published grade, sub-scores, date and history (open data)."""
    rows = (Result.objects.filter(district=district, period__status__in=PUBLIC_STATUSES)
            .select_related("merchant", "period").order_by("merchant_id", "-period__starts_on"))
    merchants: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = merchants.get(r.merchant_id)
        item = {"period": r.period.name, "starts_on": r.period.starts_on,
                "published_at": r.period.published_at, "grade": r.grade,
                "total": r.total_tenths / 10}
        if entry is None:
            merchants[r.merchant_id] = {
                "merchant": r.merchant.name, "token": r.merchant.public_token,
                "grade": r.grade, "total": r.total_tenths / 10,
                "rated_on": r.period.published_at, "capped": r.capped,
                "sub_scores": {names: r.dimension_tenths.get(code, 0) / 10
                               for code, names in r.period.dimension_names().items()},
                "reply": r.reply, "history": [item]}
        elif len(entry["history"]) < 4:
            entry["history"].append(item)
    return list(merchants.values())[offset:offset + limit]


# --- outdoor display ---------------------------------------------------------------------------------
def outdoor_zone_for(*, merchant: Merchant) -> OutdoorZone | None:
    return OutdoorZone.objects.filter(district_id=merchant.district_id, merchant=merchant).first()


def outdoor_zone_list(*, district: District, grid: Any = None) -> QuerySet[OutdoorZone]:
    qs = OutdoorZone.objects.filter(district=district).select_related("merchant", "merchant__grid")
    if grid:
        qs = qs.filter(merchant__grid_id=grid)
    return qs.order_by("merchant__grid__name", "merchant__name")


def outdoor_today(*, user: Any, district: District) -> list[dict[str, Any]]:
    """The grid leader's round: the zones in the grids they lead (all for the committee),
    with today's check if done."""
    policies.require(user, "ratings.outdoor_check", district)
    zones = outdoor_zone_list(district=district)
    if not policies.has_role(user, district, "committee"):
        zones = zones.filter(merchant__grid__leader=user)
    zones = list(zones[:200])
    today = timezone.localdate()
    done = {c.zone_id: c for c in OutdoorCheck.objects.filter(
        district=district, checked_on=today, zone_id__in=[z.pk for z in zones])}
    return [{"zone": z, "check": done.get(z.pk)} for z in zones]


def outdoor_recent(*, merchant: Merchant, limit: int) -> list[OutdoorCheck]:
    return list(OutdoorCheck.objects.filter(district_id=merchant.district_id, merchant=merchant)
                .order_by("-checked_at", "-id")[:limit])


def _rate(passed: int, total: int) -> float | None:
    return round(100 * passed / total, 1) if total else None


def outdoor_compliance(*, user: Any, district: District, weeks: int = 8) -> dict[str, Any]:
    """The share of checks at or above the threshold, per district, week, grid, merchant."""
    policies.require(user, "ratings.outdoor_view", district)
    since = timezone.localdate() - dt.timedelta(weeks=weeks)
    qs = OutdoorCheck.objects.filter(district=district, checked_on__gte=since)
    agg = {"total": Count("id"), "passed": Count("id", filter=Q(passed=True))}
    overall = qs.aggregate(**agg)
    by_week = [{"week": r["week"], "total": r["total"], "passed": r["passed"],
                "rate": _rate(r["passed"], r["total"])}
               for r in qs.annotate(week=TruncWeek("checked_on")).values("week")
               .annotate(**agg).order_by("week")]
    by_grid = [{"grid": r["merchant__grid__name"] or "—", "total": r["total"],
                "passed": r["passed"], "rate": _rate(r["passed"], r["total"])}
               for r in qs.values("merchant__grid__name").annotate(**agg)
               .order_by("merchant__grid__name")]
    by_merchant = [{"merchant_id": r["merchant_id"], "merchant": r["merchant__name"],
                    "total": r["total"], "passed": r["passed"],
                    "rate": _rate(r["passed"], r["total"])}
                   for r in qs.values("merchant_id", "merchant__name").annotate(**agg)
                   .order_by("merchant__name")[:200]]
    return {"since": since, "total": overall["total"], "passed": overall["passed"],
            "rate": _rate(overall["passed"], overall["total"]), "by_week": by_week,
            "by_grid": by_grid, "by_merchant": by_merchant}


def is_own_merchant(user: Any, merchant: Merchant) -> bool:
    return is_merchant_of(user, merchant)
