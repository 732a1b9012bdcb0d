"""Reads, always scoped by district, and by who asks: merchants see only their own."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.district_settings import Values, district_settings
from shangquan.core.errors import NotFound
from shangquan.core.models import District
from shangquan.merchants.models import Grid, Merchant
from shangquan.workorders.selectors import work_order_substantiated_counts

from .models import (
    Answer,
    Campaign,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    Finding,
    FollowUpVisit,
    Inspection,
    Rectification,
    Severity,
)
from .policies import can_see_merchant, is_staff, own_merchant_ids

OPEN = Rectification.OPEN_STATUSES


def rules_for(district: District) -> Values:
    """The district's inspection rules (``settings_schema``; defaults until changed)."""
    return district_settings(district=district, app="inspections")


def rectification_days(rules: Values, severity: str) -> int:
    """The rectification deadline, in days, for a finding of ``severity``."""
    return rules[f"{Severity(severity).value}_days"]


def target_merchants(campaign: Campaign) -> QuerySet[Merchant]:
    """Open merchants in the campaign's grids and categories (all, if none are set)."""
    qs = Merchant.objects.filter(district_id=campaign.district_id,
                                 status=Merchant.Status.OPEN)
    grid_ids = list(campaign.grids.values_list("pk", flat=True))
    if grid_ids:
        qs = qs.filter(grid_id__in=grid_ids)
    if campaign.categories:
        qs = qs.filter(category__in=campaign.categories)
    return qs


def holiday_window(campaign: Campaign) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the district's local time."""
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(campaign.start, time.min), tz),
            timezone.make_aware(datetime.combine(campaign.end + timedelta(days=1), time.min), tz))


def complaint_counts(campaign: Campaign) -> dict[int, int]:
    """merchant id → substantiated complaints during the holiday, from the work orders."""
    start, end = holiday_window(campaign)
    return work_order_substantiated_counts(district=campaign.district, start=start, end=end)


# --- checklists ---------------------------------------------------------------------------
def template_list(*, user: Any, district: District,
                  active_only: bool = True) -> QuerySet[ChecklistTemplate]:
    policies.require(user, "inspections.template_view", district)
    # Newest version first, with its items: a list of templates is three queries.
    qs = ChecklistTemplate.objects.filter(district=district).prefetch_related(
        Prefetch("versions", queryset=ChecklistVersion.objects.order_by("-number")
                 .prefetch_related("items")))
    return qs.filter(is_active=True) if active_only else qs


def template_latest_version(template: ChecklistTemplate) -> ChecklistVersion | None:
    """The newest version: from :func:`template_list`'s prefetch when the template has it."""
    if "versions" in getattr(template, "_prefetched_objects_cache", {}):
        versions = template.versions.all()
        return versions[0] if versions else None
    return template.versions.order_by("-number").first()


def template_get(*, user: Any, district: District, template_id: Any) -> ChecklistTemplate:
    policies.require(user, "inspections.template_view", district)
    template = ChecklistTemplate.objects.filter(district=district, pk=_int(template_id)).first()
    if template is None:
        raise NotFound()
    return template


def version_items(version: ChecklistVersion) -> QuerySet[ChecklistItem]:
    return version.items.all()


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


# --- inspections -----------------------------------------------------------------------------
def _visible_inspections(user: Any, district: District) -> QuerySet[Inspection]:
    qs = Inspection.objects.filter(district=district)
    if is_staff(user, district):
        return qs
    policies.require(user, "inspections.merchant_history", district)
    return qs.filter(merchant_id__in=own_merchant_ids(user, district),
                     status=Inspection.Status.COMPLETED)


def inspection_list(*, user: Any, district: District, status: str = "", kind: str = "",
                    campaign_id: Any = None, merchant_id: Any = None, grid_id: Any = None,
                    mine: bool = False, top_level: bool = True) -> QuerySet[Inspection]:
    qs = _visible_inspections(user, district).select_related("merchant", "grid", "team")
    if top_level:
        qs = qs.filter(parent__isnull=True)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if campaign_id:
        qs = qs.filter(campaign_id=_int(campaign_id))
    if merchant_id:
        qs = qs.filter(Q(merchant_id=_int(merchant_id)) | Q(children__merchant_id=_int(
            merchant_id))).distinct()
    if grid_id:
        qs = qs.filter(grid_id=_int(grid_id))
    if mine:
        qs = qs.filter(Q(inspectors=user) | Q(team__members=user)
                       | Q(departments__in=policies.departments_of(user, district))).distinct()
    return qs.order_by("planned_for", "pk") if status in ("planned", "in_progress") \
        else qs.order_by("-planned_for", "-pk")


