"""Staff console pages for merchants, grids, rosters, imports and posters."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from shangquan.core import policies
from shangquan.core.errors import DomainError, NotFound, ValidationFailed
from shangquan.core.pii import phone_mask
from shangquan.core.views import district_console_view
from shangquan.org.models import PartyMember

from . import grids, jobs, rosters, selectors, services
from .exporting import import_template_xlsx, merchants_export_xlsx
from .models import GridContact, ImportJob, Merchant
from .policies import can_see_phone
from .poster import FORMATS, poster, poster_pdf, poster_url

MERCHANT_FORM_FIELDS = ["name", "licence_no", "category", "address", "stall_no", "contact_name",
                        "phone", "opening_hours", "outdoor_area", "latitude", "longitude",
                        "commit_identity", "commit_duty", "commit_promise", "party_badge"]


def _filters(request: HttpRequest):
    g = request.GET
    return selectors.merchant_list(district=request.district, q=g.get("q", "").strip(),
                                   category=g.get("category", ""), status=g.get("status", ""),
                                   grid=g.get("grid") or None,
                                   association=g.get("association") or None)


@district_console_view
def merchant_list_view(request: HttpRequest) -> HttpResponse:
    policies.require(request.user, request.district, "merchant.view")
    district, error = request.district, None
    if request.method == "POST":
        try:
            merchant = services.merchant_create(actor=request.user, district=district,
                                                **_merchant_form(request, creating=True))
            return redirect("merchants:detail", code=district.code, merchant_id=merchant.pk)
        except DomainError as exc:
            error = exc
    page = Paginator(_filters(request), 50).get_page(request.GET.get("page"))
    return render(request, "merchants/list.html", {
        "page": page, "categories": selectors.merchant_categories(district=district),
        "grids": selectors.grid_list(district=district),
        "associations": selectors.association_list(district=district),
        "can_manage": policies.can(request.user, district, "merchant.create"),
        "can_export": policies.can(request.user, district, "merchant.export"),
        "can_import": policies.can(request.user, district, "merchant.import"),
        "error": error, "form": request.POST,
    }, status=error.status if error else 200)


def _merchant_form(request: HttpRequest, *, creating: bool = False) -> dict:
    p = request.POST
    data = {k: p.get(k, "").strip() for k in MERCHANT_FORM_FIELDS if k in p}
    for key in ("association", "grid", "party_member"):
        if key in p:
            data[key] = p.get(key) or None
    if "party_flag" in p or not creating:
        data["is_party_member"] = p.get("is_party_member") == "1"
    if data.get("party_badge") == "":
        data.pop("party_badge")
    if creating:
        data.setdefault("name", "")
        data.setdefault("licence_no", "")
        data.setdefault("category", "")
    return data


@district_console_view
def merchant_detail_view(request: HttpRequest, merchant_id: int) -> HttpResponse:
    district = request.district
    merchant = selectors.access_merchant(district=district, merchant_id=merchant_id)
    own = merchant.owner_id == request.user.pk
    if not own:
        policies.require(request.user, district, "merchant.view")
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "update")
        try:
            if action == "status":
                services.merchant_status_set(actor=request.user, merchant=merchant,
                                             status=request.POST.get("status", ""),
                                             reason=request.POST.get("reason", ""))
            elif action == "photos":
                services.merchant_photos_add(actor=request.user, merchant=merchant,
                                             uploads=request.FILES.getlist("photos"))
            elif action == "staff":
                user = get_user_model().objects.filter(
                    username=request.POST.get("username", "").strip()).first()
                if user is None:
                    raise ValidationFailed(details={"username": "未找到该账号"})
                services.merchant_staff_add(actor=request.user, merchant=merchant, user=user,
                                            role=request.POST.get("role", "staff"))
            else:
                data = _merchant_form(request)
                if not policies.can(request.user, district, "merchant.update"):
                    data = {k: v for k, v in data.items() if k in services.OWNER_EDITABLE}
                services.merchant_update(actor=request.user, merchant=merchant, **data)
            return redirect("merchants:detail", code=district.code, merchant_id=merchant.pk)
        except DomainError as exc:
            error = exc
    merchant = selectors.access_merchant(district=district, merchant_id=merchant_id)
    return render(request, "merchants/detail.html", {
        "m": merchant, "phone": merchant.phone if can_see_phone(request.user, merchant)
        else phone_mask(merchant.phone),
        "photos": merchant.photos.all(), "staff": merchant.staff.select_related("user"),
        "grids": selectors.grid_list(district=district),
        "associations": selectors.association_list(district=district),
        "statuses": Merchant.Status.choices, "badges": Merchant.PartyBadge.choices,
        "party_members": PartyMember.objects.filter(district=district).select_related("unit")
        .order_by("unit__name", "name"),
        "public_url": poster_url(merchant),
        "can_manage": policies.can(request.user, district, "merchant.update"),
        "can_status": policies.can(request.user, district, "merchant.status_set"),
        "can_poster": policies.can(request.user, district, "merchant.poster"), "own": own,
        "error": error,
    }, status=error.status if error else 200)


@district_console_view
def poster_view(request: HttpRequest, merchant_id: int, fmt: str) -> HttpResponse:
    policies.require(request.user, request.district, "merchant.poster")
    if fmt not in FORMATS:
        raise NotFound()
    merchant = selectors.access_merchant(district=request.district, merchant_id=merchant_id)
    response = HttpResponse(poster(merchant, fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'inline; filename="qr-{merchant.public_token}.{fmt}"'
    return response


@district_console_view
def posters_batch_view(request: HttpRequest) -> HttpResponse:
    """Every shop of a filter (typically a grid) on A5 pages, ready to print."""
    policies.require(request.user, request.district, "merchant.poster")
    merchants = list(_filters(request).select_related("district")[:500])
    if not merchants:
        raise NotFound()
    response = HttpResponse(poster_pdf(merchants), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="qr-posters.pdf"'
    return response


@district_console_view
def export_view(request: HttpRequest) -> HttpResponse:
    data = merchants_export_xlsx(actor=request.user, district=request.district,
                                 queryset=_filters(request))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument"
                                               ".spreadsheetml.sheet")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = (f'attachment; filename="merchants-{request.district.code}'
                                       f'-{stamp}.xlsx"')
    return response


@district_console_view
def import_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, district, "merchant.import")
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed(_msg("请选择要导入的文件"), code="empty_file")
            job = jobs.import_job_create(actor=request.user, district=district,
                                         filename=upload.name, data=upload.read())
            return redirect("merchants:import_job", code=district.code, job_id=job.pk)
        except DomainError as exc:
            error = exc
    recent = ImportJob.objects.filter(district=district).defer("data")[:10]
    return render(request, "merchants/import.html", {"error": error, "recent": recent},
                  status=error.status if error else 200)


def _msg(text: str) -> str:
    from django.utils.translation import gettext

    return gettext(text)


@district_console_view
def import_template_view(request: HttpRequest) -> HttpResponse:
    policies.require(request.user, request.district, "merchant.import")
    response = HttpResponse(import_template_xlsx(),
                            content_type="application/vnd.openxmlformats-officedocument"
                                         ".spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="merchant-import-template.xlsx"'
    return response


@district_console_view
def import_job_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, district=request.district, job_id=job_id)
    template = ("merchants/_import_progress.html" if request.headers.get("HX-Request")
                else "merchants/import_job.html")
    return render(request, template, {"job": job})


@district_console_view
def grids_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, district, "merchant.view")
    error, proposal = None, None
    try:
        size = int(request.POST.get("size") or request.GET.get("size") or 10)
    except ValueError:
        size = 10
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "propose":
                policies.require(request.user, district, "grid.manage")
                proposal = grids.grids_propose(district=district, size=size)
            elif action == "apply":
                grids.grids_apply(actor=request.user, district=district,
                                  proposal=grids.grids_propose(district=district, size=size))
                return redirect("merchants:grids", code=district.code)
            elif action == "create":
                grids.grid_create(actor=request.user, district=district,
                                  name=request.POST.get("name", ""),
                                  leader_name=request.POST.get("leader_name", ""),
                                  public_contact=request.POST.get("public_contact", ""))
                return redirect("merchants:grids", code=district.code)
        except DomainError as exc:
            error = exc
    names = {}
    if proposal:
        names = dict(Merchant.objects.filter(district=district).values_list("id", "name"))
    return render(request, "merchants/grids.html", {
        "grids": selectors.grid_list(district=district), "proposal": proposal, "names": names,
        "size": size, "unassigned": Merchant.objects.filter(district=district,
                                                            grid__isnull=True).count(),
        "can_manage": policies.can(request.user, district, "grid.manage"), "error": error,
    }, status=error.status if error else 200)


@district_console_view
def grid_detail_view(request: HttpRequest, grid_id: int) -> HttpResponse:
    district = request.district
    policies.require(request.user, district, "merchant.view")
    grid = selectors.access_grid(district=district, grid_id=grid_id)
    error = None
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "contact":
                grids.grid_contact_add(actor=request.user, grid=grid,
                                       kind=request.POST.get("kind", ""),
                                       name=request.POST.get("name", ""),
                                       phone=request.POST.get("phone", ""))
            elif action == "move":
                merchant = selectors.access_merchant(district=district,
                                                     merchant_id=request.POST.get("merchant"))
                grids.grid_assign(actor=request.user, grid=grid, merchants=[merchant])
            else:
                leader = None
                if request.POST.get("leader"):
                    from shangquan.core.selectors import access_member_user

                    candidate = get_user_model().objects.filter(
                        username=request.POST["leader"].strip()).first()
                    try:  # only someone who belongs to this district can lead a grid
                        leader = access_member_user(district=request.district,
                                                    user_id=candidate.pk if candidate else None)
                    except NotFound:
                        raise ValidationFailed(details={"leader": "未找到该账号"}) from None
                fields = {k: request.POST.get(k, "").strip()
                          for k in ("name", "leader_name", "public_contact")}
                if leader is not None:
                    fields["leader"] = leader
                grids.grid_update(actor=request.user, grid=grid, **fields)
            return redirect("merchants:grid_detail", code=district.code, grid_id=grid.pk)
        except DomainError as exc:
            error = exc
    contacts = list(grid.contacts.all())
    for c in contacts:
        c.phone_masked = phone_mask(c.phone)
    return render(request, "merchants/grid_detail.html", {
        "grid": grid, "merchants": grid.merchants.order_by("stall_no", "name"),
        "contacts": contacts, "kinds": GridContact.Kind.choices,
        "others": Merchant.objects.filter(district=district).exclude(grid=grid)
        .order_by("name")[:500],
        "steward": selectors.steward_today(district=district, grid=grid),
        "can_manage": policies.can(request.user, district, "grid.manage"), "error": error,
    }, status=error.status if error else 200)


def _date(value: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        raise ValidationFailed(details={field: _msg("日期格式应为 YYYY-MM-DD")}) from None


@district_console_view
def rosters_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, district, "merchant.view")
    error = None
    if request.method == "POST":
        try:
            p = request.POST
            grid = selectors.access_grid(district=district, grid_id=p["grid"]) \
                if p.get("grid") else None
            closed_dates = [_date(d.strip(), "closed_dates")
                            for d in p.get("closed_dates", "").replace("，", ",").split(",")
                            if d.strip()]
            roster = rosters.roster_generate(
                actor=request.user, district=district, title=p.get("title", ""), grid=grid,
                starts_on=_date(p.get("starts_on"), "starts_on"),
                ends_on=_date(p.get("ends_on"), "ends_on"),
                closed_weekdays=[int(w) for w in p.getlist("closed_weekdays")],
                closed_dates=closed_dates)
            return redirect("merchants:roster_detail", code=district.code, roster_id=roster.pk)
        except DomainError as exc:
            error = exc
    return render(request, "merchants/rosters.html", {
        "rosters": selectors.roster_list(district=district)[:100],
        "grids": selectors.grid_list(district=district),
        "weekdays": list(enumerate(["一", "二", "三", "四", "五", "六", "日"])),
        "today": timezone.localdate(),
        "can_manage": policies.can(request.user, district, "roster.manage"), "error": error,
    }, status=error.status if error else 200)


@district_console_view
def roster_detail_view(request: HttpRequest, roster_id: int) -> HttpResponse:
    district = request.district
    policies.require(request.user, district, "merchant.view")
    roster = selectors.access_roster(district=district, roster_id=roster_id)
    error = None
    if request.method == "POST":
        try:
            merchant = selectors.access_merchant(district=district,
                                                 merchant_id=request.POST.get("merchant"))
            partner = (selectors.access_merchant(district=district,
                                                 merchant_id=request.POST["partner"])
                       if request.POST.get("partner") else None)
            rosters.duty_swap_request(actor=request.user, roster=roster, merchant=merchant,
                                      date=_date(request.POST.get("date"), "date"),
                                      partner=partner, reason=request.POST.get("reason", ""))
            return redirect("merchants:roster_detail", code=district.code, roster_id=roster.pk)
        except DomainError as exc:
            error = exc
    assignments = list(roster.assignments.select_related("merchant").order_by("date"))
    counts: dict[str, int] = {}
    for a in assignments:
        counts[a.merchant.name] = counts.get(a.merchant.name, 0) + 1
    return render(request, "merchants/roster_detail.html", {
        "roster": roster, "assignments": assignments, "counts": sorted(counts.items()),
        "swaps": roster.swaps.select_related("merchant", "partner"),
        "merchants": sorted({a.merchant for a in assignments}, key=lambda m: m.name),
        "today": timezone.localdate(),
        "can_manage": policies.can(request.user, district, "roster.manage"), "error": error,
    }, status=error.status if error else 200)


@district_console_view
def associations_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, district, "merchant.view")
    error = None
    if request.method == "POST":
        try:
            services.association_create(actor=request.user, district=district,
                                        name=request.POST.get("name", ""),
                                        contact=request.POST.get("contact", ""),
                                        public_phone=request.POST.get("public_phone", ""))
            return redirect("merchants:associations", code=district.code)
        except DomainError as exc:
            error = exc
    return render(request, "merchants/associations.html", {
        "associations": selectors.association_list(district=district),
        "can_manage": policies.can(request.user, district, "association.manage"),
        "error": error}, status=error.status if error else 200)


@district_console_view
def my_shop_view(request: HttpRequest) -> HttpResponse:
    """A merchant's own shop(s): straight to the page when there is one."""
    shops = list(Merchant.objects.filter(district=request.district, staff__user=request.user)
                 .distinct().order_by("name"))
    if len(shops) == 1:
        return redirect("merchants:detail", code=request.district.code, merchant_id=shops[0].pk)
    return render(request, "merchants/my_shops.html", {"shops": shops})
