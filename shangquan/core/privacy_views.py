"""Console pages for personal data (issue 11): a member's full phone for staff who must call
them (committee, street; a stated reason; audited), and erasure (PIPL art. 47) of a person
by a city admin. Thin: one selector or service each."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .errors import DomainError
from .views import district_console_view


@district_console_view
@require_http_methods(["GET", "POST"])
def phone_reveal_view(request: HttpRequest, user_id: int) -> HttpResponse:
    member = selectors.member_for_phone_reveal(user=request.user, district=request.district,
                                               user_id=user_id)
    context = {"member": member, "phone": None, "error": None}
    if request.method == "POST":
        try:
            context["phone"] = services.member_phone_reveal(
                actor=request.user, district=request.district, user_id=user_id,
                reason=request.POST.get("reason", ""))
        except DomainError as exc:
            context["error"] = exc
    response = render(request, "core/phone_reveal.html", context,
                      status=context["error"].status if context["error"] else 200)
    response["Cache-Control"] = "no-store"  # the number stays out of caches and replays
    return response


@login_required
@require_http_methods(["GET", "POST"])
def erase_view(request: HttpRequest) -> HttpResponse:
    """Find the person by phone, show who it is, then erase with a stated reason."""
    selectors.require_erasure_officer(user=request.user)
    context: dict = {"person": None, "pseudonym": None, "error": None,
                     "phone": request.POST.get("phone", "").strip()}
    if request.method == "POST":
        try:
            person = selectors.person_for_erasure(user=request.user, phone=context["phone"])
            context["person"] = person
            if person is not None and request.POST.get("step") == "erase":
                context["pseudonym"] = services.resident_erase(
                    actor=request.user, user=person.user, reason=request.POST.get("reason", ""))
                context["person"] = None
        except DomainError as exc:
            context["error"] = exc
    status = context["error"].status if context["error"] else 200
    response = render(request, "core/erase.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
