"""Console pages: the district's indicators by period, the street's view, a department's
view across its districts, reports, snapshots and the big screen's layout."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.errors import DomainError, ValidationFailed
from shangquan.core.periods import Period
from shangquan.core.views import district_console_view

from . import layouts, reports_render, screen_panels, selectors, services
from .models import (
    REFRESH_MAX,
    REFRESH_MIN,
    REPORT_KINDS,
    SCREEN_COLUMNS,
    SCREEN_MAX_PANELS,
    SCREEN_ROWS,
)


@district_console_view
def kpis_view(request: HttpRequest) -> HttpResponse:
    district = request.district  # type: ignore[attr-defined]
    kind = request.GET.get("kind", "month")
    error = ""
    try:
        period = selectors.period_parse(text=request.GET.get("period", ""), kind=kind)
        baseline_text = request.GET.get("baseline", "")
        baseline = selectors.period_parse(text=baseline_text) if baseline_text else None
        values = selectors.kpi_board(user=request.user, district=district, period=period,
                                     baseline=baseline)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        error, period, baseline = str(exc.message), selectors.period_parse(text="", kind="month"), None
        values = selectors.kpi_board(user=request.user, district=district, period=period)
    street = None
    if values and len(selectors.overseen_districts(user=request.user)) > 1:
        key = request.GET.get("street", values[0].indicator.key)
        try:
            street = selectors.street_view(user=request.user, key=key, period=period)
        except DomainError:
            street = None
    return render(request, "dashboard/kpis.html", {
        "values": values, "period": period, "baseline": baseline, "kind": period.kind,
        "kinds": [("day", _("日")), ("week", _("周")), ("month", _("月")),
                  ("quarter", _("季")), ("year", _("年"))],
        "error": error, "street": street})


@district_console_view
def departments_view(request: HttpRequest) -> HttpResponse:
    """A department's own indicators across the districts it serves, and their total;
    each figure links to that district's drill-down by department."""
    district = request.district  # type: ignore[attr-defined]
    user = request.user
    kind = request.GET.get("kind", "month")
    codes = [c for raw in request.GET.getlist("codes") for c in raw.split(",") if c] or None
    error = ""
    try:
        period = selectors.period_parse(text=request.GET.get("period", ""), kind=kind)
    except DomainError as exc:
        error, period = str(exc.message), selectors.period_parse(text="", kind="month")
    view = selectors.department_view(user=user, district=district, period=period,
                                     codes=codes)  # another district's code: 404
    return render(request, "dashboard/departments.html", {
        "view": view, "period": period, "kind": period.kind, "error": error,
        "kinds": [("day", _("日")), ("week", _("周")), ("month", _("月")),
                  ("quarter", _("季")), ("year", _("年"))],
        "chosen": {s.district.code for s in view.served}})


# --- reports (console): list, on-demand generation, subscriptions, downloads ----------


@district_console_view
def reports_view(request: HttpRequest) -> HttpResponse:
    district = request.district  # type: ignore[attr-defined]
    user = request.user
    error, status, made = "", 200, None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "subscribe":
                services.subscription_set(actor=user, district=district,
                                          kind=request.POST.get("kind", ""),
                                          on=request.POST.get("on") == "1")
                return redirect("dashboard:reports", code=district.code)
            # the API's code path too (dashboard/api.py report_create)
            made, created = services.report_request(
                actor=user, district=district, period=request.POST.get("period", ""),
                sections=request.POST.getlist("sections"),
                street=request.POST.get("scope", "district") == "street")
            return redirect(f"{reverse('dashboard:reports', kwargs={'code': district.code})}"
                            f"?made={made.pk}&new={int(created)}")
        except DomainError as exc:
            if exc.status == 403 and request.POST.get("action") != "subscribe":
                raise
            error, status = str(exc.message), exc.status
    reports = selectors.report_list(user=user, district=district)
    subscribed = selectors.subscribed_kinds(user=user, district=district)
    kinds = [(k, selectors.REPORT_KIND_NAMES[k], k in subscribed) for k in REPORT_KINDS]
    return render(request, "dashboard/reports.html", {
        "reports": reports, "kinds": kinds, "error": error,
        "modules": selectors.report_modules(),
        "may_create": policies.can(user, "dashboard.report_create", district),
        "street": district.street, "made": request.GET.get("made", ""),
        "made_new": request.GET.get("new") == "1",
        "suggested": Period.containing("week", selectors.today()).previous().label,
        # the last closed period of each kind, offered in the period field's list
        "closed": [(Period.containing(k, selectors.today()).previous().label,
                    selectors.REPORT_KIND_NAMES[k]) for k in REPORT_KINDS],
        "kind_names": selectors.REPORT_KIND_NAMES}, status=status)


