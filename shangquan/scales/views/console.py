"""Console pages: registry, instrument, spot-check form, today's plan, certificates, KPIs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangquan.core import policies
from shangquan.core.district_settings import settings_form, settings_form_post
from shangquan.core.errors import DomainError, ValidationFailed
from shangquan.core.views import district_console_view

from .. import selectors, services, xlsx
from ..messages import grams
from ..metrology import min_capacity, mpe
from ..models import Instrument, Reweigh, SpotCheck
from ..policies import may_check, sees_all

GRAMS_PER = {"g": Decimal(1), "kg": Decimal(1000), "jin": Decimal(500)}


def to_grams(raw: str, unit: str = "kg", field: str = "") -> Decimal | None:
    """Form input in kg / g / 斤 to grams; blank is None, junk is a domain error."""
    raw = (raw or "").strip().replace("，", ".").replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed(_("“%(v)s”不是有效的数字") % {"v": raw[:20]}, code="not_a_number",
                               details={"field": field}) from None
    if not value.is_finite():
        raise ValidationFailed(_("“%(v)s”不是有效的数字") % {"v": raw[:20]}, code="not_a_number")
    return value * GRAMS_PER.get(unit, Decimal(1000))


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationFailed(_("日期格式应为 2026-03-01"), code="bad_date") from None


def _instrument_fields(post: Any) -> dict[str, Any]:
    return {
        "kind": post.get("kind", "price_computing"),
        "maker": post.get("maker", "").strip(),
        "model_no": post.get("model_no", "").strip(),
        "serial_no": post.get("serial_no", "").strip(),
        "max_capacity_g": to_grams(post.get("max_kg", ""), "kg", "max_kg") or Decimal(0),
        "e_g": to_grams(post.get("e_g", ""), "g", "e_g") or Decimal(0),
        "accuracy_class": post.get("accuracy_class", "III"),
        "certificate_no": post.get("certificate_no", "").strip(),
        "certificate_date": _date(post.get("certificate_date")),
        "next_due": _date(post.get("next_due")),
    }


# --- registry ---------------------------------------------------------------------------
@district_console_view
def registry_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    qs = selectors.instrument_list(user=request.user, district=district,
                                   status=request.GET.get("status", ""),
                                   kind=request.GET.get("kind", ""),
                                   q=request.GET.get("q", "").strip())
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "scales/registry.html", {
        "page": page, "kinds": Instrument.Kind.choices, "statuses": Instrument.Status.choices,
        "can_manage": policies.can(request.user, "scales.instrument_manage", district),
        "can_export": policies.can(request.user, "scales.export", district),
        "today": timezone.localdate()})


@district_console_view
def export_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    data = xlsx.instrument_export_xlsx(actor=request.user, district=district,
                                       status=request.GET.get("status", ""))
    response = HttpResponse(data, content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = (
        f'attachment; filename="instruments-{district.code}-{timezone.localdate()}.xlsx"')
    return response


@district_console_view
@require_POST
def import_view(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed(_("请选择要导入的 xlsx 文件"), code="file_required")
        result = xlsx.import_file(actor=request.user, district=request.district, upload=upload)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        for row in (exc.details or {}).get("errors", [])[:10]:
            messages.error(request, _("第 %(r)s 行：%(m)s") % {"r": row["row"], "m": row["message"]})
        return redirect("scales:registry", code=request.district.code)
    messages.success(request, _("导入完成：新增 %(c)s 台，更新 %(u)s 台") % {
        "c": result["created"], "u": result["updated"]})
    return redirect("scales:registry", code=request.district.code)


@district_console_view
def instrument_new_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "scales.instrument_manage", district)
    error = None
    if request.method == "POST":
        try:
            merchant = selectors.merchant_get(district=district, pk=request.POST.get("merchant"))
            instrument = services.instrument_register(
                actor=request.user, district=district, merchant=merchant,
                is_new=request.POST.get("is_new") == "on", **_instrument_fields(request.POST))
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已登记：%(i)s") % {"i": instrument})
            return redirect("scales:instrument", code=district.code, pk=instrument.pk)
    return render(request, "scales/instrument_form.html", {
        "merchants": selectors.merchant_choices(user=request.user, district=district),
        "kinds": Instrument.Kind.choices, "classes": Instrument.AccuracyClass.choices,
        "form": request.POST, "error": error, "instrument": None},
        status=error.status if error else 200)


@district_console_view
def instrument_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    district = request.district
    instrument = selectors.instrument_get(user=request.user, district=district, pk=pk)
    policies.require(request.user, "scales.instrument_manage", district)
    error = None
    if request.method == "POST":
        try:
            instrument = services.instrument_update(actor=request.user, district=district,
                                                    instrument=instrument,
                                                    **_instrument_fields(request.POST))
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("已保存"))
            return redirect("scales:instrument", code=district.code, pk=instrument.pk)
    form = request.POST if request.method == "POST" else {
        "kind": instrument.kind, "maker": instrument.maker, "model_no": instrument.model_no,
        "serial_no": instrument.serial_no, "max_kg": grams(instrument.max_capacity_g / 1000),
        "e_g": grams(instrument.e_g), "accuracy_class": instrument.accuracy_class,
        "certificate_no": instrument.certificate_no,
        "certificate_date": instrument.certificate_date.isoformat()
        if instrument.certificate_date else "",
        "next_due": instrument.next_due.isoformat() if instrument.next_due else ""}
    return render(request, "scales/instrument_form.html", {
        "kinds": Instrument.Kind.choices, "classes": Instrument.AccuracyClass.choices,
        "form": form, "error": error, "instrument": instrument},
        status=error.status if error else 200)


@district_console_view
def instrument_view(request: HttpRequest, pk: int) -> HttpResponse:
    district = request.district
    instrument = selectors.instrument_get(user=request.user, district=district, pk=pk)
    checks = list(selectors.spot_check_list(user=request.user, district=district,
                                            instrument_id=instrument.pk)[:20])
    return render(request, "scales/instrument.html", {
        "instrument": instrument, "checks": checks,
        "min_g": min_capacity(e=instrument.e_g, cls=instrument.accuracy_class),
        "can_manage": policies.can(request.user, "scales.instrument_manage", district),
        "can_status": policies.can(request.user, "scales.instrument_status", district),
        "can_check": (policies.can(request.user, "scales.check_record", district)
                      and may_check(request.user, district)),
        "can_sign": policies.can(request.user, "scales.commitment_sign", district),
        "today": timezone.localdate()})


@district_console_view
@require_POST
def instrument_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    district = request.district
    instrument = selectors.instrument_get(user=request.user, district=district, pk=pk)
    note = request.POST.get("note", "").strip()[:200]
    try:
        if action == "suspend":
            services.instrument_suspend(actor=request.user, district=district,
                                        instrument=instrument, note=note)
        elif action == "reinstate":
            services.instrument_reinstate(actor=request.user, district=district,
                                          instrument=instrument)
        elif action == "retire":
            services.instrument_retire(actor=request.user, district=district,
                                       instrument=instrument, note=note)
        elif action == "commitment":
            services.commitment_sign(actor=request.user, district=district,
                                     merchant=instrument.merchant,
                                     signed_on=_date(request.POST.get("signed_on"))
                                     or timezone.localdate(),
                                     scan=request.FILES.get("scan"))
        else:
            raise ValidationFailed(_("未知操作"), code="unknown_action")
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已完成"))
    return redirect("scales:instrument", code=district.code, pk=instrument.pk)


# --- spot checks ------------------------------------------------------------------------
@district_console_view
def check_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The checker's phone form: test load, one to three indications, the verdict."""
    district = request.district
    policies.require(request.user, "scales.check_record", district)
    instrument = selectors.instrument_get(user=request.user, district=district, pk=pk)
    error: DomainError | None = None
    check: SpotCheck | None = None
    if request.method == "POST":
        try:
            unit = request.POST.get("unit", "kg")
            load = to_grams(request.POST.get("load", ""), unit, "load")
            if load is None:
                raise ValidationFailed(_("请输入砝码质量"), code="load_required")
            readings = [to_grams(request.POST.get(f"reading{i}", ""), unit, f"reading{i}")
                        for i in range(1, 4)]
            check = services.spot_check_record(
                actor=request.user, district=district, instrument=instrument, load_g=load,
                indications=[r for r in readings if r is not None],
                note=request.POST.get("note", ""),
                planned=request.POST.get("planned") == "1")
        except DomainError as exc:
            error = exc
        else:
            instrument.refresh_from_db()
    suggested = [grams(x / 1000) for x in (Decimal(2000), Decimal(5000), Decimal(10000))
                 if min_capacity(e=instrument.e_g, cls=instrument.accuracy_class) <= x
                 <= instrument.max_capacity_g]
    return render(request, "scales/check.html", {
        "instrument": instrument, "check": check, "error": error, "form": request.POST,
        "min_g": min_capacity(e=instrument.e_g, cls=instrument.accuracy_class),
        "suggested": suggested, "planned": request.GET.get("planned") or
        request.POST.get("planned", ""),
        "mpe_at_max": mpe(load=instrument.max_capacity_g, e=instrument.e_g,
                          cls=instrument.accuracy_class,
                          basis="initial" if instrument.is_new else "in_service")},
        status=error.status if error else 200)


