"""Console pages: dispatch board / my queue, detail with actions, merge candidates,
overdue list, escalations, categories and settings, hotline entry."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shangquan.core import policies
from shangquan.core.district_settings import settings_form, settings_form_post
from shangquan.core.errors import DomainError, NotFound, ValidationFailed
from shangquan.core.pii import phone_mask
from shangquan.core.roles import Role
from shangquan.core.selectors import access_scoped, department_list
from shangquan.core.views import district_console_view
from shangquan.merchants.models import Grid

from .. import selectors, services
from ..forms import grid_by_id, parse_deadline
from ..models import Category, Channel, Escalation, FollowUp, Status, Tier, WorkOrder
from ..policies import TRANSITION_ACTIONS, can_see_reporter, can_view
from ..states import WORK_ORDER, is_ended


@district_console_view
def board_view(request: HttpRequest) -> HttpResponse:
    """Committee: the dispatch board. Department: my queue. Others: my reports."""
    district, user = request.district, request.user
    default_status = ""
    if policies.has_role(user, district, Role.COMMITTEE, Role.STREET):
        default_status = "submitted,reopened"
    elif policies.has_role(user, district, Role.DEPARTMENT):
        default_status = "dispatched,accepted"
    status = request.GET.get("status", default_status)
    qs = selectors.work_order_list(user=user, district=district, status=status,
                                   category=request.GET.get("category", ""),
                                   q=request.GET.get("q", "").strip()[:40])
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "workorders/console/board.html", {
        "page": page, "status": status, "statuses": Status.choices,
        "categories": selectors.category_list(district=district),
        "category": request.GET.get("category", ""), "q": request.GET.get("q", ""),
        "counts": selectors.counts_by_status(district=district),
    })


def _detail_context(request: HttpRequest, order: WorkOrder) -> dict:
    district, user = request.district, request.user
    reveal = can_see_reporter(user, order)
    return {
        "order": order, "events": selectors.timeline(order=order, public_only=False),
        "photos": list(order.photos.all()), "reveal_reporter": reveal,
        "reporter_phone": order.reporter_phone if reveal else phone_mask(order.reporter_phone),
        # One flag per form: the same question the service asks (role, object rule and
        # the transition table), so a button shows exactly when its click is accepted.
        **{f"can_{transition}": policies.can(user, TRANSITION_ACTIONS[transition], order)
           for transition in ("dispatch", "accept", "return", "resolve", "reject", "merge")},
        "can_exclude": policies.can(user, "workorders.rating_exclude", district)
        and bool(order.rating) and not order.rating_excluded,
        "can_follow_up": policies.can(user, "workorders.follow_up", district)
        and order.status == Status.CLOSED,
        "can_escalate": policies.can(user, "workorders.escalate", order) and not is_ended(order),
        "departments": department_list(district=district),
        "duplicates": selectors.duplicates_find(
            district=district, category=order.category, latitude=order.latitude,
            longitude=order.longitude, merchant_id=order.merchant_id, grid_id=order.grid_id,
            at=order.created_at, exclude_pk=order.pk)
        if WORK_ORDER.allows_on(order, "merge") else [],
        "follow_ups": list(order.follow_ups.all()), "outcomes": FollowUp.Outcome.choices,
        "escalations": list(order.escalations.all()),
        "dispatch_note": selectors.dispatch_note(order=order),
    }


@district_console_view
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.work_order_get(user=request.user, district=request.district, pk=pk)
    return render(request, "workorders/console/detail.html", _detail_context(request, order))


@require_POST
@district_console_view
def act_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One form per transition; the service decides whether it is allowed."""
    district, user, data = request.district, request.user, request.POST
    order = selectors.work_order_get(user=user, district=district, pk=pk)
    try:
        if action == "dispatch":
            department = access_scoped(department_list(district=district), district=district,
                                       pk=data.get("department"))
            services.work_order_dispatch(actor=user, district=district, order=order,
                                         department=department,
                                         deadline=parse_deadline(data.get("deadline", "")),
                                         note=data.get("note", ""))
        elif action == "accept":
            services.work_order_accept(actor=user, district=district, order=order)
        elif action == "return":
            services.work_order_return(actor=user, district=district, order=order,
                                       reason=data.get("reason", ""))
        elif action == "resolve":
            services.work_order_resolve(actor=user, district=district, order=order,
                                        note=data.get("note", ""),
                                        photos=request.FILES.getlist("photos"))
        elif action == "reject":
            services.work_order_reject(actor=user, district=district, order=order,
                                       reason=data.get("reason", ""))
        elif action == "merge":
            into = WorkOrder.objects.filter(district=district,
                                            number=data.get("into", "").strip().upper()).first()
            if into is None:
                raise ValidationFailed(code="merge_target_missing")
            services.work_order_merge(actor=user, district=district, order=order, into=into,
                                      reason=data.get("reason", ""))
        elif action == "exclude":
            services.rating_mark_unreasonable(actor=user, district=district, order=order,
                                              reason=data.get("reason", ""))
        elif action == "follow_up":
            services.follow_up_record(actor=user, district=district, order=order,
                                      outcome=data.get("outcome", ""), note=data.get("note", ""))
        elif action == "escalate":
            services.work_order_escalate(actor=user, district=district, order=order,
                                         note=data.get("note", ""))
        else:
            raise NotFound()
    except DomainError as exc:
        context = _detail_context(request, order)
        context["error"] = exc
        return render(request, "workorders/console/detail.html", context, status=exc.status)
    if data.get("next") == "board":
        return redirect("workorders:board", code=district.code)
    return redirect("workorders:detail", code=district.code, pk=order.pk)


