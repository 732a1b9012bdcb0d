"""Console pages: the live board, zones, gates, alerts and the evening report."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangquan.core import policies
from shangquan.core.errors import DomainError, ValidationFailed
from shangquan.core.views import district_console_view

from . import selectors, services
from .forms import CountForm, GateForm, OverrideForm, ZoneForm
from .models import Level
from .mqtt import readings_topic


def _can(request: HttpRequest, action: str) -> bool:
    return policies.can(request.user, action, request.district)


@district_console_view
def board_view(request: HttpRequest) -> HttpResponse:
    board = selectors.board(user=request.user, district=request.district)
    big = request.GET.get("screen") == "big"
    return render(request, "crowd/board.html", {
        "board": board, "big": big,
        "base_template": "crowd/bigscreen_base.html" if big else "console_base.html",
        "can_ack": _can(request, "crowd.acknowledge"),
    })


@district_console_view
def zones_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    zones = selectors.zone_list(user=request.user, district=district)
    form = ZoneForm(request.POST or None, district=district)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                zone = services.zone_create(actor=request.user, district=district,
                                            **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("已添加区域 %(name)s") % {"name": zone.name})
                return redirect("crowd:zone", code=district.code, pk=zone.pk)
        else:
            status = 422
    return render(request, "crowd/zones.html", {
        "zones": zones, "form": form, "can_manage": _can(request, "crowd.manage")},
        status=status)


@district_console_view
def zone_view(request: HttpRequest, pk: int) -> HttpResponse:
    district = request.district
    zone = selectors.zone_get(user=request.user, district=district, pk=pk)
    count_form, override_form = CountForm(), OverrideForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "count":
                count_form = CountForm(request.POST)
                if not count_form.is_valid():
                    raise DomainError(_("请检查清点人数"), code="validation_error")
                services.manual_count_record(actor=request.user, zone=zone,
                                             **count_form.cleaned_data)
                messages.success(request, _("已记录人工点数"))
            elif action == "override":
                override_form = OverrideForm(request.POST)
                if not override_form.is_valid():
                    raise DomainError(_("请填写接管状态、时长和说明"), code="validation_error")
                services.zone_override(actor=request.user, zone=zone,
                                       **override_form.cleaned_data)
                messages.success(request, _("已人工接管"))
            elif action == "release":
                services.zone_release(actor=request.user, zone=zone,
                                      note=request.POST.get("note", ""))
                messages.success(request, _("已恢复自动管控"))
            elif action == "reset":
                services.zone_reset(actor=request.user, zone=zone,
                                    note=request.POST.get("note", ""))
                messages.success(request, _("已清零"))
            else:
                raise DomainError(_("未知操作"))
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            return redirect("crowd:zone", code=district.code, pk=zone.pk)
        zone.refresh_from_db()
    state = selectors.board_data(district=district)
    zone_state = next((z for z in state["zones"] if z["id"] == zone.pk), None)
    return render(request, "crowd/zone.html", {
        "zone": zone, "state": zone_state, "count_form": count_form,
        "override_form": override_form,
        "events": selectors.control_event_list(user=request.user, district=district,
                                               zone=zone)[:30],
        "counts": selectors.manual_count_list(user=request.user, district=district,
                                              zone=zone)[:10],
        "gates": zone.gates.all(),
        "can_count": _can(request, "crowd.count"),
        "can_override": _can(request, "crowd.override"),
        "can_manage": _can(request, "crowd.manage"),
    }, status=status)


@district_console_view
def zone_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    district = request.district
    zone = selectors.zone_get(user=request.user, district=district, pk=pk)
    policies.require(request.user, "crowd.manage", district)
    form = ZoneForm(request.POST or None, district=district, zone=zone,
                    initial=ZoneForm.initial_for(zone))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["capacity_manual"] = data["capacity"] is not None
            if data["capacity"] is None:
                data.pop("capacity")
            try:
                services.zone_update(actor=request.user, zone=zone, **data)
            except DomainError as exc:
                form.add_error(None, exc.message)
                for field, errors in (exc.details or {}).items() if isinstance(
                        exc.details, dict) else ():
                    form.add_error(field if field in form.fields else None, errors)
                status = exc.status
            else:
                messages.success(request, _("已保存"))
                return redirect("crowd:zone", code=district.code, pk=zone.pk)
        else:
            status = 422
    return render(request, "crowd/zone_edit.html", {"zone": zone, "form": form},
                  status=status)


@district_console_view
def gates_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    gates = list(selectors.gate_list(user=request.user, district=district))
    for gate in gates:
        gate.topic = readings_topic(district.code, gate.code)
    form = GateForm(request.POST or None, district=district)
    context = {"gates": gates, "form": form, "can_manage": _can(request, "crowd.manage"),
               "new_token": None}
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "rotate":
                gate = selectors.gate_get(user=request.user, district=district,
                                          pk=request.POST.get("gate"))
                context["new_token"] = (gate, services.gate_token_rotate(actor=request.user,
                                                                         gate=gate))
            elif form.is_valid():
                gate, raw = services.gate_create(actor=request.user, district=district,
                                                 **form.cleaned_data)
                gate.topic = readings_topic(district.code, gate.code)
                context["new_token"] = (gate, raw)
                context["gates"] = gates + [gate]
                context["form"] = GateForm(district=district)
            else:
                status = 422
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
    # The token is shown once, in this answer: never redirect it into a URL or session.
    response = render(request, "crowd/gates.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@district_console_view
def alerts_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":  # 提醒我: the subscription form on this page
        return _subscription_post(request)
    alerts = selectors.alert_list(user=request.user, district=request.district,
                                  open_only=request.GET.get("open") == "1")[:100]
    return render(request, "crowd/alerts.html", {
        "alerts": alerts, "can_ack": _can(request, "crowd.acknowledge"),
        "can_subscribe": _can(request, "crowd.subscribe"),
        "subscriptions": selectors.my_alert_subscriptions(user=request.user,
                                                          district=request.district),
        "zones": selectors.zone_list(user=request.user, district=request.district,
                                     active_only=True),
        "levels": [(v, label) for v, label in Level.choices if v != Level.GREEN]})


def _subscription_post(request: HttpRequest) -> HttpResponse:
    """提醒我: take a zone's alerts from a level up, or stop taking them."""
    district, data = request.district, request.POST
    try:
        if data.get("remove"):
            services.alert_subscription_clear(actor=request.user, district=district,
                                              subscription_id=int(data["remove"]))
            messages.success(request, _("已取消提醒"))
        else:
            zone = None
            if data.get("zone"):
                zone = selectors.zone_list(user=request.user, district=district).filter(
                    pk=int(data["zone"])).first()
                if zone is None:
                    raise ValidationFailed(code="zone_unknown")
            services.alert_subscription_set(actor=request.user, district=district, zone=zone,
                                            min_level=data.get("min_level", ""))
            messages.success(request, _("已设置提醒"))
    except ValueError:
        messages.error(request, _("请选择区域"))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("crowd:alerts", code=district.code)


@district_console_view
@require_POST
def alert_ack_view(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get(user=request.user, district=request.district, pk=pk)
    try:
        services.alert_acknowledge(actor=request.user, alert=alert,
                                   note=request.POST.get("note", ""))
        messages.success(request, _("已确认预警"))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    target = request.POST.get("next", "")
    if target not in ("board", "alerts"):
        target = "alerts"
    return redirect(f"crowd:{target}", code=request.district.code)


@district_console_view
def report_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = selectors.latest_evening(district=district)
    report = selectors.evening_report(user=request.user, district=district, day=day)
    return render(request, "crowd/report.html", {"report": report, "day": day})