@district_console_view
def report_download_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    body, fmt, report = services.report_download(actor=request.user,
                                                 district=request.district,  # type: ignore[attr-defined]
                                                 pk=pk, fmt=fmt)
    # a Chinese file name (RFC 5987 filename*), the same answer as the API's
    return reports_render.download_response(body, fmt, report.title)


@district_console_view
def snapshots_view(request: HttpRequest) -> HttpResponse:
    """One indicator's frozen value for a closed period, its versions, and a correction."""
    district = request.district  # type: ignore[attr-defined]
    user = request.user
    data = request.POST if request.method == "POST" else request.GET
    indicators = selectors.indicators()
    key = data.get("key") or indicators[0].key
    error, status, versions, period = "", 200, [], None
    try:
        period = selectors.period_parse(text=data.get("period", "")) if data.get("period") \
            else Period.containing("week", selectors.today()).previous()
        if request.method == "POST":
            value = data.get("value", "").strip()
            try:
                number = float(value) if value else None
            except ValueError:
                raise ValidationFailed(_("数值应为数字"), code="validation_error") from None
            services.snapshot_correct(actor=user, district=district, key=key, period=period,
                                      value=number, reason=data.get("reason", ""))
            return redirect(f"{reverse('dashboard:snapshots', kwargs={'code': district.code})}"
                            f"?key={key}&period={period.label}")
        versions = selectors.snapshot_versions(user=user, district=district, key=key,
                                               period=period)
    except DomainError as exc:
        if exc.status == 403:
            raise
        error, status = str(exc.message), exc.status
    return render(request, "dashboard/report_snapshots.html", {
        "indicators": indicators, "key": key, "period": period, "versions": versions,
        "error": error,
        "may_correct": policies.can(user, "dashboard.snapshot_correct", district)},
        status=status)


# --- the big screen's layout (committee) ----------------------------------------------


@district_console_view
def screen_layout_view(request: HttpRequest) -> HttpResponse:
    """Choose and arrange the big screen's panels from the indicators: add, resize, set a
    refresh interval, move, remove, back to the default."""
    district = request.district  # type: ignore[attr-defined]
    user = request.user
    policies.require(user, "dashboard.screen_configure", district)
    error, status = "", 200
    if request.method == "POST":
        data = request.POST
        action = data.get("action", "")
        try:
            if action == "add":
                layouts.screen_panel_create(
                    actor=user, district=district, kind=data.get("kind", ""),
                    indicator=data.get("indicator", ""), width=data.get("width"),
                    height=data.get("height"), refresh_seconds=data.get("refresh_seconds"))
            elif action == "update":
                layouts.screen_panel_update(
                    actor=user, district=district, panel_id=data.get("panel"),
                    width=data.get("width"), height=data.get("height"),
                    refresh_seconds=data.get("refresh_seconds"))
            elif action in ("up", "down"):
                layouts.screen_panel_move(actor=user, district=district,
                                          panel_id=data.get("panel"), direction=action)
            elif action == "delete":
                layouts.screen_panel_delete(actor=user, district=district,
                                            panel_id=data.get("panel"))
            elif action == "reset":
                layouts.screen_layout_reset(actor=user, district=district)
            else:
                raise ValidationFailed(_("未知操作"), details={"action": action[:20]})
            screen_panels.forget_panels(district.pk)
            return redirect("dashboard:screen_layout", code=district.code)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            error, status = str(exc.message), exc.status
    rows = layouts.panel_rows(user=user, district=district)
    return render(request, "dashboard/screen_layout.html", {
        "rows": rows, "default": layouts.DEFAULT_LAYOUT if not rows else (),
        "kinds": layouts.kind_choices(), "indicators": selectors.indicators(),
        "error": error, "columns": range(1, SCREEN_COLUMNS + 1),
        "heights": range(1, SCREEN_ROWS + 1), "refresh_min": REFRESH_MIN,
        "refresh_max": REFRESH_MAX, "max_panels": SCREEN_MAX_PANELS}, status=status)
