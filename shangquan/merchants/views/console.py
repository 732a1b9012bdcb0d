"""Staff console pages for merchants, grids, rosters, imports and posters."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.errors import DomainError, NotFound, ValidationFailed
from shangquan.core.inputs import form_ints
from shangquan.core.pii import phone_mask
from shangquan.core.selectors import access_member_user
from shangquan.core.views import district_console_view
from shangquan.org.models import PartyMember

from .. import grids, jobs, rosters, selectors, services
from ..exporting import import_template_xlsx, merchant_posters_pdf, merchants_export_xlsx
from ..models import GridContact, ImportJob, Merchant
from ..policies import can_see_phone, owns_merchant
from ..poster import FORMATS, poster, poster_url

MERCHANT_FORM_FIELDS = ["name", "licence_no", "category", "address", "stall_no", "contact_name",
                        "phone", "opening_hours", "outdoor_area", "latitude", "longitude",
                        "commit_identity", "commit_duty", "commit_promise", "party_badge"]


def _filter_args(request: HttpRequest) -> dict:
    g = request.GET
    return {"q": g.get("q", "").strip(), "category": g.get("category", ""),
            "status": g.get("status", ""), "grid": g.get("grid") or None,
            "association": g.get("association") or None}


def _filters(request: HttpRequest):
    return selectors.merchant_list(district=request.district, **_filter_args(request))


# Up to this many grids a form lists them all; a larger district (2,500 grids at 25,000
# shops) gets the searchable picker instead, so the page does not grow with the grids.
GRID_SELECT_MAX = 200


def _grid_picker(district, selected: str | None = None) -> dict:
    """``grids``: (pk, name) pairs for a ``<select>``, or None for the picker (with
    ``grid_name``, the selected grid's name)."""
    grids = list(selectors.grid_choices(district=district)[:GRID_SELECT_MAX + 1])
    if len(grids) <= GRID_SELECT_MAX:
        return {"grids": grids, "grid_name": ""}
    return {"grids": None, "grid_name": selectors.grid_name(district=district, grid_id=selected)}


@district_console_view
def merchant_list_view(request: HttpRequest) -> HttpResponse:
    policies.require(request.user, "merchant.view", request.district)
    district, error = request.district, None
    if request.method == "POST":
        try:
            merchant = services.merchant_create(actor=request.user, district=district,
                                                **_merchant_form(request, creating=True))
            return redirect("merchants:detail", code=district.code, merchant_id=merchant.pk)
        except DomainError as exc:
            error = exc
    # The columns the table shows, not every field of three joined models.
    rows = (_filters(request).select_related(None).select_related("grid")
            .only("id", "name", "is_party_member", "category", "stall_no", "status",
                  "grid__name"))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "merchants/list.html", {
        "page": page, "categories": selectors.merchant_categories(district=district),
        **_grid_picker(district, request.GET.get("grid")),
        "associations": selectors.association_list(district=district),
        "can_manage": policies.can(request.user, "merchant.create", district),
        "can_export": policies.can(request.user, "merchant.export", district),
        "can_import": policies.can(request.user, "merchant.import", district),
        "error": error, "form": request.POST,
    }, status=error.status if error else 200)


def _merchant_form(request: HttpRequest, *, creating: bool = False) -> dict:
    p = request.POST
    data = {k: p.get(k, "").strip() for k in MERCHANT_FORM_FIELDS if k in p}
    for key in ("association", "grid", "party_member"):
        if key in p:
            data[key] = p.get(key) or None
    if "party_flag" in p:  # the checkbox is on the form: unticked means False
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
    own = owns_merchant(request.user, merchant)
    if not own:
        policies.require(request.user, "merchant.view", district)
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
                # Every submitted field goes to the service, which refuses (403) what an
                # owner may not change, exactly as the API does.
                services.merchant_update(actor=request.user, merchant=merchant,
                                         **_merchant_form(request))
            return redirect("merchants:detail", code=district.code, merchant_id=merchant.pk)
        except DomainError as exc:
            error = exc
    merchant = selectors.access_merchant(district=district, merchant_id=merchant_id)
    return render(request, "merchants/detail.html", {
        "m": merchant, "phone": merchant.phone if can_see_phone(request.user, merchant)
        else phone_mask(merchant.phone),
        "photos": merchant.photos.all(), "staff": merchant.staff.select_related("user"),
        "grids": _grid_picker(district)["grids"],
        "associations": selectors.association_list(district=district),
        "statuses": Merchant.Status.choices, "badges": Merchant.PartyBadge.choices,
        "party_members": [(pk, f"{name} · {unit}") for pk, name, unit in
                          PartyMember.objects.filter(district=district)
                          .order_by("unit__name", "name").values_list("pk", "name", "unit__name")],
        "public_url": poster_url(merchant),
        "can_manage": policies.can(request.user, "merchant.update", district),
        "can_status": policies.can(request.user, "merchant.status_set", district),
        "can_poster": policies.can(request.user, "merchant.poster", district), "own": own,
        "error": error,
    }, status=error.status if error else 200)