def inspection_get(*, user: Any, district: District, inspection_id: Any) -> Inspection:
    inspection = (_visible_inspections(user, district)
                  .select_related("merchant", "grid", "campaign", "team", "parent")
                  .filter(pk=_int(inspection_id)).first())
    if inspection is None:
        raise NotFound()
    return inspection


def inspection_sheet(inspection: Inspection) -> list[dict]:
    """The checklist as ticked so far: one section per checklist version."""
    answers = {a.item_id: a for a in Answer.objects.filter(inspection=inspection)
               .prefetch_related("photos")}
    sections = []
    for version in inspection.versions.select_related("template").order_by("template__name"):
        items = []
        for item in version.items.all():
            answer = answers.get(item.pk)
            items.append({"item": item, "answer": answer,
                          "photos": list(answer.photos.all()) if answer else []})
        sections.append({"version": version, "items": items})
    return sections


def inspection_children(inspection: Inspection) -> QuerySet[Inspection]:
    return (inspection.children.select_related("merchant")
            .annotate(answered=Count("answers"), finding_count=Count("findings", distinct=True))
            .order_by("merchant__stall_no", "merchant__name"))


def inspection_progress(inspection: Inspection) -> dict:
    total = ChecklistItem.objects.filter(version__in=inspection.versions.all()).count()
    answered = inspection.answers.count()
    return {"total": total, "answered": answered,
            "percent": round(100 * answered / total) if total else 0}


# --- rectification ------------------------------------------------------------------------
def rectification_list(*, user: Any, district: District, status: str = "", severity: str = "",
                       source: str = "", merchant_id: Any = None, grid_id: Any = None,
                       overdue: bool = False, open_only: bool = False) -> QuerySet[Rectification]:
    policies.require(user, "inspections.rectification_view", district)
    qs = Rectification.objects.filter(district=district).select_related("merchant",
                                                                        "merchant__grid")
    if not is_staff(user, district):
        qs = qs.filter(merchant_id__in=own_merchant_ids(user, district))
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN)
    if severity:
        qs = qs.filter(severity=severity)
    if source:
        qs = qs.filter(source=source)
    if merchant_id:
        qs = qs.filter(merchant_id=_int(merchant_id))
    if grid_id:
        qs = qs.filter(merchant__grid_id=_int(grid_id))
    if overdue:
        qs = qs.filter(status__in=["issued", "rejected", "escalated"],
                       deadline__lt=timezone.now())
    return qs


def rectification_get(*, user: Any, district: District, rectification_id: Any) -> Rectification:
    policies.require(user, "inspections.rectification_view", district)
    order = (Rectification.objects.select_related("merchant", "issued_by", "verified_by",
                                                  "department")
             .filter(district=district, pk=_int(rectification_id)).first())
    if order is None or not can_see_merchant(user, district, order.merchant):
        raise NotFound()
    return order


def rectification_timeline(order: Rectification) -> dict:
    return {"evidence": list(order.evidence.select_related("submitted_by", "decided_by")
                             .prefetch_related("photos")),
            "visits": list(order.visits.select_related("visited_by"))}


# --- closed loop: risk register and warnings ------------------------------------------------
def _level(open_count: int, overdue: int, serious: int, repeated: int) -> str:
    if serious or overdue >= 3:
        return "red"
    if overdue or repeated:
        return "orange"
    if open_count:
        return "yellow"
    return "green"


def risk_register(*, user: Any, district: District) -> list[dict]:
    """Per grid: open, overdue, serious and repeated findings, and a colour."""
    policies.require(user, "inspections.risk_view", district)
    now = timezone.now()
    window = timezone.now() - timedelta(days=rules_for(district).repeat_window_days)
    rows = (Rectification.objects.filter(district=district, status__in=OPEN)
            .values("merchant__grid_id")
            .annotate(open=Count("pk"),
                      overdue=Count("pk", filter=Q(deadline__lt=now) & ~Q(status="submitted")),
                      serious=Count("pk", filter=Q(severity="serious")),
                      stopped=Count("pk", filter=Q(stop_business=True))))
    repeated = Counter(Finding.objects.filter(district=district, repeat_of__isnull=False,
                                              created_at__gte=window)
                       .values_list("merchant__grid_id", flat=True))
    by_grid = {r["merchant__grid_id"]: r for r in rows}
    grids = {g.pk: g for g in Grid.objects.filter(district=district)}
    shops = dict(Merchant.objects.filter(district=district).exclude(status="deregistered")
                 .values("grid_id").annotate(n=Count("pk")).values_list("grid_id", "n"))
    out = []
    for grid_id in sorted(set(grids) | set(by_grid) | set(repeated),
                          key=lambda g: (g is None, grids[g].name if g in grids else "")):
        r = by_grid.get(grid_id, {})
        row = {"grid": grids.get(grid_id), "grid_id": grid_id, "merchants": shops.get(grid_id, 0),
               "open": r.get("open", 0), "overdue": r.get("overdue", 0),
               "serious": r.get("serious", 0), "stopped": r.get("stopped", 0),
               "repeated": repeated.get(grid_id, 0)}
        row["level"] = _level(row["open"], row["overdue"], row["serious"], row["repeated"])
        out.append(row)
    rank = {"red": 0, "orange": 1, "yellow": 2, "green": 3}
    return sorted(out, key=lambda r: (rank[r["level"]], -r["open"]))


