"""Public pages: the report form (随手拍), tracking, my reports and rating."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from shangquan.core import policies, ratelimit
from shangquan.core.errors import DomainError
from shangquan.core.selectors import district_get_public
from shangquan.merchants.models import Grid

from .. import metoo_reads, selectors, services
from ..forms import grid_by_id, merchant_by_token
from ..models import Channel, Rating
from ..policies import CHANNEL_ROLES

# Tiles for the report map. AutoNavi serves mainland China well; CSP allows it.
TILE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"


def _channels_for(request: HttpRequest, district) -> list[tuple[str, str]]:
    out = [(Channel.RESIDENT.value, Channel.RESIDENT.label)]
    for channel, roles in CHANNEL_ROLES.items():
        if channel != Channel.HOTLINE and policies.has_role(request.user, district, *roles):
            out.append((channel, Channel(channel).label))
    return out


@require_http_methods(["GET", "POST"])
def report_view(request: HttpRequest, code: str) -> HttpResponse:
    """随手拍: category, place (map pin, merchant or grid), text, up to 9 photos."""
    district = district_get_public(code=code)
    categories = list(selectors.category_list(district=district))
    data = request.POST if request.method == "POST" else request.GET
    merchant = merchant_by_token(district, data.get("merchant"))
    context = {
        "district": district, "categories": categories, "merchant": merchant,
        "grids": Grid.objects.filter(district=district).order_by("name"),
        "channels": _channels_for(request, district), "form": data, "tile_url": TILE_URL,
        "center": (district.latitude, district.longitude),
    }
    if request.method == "GET":
        return render(request, "workorders/report.html", context)
    category = next((c for c in categories if c.code == data.get("category")), None)
    grid = grid_by_id(district, data.get("grid"))
    lat, lon = data.get("latitude") or None, data.get("longitude") or None
    if category is not None and not data.get("confirm_duplicate"):
        duplicates = selectors.duplicates_find(
            district=district, category=category, latitude=lat, longitude=lon,
            merchant_id=merchant.pk if merchant else None, grid_id=grid.pk if grid else None)
        if duplicates:
            # Shown as "already reported": follow one, or file anyway.
            context["duplicates"] = duplicates
            return render(request, "workorders/report.html", context)
    try:
        order = services.work_order_submit(
            actor=request.user, district=district, category_code=data.get("category", ""),
            description=data.get("description", ""), channel=data.get("channel")
            or Channel.RESIDENT, merchant=merchant, grid=grid, latitude=lat, longitude=lon,
            address=data.get("address", ""), photos=request.FILES.getlist("photos"),
            reporter_name=data.get("reporter_name", ""),
            reporter_phone=data.get("reporter_phone", ""),
            anonymous=bool(data.get("anonymous")), client_key=ratelimit.client_ip(request))
    except DomainError as exc:
        context["error"] = exc
        return render(request, "workorders/report.html", context, status=exc.status)
    return redirect(reverse("workorders:track", kwargs={"code": district.code,
                                                        "number": order.number}) + "?new=1")


def track_view(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """The public timeline: status and public notes, never who reported or their contact."""
    district = district_get_public(code=code)
    order = selectors.work_order_by_number(district=district, number=number)
    is_reporter = request.user.is_authenticated and order.reporter_id == request.user.pk
    return render(request, "workorders/track.html", {
        "district": district, "order": order, "events": selectors.timeline(order=order),
        "metoo_count": metoo_reads.metoo_counts(orders=[order]).get(order.pk, 0),
        "metoo_joined": bool(metoo_reads.metoo_joined(user=request.user, orders=[order])),
        "is_new": request.GET.get("new") == "1", "is_reporter": is_reporter,
        # The reporter sees their own photos and the department's evidence; others none.
        "photos": list(order.photos.all()) if is_reporter else [],
    })


def public_reports_view(request: HttpRequest, code: str) -> HttpResponse:
    """The public list: what has been reported and what the departments answered."""
    district = district_get_public(code=code)
    category = request.GET.get("category", "")[:40]
    orders = selectors.public_reports(district=district, category=category)
    counts = metoo_reads.metoo_counts(orders=orders)
    joined = metoo_reads.metoo_joined(user=request.user, orders=orders)
    for order in orders:
        order.metoo_count = counts.get(order.pk, 0)
        order.metoo_joined = order.pk in joined
    # The map: open reports only, at their public location (rounded unless a public place).
    points = metoo_reads.map_points(orders=[o for o in orders if o.is_open], counts=counts)
    return render(request, "workorders/public_reports.html", {
        "district": district, "category": category,
        "categories": selectors.category_list(district=district),
        "orders": orders, "points": points, "tile_url": TILE_URL})


def nearby_view(request: HttpRequest, code: str) -> HttpResponse:
    """For the report form, before typing: reports already filed nearby in the category."""
    district = district_get_public(code=code)
    data = request.GET
    category = next((c for c in selectors.category_list(district=district)
                     if c.code == data.get("category")), None)
    merchant = merchant_by_token(district, data.get("merchant"))
    grid = grid_by_id(district, data.get("grid"))
    nearby = []
    if category is not None:
        try:
            lat = float(data["latitude"]) if data.get("latitude") else None
            lon = float(data["longitude"]) if data.get("longitude") else None
        except ValueError:
            lat = lon = None
        nearby = selectors.duplicates_find(
            district=district, category=category, latitude=lat, longitude=lon,
            merchant_id=merchant.pk if merchant else None, grid_id=grid.pk if grid else None)
    return render(request, "workorders/_nearby.html", {"district": district, "nearby": nearby})


def track_lookup_view(request: HttpRequest, code: str) -> HttpResponse:
    district = district_get_public(code=code)
    number = request.GET.get("number", "").strip().upper()
    if number:
        return redirect("workorders:track", code=district.code, number=number)
    return render(request, "workorders/track_lookup.html", {"district": district})


@login_required
def mine_view(request: HttpRequest, code: str) -> HttpResponse:
    district = district_get_public(code=code)
    orders = selectors.my_reports(user=request.user).filter(district=district)[:100]
    return render(request, "workorders/mine.html", {"district": district, "orders": orders,
                                                    "ratings": Rating.choices})


@login_required
@require_http_methods(["GET", "POST"])
def rate_view(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """群众评单 by the reporter."""
    district = district_get_public(code=code)
    order = selectors.work_order_by_number(district=district, number=number)
    if order.reporter_id != request.user.pk:
        return render(request, "core/error.html", {"error": DomainError()}, status=404)
    context = {"district": district, "order": order, "ratings": Rating.choices,
               "events": selectors.timeline(order=order),
               "can_rate": policies.can(request.user, "workorders.rate", order)}
    if request.method == "POST":
        try:
            services.work_order_rate(actor=request.user, district=district, order=order,
                                     rating=request.POST.get("rating", ""),
                                     comment=request.POST.get("comment", ""))
        except DomainError as exc:
            context["error"] = exc
            return render(request, "workorders/rate.html", context, status=exc.status)
        return redirect("workorders:track", code=district.code, number=order.number)
    return render(request, "workorders/rate.html", context)