@district_console_view
def merge_candidates_view(request: HttpRequest) -> HttpResponse:
    policies.require(request.user, "workorders.merge", request.district)
    return render(request, "workorders/console/merge.html", {
        "pairs": selectors.merge_candidates(district=request.district)})


@district_console_view
def overdue_view(request: HttpRequest) -> HttpResponse:
    qs = selectors.overdue_list(user=request.user, district=request.district)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "workorders/console/overdue.html", {"page": page})


@district_console_view
def escalations_view(request: HttpRequest) -> HttpResponse:
    district, user = request.district, request.user
    policies.require(user, "workorders.view_all", district)
    error = None
    if request.method == "POST":
        escalation = access_scoped(Escalation, district=district, pk=request.POST.get("id"))
        try:
            services.escalation_handle(actor=user, district=district, escalation=escalation,
                                       note=request.POST.get("note", ""))
        except DomainError as exc:
            error = exc
        else:
            return redirect("workorders:escalations", code=district.code)
    show_all = request.GET.get("all") == "1"
    page = Paginator(selectors.escalation_list(district=district, open_only=not show_all),
                     30).get_page(request.GET.get("page"))
    return render(request, "workorders/console/escalations.html", {
        "page": page, "show_all": show_all, "error": error,
        "can_handle": policies.can(user, "workorders.escalation_handle", district)},
        status=error.status if error else 200)


@district_console_view
def new_view(request: HttpRequest) -> HttpResponse:
    """Staff entry: a hotline call (committee/street), or a grid leader / volunteer /
    merchant report from the console."""
    district, user = request.district, request.user
    channels = [(c, Channel(c).label) for c, roles in (
        (Channel.HOTLINE, {Role.COMMITTEE, Role.STREET}),
        (Channel.GRID_LEADER, {Role.GRID_LEADER}), (Channel.VOLUNTEER, {Role.VOLUNTEER}),
        (Channel.MERCHANT, {Role.MERCHANT})) if policies.has_role(user, district, *roles)]
    channels.append((Channel.RESIDENT.value, Channel.RESIDENT.label))
    context = {"categories": selectors.category_list(district=district), "channels": channels,
               "grids": Grid.objects.filter(district=district).order_by("name"),
               "form": request.POST}
    if request.method == "POST":
        try:
            order = services.work_order_submit(
                actor=user, district=district, category_code=request.POST.get("category", ""),
                description=request.POST.get("description", ""),
                channel=request.POST.get("channel", ""),
                grid=grid_by_id(district, request.POST.get("grid")),
                address=request.POST.get("address", ""), photos=request.FILES.getlist("photos"),
                reporter_name=request.POST.get("reporter_name", ""),
                reporter_phone=request.POST.get("reporter_phone", ""),
                anonymous=bool(request.POST.get("anonymous")))
        except DomainError as exc:
            context["error"] = exc
            return render(request, "workorders/console/new.html", context, status=exc.status)
        if can_view(user, order):
            return redirect("workorders:detail", code=district.code, pk=order.pk)
        return redirect("workorders:track", code=district.code, number=order.number)
    return render(request, "workorders/console/new.html", context)


@district_console_view
def categories_view(request: HttpRequest) -> HttpResponse:
    """Categories (department, limits, anonymity) and the district's settings."""
    district, user = request.district, request.user
    policies.require(user, "workorders.category_manage", district)
    error = None
    if request.method == "POST":
        data = request.POST
        try:
            if data.get("form") == "settings":
                settings_form_post(actor=user, district=district, app="workorders", data=data)
            else:
                category = access_scoped(Category, district=district, pk=data.get("id"))
                dept_raw = data.get("department", "")
                department = (access_scoped(department_list(district=district),
                                            district=district, pk=dept_raw) if dept_raw else None)
                services.category_update(
                    actor=user, district=district, category=category, name=data.get("name"),
                    tier=data.get("tier") or None, department=department,
                    response_hours=_int(data.get("response_hours")),
                    resolution_hours=_int(data.get("resolution_hours")),
                    allow_anonymous=bool(data.get("allow_anonymous")),
                    is_active=bool(data.get("is_active")))
        except DomainError as exc:
            error = exc
        else:
            return redirect("workorders:categories", code=district.code)
    return render(request, "workorders/console/categories.html", {
        "categories": selectors.category_list(district=district, active_only=False),
        "departments": department_list(district=district), "tiers": Tier.choices,
        "settings_form": settings_form(user=user, district=district, app="workorders"),
        "settings_marker": ("form", "settings"), "error": error,
    }, status=error.status if error else 200)


def _int(raw) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        raise ValidationFailed(code="invalid_number") from None