def repeat_warnings(*, user: Any, district: District, limit: int = 50) -> list[Finding]:
    """Same item found twice at the same merchant within the district's window."""
    policies.require(user, "inspections.risk_view", district)
    window = timezone.now() - timedelta(days=rules_for(district).repeat_window_days)
    return list(Finding.objects.filter(district=district, repeat_of__isnull=False,
                                       created_at__gte=window)
                .select_related("merchant", "item", "repeat_of", "rectification")
                .order_by("-created_at")[:limit])


# --- campaigns -------------------------------------------------------------------------------
def campaign_list(*, user: Any, district: District) -> QuerySet[Campaign]:
    policies.require(user, "inspections.campaign_view", district)
    return Campaign.objects.filter(district=district).order_by("-start", "-pk")


def campaign_get(*, user: Any, district: District, campaign_id: Any) -> Campaign:
    policies.require(user, "inspections.campaign_view", district)
    campaign = (Campaign.objects.select_related("district")  # its progress reads the district
                .filter(district=district, pk=_int(campaign_id)).first())
    if campaign is None:
        raise NotFound()
    return campaign


def _status_counts(qs: QuerySet[Inspection]) -> dict:
    counts = dict(qs.values_list("status").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    done = counts.get("completed", 0) + counts.get("cancelled", 0)
    return {"total": total, "planned": counts.get("planned", 0),
            "in_progress": counts.get("in_progress", 0), "completed": counts.get("completed", 0),
            "cancelled": counts.get("cancelled", 0),
            "percent": round(100 * done / total) if total else 0}


def campaign_open_findings(campaign: Campaign) -> QuerySet[Rectification]:
    """清单式: open orders of the target merchants and of those the campaign inspected."""
    inspected = Inspection.objects.filter(campaign=campaign, merchant__isnull=False) \
        .values("merchant_id")
    return (Rectification.objects.filter(district_id=campaign.district_id, status__in=OPEN)
            .filter(Q(merchant__in=target_merchants(campaign)) | Q(merchant_id__in=inspected))
            .select_related("merchant", "merchant__grid")
            .annotate(visit_count=Count("visits", filter=Q(visits__campaign=campaign)))
            .order_by("deadline"))


def campaign_progress(campaign: Campaign, *, with_complaints: bool = True) -> dict:
    """Numbers for the campaign page and its report."""
    shops = Inspection.objects.filter(campaign=campaign, merchant__isnull=False)
    concentrated = shops.filter(kind=Inspection.Kind.CONCENTRATED)
    targeted = shops.filter(kind=Inspection.Kind.TARGETED)
    findings = Finding.objects.filter(inspection__campaign=campaign)
    orders = Rectification.objects.filter(finding__inspection__campaign=campaign)
    by_severity = dict(findings.values_list("severity").annotate(n=Count("pk")).order_by())
    by_status = dict(orders.values_list("status").annotate(n=Count("pk")).order_by())
    verified = by_status.get("verified", 0)
    total_orders = sum(by_status.values())
    complaints = complaint_counts(campaign) if with_complaints else {}
    return {
        "phase": campaign.phase(),
        "targets": target_merchants(campaign).count(),
        "concentrated": _status_counts(concentrated),
        "targeted": _status_counts(targeted),
        "findings": sum(by_severity.values()),
        "by_severity": {k: by_severity.get(k, 0) for k in ("general", "major", "serious")},
        "orders": by_status, "orders_total": total_orders,
        "rectified_percent": round(100 * verified / total_orders) if total_orders else 0,
        "open_follow_ups": campaign_open_findings(campaign).count(),
        "visits": FollowUpVisit.objects.filter(campaign=campaign).count(),
        "complained_merchants": len(complaints), "complaints": sum(complaints.values()),
        "repeated": findings.filter(repeat_of__isnull=False).count(),
    }


def campaign_report_rows(campaign: Campaign) -> list[dict]:
    """One row per inspected merchant: the report's body."""
    rows: dict[int, dict] = {}
    shops = (Inspection.objects.filter(campaign=campaign, merchant__isnull=False)
             .select_related("merchant", "merchant__grid", "team").order_by("planned_for"))
    for insp in shops:
        row = rows.setdefault(insp.merchant_id, {
            "merchant": insp.merchant.name, "grid": getattr(insp.merchant.grid, "name", ""),
            "category": insp.merchant.category, "kinds": [], "results": [], "team": "",
            "findings": 0, "open": 0, "verified": 0})
        row["kinds"].append(insp.get_kind_display())
        row["results"].append(insp.get_result_display() if insp.result
                              else insp.get_status_display())
        row["team"] = insp.team.name if insp.team else row["team"]
    stats: dict[int, Counter] = defaultdict(Counter)
    for merchant_id, status in Rectification.objects.filter(
            finding__inspection__campaign=campaign).values_list("merchant_id", "status"):
        stats[merchant_id]["findings"] += 1
        stats[merchant_id]["verified" if status == "verified" else "open"] += 1
    for merchant_id, row in rows.items():
        row.update({k: stats[merchant_id][k] for k in ("findings", "open", "verified")})
    return list(rows.values())


# --- merchant pages ----------------------------------------------------------------------------
def merchant_history(*, user: Any, district: District, merchant: Merchant) -> dict:
    policies.require(user, "inspections.merchant_history", district)
    if merchant.district_id != district.pk or not can_see_merchant(user, district, merchant):
        raise NotFound()
    inspections = (Inspection.objects.filter(district=district, merchant=merchant)
                   .exclude(status=Inspection.Status.CANCELLED)
                   .annotate(finding_count=Count("findings"))
                   .select_related("campaign").order_by("-planned_for", "-pk"))
    orders = Rectification.objects.filter(district=district, merchant=merchant) \
        .order_by("-issued_at")
    return {"inspections": list(inspections[:100]), "rectifications": list(orders[:100])}


def merchant_latest_outcome(merchant: Merchant) -> dict | None:
    """For the public page: no names, no notes, no photos."""
    last = (Inspection.objects.filter(district_id=merchant.district_id, merchant=merchant,
                                      status=Inspection.Status.COMPLETED)
            .order_by("-completed_at").only("completed_at", "result", "kind").first())
    if last is None:
        return None
    open_count = Rectification.objects.filter(district_id=merchant.district_id,
                                              merchant=merchant, status__in=OPEN).count()
    return {"date": timezone.localtime(last.completed_at).date(), "result": last.result,
            "result_label": last.get_result_display(), "open_findings": open_count}


# --- for ratings' evidence (district-wide, one query each) ------------------------------------
def rating_evidence(*, district: District, start: datetime, end: datetime) -> dict[str, dict]:
    """Per merchant, the rows a rating deducts for, each with its id:
    ``serious_findings`` (found in [start, end)), ``overdue`` (rectifications whose
    deadline fell in the window and that were escalated, verified late or are still open
    past it) and ``open_serious`` (serious rectifications open now: they cap the grade)."""
    now = timezone.now()
    out: dict[str, dict] = {"serious_findings": {}, "overdue": {}, "open_serious": {}}
    for merchant_id, pk, title, created in (
            Finding.objects.filter(district=district, severity=Severity.SERIOUS,
                                   created_at__gte=start, created_at__lt=end)
            .values_list("merchant_id", "pk", "rectification__title", "created_at")
            .order_by("created_at")):
        out["serious_findings"].setdefault(merchant_id, []).append(
            {"id": pk, "label": title[:100], "date": timezone.localtime(created).date()})
    late = (Q(escalated_at__isnull=False) | Q(verified_at__gt=F("deadline"))
            | (Q(status__in=OPEN) & ~Q(status=Rectification.Status.SUBMITTED)))
    for merchant_id, pk, number, deadline in (
            Rectification.objects.filter(district=district, deadline__gte=start,
                                         deadline__lt=min(end, now))
            .filter(late).values_list("merchant_id", "pk", "number", "deadline")
            .order_by("deadline")):
        out["overdue"].setdefault(merchant_id, []).append(
            {"id": pk, "label": number, "date": timezone.localtime(deadline).date()})
    for merchant_id, pk in (Rectification.objects.filter(district=district,
                                                         severity=Severity.SERIOUS,
                                                         status__in=OPEN)
                            .values_list("merchant_id", "pk")):
        out["open_serious"].setdefault(merchant_id, []).append(pk)
    return out