@district_console_view
def poster_view(request: HttpRequest, merchant_id: int, fmt: str) -> HttpResponse:
    policies.require(request.user, "merchant.poster", request.district)
    if fmt not in FORMATS:
        raise NotFound()
    merchant = selectors.access_merchant(district=request.district, merchant_id=merchant_id)
    response = HttpResponse(poster(merchant, fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'inline; filename="qr-{merchant.public_token}.{fmt}"'
    return response


@district_console_view
def posters_batch_view(request: HttpRequest) -> HttpResponse:
    """Every shop of a filter (typically a grid) on A5 pages, ready to print."""
    response = HttpResponse(merchant_posters_pdf(actor=request.user, district=request.district,
                                                 filters=_filter_args(request)),
                            content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="qr-posters.pdf"'
    return response


@district_console_view
def export_view(request: HttpRequest) -> HttpResponse:
    data = merchants_export_xlsx(actor=request.user, district=request.district,
                                 filters=_filter_args(request))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument"
                                               ".spreadsheetml.sheet")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = (f'attachment; filename="merchants-{request.district.code}'
                                       f'-{stamp}.xlsx"')
    return response


@district_console_view
def import_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "merchant.import", district)
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed(_msg("请选择要导入的文件"), code="empty_file")
            # A dry run first: the job page shows what would change, then 确认导入.
            job = jobs.import_job_create(actor=request.user, district=district,
                                         filename=upload.name, data=upload.read(),
                                         dry_run=True)
            return redirect("merchants:import_job", code=district.code, job_id=job.pk)
        except DomainError as exc:
            error = exc
    recent = ImportJob.objects.filter(district=district).defer("data")[:10]
    return render(request, "merchants/import.html", {"error": error, "recent": recent,
                                                     "categories": selectors.known_categories(
                                                         district=district)},
                  status=error.status if error else 200)


def _msg(text: str) -> str:
    return _(text)


@district_console_view
def import_template_view(request: HttpRequest) -> HttpResponse:
    policies.require(request.user, "merchant.import", request.district)
    response = HttpResponse(import_template_xlsx(
        categories=selectors.known_categories(district=request.district)),
                            content_type="application/vnd.openxmlformats-officedocument"
                                         ".spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="merchant-import-template.xlsx"'
    return response


@district_console_view
def import_job_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, district=request.district, job_id=job_id)
    error = None
    if request.method == "POST" and request.POST.get("action") == "confirm":
        try:
            jobs.import_job_confirm(actor=request.user, district=request.district, job=job)
            return redirect("merchants:import_job", code=request.district.code, job_id=job.pk)
        except DomainError as exc:
            error = exc
    template = ("merchants/_import_progress.html" if request.headers.get("HX-Request")
                else "merchants/import_job.html")
    return render(request, template, {"job": job, "error": error},
                  status=error.status if error else 200)


@district_console_view
def grids_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "merchant.view", district)
    error, proposal = None, None
    try:
        size = int(request.POST.get("size") or request.GET.get("size") or 10)
    except ValueError:
        size = 10
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "propose":
                policies.require(request.user, "grid.manage", district)
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
    # Paged like the merchant list: a district of 25,000 shops has 2,500 grids.
    page = Paginator(selectors.grid_list(district=district), 100).get_page(
        request.GET.get("page"))
    return render(request, "merchants/grids.html", {
        "grids": page, "page": page, "proposal": proposal, "names": names,
        "size": size, "unassigned": Merchant.objects.filter(district=district,
                                                            grid__isnull=True).count(),
        "can_manage": policies.can(request.user, "grid.manage", district), "error": error,
    }, status=error.status if error else 200)


@district_console_view
def grid_detail_view(request: HttpRequest, grid_id: int) -> HttpResponse:
    district = request.district
    policies.require(request.user, "merchant.view", district)
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
                fields: dict = {k: request.POST.get(k, "").strip()
                                for k in ("name", "leader_name", "public_contact")}
                # As in the API: a blank account clears the leader, a name must be a member.
                if "leader" in request.POST:
                    fields["leader"] = None
                    if request.POST["leader"].strip():
                        candidate = get_user_model().objects.filter(
                            username=request.POST["leader"].strip()).first()
                        try:  # only someone who belongs to this district can lead a grid
                            fields["leader"] = access_member_user(
                                district=request.district,
                                user_id=candidate.pk if candidate else None)
                        except NotFound:
                            raise ValidationFailed(
                                details={"leader": _("未找到该账号")}) from None
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
        "steward": selectors.steward_today(district=district, grid=grid),
        "can_manage": policies.can(request.user, "grid.manage", district), "error": error,
    }, status=error.status if error else 200)


def _date(value: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        raise ValidationFailed(details={field: _msg("日期格式应为 YYYY-MM-DD")}) from None


@district_console_view
def rosters_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "merchant.view", district)
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
                closed_weekdays=form_ints(p.getlist("closed_weekdays"), "closed_weekdays",
                                          low=0, high=6),
                closed_dates=closed_dates)
            return redirect("merchants:roster_detail", code=district.code, roster_id=roster.pk)
        except DomainError as exc:
            error = exc
    return render(request, "merchants/rosters.html", {
        "rosters": selectors.roster_list(district=district)[:100],
        "grids": selectors.grid_choices(district=district),
        "weekdays": list(enumerate([_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")])),
        "today": timezone.localdate(),
        "can_manage": policies.can(request.user, "roster.manage", district), "error": error,
    }, status=error.status if error else 200)


@district_console_view
def roster_detail_view(request: HttpRequest, roster_id: int) -> HttpResponse:
    district = request.district
    policies.require(request.user, "merchant.view", district)
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
        "can_manage": policies.can(request.user, "roster.manage", district), "error": error,
    }, status=error.status if error else 200)


@district_console_view
def associations_view(request: HttpRequest) -> HttpResponse:
    district = request.district
    policies.require(request.user, "merchant.view", district)
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
        "can_manage": policies.can(request.user, "association.manage", district),
        "error": error}, status=error.status if error else 200)


@district_console_view
def my_shop_view(request: HttpRequest) -> HttpResponse:
    """A merchant's own shop(s): straight to the page when there is one."""
    shops = list(Merchant.objects.filter(district=request.district, staff__user=request.user)
                 .distinct().order_by("name"))
    if len(shops) == 1:
        return redirect("merchants:detail", code=request.district.code, merchant_id=shops[0].pk)
    return render(request, "merchants/my_shops.html", {"shops": shops})
