"""Staff console pages for the party organisation (committee and street manage)."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.errors import DomainError, NotFound, ValidationFailed
from shangquan.core.inputs import form_int
from shangquan.core.pii import phone_mask
from shangquan.core.views import district_console_view

from .. import selectors, services
from ..models import Agreement, OrgUnit, PartyMember
from ..qr import station_qr_svg, station_url


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(details={"date": value}) from None


def _unit(request: HttpRequest, key: str) -> OrgUnit | None:
    value = request.POST.get(key)
    return selectors.access_unit(district=request.district, unit_id=value) if value else None


@district_console_view
def tree_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "org.view", district)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "levels":
                services.org_levels_set(actor=request.user, district=district,
                                        names=request.POST.get("levels", "").split("\n"))
            else:
                level_id = request.POST.get("level")
                level = selectors.level_list(district=district).filter(
                    pk=form_int(level_id, "level")).first() if level_id else None
                services.org_unit_create(actor=request.user, district=district,
                                         name=request.POST.get("name", ""),
                                         kind=request.POST.get("kind", OrgUnit.Kind.TREE),
                                         parent=_unit(request, "parent"), level=level,
                                         hotspot=request.POST.get("hotspot", ""),
                                         description=request.POST.get("description", ""))
            return redirect("org:tree", code=district.code)
        except DomainError as exc:
            error = exc
    tree = selectors.flatten_tree(selectors.org_tree(district=district))
    return render(request, "org/tree.html", {
        "tree": tree, "levels": selectors.level_list(district=district),
        "units": selectors.unit_list(district=district), "kinds": OrgUnit.Kind.choices,
        "can_manage": policies.can(request.user, "org.manage", district), "error": error,
    }, status=error.status if error else 200)


@district_console_view
def alliances_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "org.view", district)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "agreement":
                services.agreement_create(actor=request.user, district=district,
                                          title=request.POST.get("title", ""),
                                          unit_a=_unit(request, "unit_a"),
                                          unit_b=_unit(request, "unit_b"),
                                          starts_on=_date(request.POST.get("starts_on"))
                                          or timezone.localdate(),
                                          ends_on=_date(request.POST.get("ends_on")),
                                          kind=request.POST.get("kind", "agreement"),
                                          content=request.POST.get("content", ""))
            else:
                alliance, unit = _unit(request, "alliance"), _unit(request, "unit")
                if alliance is None or unit is None:
                    raise ValidationFailed(details={"unit": "required"})
                services.alliance_join(actor=request.user, alliance=alliance, unit=unit,
                                       duty=request.POST.get("duty", ""))
            return redirect("org:alliances", code=district.code)
        except DomainError as exc:
            error = exc
        except AttributeError:  # a missing unit
            error = ValidationFailed()
    return render(request, "org/alliances.html", {
        "alliances": selectors.alliance_list(district=district),
        "agreements": selectors.agreement_list(district=district),
        "units": selectors.unit_list(district=district),
        "agreement_kinds": Agreement.Kind.choices,
        "can_manage": policies.can(request.user, "org.manage", district), "error": error,
    }, status=error.status if error else 200)


@district_console_view
def members_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "instructor":
                instructor = selectors.member_list(user=request.user, district=district).get(
                    pk=form_int(request.POST.get("instructor"), "instructor", default=0))
                services.instructor_assign(actor=request.user, instructor=instructor,
                                           unit=_unit(request, "unit"))
            else:
                unit = _unit(request, "unit")
                if unit is None:
                    raise ValidationFailed(details={"unit": "required"})
                services.party_member_create(actor=request.user, district=district, unit=unit,
                                             name=request.POST.get("name", ""),
                                             role=request.POST.get("role", "member"),
                                             phone=request.POST.get("phone", ""),
                                             is_instructor=bool(request.POST.get(
                                                 "is_instructor")))
            return redirect("org:members", code=district.code)
        except DomainError as exc:
            error = exc
        except PartyMember.DoesNotExist:
            error = ValidationFailed()
    g = request.GET
    qs = selectors.member_list(user=request.user, district=district, unit=g.get("unit"),
                               role=g.get("role", ""), q=g.get("q", "").strip())
    page = Paginator(qs, 50).get_page(g.get("page"))
    for m in page:
        m.phone_masked = phone_mask(m.phone)
    return render(request, "org/members.html", {
        "page": page, "units": selectors.unit_list(district=district),
        "roles": PartyMember.Role.choices,
        "instructors": selectors.member_list(user=request.user, district=district,
                                             instructors=True),
        "can_manage": policies.can(request.user, "org.manage", district), "error": error,
    }, status=error.status if error else 200)


@district_console_view
def stations_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "checkin.view", district)
    error = None
    if request.method == "POST":
        try:
            services.station_create(actor=request.user, district=district,
                                    name=request.POST.get("name", ""),
                                    address=request.POST.get("address", ""),
                                    unit=_unit(request, "unit"))
            return redirect("org:stations", code=district.code)
        except DomainError as exc:
            error = exc
    stations = list(selectors.station_list(district=district))
    for s in stations:
        s.url = station_url(s)
    return render(request, "org/stations.html", {
        "stations": stations, "units": selectors.unit_list(district=district),
        "can_manage": policies.can(request.user, "station.manage", district), "error": error,
    }, status=error.status if error else 200)


@district_console_view
def station_qr_view(request: HttpRequest, station_id: int) -> HttpResponse:
    policies.require(request.user, "checkin.view", request.district)
    station = selectors.station_list(district=request.district).filter(pk=station_id).first()
    if station is None:
        raise NotFound()
    response = HttpResponse(station_qr_svg(station), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="station-{station.token}.svg"'
    return response


@district_console_view
def registry_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    g = request.GET
    unseen = form_int(g.get("unseen"), "unseen", low=0, high=3650)
    qs = selectors.mobile_member_list(user=request.user, district=district, unseen_days=unseen,
                                      station=g.get("station"), q=g.get("q", "").strip())
    page = Paginator(qs, 50).get_page(g.get("page"))
    for m in page:
        m.phone_masked = phone_mask(m.phone)
    recent = selectors.check_in_list(user=request.user, district=district)[:20]
    return render(request, "org/registry.html", {
        "page": page, "stations": selectors.station_list(district=district),
        "recent": recent, "unseen": unseen,
    })