@district_console_view
def checks_view(request: HttpRequest) -> HttpResponse:
    passed = {"1": True, "0": False}.get(request.GET.get("passed", ""))
    qs = selectors.spot_check_list(user=request.user, district=request.district,
                                   passed=passed)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "scales/checks.html", {"page": page})


@district_console_view
def plan_view(request: HttpRequest) -> HttpResponse:
    """Today's plan on the checker's phone."""
    district = request.district
    policies.require(request.user, "scales.plan_view", district)
    day = _date(request.GET.get("day")) or timezone.localdate()
    stored = services.plan_ensure(district=district, day=day)
    view = selectors.plan_view(user=request.user, district=district, plan=stored)
    return render(request, "scales/plan.html", {
        "view": view, "plan": stored, "day": day, "is_today": day == timezone.localdate(),
        "can_check": may_check(request.user, district)})


@district_console_view
def certificates_view(request: HttpRequest) -> HttpResponse:
    overview = selectors.certificates_overview(user=request.user, district=request.district)
    return render(request, "scales/certificates.html", {
        **overview, "settings": selectors.settings_for(request.district),
        "today": timezone.localdate()})


# --- re-weighs and KPIs -----------------------------------------------------------------
@district_console_view
def reweighs_view(request: HttpRequest) -> HttpResponse:
    qs = selectors.reweigh_list(user=request.user, district=request.district,
                                verdict=request.GET.get("verdict", ""))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "scales/reweighs.html", {"page": page,
                                                    "verdicts": Reweigh.Verdict.choices})


@district_console_view
def kpis_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    error = None
    if request.method == "POST":
        try:
            settings_form_post(actor=request.user, district=district, app="scales",
                               data=request.POST)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("设置已保存"))
            return redirect("scales:kpis", code=district.code)
    end = _date(request.GET.get("end")) or timezone.localdate()
    start = _date(request.GET.get("start")) or end - dt.timedelta(days=180)
    period = "week" if request.GET.get("period") == "week" else "month"
    data = selectors.kpis(user=request.user, district=district, start=start, end=end,
                          period=period)
    fmt = "%Y-%m-%d" if period == "week" else "%Y-%m"
    chart = {"periods": [row["period"].strftime(fmt) for row in data["by_period"]],
             "totals": [row["total"] for row in data["by_period"]],
             "rates": [row["rate"] for row in data["by_period"]],
             "labels": {"checks": _("查验数"), "rate": _("合格率")}}
    return render(request, "scales/kpis.html", {
        "k": data, "chart": chart, "error": error, "settings_error": error,
        "settings_form": settings_form(user=request.user, district=district, app="scales"),
        "can_configure": policies.can(request.user, "scales.settings_manage", district),
        "sees_all": sees_all(request.user, district)}, status=error.status if error else 200)
