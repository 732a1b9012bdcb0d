from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from . import district_settings, homes, policies, selectors, services
from .auth import BACKEND
from .dashboard import cards_for
from .errors import DomainError
from .models import AuditLog, District, Membership


def trivial(request: HttpRequest) -> HttpResponse:
    """The benchmarks' baseline: no database, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    districts = District.objects.filter(is_active=True)
    return render(request, "core/home.html", {"districts": districts})


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("core:console")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    error = None
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        try:
            user = services.user_authenticate(request=request, username=username,
                                              password=request.POST.get("password", ""))
        except DomainError as exc:
            error = exc
        else:
            login(request, user, backend=BACKEND)
            return redirect(_safe_next(request))
    return render(request, "core/login.html",
                  {"error": error, "username": username, "next": request.GET.get("next", "")},
                  status=error.status if error else 200)


@require_http_methods(["GET", "POST"])
def login_phone_view(request: HttpRequest) -> HttpResponse:
    context: dict = {"next": request.GET.get("next", "") or request.POST.get("next", ""),
                     "phone": request.POST.get("phone", "").strip(), "sent": False}
    if request.method == "POST":
        try:
            if request.POST.get("step") == "verify":
                user = services.otp_verify(request=request, phone=context["phone"],
                                           code=request.POST.get("code", ""))
                login(request, user, backend=BACKEND)
                return redirect(context["next"] or reverse("core:home"))
            services.otp_send(request=request, phone=context["phone"])
            context["sent"] = True
        except DomainError as exc:
            context["error"] = exc
            context["sent"] = request.POST.get("step") == "verify"
    return render(request, "core/login_phone.html", context,
                  status=400 if context.get("error") else 200)


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("core:home")


@login_required
def console(request: HttpRequest) -> HttpResponse:
    districts = list(selectors.district_list_visible(user=request.user))
    if len(districts) == 1:
        return redirect("core:console_district", code=districts[0].code)
    return render(request, "core/console_select.html", {
        "districts": districts, "overview": homes.street_overview(request.user, districts)})


def district_console_view(view):
    """Decorator: log-in required, district resolved and membership-checked."""

    @login_required
    def wrapper(request: HttpRequest, code: str, *args, **kwargs):
        request.district = selectors.access_district(user=request.user, code=code)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@district_console_view
def signed_in_floor(request: HttpRequest) -> HttpResponse:
    """The benchmarks' floor for a staff page: the session, the user and the district
    membership every console page reads, then no query, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


@district_console_view
def console_district(request: HttpRequest) -> HttpResponse:
    district = request.district
    recent = []
    if policies.can(request.user, "audit.view", district):
        # The card shows the action, the object and the actor's label: not the rows'
        # before/after JSON nor the actor's user row.
        recent = list(AuditLog.objects.filter(district=district)
                      .only("id", "district_id", "action", "actor_label", "object_type",
                            "object_id", "object_repr", "created_at")
                      .order_by("-created_at", "-id")[:8])
    notifications = list(selectors.notification_list(user=request.user, district=district)[:5])
    waiting, cards = homes.queue_cards(cards_for(request.user, district))
    return render(request, "core/console_home.html", {
        "cards": cards, "waiting": waiting,
        "recent_audit": recent,
        "notifications": notifications,
    })


def _day(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None


@district_console_view
def audit_view(request: HttpRequest) -> HttpResponse:
    get = request.GET
    qs = selectors.audit_list(user=request.user, district=request.district,
                              object_type=get.get("object_type", "")[:60],
                              action=get.get("action", "")[:60],
                              actor=get.get("actor", "").strip()[:60],
                              object_id=get.get("object_id", "").strip()[:64],
                              date_from=_day(get.get("date_from", "")),
                              date_to=_day(get.get("date_to", "")))
    page = Paginator(qs, 50).get_page(get.get("page"))
    return render(request, "core/audit.html", {
        "page": page, **selectors.audit_filter_choices(district=request.district)})


@district_console_view
def notifications_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notification_mark_read(user=request.user, district=request.district)
        return redirect("core:notifications", code=request.district.code)
    qs = selectors.notification_list(user=request.user, district=request.district)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@district_console_view
def people_view(request: HttpRequest) -> HttpResponse:
    policies.require(request.user, "membership.manage", request.district)
    memberships = (Membership.objects.filter(district=request.district, is_active=True)
                   .select_related("user", "user__profile", "department").order_by("role"))
    departments = selectors.department_list(district=request.district, active_only=False)
    if request.method == "POST":
        try:
            services.department_create(actor=request.user, district=request.district,
                                       code=request.POST.get("code", "").strip()
                                       or uuid.uuid4().hex[:8],
                                       name=request.POST.get("name", "").strip())
        except DomainError as exc:
            return render(request, "core/people.html", {
                "memberships": memberships, "departments": departments, "error": exc},
                status=exc.status)
        return redirect("core:people", code=request.district.code)
    return render(request, "core/people.html",
                  {"memberships": memberships, "departments": departments})


@district_console_view
def settings_view(request: HttpRequest) -> HttpResponse:
    """Every app's per-district settings the user may see, each in the one generic form."""
    district, user = request.district, request.user
    visible = [app for app, group in district_settings.groups().items()
               if policies.can(user, group.view, district)]
    if not visible:
        policies.require(user, "audit.view", district)  # 404 for outsiders, 403 for members
    error, posted = None, request.POST.get("app", "")
    if request.method == "POST":
        try:
            district_settings.settings_form_post(actor=user, district=district,
                                                 app=posted, data=request.POST)
        except DomainError as exc:
            error = exc
        else:
            return redirect(f"{reverse('core:settings', kwargs={'code': district.code})}"
                            f"#settings-{posted}")
    sections = [{"form": district_settings.settings_form(user=user, district=district, app=app),
                 "marker": ("app", app), "error": error if app == posted else None}
                for app in visible]
    return render(request, "core/settings.html", {"sections": sections},
                  status=error.status if error else 200)
