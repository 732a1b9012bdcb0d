"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2).

``jurisdiction_id`` is the district code; ``service_code`` a category code;
``service_request_id`` the ticket number. Our states map to open/closed with
``status_notes``. POST needs ``api_key``: any API token (a person's or a device's)
that may report in that district. Replies in JSON or XML by the path suffix, errors
in the spec's form (a list of {code, description}). Public reads never carry personal
data; the description is included only for members of the district.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from shangquan.core import policies, ratelimit
from shangquan.core.errors import DomainError, NotFound
from shangquan.core.models import District
from shangquan.core.services import token_resolve

from . import selectors, services
from .forms import merchant_by_token
from .models import Category, Channel, Status, WorkOrder

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-25T00:00:00Z"
CLOSED = (Status.CLOSED, Status.REJECTED, Status.MERGED)
MAX_RESULTS = 1000
ATTRIBUTES = [{
    "variable": True, "code": "merchant", "datatype": "string", "required": False,
    "datatype_description": "商户二维码上的公开令牌", "order": 1,
    "description": "涉及的商户（可选）", "values": [],
}]


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        self.status, self.description = status, description
        super().__init__(description)


# --- rendering --------------------------------------------------------------------
def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, list):
        item_tag = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute",
                    "values": "value", "keywords": "keyword"}.get(key, "item")
        for item in value:
            if isinstance(item, dict):
                node = ET.SubElement(child, item_tag)
                for k, v in item.items():
                    _xml_value(node, k, v)
            else:
                ET.SubElement(child, item_tag).text = _text(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(child, k, v)
    else:
        child.text = _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _render(data: Any, fmt: str, *, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        top = ET.Element(root)
        for entry in (data if isinstance(data, list) else [data]):
            node = top if not isinstance(data, list) else ET.SubElement(top, item)
            for k, v in entry.items():
                _xml_value(node, k, v)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(data, ensure_ascii=False, default=str), status=status,
                        content_type="application/json; charset=utf-8")


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    return _render([{"code": status, "description": description}], fmt, root="errors",
                   item="error", status=status)


def open311_view(view):
    """Format from the suffix; domain errors and bad input in the spec's error format."""

    def wrapper(request: HttpRequest, fmt: str, **kwargs):
        fmt = fmt.lower()
        if fmt not in ("json", "xml"):
            return _error("json", 404, "format must be json or xml")
        try:
            return view(request, fmt, **kwargs)
        except Open311Error as exc:
            return _error(fmt, exc.status, exc.description)
        except DomainError as exc:
            # GeoReport v2 knows no 422: invalid input is a 400 with the error list.
            status = 400 if exc.status == 422 else exc.status
            return _error(fmt, status, f"{exc.code}: {exc.message}")

    wrapper.__name__ = view.__name__
    return csrf_exempt(wrapper)


def _params(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else request.GET


def _jurisdiction(request: HttpRequest) -> District:
    code = _params(request).get("jurisdiction_id") or request.GET.get("jurisdiction_id", "")
    if not code:
        raise Open311Error(400, "jurisdiction_id is required")
    district = District.objects.filter(code=str(code).upper(), is_active=True).first()
    if district is None:
        raise Open311Error(404, "jurisdiction_id not found")
    return district


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- services -------------------------------------------------------------------------
def _service(c: Category) -> dict:
    return {"service_code": c.code, "service_name": c.name,
            "description": f"{c.name}（{c.get_tier_display()}，{c.resolution_hours} 小时内办结）",
            "metadata": True, "type": "realtime", "keywords": c.tier,
            "group": c.department.name if c.department_id else ""}


@open311_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311-discovery", kwargs={"fmt": fmt}))
    base = base.rsplit("/", 1)[0] + "/"
    data = {"changeset": CHANGESET, "contact": "商圈党委 / 12345 热线",
            "key_service": "API tokens are issued in the console (个人令牌或设备令牌)",
            "endpoints": [{"specification": SPEC, "url": base, "changeset": CHANGESET,
                           "type": "production", "formats": ["text/xml", "application/json"]}]}
    return _render(data, fmt, root="discovery", item="discovery")


@open311_view
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    district = _jurisdiction(request)
    data = [_service(c) for c in selectors.category_list(district=district)]
    return _render(data, fmt, root="services", item="service")


@open311_view
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    district = _jurisdiction(request)
    if not selectors.category_list(district=district).filter(code=service_code).exists():
        raise Open311Error(404, "service_code not found")
    data = {"service_code": service_code, "attributes": ATTRIBUTES}
    return _render(data, fmt, root="service_definition", item="service_definition")


# --- requests -------------------------------------------------------------------------
def _request_out(o: WorkOrder, *, with_description: bool) -> dict:
    """One request; ``with_description`` is the staff view (exact location too), else the
    public one (location rounded unless the category is about a public place)."""
    closed = o.status in CLOSED
    if with_description:
        lat = float(o.latitude) if o.latitude is not None else None
        lon = float(o.longitude) if o.longitude is not None else None
    else:
        lat, lon = selectors.public_location(o)
    notes = o.public_note or (o.resolution_note if o.resolved_at else "")
    return {
        "service_request_id": o.number, "status": "closed" if closed else "open",
        "status_notes": f"{o.get_status_display()}{('：' + notes) if notes else ''}",
        "service_name": o.category.name, "service_code": o.category.code,
        "description": o.description if with_description else "",
        "agency_responsible": o.department.name if o.department_id else "",
        "service_notice": "",
        "requested_datetime": _iso(o.created_at),
        "updated_datetime": _iso(max(filter(None, [o.created_at, o.dispatched_at, o.accepted_at,
                                                   o.resolved_at, o.closed_at, o.rated_at]))),
        "expected_datetime": _iso(o.resolution_due_at),
        "address": o.address, "address_id": "", "zipcode": "",
        "lat": lat, "long": lon,
        "media_url": "",
    }


def _caller(request: HttpRequest, district: District, *, required: bool):
    """(user, device) for the api_key; the token must be allowed to report here."""
    raw = _params(request).get("api_key") or request.GET.get("api_key", "")
    if not raw:
        if required:
            raise Open311Error(403, "api_key is required")
        return None, None
    token = token_resolve(raw=raw)
    if token is None:
        raise Open311Error(403, "api_key is invalid or revoked")
    if token.device_id:
        if token.device.district_id != district.pk:
            raise Open311Error(403, "api_key is not valid for this jurisdiction_id")
        return None, token.device
    if not policies.is_member(token.user, district):
        raise Open311Error(403, "api_key is not valid for this jurisdiction_id")
    return token.user, None


def _date(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        raise Open311Error(400, f"invalid date: {raw[:40]}")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _request_list(request: HttpRequest, fmt: str, district: District) -> HttpResponse:
    user, device = _caller(request, district, required=False)
    staff = user is not None and policies.has_role(user, district, "committee", "street",
                                                  "department")
    qs = WorkOrder.objects.filter(district=district).select_related("category", "department")
    ids = request.GET.get("service_request_id", "")
    if ids:
        qs = qs.filter(number__in=[i.strip().upper() for i in ids.split(",") if i.strip()])
    else:
        end = _date(request.GET.get("end_date")) or timezone.now()
        start = _date(request.GET.get("start_date")) or end - dt.timedelta(days=90)
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
        codes = request.GET.get("service_code", "")
        if codes:
            qs = qs.filter(category__code__in=codes.split(","))
        status = request.GET.get("status", "")
        if status:
            wanted = set(status.split(","))
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, "status must be open or closed")
            if wanted == {"open"}:
                qs = qs.exclude(status__in=CLOSED)
            elif wanted == {"closed"}:
                qs = qs.filter(status__in=CLOSED)
    data = [_request_out(o, with_description=staff) for o in qs.order_by("-created_at")
            [:MAX_RESULTS]]
    return _render(data, fmt, root="service_requests", item="request")


def _request_create(request: HttpRequest, fmt: str, district: District) -> HttpResponse:
    user, device = _caller(request, district, required=True)
    p = request.POST
    code = p.get("service_code", "")
    if not code:
        raise Open311Error(400, "service_code is required")
    if not selectors.category_list(district=district).filter(code=code).exists():
        raise Open311Error(404, "service_code not found")
    lat, lon = p.get("lat") or None, p.get("long") or None
    if not (lat and lon) and not p.get("address_string") and not p.get("address_id"):
        raise Open311Error(400, "a location is required: lat & long, address_string or "
                                "address_id")
    merchant = merchant_by_token(district, p.get("attribute[merchant]"))
    name = " ".join(filter(None, [p.get("last_name", ""), p.get("first_name", "")]))
    from django.contrib.auth.models import AnonymousUser

    order = services.work_order_submit(
        actor=user or AnonymousUser(), district=district, category_code=code,
        description=p.get("description", ""), channel=Channel.OPEN311, merchant=merchant,
        latitude=lat, longitude=lon, address=p.get("address_string", "")[:200],
        reporter_name=name, reporter_phone=p.get("phone", ""), device=device,
        # Rate-limited like every intake path: a kiosk device as one client, else the
        # caller's address (and the signed-in person).
        client_key=f"device:{device.pk}" if device else ratelimit.client_ip(request))
    data = [{"service_request_id": order.number,
             "service_notice": f"已受理，{order.category.resolution_hours} 小时内办结",
             "account_id": ""}]
    return _render(data, fmt, root="service_requests", item="request", status=201)


@open311_view
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    district = _jurisdiction(request)
    if request.method == "POST":
        return _request_create(request, fmt, district)
    if request.method != "GET":
        raise Open311Error(405, "method not allowed")
    return _request_list(request, fmt, district)


@open311_view
def request_one(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    district = _jurisdiction(request)
    user, _device = _caller(request, district, required=False)
    try:
        order = selectors.work_order_by_number(district=district, number=request_id)
    except NotFound:
        raise Open311Error(404, "service_request_id not found") from None
    staff = user is not None and policies.has_role(user, district, "committee", "street",
                                                  "department")
    return _render([_request_out(order, with_description=staff)], fmt, root="service_requests",
                   item="request")


urlpatterns = [
    path("discovery.<str:fmt>", discovery, name="open311-discovery"),
    path("services.<str:fmt>", service_list, name="open311-services"),
    path("services/<str:service_code>.<str:fmt>", service_definition,
         name="open311-service"),
    path("requests.<str:fmt>", requests_view, name="open311-requests"),
    path("requests/<str:request_id>.<str:fmt>", request_one, name="open311-request"),
]
