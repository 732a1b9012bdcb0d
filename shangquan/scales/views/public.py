"""The fair scale station (公平秤): anyone re-weighs a purchase; a shortfall is one tap away
from a complaint."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shangquan.core import ratelimit
from shangquan.core.errors import DomainError, ValidationFailed
from shangquan.core.selectors import district_get_public
from shangquan.merchants.models import Merchant
from shangquan.workorders.models import WorkOrder

from .. import selectors, services
from ..models import Reweigh
from .console import to_grams

MAX_CHOICES = 200


def _merchants(district, q: str):
    qs = Merchant.objects.filter(district=district, status=Merchant.Status.OPEN)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(stall_no__iexact=q))
    return qs.only("id", "name", "stall_no", "public_token").order_by("name")[:MAX_CHOICES]


@require_http_methods(["GET", "POST"])
def station_view(request: HttpRequest, code: str) -> HttpResponse:
    district = district_get_public(code=code)
    q = request.GET.get("q", "").strip()[:40]
    preselect = request.GET.get("m", "")
    error = None
    if request.method == "POST":
        try:
            if not request.POST.get("merchant"):
                raise ValidationFailed(_("请选择商户"), code="merchant_required")
            merchant = selectors.merchant_get_by_token(district=district,
                                                       token=request.POST["merchant"])
            unit = request.POST.get("unit", "g")
            claimed = to_grams(request.POST.get("claimed", ""), unit, "claimed")
            measured = to_grams(request.POST.get("measured", ""), unit, "measured")
            if claimed is None or measured is None:
                raise ValidationFailed(_("请填写结算重量和复称重量"), code="weights_required")
            record = services.reweigh_record(
                actor=request.user, district=district, merchant=merchant,
                goods=request.POST.get("goods", ""), band=request.POST.get("band", ""),
                unit_price=request.POST.get("unit_price", "").strip() or None,
                price_unit=request.POST.get("price_unit", "kg"), claimed_g=claimed,
                measured_g=measured, client_key=ratelimit.client_ip(request))
        except DomainError as exc:
            error = exc
        else:
            return redirect("scales:station_result", code=district.code,
                            token=record.public_token)
    merchants = list(_merchants(district, q))
    chosen = request.POST.get("merchant") or preselect
    if chosen and not any(m.public_token == chosen for m in merchants):
        extra = Merchant.objects.filter(district=district, public_token=chosen).first()
        if extra:
            merchants.insert(0, extra)
    return render(request, "scales/station.html", {
        "district": district, "current_district": district, "merchants": merchants, "q": q,
        "chosen": chosen, "bands": Reweigh.Band.choices, "form": request.POST, "error": error},
        status=error.status if error else 200)


def station_result_view(request: HttpRequest, code: str, token: str) -> HttpResponse:
    district = district_get_public(code=code)
    record = selectors.reweigh_get_public(district=district, token=token)
    return render(request, "scales/station_result.html", {
        "district": district, "current_district": district, "r": record,
        "order_number": _order_number(record)})


def _order_number(record: Reweigh) -> str:
    if not record.work_order_id:
        return ""
    return WorkOrder.objects.filter(pk=record.work_order_id).values_list(
        "number", flat=True).first() or ""


@require_POST
def station_complain_view(request: HttpRequest, code: str, token: str) -> HttpResponse:
    district = district_get_public(code=code)
    record = selectors.reweigh_get_public(district=district, token=token)
    try:
        services.reweigh_complain(actor=request.user, district=district, reweigh=record,
                                  reporter_phone=request.POST.get("phone", ""),
                                  reporter_name=request.POST.get("name", ""))
    except DomainError as exc:
        return render(request, "scales/station_result.html", {
            "district": district, "current_district": district, "r": record,
            "error": exc, "order_number": _order_number(record)}, status=exc.status)
    return redirect("scales:station_result", code=district.code, token=record.public_token)
