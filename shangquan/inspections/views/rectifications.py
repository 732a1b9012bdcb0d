"""Console pages for rectification orders: list, detail (evidence, verify, follow-up)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shangquan.core import policies
from shangquan.core.errors import DomainError
from shangquan.core.views import district_console_view

from .. import selectors, services
from ..models import FollowUpVisit, Rectification, Severity
from ..policies import RECTIFICATION_ACTIONS, is_staff


@district_console_view
def rectification_list_view(request: HttpRequest) -> HttpResponse:
    district, user = request.district, request.user
    g = request.GET
    qs = selectors.rectification_list(user=user, district=district, status=g.get("status", ""),
                                      severity=g.get("severity", ""),
                                      overdue=g.get("overdue") == "1",
                                      open_only=g.get("open") == "1",
                                      grid_id=g.get("grid") or None)
    page = Paginator(qs, 30).get_page(g.get("page"))
    return render(request, "inspections/rectifications.html", {
        "page": page, "statuses": Rectification.Status.choices,
        "severities": Severity.choices, "f": g, "staff": is_staff(user, district)})


@district_console_view
def rectification_detail_view(request: HttpRequest, rectification_id: int) -> HttpResponse:
    district, user = request.district, request.user
    order = selectors.rectification_get(user=user, district=district,
                                        rectification_id=rectification_id)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "evidence":
                services.rectification_evidence_submit(
                    actor=user, district=district, rectification=order,
                    note=request.POST.get("note", ""), photos=request.FILES.getlist("photos"))
                messages.success(request, _("整改材料已提交，等待验收"))
            elif action in ("verify", "reject"):
                service = (services.rectification_verify if action == "verify"
                           else services.rectification_reject)
                service(actor=user, district=district, rectification=order,
                        note=request.POST.get("note", ""))
                messages.success(request, _("已验收通过") if action == "verify"
                                 else _("已退回重新整改"))
            elif action == "visit":
                services.follow_up_record(actor=user, district=district, rectification=order,
                                          outcome=request.POST.get("outcome", ""),
                                          note=request.POST.get("note", ""))
                messages.success(request, _("回访已记录"))
        except DomainError as exc:
            error = exc
        else:
            return redirect("inspections:rectification", code=district.code,
                            rectification_id=order.pk)
    return render(request, "inspections/rectification_detail.html", {
        "order": order, **selectors.rectification_timeline(order), "error": error,
        "finding": getattr(order, "finding", None),
        # what the services would accept: role, owner rule and the RECTIFICATION table
        **{f"can_{transition}": policies.can(user, action, order)
           for transition, action in RECTIFICATION_ACTIONS.items()},
        "can_visit": policies.can(user, "inspections.follow_up", district),
        "can_plan": policies.can(user, "inspections.plan", district),
        "outcomes": FollowUpVisit.Outcome.choices}, status=error.status if error else 200)
